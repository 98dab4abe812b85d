// Service registry, host resolution, visibility (exportTo), ServiceEntries and the outbound traffic policy.
import { describe, expect, it } from "vitest";
import { bookinfoMesh, cluster, configOf, routeConfig, routesOf, virtualHost } from "./fixtures";

const httpbinEntry = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: httpbin-ext
spec:
  hosts: [httpbin.org]
  ports:
  - number: 80
    name: http
    protocol: HTTP
  resolution: DNS
  location: MESH_EXTERNAL
`;

const registryOnly = (namespace: string): string => `
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: ${namespace}
spec:
  outboundTrafficPolicy:
    mode: REGISTRY_ONLY
`;

describe("ServiceEntry and outbound traffic policy", () => {
  it("adds a STRICT_DNS cluster and a vhost for a DNS ServiceEntry", () => {
    const mesh = bookinfoMesh();
    mesh.apply(httpbinEntry);
    mesh.sync();
    const config = configOf(mesh, "sleep");
    const external = cluster(config, "outbound|80||httpbin.org");
    expect(external.type).toBe("STRICT_DNS");
    expect(external.load_assignment?.endpoints?.[0]?.lb_endpoints[0]?.endpoint.address.socket_address).toEqual({ address: "httpbin.org", port_value: 80 });
    expect(external.transport_socket_matches).toBeUndefined();
    const vhost = virtualHost(config, "80", "httpbin.org:80");
    expect(vhost.domains).toEqual(["httpbin.org"]);
    expect(vhost.routes[0]?.route?.cluster).toBe("outbound|80||httpbin.org");
  });

  it("switches the catch-all to block_all and the listeners to BlackHoleCluster under REGISTRY_ONLY", () => {
    const mesh = bookinfoMesh();
    const before = routeConfig(configOf(mesh, "sleep"), "80").virtual_hosts.at(-1);
    expect(before?.name).toBe("allow_any");
    mesh.apply(registryOnly("istio-system"));
    mesh.sync();
    const config = configOf(mesh, "sleep");
    expect(routeConfig(config, "80").virtual_hosts.at(-1)).toEqual({
      name: "block_all",
      domains: ["*"],
      routes: [{ match: { prefix: "/" }, direct_response: { status: 502 }, name: "block_all" }],
      include_request_attempt_count: true,
    });
    const catchAll = config.listeners.get("virtualOutbound")?.filter_chains.at(-1)?.filters[0]?.typed_config as { cluster: string };
    expect(catchAll.cluster).toBe("BlackHoleCluster");
  });

  it("honours a namespace Sidecar and the pilot's mesh-wide default", () => {
    const namespaced = bookinfoMesh();
    namespaced.apply(registryOnly("default"));
    namespaced.sync();
    expect(routeConfig(configOf(namespaced, "sleep"), "80").virtual_hosts.at(-1)?.name).toBe("block_all");
    const meshWide = bookinfoMesh({ outboundTrafficPolicy: "REGISTRY_ONLY" });
    expect(routeConfig(configOf(meshWide, "sleep"), "80").virtual_hosts.at(-1)?.name).toBe("block_all");
  });

  it("routes a VirtualService for an external host declared by a ServiceEntry", () => {
    const mesh = bookinfoMesh();
    mesh.apply(httpbinEntry);
    mesh.apply(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: httpbin-ext
spec:
  hosts: [httpbin.org]
  http:
  - timeout: 3s
    route:
    - destination: {host: httpbin.org}
`);
    mesh.sync();
    const [route] = virtualHost(configOf(mesh, "sleep"), "80", "httpbin.org:80").routes;
    expect(route?.route?.timeout).toBe("3s");
    expect(route?.route?.cluster).toBe("outbound|80||httpbin.org");
  });
});

