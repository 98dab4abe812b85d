// The Envoy config reader works on real Istio dumps and on the embedded mesh's dumps alike.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EmbeddedDriver } from "@/cluster/embedded/driver";
import { ConfigDumpError, EnvoyConfigView, findVirtualHost, parseClusterName, routeDestinations } from "@/grader/envoy/config-dump";
import type { VirtualHost } from "@/cluster/embedded/mesh/envoy-types";
import { clusterWith } from "../../support/embedded";

const testdata = path.join(import.meta.dirname, "testdata");
const load = (name: string) => JSON.parse(readFileSync(path.join(testdata, name), "utf8")) as unknown;

describe("real Istio dumps", () => {
  it("reads the ingress gateway's http.8080 routes and the productpage cluster", () => {
    const view = new EnvoyConfigView(load("istioctl-describe-testdata-http_config.json"));
    const vhost = view.virtualHost("http.8080", "bookinfo.example.com:80");
    expect(vhost?.name).toBe("*:80");
    const paths = vhost!.routes!.map((r) => r.match?.path ?? r.match?.prefix);
    expect(paths).toEqual(expect.arrayContaining(["/productpage", "/login", "/logout"]));
    expect(routeDestinations(vhost!.routes![0]!)).toEqual([{ cluster: "outbound|9080||productpage.default.svc.cluster.local", weight: 100 }]);
    const cluster = view.cluster("outbound|9080|v1|productpage.default.svc.cluster.local");
    expect(cluster?.circuit_breakers?.thresholds?.[0]?.max_connections).toBe(4294967295);
  });

  it("reads a sidecar's endpoints with health", () => {
    const view = new EnvoyConfigView(load("istioctl-writer-testdata-endpoint-configdump.json"));
    const reviews = view.loadAssignment("outbound|9080||reviews.default.svc.cluster.local");
    const hosts = reviews!.endpoints!.flatMap((e) => e.lb_endpoints ?? []);
    expect(hosts.length).toBeGreaterThan(0);
    expect(hosts.every((h) => h.health_status === "HEALTHY")).toBe(true);
  });

  it("refuses something that is not a config dump", () => {
    expect(() => new EnvoyConfigView({ hello: "world" })).toThrow(ConfigDumpError);
  });
});

describe("the embedded mesh's dumps", () => {
  const driver = new EmbeddedDriver();
  afterAll(() => driver.close());

  it("show the 80/20 split as weighted_clusters on the caller's sidecar route", async () => {
    const cluster = await clusterWith(driver, [
      { text: "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec:\n  host: reviews\n  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}\n" },
      { text: "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n  http:\n  - route:\n    - destination: {host: reviews, subset: v1}\n      weight: 80\n    - destination: {host: reviews, subset: v2}\n      weight: 20\n" },
    ]);
    await cluster.mesh.waitForSync(5000);
    const [pod] = (await cluster.proxyStatus()).filter((r) => r.proxy.name.startsWith("productpage-v1"));
    const view = new EnvoyConfigView(await cluster.configDump(pod!.proxy, { includeEds: true }));
    const [route] = view.sidecarRoutes("reviews.default.svc.cluster.local", 9080);
    expect(routeDestinations(route!.route)).toEqual([
      { cluster: "outbound|9080|v1|reviews.default.svc.cluster.local", weight: 80 },
      { cluster: "outbound|9080|v2|reviews.default.svc.cluster.local", weight: 20 },
    ]);
    expect(view.nodeId).toMatch(/^sidecar~10\.244\.\d+\.\d+~productpage-v1-[a-z0-9]+-[a-z0-9]+\.default~default\.svc\.cluster\.local$/);
    expect(view.loadAssignment("outbound|9080|v2|reviews.default.svc.cluster.local")?.endpoints?.[0]?.lb_endpoints).toHaveLength(1);
  });
});

describe("helpers", () => {
  it("parses Istio cluster names", () => {
    expect(parseClusterName("outbound|9080|v1|reviews.default.svc.cluster.local")).toEqual({ direction: "outbound", port: 9080, subset: "v1", host: "reviews.default.svc.cluster.local" });
    expect(parseClusterName("PassthroughCluster")).toBeUndefined();
  });

  it("picks virtual hosts like Envoy: exact, then longest wildcard, then *", () => {
    const vhosts: VirtualHost[] = [
      { name: "any", domains: ["*"], routes: [] },
      { name: "suffix", domains: ["*.example.com"], routes: [] },
      { name: "exact", domains: ["api.example.com"], routes: [] },
    ];
    expect(findVirtualHost(vhosts, "api.example.com:80")?.name).toBe("exact");
    expect(findVirtualHost(vhosts, "www.example.com")?.name).toBe("suffix");
    expect(findVirtualHost(vhosts, "other.org")?.name).toBe("any");
  });
});
