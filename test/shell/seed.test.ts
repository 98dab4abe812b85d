// The seed lab's command lines, typed unchanged into the lab shell, and what a learner sees: no stars on all-v1,
// some black stars at 80/20, the 3 s ratings delay in `time`, Code 200 and Code 503 from fortio under the circuit
// breaker, port-forwarded requests to localhost, and the cleanup lines.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reviews8020, reviewsCircuitBreaker } from "../support/bookinfo-networking";
import { applyHeredoc, fixture, realSeconds, startShellLab, type ShellLab } from "./support";

const STAR_LOOP = `for i in $(seq 1 10); do curl -s http://productpage:9080/productpage | grep -o "glyphicon-star" | wc -l; done`;

const RATINGS_DELAY_3S = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - fault:
      delay:
        percentage:
          value: 100.0
        fixedDelay: 3s
    route:
    - destination:
        host: ratings
        subset: v1`;

function reviewsTo(subset: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: ${subset}`;
}

describe("seed lab in the lab shell", () => {
  let lab: ShellLab;

  beforeAll(async () => {
    lab = await startShellLab();
    const setup = await lab.run(applyHeredoc(fixture("destination-rule-all.yaml")));
    expect(setup.exitCode).toBe(0);
  });
  afterAll(() => lab.close());

  it("baseline: reviews on v1, ten product pages, zero stars each", async () => {
    const applied = await lab.run(applyHeredoc(fixture("reviews-v1.yaml")));
    expect(applied.stdout).toBe("virtualservice.networking.istio.io/reviews created\n");
    await lab.settle();
    const loop = await lab.run(STAR_LOOP);
    expect(loop.exitCode).toBe(0);
    expect(loop.stdout).toBe("0\n".repeat(10));
  });

  it("canary 80/20: over 20 requests some pages show the nine black stars of v2, most show none", async () => {
    const applied = await lab.run(applyHeredoc(reviews8020));
    expect(applied.stdout).toBe("virtualservice.networking.istio.io/reviews configured\n");
    await lab.settle();
    const loop = await lab.run(STAR_LOOP.replace("seq 1 10", "seq 1 20"));
    const counts = loop.stdout.trim().split("\n");
    expect(counts).toHaveLength(20);
    expect(new Set(counts)).toEqual(new Set(["0", "9"]));
    expect(counts.filter((count) => count === "0").length).toBeGreaterThan(counts.filter((count) => count === "9").length);
  });

  it("delay: time shows the 3 s ratings delay on the ratings API and on pages served by v3 (2.5 s budget) and v2 (two 3 s tries)", async () => {
    expect((await lab.run(applyHeredoc(RATINGS_DELAY_3S))).stdout).toBe("virtualservice.networking.istio.io/ratings created\n");
    await lab.settle();

    const api = await lab.run("time curl -s -o /dev/null http://ratings:9080/ratings/0");
    expect(api.stdout).toBe("");
    expect(realSeconds(api.stderr)).toBeGreaterThanOrEqual(3);
    expect(realSeconds(api.stderr)).toBeLessThan(3.5);

    await lab.run(applyHeredoc(reviewsTo("v3")));
    await lab.settle();
    const v3 = await lab.run("time curl -s -o /dev/null http://productpage:9080/productpage");
    expect(realSeconds(v3.stderr)).toBeGreaterThanOrEqual(2.5);
    expect(realSeconds(v3.stderr)).toBeLessThan(3);
    const v3Page = await lab.run(`curl -s http://productpage:9080/productpage | grep -o "Ratings service is currently unavailable" | wc -l`);
    expect(v3Page.stdout).toBe("2\n");

    await lab.run(applyHeredoc(reviewsTo("v2")));
    await lab.settle();
    const v2 = await lab.run(`time curl -s -o page.html -w "%{http_code} %{time_total}\\n" http://productpage:9080/productpage`);
    expect(v2.stdout).toMatch(/^200 6\.\d+\n$/);
    expect(realSeconds(v2.stderr)).toBeGreaterThanOrEqual(6);
    expect(realSeconds(v2.stderr)).toBeLessThan(7);
    const saved = await lab.run(`grep -c "Sorry, product reviews are currently unavailable for this book." page.html`);
    expect(saved.stdout).toBe("1\n");
  });

  it("circuit breaker: fortio load from the fortio pod prints Code 200 and Code 503 lines; the caller's sidecar counts the overflow", async () => {
    await lab.run("kubectl delete vs ratings");
    expect((await lab.run(applyHeredoc(reviewsCircuitBreaker))).stdout).toBe("destinationrule.networking.istio.io/reviews-cb created\n");
    await lab.settle();
    const load = await lab.run(
      `FORTIO_POD=$(kubectl get pod -l app=fortio -o jsonpath='{.items[0].metadata.name}')\nkubectl exec "$FORTIO_POD" -c fortio -- fortio load -c 3 -qps 0 -n 30 -loglevel Warning http://reviews:9080/reviews/1`,
    );
    expect(load.exitCode).toBe(0);
    // fortio prints its summary on stderr, as the real one does.
    expect(load.stderr).toMatch(/^Code 200 : \d+ \(\d+\.\d %\)$/m);
    expect(load.stderr).toMatch(/^Code 503 : \d+ \(\d+\.\d %\)$/m);
    expect(load.stderr).toContain("All done 30 calls");
    const logs = await lab.run(`kubectl logs deploy/fortio-deploy -c istio-proxy --tail 30 | grep -c '" 503 UO '`);
    expect(Number(logs.stdout.trim())).toBeGreaterThan(0);

    const byDeployment = await lab.run("kubectl exec deploy/fortio-deploy -c fortio -- fortio load -c 3 -qps 0 -n 30 -loglevel Warning http://reviews:9080/reviews/1 2>&1 | grep '^Code'");
    expect(byDeployment.stdout).toMatch(/Code 200 : .*\nCode 503 : /);

    const stats = await lab.run(`kubectl exec "$(kubectl get pod -l app=fortio -o jsonpath='{.items[0].metadata.name}')" -c istio-proxy -- pilot-agent request GET stats | grep reviews | grep pending`);
    // The route sends reviews traffic to subset v2 at this point, so its cluster carries the overflow.
    const overflow = /^cluster\.outbound\|9080\|v2\|reviews\.default\.svc\.cluster\.local\.upstream_rq_pending_overflow: (\d+)$/m.exec(stats.stdout);
    expect(Number(overflow?.[1])).toBeGreaterThan(0);
    expect(stats.stdout).toContain("cluster.outbound|9080||reviews.default.svc.cluster.local.upstream_rq_pending_total:");
  });

  it("port-forward: curl on localhost reaches productpage until the forward is stopped", async () => {
    const forward = await lab.run("kubectl port-forward svc/productpage 9080:9080 &");
    expect(forward.stdout).toBe("Forwarding from 127.0.0.1:9080 -> 9080\nForwarding from [::1]:9080 -> 9080\n");
    const page = await lab.run(`curl -s http://localhost:9080/productpage | grep -o "<title>.*</title>"`);
    expect(page.stdout).toBe("<title>Simple Bookstore App</title>\n");
    const stopped = await lab.run("kill %1; curl -s http://localhost:9080/productpage; echo exit=$?");
    expect(stopped.stdout).toBe("exit=7\n");
  });

  it("cleanup: the lab's VirtualService and DestinationRule are deleted with kubectl's confirmation lines", async () => {
    const cleanup = await lab.run("kubectl delete virtualservice reviews\nkubectl delete destinationrule reviews-cb");
    expect(cleanup.stdout).toBe(`virtualservice.networking.istio.io "reviews" deleted\ndestinationrule.networking.istio.io "reviews-cb" deleted\n`);
    const gone = await lab.run("kubectl get vs ratings");
    expect(gone.stderr).toBe(`Error from server (NotFound): virtualservices.networking.istio.io "ratings" not found\n`);
    expect(gone.exitCode).toBe(1);
  });
});
