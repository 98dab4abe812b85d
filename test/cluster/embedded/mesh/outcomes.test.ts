// Every documented Bookinfo/Istio outcome (ground truth §2.6 and §6) reproduced on the embedded mesh, in virtual time.
import { describe, expect, it } from "vitest";
import { reviewsCircuitBreaker } from "../../../support/bookinfo-networking";
import { bookinfo, destinationRuleAll, filledStars, productPage, ratingsFault, reviewsAll, reviewsTestV2, virtualServiceAllV1 } from "./dataplane/fixtures";

const REVIEWS_UNAVAILABLE = "Sorry, product reviews are currently unavailable for this book.";
const RATINGS_UNAVAILABLE = "Ratings service is currently unavailable";

describe("request routing", () => {
  it("all-v1: the reviews part never shows stars, however often the page is loaded", async () => {
    const test = bookinfo();
    test.apply(destinationRuleAll);
    test.apply(virtualServiceAllV1);
    for (let index = 0; index < 15; index++) {
      const page = await productPage(test);
      expect(page.status).toBe(200);
      expect(page.body).toContain("<title>Simple Bookstore App</title>");
      expect(page.body).toContain("Book Details");
      expect(page.body).toContain("Book Reviews");
      expect(page.body).toMatch(/Reviews served by: \s*reviews-v1-/);
      expect(filledStars(page.body)).toBe(0);
    }
  });

  it("test-v2: jason sees black stars, everyone else sees none", async () => {
    const test = bookinfo();
    test.apply(destinationRuleAll);
    test.apply(virtualServiceAllV1);
    test.apply(reviewsTestV2);
    const jason = await productPage(test, "jason");
    expect(jason.body).toContain("text-black-500");
    expect(filledStars(jason.body)).toBe(9);
    const anonymous = await productPage(test);
    expect(filledStars(anonymous.body)).toBe(0);
    const other = await productPage(test, "alice");
    expect(filledStars(other.body)).toBe(0);
  });

  it("80/20: over 1,000 page loads v2 (black stars) stays inside the 99.9% binomial interval of 20%", async () => {
    const test = bookinfo(7);
    test.apply(destinationRuleAll);
    test.apply(virtualServiceAllV1);
    test.apply(`apiVersion: networking.istio.io/v1
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
        subset: v1
      weight: 80
    - destination:
        host: reviews
        subset: v2
      weight: 20
`);
    const result = await test.mesh.probe({ from: { namespace: "default", app: "sleep" }, url: "http://productpage:9080/productpage", requests: 1000, concurrency: 4 });
    expect(result.responses).toHaveLength(1000);
    const black = result.responses.filter((response) => response.body.includes("text-black-500")).length;
    const none = result.responses.filter((response) => filledStars(response.body) === 0).length;
    expect(black + none).toBe(1000);
    // n = 1000, p = 0.2: mean 200, sd 12.65, z(99.9%) = 3.29 → [158, 242].
    expect(black).toBeGreaterThanOrEqual(158);
    expect(black).toBeLessThanOrEqual(242);
  });
});

