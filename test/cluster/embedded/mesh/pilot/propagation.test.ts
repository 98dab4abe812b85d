// Push propagation (debounce, per-proxy ACK, STALE → SYNCED) and the /config_dump a proxy serves.
import { describe, expect, it } from "vitest";
import type { ClustersConfigDump, EndpointsConfigDump, ListenersConfigDump, RoutesConfigDump } from "@/cluster/embedded/mesh/envoy-types";
import { ackDelayMs } from "@/cluster/embedded/mesh/pilot";
import { EmbeddedCluster } from "@/cluster/embedded/cluster";
import { Pilot } from "@/cluster/embedded/mesh/pilot";
import { applyTo, bookinfoMesh, destinationRuleAll, podOf, routesOf, virtualServiceAllV1 } from "./fixtures";

describe("propagation", () => {
  it("shows STALE until each proxy ACKs, while the proxy keeps its old routes", () => {
    const mesh = bookinfoMesh();
    const productpage = podOf(mesh, "productpage-v1");
    const firstVersion = mesh.pilot.version;
    expect(mesh.pilot.proxyStatus().every((row) => row.cds === "SYNCED" && row.rds === "SYNCED")).toBe(true);
    mesh.apply(destinationRuleAll);
    mesh.apply(virtualServiceAllV1);
    // Debounce window still open: nothing pushed yet.
    mesh.scheduler.advance(99);
    expect(mesh.pilot.version).toBe(firstVersion);
    expect(mesh.pilot.isSynced()).toBe(false);
    mesh.scheduler.advance(1);
    expect(mesh.pilot.version).not.toBe(firstVersion);
    const stale = mesh.pilot.proxyStatus();
    expect(stale.every((row) => row.cds === "STALE" && row.lds === "STALE" && row.eds === "STALE" && row.rds === "STALE")).toBe(true);
    expect(stale[0]?.version).toBe("1.26.2");
    // Until the ACK the proxy still routes with the config it has.
    const config = mesh.pilot.proxyConfig(productpage);
    expect(config?.version).toBe(firstVersion);
    expect(routesOf(config!, "reviews")[0]?.route?.cluster).toBe("outbound|9080||reviews.default.svc.cluster.local");
    expect(routesOf(mesh.pilot.latestConfig(productpage)!, "reviews")[0]?.route?.cluster).toBe("outbound|9080|v1|reviews.default.svc.cluster.local");
    // Proxies ACK in namespace/name order, 10 ms apart.
    mesh.scheduler.advance(ackDelayMs(0));
    const rows = mesh.pilot.proxyStatus();
    expect(rows[0]?.cds).toBe("SYNCED");
    expect(rows[1]?.cds).toBe("STALE");
    mesh.scheduler.advance(300);
    expect(mesh.pilot.proxyStatus().every((row) => row.cds === "SYNCED")).toBe(true);
    expect(routesOf(mesh.pilot.proxyConfig(productpage)!, "reviews")[0]?.route?.cluster).toBe("outbound|9080|v1|reviews.default.svc.cluster.local");
  });

  it("resolves waitForSync once every proxy has ACKed, and notifies push and ACK listeners", async () => {
    const mesh = bookinfoMesh();
    const pushes: string[] = [];
    const acks: string[] = [];
    mesh.pilot.onPush((version) => pushes.push(version));
    mesh.pilot.onAck((pod) => acks.push(pod.name));
    mesh.apply(virtualServiceAllV1);
    let synced = false;
    const waiting = mesh.pilot.waitForSync(5000).then(() => {
      synced = true;
    });
    mesh.scheduler.advance(150);
    await Promise.resolve();
    expect(synced).toBe(false);
    mesh.scheduler.advance(400);
    await waiting;
    expect(synced).toBe(true);
    expect(pushes).toHaveLength(1);
    expect(acks).toHaveLength(mesh.pilot.proxyStatus().length);
  });

  it("rejects waitForSync after the timeout when a push is still in flight", async () => {
    const mesh = bookinfoMesh();
    mesh.apply(virtualServiceAllV1);
    const waiting = mesh.pilot.waitForSync(120);
    mesh.scheduler.advance(120);
    await expect(waiting).rejects.toThrow(/not in sync/);
    mesh.pilot.dispose();
    expect(mesh.scheduler.pending).toBe(0);
  });

  it("propagates with real timers when no scheduler is injected", async () => {
    const cluster = EmbeddedCluster.create(Date.UTC(2025, 5, 1, 10, 0, 0));
    const pilot = new Pilot(cluster.store);
    try {
      applyTo(cluster, virtualServiceAllV1);
      expect(pilot.isSynced()).toBe(false);
      await pilot.waitForSync(5000);
      expect(pilot.proxyStatus().every((row) => row.rds === "SYNCED")).toBe(true);
    } finally {
      pilot.dispose();
    }
  });

  it("keeps clusters right across VirtualService-only pushes and rebuilds them when a DestinationRule changes", () => {
    const mesh = bookinfoMesh();
    mesh.apply(destinationRuleAll);
    mesh.sync();
    mesh.apply(virtualServiceAllV1);
    mesh.sync();
    const pod = podOf(mesh, "productpage-v1");
    expect(mesh.pilot.proxyConfig(pod)?.clusters.has("outbound|9080|v2|reviews.default.svc.cluster.local")).toBe(true);
    expect(routesOf(mesh.pilot.proxyConfig(pod)!, "reviews")[0]?.route?.cluster).toBe("outbound|9080|v1|reviews.default.svc.cluster.local");
    mesh.remove("networking.istio.io/destinationrules", "default", "reviews");
    mesh.sync();
    expect(mesh.pilot.proxyConfig(pod)?.clusters.has("outbound|9080|v2|reviews.default.svc.cluster.local")).toBe(false);
    expect(routesOf(mesh.pilot.proxyConfig(pod)!, "reviews")[0]?.route?.cluster).toBe("outbound|9080|v1|reviews.default.svc.cluster.local");
  });

  it("adds proxies for new pods and drops deleted ones on the next push", () => {
    const mesh = bookinfoMesh();
    const before = mesh.pilot.proxyStatus().length;
    const deployment = mesh.cluster.store.get("apps/deployments", "default", "reviews-v3");
    if (!deployment) throw new Error("reviews-v3 deployment missing");
    const spec = deployment.spec as { replicas: number };
    mesh.cluster.store.replace("apps/deployments", { ...deployment, spec: { ...spec, replicas: 2 } });
    mesh.cluster.settle();
    mesh.scheduler.advance(1000);
    expect(mesh.pilot.proxyStatus()).toHaveLength(before + 1);
    const endpoints = mesh.pilot.proxyConfig(podOf(mesh, "productpage-v1"))?.endpoints.get("outbound|9080||reviews.default.svc.cluster.local")?.endpoints?.[0]?.lb_endpoints;
    expect(endpoints).toHaveLength(4);
  });
});

