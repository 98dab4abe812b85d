// A gateway proxy ("router"): listeners per Gateway server port and `http.<port>` route configurations from bound VirtualServices.

import type { Server } from "@/cluster/embedded/admission/istio/gateway";
import { isPlainObject } from "@/cluster/embedded/objects";
import { BLACKHOLE_CLUSTER, TYPE_URL, type FilterChain, type Listener, type RouteConfiguration, type VirtualHost } from "../envoy-types";
import type { GatewayConfig } from "./config";
import { hostsOverlap, narrowerHost } from "./hosts";
import { listenerShell, rdsConnectionManager, tcpProxy } from "./listeners";
import type { ProxyInfo, PushContext, SidecarScope } from "./push-context";
import { buildVirtualServiceRoutes, destinationCluster, isCatchAllRoute } from "./routes";
import { MAX_DIRECT_RESPONSE_BODY_BYTES } from "./sidecar";

interface GatewayServer {
  gateway: GatewayConfig;
  server: Server;
  /** The port Envoy listens on: the gateway Service's targetPort when the server port is a Service port. */
  listenerPort: number;
  protocol: string;
  routeName: string;
}

/** Gateway port → the listening port on the pod, through the Services that select this gateway workload. */
function listenerPortFor(push: PushContext, proxy: ProxyInfo, number: number): number {
  for (const service of push.servicesSelecting(proxy)) {
    const spec = isPlainObject(service.spec) ? service.spec : {};
    const ports = Array.isArray(spec.ports) ? spec.ports.filter(isPlainObject) : [];
    const match = ports.find((port) => port.port === number);
    if (match && typeof match.targetPort === "number") return match.targetPort;
  }
  return number;
}

function isTlsTerminating(server: Server): boolean {
  const protocol = server.port.protocol.toUpperCase();
  return (protocol === "HTTPS" || protocol === "TLS") && server.tls !== undefined && server.tls.mode !== "PASSTHROUGH" && server.tls.mode !== "AUTO_PASSTHROUGH";
}

function isHttpServer(server: Server): boolean {
  const protocol = server.port.protocol.toUpperCase();
  return protocol === "HTTP" || protocol === "HTTP2" || protocol === "GRPC" || (protocol === "HTTPS" && isTlsTerminating(server));
}

export function gatewayServers(push: PushContext, proxy: ProxyInfo): GatewayServer[] {
  const out: GatewayServer[] = [];
  for (const gateway of push.gatewaysFor(proxy)) {
    for (const server of gateway.spec.servers ?? []) {
      const listenerPort = listenerPortFor(push, proxy, server.port.number);
      const protocol = server.port.protocol.toUpperCase();
      const routeName = protocol === "HTTPS" && isTlsTerminating(server) ? `https.${server.port.number}.${server.port.name}.${gateway.name}.${gateway.namespace}` : `http.${listenerPort}`;
      out.push({ gateway, server, listenerPort, protocol, routeName });
    }
  }
  return out;
}

/** Server hosts that apply to a VirtualService namespace (`ns/host`, `*\/host`, `./host` = the Gateway's namespace). */
function serverHostsFor(server: Server, gateway: GatewayConfig, vsNamespace: string): string[] {
  const out: string[] = [];
  for (const entry of server.hosts) {
    const slash = entry.indexOf("/");
    if (slash < 0) {
      out.push(entry.toLowerCase());
      continue;
    }
    const namespace = entry.slice(0, slash);
    const resolved = namespace === "." ? gateway.namespace : namespace;
    if (resolved === "*" || resolved === vsNamespace) out.push(entry.slice(slash + 1).toLowerCase());
  }
  return out;
}

