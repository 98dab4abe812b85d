// Ingress gateway config: listeners per server port, http.<port> route configuration from bound VirtualServices.
import { describe, expect, it } from "vitest";
import type { HttpConnectionManager, Route } from "@/cluster/embedded/mesh/envoy-types";
import { bookinfoGateway, bookinfoMesh, configOf, destinationRuleAll, routeConfig, virtualServiceAllV1 } from "./fixtures";

/**
 * The routes of istioctl's describe test dump (Bookinfo ingress, RouteConfiguration http.8080), reduced to the parts
 * that do not depend on the Istio release (that dump is from 2022: v1alpha3 metadata, retry on 503).
 */
const productpage = "outbound|9080||productpage.default.svc.cluster.local";
const referenceRoutes = [
  { match: { path: "/productpage", case_sensitive: true }, operation: "productpage.default.svc.cluster.local:9080/productpage" },
  { match: { prefix: "/static", case_sensitive: true }, operation: "productpage.default.svc.cluster.local:9080/static*" },
  { match: { path: "/login", case_sensitive: true }, operation: "productpage.default.svc.cluster.local:9080/login" },
  { match: { path: "/logout", case_sensitive: true }, operation: "productpage.default.svc.cluster.local:9080/logout" },
  { match: { prefix: "/api/v1/products", case_sensitive: true }, operation: "productpage.default.svc.cluster.local:9080/api/v1/products*" },
].map(({ match, operation }) => ({ match, cluster: productpage, timeout: "0s", max_grpc_timeout: "0s", operation, retry_on: "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes" }));

function stable(route: Route): unknown {
  return { match: route.match, cluster: route.route?.cluster, timeout: route.route?.timeout, max_grpc_timeout: route.route?.max_grpc_timeout, operation: route.decorator?.operation, retry_on: route.route?.retry_policy?.retry_on };
}

describe("bookinfo-gateway", () => {
  it("listens on the ingress pod's 8080 and routes http.8080 like the reference dump", () => {
    const mesh = bookinfoMesh();
    mesh.apply(bookinfoGateway);
    mesh.sync();
    const config = configOf(mesh, "istio-ingressgateway", "istio-system");
    expect(config.proxyType).toBe("router");
    expect(config.node.id).toMatch(/^router~10\.244\.\d+\.\d+~istio-ingressgateway-[a-z0-9]+-[a-z0-9]+\.istio-system~istio-system\.svc\.cluster\.local$/);
    const listener = config.listeners.get("0.0.0.0_8080");
    const manager = listener?.filter_chains[0]?.filters[0]?.typed_config as HttpConnectionManager;
    expect(manager.rds?.route_config_name).toBe("http.8080");
    const routes = routeConfig(config, "http.8080");
    expect(routes.virtual_hosts.map((vhost) => [vhost.name, vhost.domains])).toEqual([["*:8080", ["*"]]]);
    const ours = routes.virtual_hosts[0]?.routes ?? [];
    expect(ours.map(stable)).toEqual(referenceRoutes);
    expect(ours[0]?.metadata?.filter_metadata.istio?.config).toBe("/apis/networking.istio.io/v1/namespaces/default/virtual-service/bookinfo");
    expect(ours[0]?.route?.retry_policy?.retriable_status_codes).toBeUndefined();
  });

  it("serves a 404 vhost-less route when no VirtualService is bound", () => {
    const mesh = bookinfoMesh();
    mesh.apply(bookinfoGateway.split("---")[0] ?? "");
    mesh.sync();
    const routes = routeConfig(configOf(mesh, "istio-ingressgateway", "istio-system"), "http.8080");
    expect(routes.virtual_hosts).toEqual([{ name: "blackhole:8080", domains: ["*"], routes: [] }]);
  });

  it("maps a Gateway on Service port 80 to the 8080 target port and names vhosts by host:80", () => {
    const mesh = bookinfoMesh();
    mesh.apply(
      bookinfoGateway
        .replace("number: 8080", "number: 80")
        .replace('- "*"\n---', "- bookinfo.example.com\n---")
        .replace('hosts:\n  - "*"\n  gateways', "hosts:\n  - bookinfo.example.com\n  - other.example.com\n  gateways"),
    );
    mesh.sync();
    const config = configOf(mesh, "istio-ingressgateway", "istio-system");
    expect(config.listeners.has("0.0.0.0_8080")).toBe(true);
    const routes = routeConfig(config, "http.8080");
    expect(routes.virtual_hosts.map((vhost) => [vhost.name, vhost.domains])).toEqual([["bookinfo.example.com:80", ["bookinfo.example.com"]]]);
  });

  it("does not let a subset VirtualService bound to mesh change gateway routes", () => {
    const mesh = bookinfoMesh();
    mesh.apply(destinationRuleAll);
    mesh.apply(virtualServiceAllV1);
    mesh.apply(bookinfoGateway);
    mesh.sync();
    const routes = routeConfig(configOf(mesh, "istio-ingressgateway", "istio-system"), "http.8080");
    expect(routes.virtual_hosts[0]?.routes.every((route) => route.route?.cluster === "outbound|9080||productpage.default.svc.cluster.local")).toBe(true);
  });

  it("terminates TLS with the credential's SDS secret on an HTTPS server", () => {
    const mesh = bookinfoMesh();
    mesh.apply(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: secure
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [bookinfo.example.com]
    tls: {mode: SIMPLE, credentialName: bookinfo-credential}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: secure
spec:
  hosts: [bookinfo.example.com]
  gateways: [secure]
  http:
  - route:
    - destination: {host: productpage}
`);
    mesh.sync();
    const config = configOf(mesh, "istio-ingressgateway", "istio-system");
    const chain = config.listeners.get("0.0.0.0_8443")?.filter_chains[0];
    expect(chain?.filter_chain_match?.server_names).toEqual(["bookinfo.example.com"]);
    expect(JSON.stringify(chain?.transport_socket)).toContain("kubernetes://bookinfo-credential");
    const manager = chain?.filters[0]?.typed_config as HttpConnectionManager;
    expect(manager.rds?.route_config_name).toBe("https.443.https.secure.default");
    const routes = routeConfig(config, "https.443.https.secure.default");
    expect(routes.virtual_hosts[0]?.name).toBe("bookinfo.example.com:443");
    expect(routes.virtual_hosts[0]?.routes[0]?.route?.cluster).toBe("outbound|9080||productpage.default.svc.cluster.local");
  });

  it("binds a VirtualService to a Gateway in another namespace by ns/name", () => {
    const mesh = bookinfoMesh();
    mesh.apply(bookinfoGateway.split("---")[0] ?? "", "istio-system");
    mesh.apply((bookinfoGateway.split("---")[1] ?? "").replace("- bookinfo-gateway", "- istio-system/bookinfo-gateway"));
    mesh.sync();
    const routes = routeConfig(configOf(mesh, "istio-ingressgateway", "istio-system"), "http.8080");
    expect(routes.virtual_hosts[0]?.routes).toHaveLength(5);
    expect(routes.virtual_hosts[0]?.routes[0]?.route?.cluster).toBe("outbound|9080||productpage.default.svc.cluster.local");
  });
});