describe("fault injection", () => {
  it("jason + 7s ratings delay: the reviews error after about 6 s (productpage's 2 × 3 s), not 7 s", async () => {
    const test = bookinfo();
    test.apply(destinationRuleAll);
    test.apply(virtualServiceAllV1);
    test.apply(reviewsTestV2);
    test.apply(ratingsFault("delay:\n  percentage:\n    value: 100.0\n  fixedDelay: 7s", true));
    const jason = await productPage(test, "jason");
    expect(jason.status).toBe(200);
    expect(jason.body).toContain("Error fetching product reviews");
    expect(jason.body).toContain(REVIEWS_UNAVAILABLE);
    expect(jason.latencyMs).toBeGreaterThanOrEqual(6000);
    expect(jason.latencyMs).toBeLessThan(6200);
    // Other users go to reviews-v1, which never calls ratings.
    const other = await productPage(test);
    expect(other.body).not.toContain(REVIEWS_UNAVAILABLE);
    expect(other.latencyMs).toBeLessThan(100);
    // The delay was injected by the reviews-v2 sidecar (the caller of ratings), which still gets its answer at 7 s.
    await test.mesh.advance(10_000);
    const reviewsV2 = test.pod("reviews-v2");
    expect(test.mesh.dataPlane.stat(reviewsV2, "http.outbound_0.0.0.0_9080.fault.delays_injected")).toBeGreaterThanOrEqual(1);
    expect(test.mesh.logs(reviewsV2, "istio-proxy")).toMatch(/"GET \/ratings\/0 HTTP\/1\.1" \d+ DI/);
  });

  it("3s delay on ratings for everyone: v1 fast, v2 about 6 s with the reviews error, v3 about 2.5 s without stars", async () => {
    const test = bookinfo();
    test.apply(destinationRuleAll);
    test.apply(virtualServiceAllV1);
    test.apply(ratingsFault("delay:\n  percentage:\n    value: 100\n  fixedDelay: 3s", false));

    test.apply(reviewsAll("v1"));
    const v1 = await productPage(test);
    expect(v1.latencyMs).toBeLessThan(100);
    expect(v1.body).toContain("Book Reviews");
    expect(v1.body).not.toContain(RATINGS_UNAVAILABLE);

    test.apply(reviewsAll("v2"));
    const v2 = await productPage(test);
    expect(v2.body).toContain(REVIEWS_UNAVAILABLE);
    expect(v2.latencyMs).toBeGreaterThanOrEqual(6000);
    expect(v2.latencyMs).toBeLessThan(6200);

    test.apply(reviewsAll("v3"));
    const v3 = await productPage(test);
    expect(v3.body).toContain("Book Reviews");
    expect(v3.body.split(RATINGS_UNAVAILABLE)).toHaveLength(3);
    expect(filledStars(v3.body)).toBe(0);
    expect(v3.latencyMs).toBeGreaterThanOrEqual(2500);
    expect(v3.latencyMs).toBeLessThan(2700);
  });

  it("jason + abort 500 on ratings: the page loads at once and says ratings are unavailable", async () => {
    const test = bookinfo();
    test.apply(destinationRuleAll);
    test.apply(virtualServiceAllV1);
    test.apply(reviewsTestV2);
    test.apply(ratingsFault("abort:\n  percentage:\n    value: 100.0\n  httpStatus: 500", true));
    const jason = await productPage(test, "jason");
    expect(jason.status).toBe(200);
    expect(jason.latencyMs).toBeLessThan(100);
    expect(jason.body).toContain(RATINGS_UNAVAILABLE);
    expect(filledStars(jason.body)).toBe(0);
    const reviewsV2 = test.pod("reviews-v2");
    expect(test.mesh.dataPlane.stat(reviewsV2, "http.outbound_0.0.0.0_9080.fault.aborts_injected")).toBe(1);
    expect(test.mesh.logs(reviewsV2, "istio-proxy")).toContain(`"GET /ratings/0 HTTP/1.1" 500 FI fault_filter_abort`);
    const other = await productPage(test);
    expect(other.body).not.toContain(RATINGS_UNAVAILABLE);
  });
});

describe("request timeouts", () => {
  it("a 2s ratings delay slows v2 to about 2 s; adding timeout 0.5s on reviews answers in about 1 s without reviews", async () => {
    const test = bookinfo();
    test.apply(destinationRuleAll);
    test.apply(virtualServiceAllV1);
    test.apply(reviewsAll("v2"));
    test.apply(ratingsFault("delay:\n  percent: 100\n  fixedDelay: 2s", false));
    const slow = await productPage(test);
    expect(filledStars(slow.body)).toBe(9);
    expect(slow.latencyMs).toBeGreaterThanOrEqual(2000);
    expect(slow.latencyMs).toBeLessThan(2200);

    test.apply(reviewsAll("v2", "    timeout: 0.5s\n"));
    const limited = await productPage(test);
    expect(limited.body).toContain(REVIEWS_UNAVAILABLE);
    expect(limited.latencyMs).toBeGreaterThanOrEqual(1000);
    expect(limited.latencyMs).toBeLessThan(1150);
    const productpage = test.pod("productpage-v1");
    expect(test.mesh.logs(productpage, "istio-proxy")).toContain(`"GET /reviews/0 HTTP/1.1" 504 UT upstream_response_timeout`);
  });
});