describe("host resolution and visibility", () => {
  it("resolves short VirtualService hosts in the VirtualService's namespace", () => {
    const mesh = bookinfoMesh();
    mesh.apply(
      `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews-from-other-ns
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      weight: 50
    - destination: {host: ratings}
      weight: 50
`,
      "istio-system",
    );
    mesh.sync();
    // "reviews" in istio-system means reviews.istio-system.svc.cluster.local, which does not exist.
    expect(routesOf(configOf(mesh, "productpage-v1"), "reviews")[0]?.name).toBe("default");
  });

  it("applies a VirtualService written with the FQDN from another namespace, and respects exportTo", () => {
    const mesh = bookinfoMesh();
    const vs = (exportTo: string): string => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews-fqdn
spec:
  hosts: [reviews.default.svc.cluster.local]
  exportTo: ["${exportTo}"]
  http:
  - timeout: 1s
    route:
    - destination: {host: reviews.default.svc.cluster.local}
`;
    mesh.apply(vs("*"), "istio-system");
    mesh.sync();
    expect(routesOf(configOf(mesh, "productpage-v1"), "reviews")[0]?.route?.timeout).toBe("1s");
    mesh.apply(vs("."), "istio-system");
    mesh.sync();
    expect(routesOf(configOf(mesh, "productpage-v1"), "reviews")[0]?.name).toBe("default");
  });

  it("hides a Service exported only to its own namespace from other namespaces", () => {
    const mesh = bookinfoMesh();
    const service = mesh.cluster.store.get("services", "default", "ratings");
    if (!service) throw new Error("ratings service missing");
    mesh.cluster.store.replace("services", { ...service, metadata: { ...service.metadata, annotations: { "networking.istio.io/exportTo": "." } } });
    mesh.sync();
    expect(configOf(mesh, "productpage-v1").clusters.has("outbound|9080||ratings.default.svc.cluster.local")).toBe(true);
    expect(configOf(mesh, "istio-ingressgateway", "istio-system").clusters.has("outbound|9080||ratings.default.svc.cluster.local")).toBe(false);
  });

  it("uses the oldest VirtualService when two bind the same host to the mesh", () => {
    const mesh = bookinfoMesh();
    const vs = (name: string, timeout: string): string => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${name}
spec:
  hosts: [reviews]
  http:
  - timeout: ${timeout}
    route:
    - destination: {host: reviews}
`;
    mesh.apply(vs("reviews-a", "1s"));
    mesh.apply(vs("reviews-b", "2s"));
    mesh.sync();
    expect(routesOf(configOf(mesh, "productpage-v1"), "reviews")[0]?.route?.timeout).toBe("1s");
  });

  it("marks endpoints of not-ready pods UNHEALTHY", () => {
    const mesh = bookinfoMesh();
    const pod = mesh.cluster.store.list("pods", "default").find((item) => item.metadata.name.startsWith("reviews-v3"));
    if (!pod) throw new Error("reviews-v3 pod missing");
    const status = pod.status as { conditions: { type: string; status: string }[] };
    mesh.cluster.store.replace("pods", { ...pod, status: { ...status, conditions: status.conditions.map((condition) => (condition.type === "Ready" || condition.type === "ContainersReady" ? { ...condition, status: "False" } : condition)) } });
    mesh.cluster.settle();
    mesh.sync();
    const endpoints = configOf(mesh, "productpage-v1").endpoints.get("outbound|9080||reviews.default.svc.cluster.local")?.endpoints?.flatMap((group) => group.lb_endpoints) ?? [];
    const v3 = endpoints.find((endpoint) => String(endpoint.metadata?.filter_metadata.istio?.workload).startsWith("reviews-v3"));
    expect(v3?.health_status).toBe("UNHEALTHY");
    expect(endpoints.filter((endpoint) => endpoint.health_status === "HEALTHY")).toHaveLength(2);
  });

  it("limits a sidecar to its Sidecar egress hosts", () => {
    const mesh = bookinfoMesh();
    mesh.apply(`
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: reviews-egress
spec:
  workloadSelector:
    labels: {app: reviews}
  egress:
  - hosts: ["./ratings.default.svc.cluster.local", "istio-system/*"]
`);
    mesh.sync();
    const reviews = configOf(mesh, "reviews-v3");
    expect(reviews.clusters.has("outbound|9080||ratings.default.svc.cluster.local")).toBe(true);
    expect(reviews.clusters.has("outbound|9080||details.default.svc.cluster.local")).toBe(false);
    expect(reviews.clusters.has("outbound|15010||istiod.istio-system.svc.cluster.local")).toBe(true);
    expect(routeConfig(reviews, "9080").virtual_hosts.map((vhost) => vhost.name)).toEqual(["ratings.default.svc.cluster.local:9080", "allow_any"]);
    expect(configOf(mesh, "productpage-v1").clusters.has("outbound|9080||details.default.svc.cluster.local")).toBe(true);
  });
});