describe("config_dump", () => {
  it("has Envoy's sections, field names and node id", () => {
    const mesh = bookinfoMesh();
    const pod = podOf(mesh, "reviews-v1");
    const dump = mesh.pilot.configDump(pod, { includeEds: true });
    const types = dump?.configs.map((section) => section["@type"]);
    expect(types).toEqual([
      "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump",
      "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
      "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
      "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",
      "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump",
    ]);
    const bootstrap = dump?.configs[0] as { bootstrap: { node: { id: string } } };
    expect(bootstrap.bootstrap.node.id).toMatch(new RegExp(`^sidecar~10\\.244\\.\\d+\\.\\d+~${pod.name}\\.default~default\\.svc\\.cluster\\.local$`));
    const clusters = dump?.configs[1] as ClustersConfigDump;
    const reviews = clusters.dynamic_active_clusters.find((entry) => entry.cluster.name === "outbound|9080||reviews.default.svc.cluster.local");
    expect(reviews?.version_info).toBe(mesh.pilot.version);
    expect(reviews?.cluster["@type"]).toBe("type.googleapis.com/envoy.config.cluster.v3.Cluster");
    expect(reviews?.last_updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(clusters.static_clusters.map((entry) => entry.cluster.name)).toContain("xds-grpc");
    const listeners = dump?.configs[2] as ListenersConfigDump;
    expect(listeners.dynamic_listeners.find((entry) => entry.name === "0.0.0.0_9080")?.active_state.listener.address.socket_address.port_value).toBe(9080);
    const routes = dump?.configs[3] as RoutesConfigDump;
    expect(routes.dynamic_route_configs.find((entry) => entry.route_config.name === "9080")?.route_config["@type"]).toBe("type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
    const endpoints = dump?.configs[4] as EndpointsConfigDump;
    const ratings = endpoints.dynamic_endpoint_configs.find((entry) => entry.endpoint_config.cluster_name === "outbound|9080||ratings.default.svc.cluster.local");
    expect(ratings?.endpoint_config["@type"]).toBe("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment");
    expect(ratings?.endpoint_config.endpoints?.[0]).toMatchObject({ locality: {}, load_balancing_weight: 1 });
    expect(ratings?.endpoint_config.policy).toEqual({ overprovisioning_factor: 140 });
    expect(endpoints.dynamic_endpoint_configs.find((entry) => entry.endpoint_config.cluster_name === "BlackHoleCluster")?.endpoint_config.endpoints).toBeUndefined();
    expect(JSON.parse(JSON.stringify(dump))).toEqual(dump);
    expect(mesh.pilot.configDump({ namespace: "default", name: "no-such-pod" })).toBeUndefined();
  });

  it("is deterministic for the same cluster state", () => {
    const first = bookinfoMesh();
    const second = bookinfoMesh();
    for (const mesh of [first, second]) {
      mesh.apply(destinationRuleAll);
      mesh.sync();
    }
    const dump = (mesh: typeof first): string => JSON.stringify(mesh.pilot.configDump(podOf(mesh, "productpage-v1"), { includeEds: true }));
    expect(dump(first)).toBe(dump(second));
  });
});