describe("circuit breaking", () => {
  it("fortio -c 3 -qps 0 -n 30 against reviews: both Code 200 and Code 503 lines, 503s flagged UO, overflow counters rising", async () => {
    const test = bookinfo();
    test.apply(destinationRuleAll);
    test.apply(reviewsCircuitBreaker);
    const run = await test.mesh.exec(test.fortio, "fortio", ["/usr/bin/fortio", "load", "-c", "3", "-qps", "0", "-n", "30", "-loglevel", "Warning", "http://reviews:9080/reviews/1"]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain("Starting at max qps with 3 thread(s) [gomax 2] for exactly 30 calls (10 per thread + 0)");
    expect(run.stderr).toMatch(/^Code 200 : \d+ \(\d+\.\d %\)$/m);
    expect(run.stderr).toMatch(/^Code 503 : \d+ \(\d+\.\d %\)$/m);
    expect(run.stderr).toMatch(/^All done 30 calls \(plus 0 warmup\) [\d.]+ ms avg, [\d.]+ qps$/m);
    expect(run.stderr).toContain('Non ok http code, code=503, status="HTTP/1.1 503"');

    const accessLog = test.mesh.logs(test.fortio, "istio-proxy");
    expect(accessLog).toContain(`"GET /reviews/1 HTTP/1.1" 503 UO upstream_reset_before_response_started{overflow}`);
    const statsOf = async (): Promise<number> => {
      const stats = await test.mesh.exec(test.fortio, "istio-proxy", ["pilot-agent", "request", "GET", "stats"]);
      const line = stats.stdout.split("\n").find((item) => item.startsWith("cluster.outbound|9080||reviews.default.svc.cluster.local.upstream_rq_pending_overflow: "));
      return Number(line?.split(": ")[1] ?? "0");
    };
    const first = await statsOf();
    expect(first).toBeGreaterThan(0);
    const stats = await test.mesh.proxyStats(test.fortio);
    for (const name of ["circuit_breakers.default.remaining_pending", "circuit_breakers.default.rq_pending_open", "circuit_breakers.high.rq_pending_open", "upstream_rq_pending_active", "upstream_rq_pending_failure_eject", "upstream_rq_pending_total"]) {
      expect(stats).toContain(`cluster.outbound|9080||reviews.default.svc.cluster.local.${name}: `);
    }
    await test.mesh.exec(test.fortio, "fortio", ["fortio", "load", "-c", "3", "-qps", "0", "-n", "30", "-loglevel", "Warning", "http://reviews:9080/reviews/1"]);
    expect(await statsOf()).toBeGreaterThan(first);

    const probe = await test.mesh.probe({ from: { namespace: "default", app: "fortio" }, url: "http://reviews:9080/reviews/1", requests: 30, concurrency: 3 });
    const rejected = probe.responses.filter((response) => response.status === 503);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((response) => response.flags === "UO" && response.body === "upstream connect error or disconnect/reset before headers. reset reason: overflow" && response.headers["x-envoy-overloaded"] === "true")).toBe(true);
  });

  it("without the circuit breaker the same load succeeds entirely", async () => {
    const test = bookinfo();
    test.apply(destinationRuleAll);
    const run = await test.mesh.exec(test.fortio, "fortio", ["fortio", "load", "-c", "3", "-qps", "0", "-n", "30", "-loglevel", "Warning", "http://reviews:9080/reviews/1"]);
    expect(run.stderr).toMatch(/^Code 200 : 30 \(100\.0 %\)$/m);
    expect(run.stderr).not.toContain("Code 503");
  });
});

describe("configuration mistakes", () => {
  it("a route to a subset no DestinationRule defines answers 503 NC with an empty body", async () => {
    const test = bookinfo();
    test.apply(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
`);
    test.apply(reviewsAll("v3"));
    const result = await test.mesh.probe({ from: { namespace: "default", app: "sleep" }, url: "http://reviews:9080/reviews/0", requests: 5 });
    for (const response of result.responses) {
      expect(response.status).toBe(503);
      expect(response.flags).toBe("NC");
      expect(response.body).toBe("");
      expect(response.upstreamCluster).toBe("outbound|9080|v3|reviews.default.svc.cluster.local");
    }
    const curl = await test.mesh.exec(test.sleep, "sleep", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://reviews:9080/reviews/0"]);
    expect(curl.stdout).toBe("503");
  });
});

describe("mirroring", () => {
  it("traffic served by v1 is copied to v2, whose sidecar logs the -shadow requests", async () => {
    const test = bookinfo();
    test.apply(destinationRuleAll);
    test.apply(
      reviewsAll(
        "v1",
        `      weight: 100
    mirror:
      host: reviews
      subset: v2
    mirrorPercentage:
      value: 100.0
`,
      ),
    );
    const result = await test.mesh.probe({ from: { namespace: "default", app: "sleep" }, url: "http://reviews:9080/reviews/0", requests: 5 });
    for (const response of result.responses) {
      expect(response.status).toBe(200);
      expect(response.upstreamPod).toMatch(/^reviews-v1-/);
    }
    await test.mesh.advance(1000);
    const v2Log = test.mesh.logs(test.pod("reviews-v2"), "istio-proxy");
    const shadowLines = v2Log.split("\n").filter((line) => line.includes(`"reviews-shadow:9080"`));
    expect(shadowLines).toHaveLength(5);
    expect(shadowLines[0]).toContain(`"GET /reviews/0 HTTP/1.1" 200`);
    expect(test.mesh.logs(test.pod("reviews-v1"), "istio-proxy").split("\n").filter((line) => line.includes(`"reviews:9080"`))).toHaveLength(5);
  });
});