/** buildGatewayHTTPRouteConfig: one vhost per host shared by the server and a bound VirtualService; 404 vhost when none. */
export function gatewayRouteConfiguration(push: PushContext, proxy: ProxyInfo, scope: SidecarScope, routeName: string, servers: readonly GatewayServer[]): RouteConfiguration {
  const vhosts = new Map<string, VirtualHost>();
  for (const { gateway, server } of servers) {
    const gatewayName = `${gateway.namespace}/${gateway.name}`;
    const port = server.port.number;
    for (const vs of push.virtualServicesFor(proxy.namespace, gatewayName)) {
      const serverHosts = serverHostsFor(server, gateway, vs.namespace);
      const shared: string[] = [];
      for (const serverHost of serverHosts) {
        for (const vsHost of vs.hosts) {
          if (!hostsOverlap(serverHost, vsHost)) continue;
          const host = narrowerHost(serverHost, vsHost);
          if (!shared.includes(host)) shared.push(host);
        }
      }
      if (shared.length === 0) continue;
      const routes = buildVirtualServiceRoutes(vs, {
        listenerPort: port,
        lookupService: (host) => scope.servicesByHost.get(host),
        proxyLabels: proxy.labels,
        proxyNamespace: proxy.namespace,
        gatewayNames: new Set([gatewayName]),
      });
      if (routes.length === 0) continue;
      for (const host of shared) {
        const existing = vhosts.get(host);
        if (existing) {
          existing.routes.push(...routes);
          if (server.tls?.httpsRedirect) existing.require_tls = "ALL";
          continue;
        }
        const vhost: VirtualHost = { name: `${host}:${port}`, domains: [host], routes: [...routes], include_request_attempt_count: true };
        if (server.tls?.httpsRedirect) vhost.require_tls = "ALL";
        vhosts.set(host, vhost);
      }
    }
    if (server.tls?.httpsRedirect) {
      for (const entry of server.hosts) {
        const host = (entry.includes("/") ? entry.slice(entry.indexOf("/") + 1) : entry).toLowerCase();
        const existing = vhosts.get(host);
        if (existing) existing.require_tls = "ALL";
        else vhosts.set(host, { name: `${host}:${port}`, domains: [host], routes: [], include_request_attempt_count: true, require_tls: "ALL" });
      }
    }
  }
  let virtualHosts: VirtualHost[];
  if (vhosts.size === 0) {
    const port = servers[0]?.server.port.number ?? 0;
    virtualHosts = [{ name: `blackhole:${port}`, domains: ["*"], routes: [] }];
  } else {
    virtualHosts = [...vhosts.values()].map((vhost) => ({ ...vhost, routes: [...vhost.routes.filter((route) => !isCatchAllRoute(route)), ...vhost.routes.filter(isCatchAllRoute)] }));
    virtualHosts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return {
    "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
    name: routeName,
    virtual_hosts: virtualHosts,
    validate_clusters: false,
    max_direct_response_body_size_bytes: MAX_DIRECT_RESPONSE_BODY_BYTES,
    ignore_port_in_host_matching: true,
  };
}

/** Listeners `0.0.0.0_<port>` of a gateway: HTTP (RDS), HTTPS with SDS certificates, TLS passthrough and TCP by VirtualService. */
export function gatewayListeners(push: PushContext, proxy: ProxyInfo, scope: SidecarScope, servers: readonly GatewayServer[]): Listener[] {
  const byPort = new Map<number, GatewayServer[]>();
  for (const server of servers) byPort.set(server.listenerPort, [...(byPort.get(server.listenerPort) ?? []), server]);
  const listeners: Listener[] = [];
  for (const [port, group] of [...byPort.entries()].sort(([a], [b]) => a - b)) {
    const chains: FilterChain[] = [];
    const statPrefix = `outbound_0.0.0.0_${port}`;
    const plainHttp = group.find((item) => isHttpServer(item.server) && !isTlsTerminating(item.server));
    if (plainHttp) chains.push({ filters: [rdsConnectionManager(statPrefix, plainHttp.routeName, { useRemoteAddress: true })] });
    for (const item of group) {
      const { server, gateway } = item;
      const sniHosts = server.hosts.map((entry) => (entry.includes("/") ? entry.slice(entry.indexOf("/") + 1) : entry)).filter((host) => host !== "*");
      if (isTlsTerminating(server)) {
        const credential = server.tls?.credentialName ?? server.tls?.credentialNames?.[0];
        const chain: FilterChain = {
          filters: [rdsConnectionManager(statPrefix, item.routeName, { useRemoteAddress: true })],
          transport_socket: {
            name: "envoy.transport_sockets.tls",
            typed_config: {
              "@type": TYPE_URL.downstreamTlsContext,
              common_tls_context: {
                tls_certificate_sds_secret_configs: [{ name: credential ? `kubernetes://${credential}` : "default", sds_config: { ads: {}, resource_api_version: "V3" } }],
                alpn_protocols: ["h2", "http/1.1"],
              },
              require_client_certificate: server.tls?.mode === "MUTUAL",
            },
          },
        };
        if (sniHosts.length > 0) chain.filter_chain_match = { server_names: sniHosts };
        chains.push(chain);
        continue;
      }
      if (item.protocol === "TLS" || item.protocol === "TCP" || item.protocol === "HTTPS") {
        const gatewayName = `${gateway.namespace}/${gateway.name}`;
        for (const vs of push.virtualServicesFor(proxy.namespace, gatewayName)) {
          if (item.protocol === "TCP") {
            const destination = vs.tcp.find((route) => (route.match ?? []).every((match) => match.port === undefined || match.port === server.port.number))?.route?.[0]?.destination;
            if (destination) chains.push({ filters: [tcpProxy(statPrefix, destinationCluster(destination, scope.servicesByHost.get(destination.host), server.port.number))] });
            continue;
          }
          for (const route of vs.tls) {
            const names = route.match.flatMap((match) => match.sniHosts).filter((host) => sniHosts.length === 0 || sniHosts.some((serverHost) => hostsOverlap(serverHost, host)));
            const destination = route.route?.[0]?.destination;
            if (names.length === 0 || !destination) continue;
            chains.push({ filter_chain_match: { server_names: names }, filters: [tcpProxy(statPrefix, destinationCluster(destination, scope.servicesByHost.get(destination.host), server.port.number))] });
          }
        }
      }
    }
    if (chains.length === 0) chains.push({ filters: [tcpProxy(BLACKHOLE_CLUSTER, BLACKHOLE_CLUSTER)] });
    listeners.push(listenerShell(`0.0.0.0_${port}`, "0.0.0.0", port, chains, { traffic_direction: "OUTBOUND" }));
  }
  return listeners;
}

/** Route configurations of a gateway, one per route name its HTTP servers use. */
export function gatewayRouteConfigurations(push: PushContext, proxy: ProxyInfo, scope: SidecarScope, servers: readonly GatewayServer[]): RouteConfiguration[] {
  const byRoute = new Map<string, GatewayServer[]>();
  for (const server of servers) {
    if (!isHttpServer(server.server)) continue;
    byRoute.set(server.routeName, [...(byRoute.get(server.routeName) ?? []), server]);
  }
  return [...byRoute.entries()].map(([name, group]) => gatewayRouteConfiguration(push, proxy, scope, name, group));
}
