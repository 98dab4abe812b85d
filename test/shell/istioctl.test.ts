// istioctl in the lab shell: proxy-config tables and JSON for the seed lab's 80/20 route and DestinationRule
// subsets, endpoints with outlier status, proxy-status SYNCED/STALE around a change, and analyze (exit 79 on errors).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reviews8020 } from "../support/bookinfo-networking";
import { applyHeredoc, fixture, startShellLab, type ShellLab } from "./support";

const UNDEFINED_SUBSET = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - route:
    - destination:
        host: ratings
        subset: v9`;

describe("istioctl in the lab shell", () => {
  let lab: ShellLab;

  beforeAll(async () => {
    lab = await startShellLab();
    await lab.run(applyHeredoc(fixture("destination-rule-all.yaml")));
    await lab.run(applyHeredoc(reviews8020));
    await lab.settle();
  });
  afterAll(() => lab.close());

  it("proxy-config routes shows the reviews route managed by the VirtualService", async () => {
    const routes = await lab.run("istioctl proxy-config routes deploy/productpage-v1 --name 9080");
    const [header, ...rows] = routes.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^NAME {5}VHOST NAME {5,}DOMAINS {5,}MATCH {5}VIRTUAL SERVICE$/);
    expect(rows).toContainEqual(expect.stringMatching(/^9080 {5}reviews\.default\.svc\.cluster\.local:9080 {5,}reviews, reviews\.default \+ 1 more\.\.\. {5,}\/\* {8}reviews\.default$/));
    // No VirtualService for ratings: the column is empty (Go's tabwriter still pads the MATCH cell).
    expect(rows.find((row) => row.includes("ratings.default.svc.cluster.local:9080"))).toMatch(/ \/\* *$/);
  });

  it("proxy-config routes -o json carries the 80/20 weighted clusters in protobuf JSON names", async () => {
    const pod = (await lab.run(`kubectl get pod -l app=productpage -o jsonpath='{.items[0].metadata.name}'`)).stdout;
    const json = await lab.run(`istioctl pc routes ${pod}.default --name 9080 -o json`);
    const configs = JSON.parse(json.stdout) as { name: string; virtualHosts: { name: string; routes: { route?: { weightedClusters?: { clusters: { name: string; weight: number }[] } } }[] }[] }[];
    expect(configs.map((config) => config.name)).toEqual(["9080"]);
    const reviews = configs[0]?.virtualHosts.find((vhost) => vhost.name === "reviews.default.svc.cluster.local:9080");
    expect(reviews?.routes[0]?.route?.weightedClusters?.clusters).toEqual([
      { name: "outbound|9080|v1|reviews.default.svc.cluster.local", weight: 80 },
      { name: "outbound|9080|v2|reviews.default.svc.cluster.local", weight: 20 },
    ]);
  });

  it("proxy-config clusters lists the subsets with their DestinationRule", async () => {
    const clusters = await lab.run("istioctl proxy-config clusters deploy/productpage-v1 --fqdn reviews.default.svc.cluster.local");
    expect(clusters.stdout).toBe(
      [
        "SERVICE FQDN                          PORT     SUBSET     DIRECTION     TYPE     DESTINATION RULE",
        "reviews.default.svc.cluster.local     9080     -          outbound      EDS      reviews.default",
        "reviews.default.svc.cluster.local     9080     v1         outbound      EDS      reviews.default",
        "reviews.default.svc.cluster.local     9080     v2         outbound      EDS      reviews.default",
        "reviews.default.svc.cluster.local     9080     v3         outbound      EDS      reviews.default",
        "",
      ].join("\n"),
    );
    const listeners = await lab.run("istioctl pc listeners deploy/productpage-v1 --port 9080");
    expect(listeners.stdout.split("\n")[0]).toMatch(/^ADDRESSES {5}PORT {5}MATCH {5,}DESTINATION$/);
    expect(listeners.stdout).toContain("Route: 9080");
  });

  it("proxy-config endpoints shows each reviews endpoint HEALTHY with its outlier check", async () => {
    const endpoints = await lab.run(`istioctl pc endpoints deploy/productpage-v1 --cluster "outbound|9080|v2|reviews.default.svc.cluster.local"`);
    const lines = endpoints.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ENDPOINT {5,}STATUS {6}OUTLIER CHECK {5}CLUSTER$/);
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^10\.\d+\.\d+\.\d+:9080 {5}HEALTHY {5}OK {16}outbound\|9080\|v2\|reviews\.default\.svc\.cluster\.local$/)]);
  });

  it("proxy-status shows every proxy SYNCED once config has propagated, STALE right after a change", async () => {
    const synced = await lab.run("istioctl proxy-status");
    const rows = synced.stdout.trimEnd().split("\n");
    expect(rows[0]).toMatch(/^NAME {5,}CLUSTER {8}CDS {8}LDS {8}EDS {8}RDS {8}ECDS {8}ISTIOD {5,}VERSION$/);
    expect(rows.length).toBeGreaterThan(8);
    for (const row of rows.slice(1)) expect(row).toMatch(/ Kubernetes +SYNCED +SYNCED +SYNCED +SYNCED +IGNORED +istiod-\S+ +1\.26\.\d+$/);
    const stale = await lab.run(`kubectl label dr reviews touched=yes >/dev/null && istioctl proxy-status | grep -c STALE`);
    expect(Number(stale.stdout.trim())).toBeGreaterThan(0);
    await lab.settle();
  });

  it("analyze: clean namespace, then IST0101 with exit 79 for a route to a subset no DestinationRule defines", async () => {
    const clean = await lab.run("istioctl analyze");
    expect(clean).toEqual({ stdout: "", stderr: "\u2714 No validation issues found when analyzing namespace: default.\n", exitCode: 0 });
    await lab.run(applyHeredoc(UNDEFINED_SUBSET));
    const broken = await lab.run("istioctl analyze");
    expect(broken.exitCode).toBe(79);
    expect(broken.stdout).toMatch(/^Error \[IST0101\] \(VirtualService default\/ratings\) Referenced host\+subset in destinationrule not found: "ratings\+v9"/m);
    expect(broken.stderr).toContain("Error: Analyzers found issues when analyzing namespace: default.");
    await lab.run("kubectl delete vs ratings");
  });

  it("analyze -f checks a file from the shell against the live cluster before it is applied", async () => {
    const result = await lab.run(`cat > bad.yaml <<'EOF'\n${UNDEFINED_SUBSET}\nEOF\nistioctl analyze -f bad.yaml; echo "exit=$?"`);
    expect(result.stdout).toContain(`Referenced host+subset in destinationrule not found: "ratings+v9"`);
    expect(result.stdout.endsWith("exit=79\n")).toBe(true);
  });

  it("errors: unknown pod and unknown subcommand", async () => {
    const missing = await lab.run("istioctl pc routes nosuchpod");
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe(`Error: pods "nosuchpod" not found\n`);
    const unknown = await lab.run("istioctl proxy-config widgets deploy/productpage-v1");
    expect(unknown.stderr).toBe(`Error: unknown command "widgets" for "istioctl proxy-config"\n`);
  });
});
