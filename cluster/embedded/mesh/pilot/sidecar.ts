// A sidecar's outbound and inbound configuration: per-port HTTP route configurations, listeners, inbound clusters.

import { isPlainObject, type KubeObject } from "@/cluster/embedded/objects";
import { BLACKHOLE_CLUSTER, INBOUND_PASSTHROUGH_CLUSTER, PASSTHROUGH_CLUSTER, type Cluster, type FilterChain, type Listener, type RouteConfiguration, type VirtualHost } from "../envoy-types";
import { inboundCluster } from "./clusters";
import type { VirtualServiceConfig } from "./config";
import { DNS_DOMAIN, hostCovers, isWildcard } from "./hosts";
import { inlineConnectionManager, listenerFilters, listenerShell, rdsConnectionManager, tcpProxy } from "./listeners";
import type { ProxyInfo, PushContext, SidecarScope } from "./push-context";
import { isHttpLike, protocolOfServicePort, type MeshService, type PortProtocol } from "./registry";
import { buildVirtualServiceRoutes, defaultOutboundRoute, subsetClusterName, type RouteContext } from "./routes";

export const MAX_DIRECT_RESPONSE_BODY_BYTES = 1048576;

/** Host names a client in `proxyNamespace` may use for a Kubernetes service (`reviews`, `reviews.default.svc`, `reviews.default`). */
function alternateHosts(hostname: string, proxyNamespace: string): string[] {
  const svcSuffix = `.svc.${DNS_DOMAIN}`;
  if (!hostname.endsWith(svcSuffix)) return [];
  const serviceEnd = hostname.indexOf(".svc.");
  const nameEnd = hostname.indexOf(".");
  if (nameEnd + 1 >= hostname.length || nameEnd + 1 > serviceEnd) return [];
  const name = hostname.slice(0, nameEnd);
  const withNamespace = hostname.slice(0, serviceEnd);
  if (hostname.slice(nameEnd + 1, serviceEnd) === proxyNamespace) return [name, `${withNamespace}.svc`, withNamespace];
  return [withNamespace, `${withNamespace}.svc`];
}

function serviceDomains(service: MeshService, proxyNamespace: string): { domains: string[]; alternates: string[] } {
  const alternates = alternateHosts(service.hostname, proxyNamespace);
  let domains = [service.hostname, ...alternates];
  if (service.resolution === "Passthrough" && service.registry === "Kubernetes") domains = [...domains, ...domains.map((domain) => `*.${domain}`)];
  for (const address of service.addresses) if (address && address !== "0.0.0.0") domains.push(address);
  return { domains, alternates };
}

interface VirtualHostWrapper {
  services: MeshService[];
  virtualServiceHosts: string[];
  routes: VirtualHost["routes"];
}

export function catchAllVirtualHost(allowAny: boolean): VirtualHost {
  if (allowAny) {
    return {
      name: "allow_any",
      domains: ["*"],
      routes: [{ match: { prefix: "/" }, route: { cluster: PASSTHROUGH_CLUSTER, timeout: "0s", max_grpc_timeout: "0s" }, name: "allow_any" }],
      include_request_attempt_count: true,
    };
  }
  return {
    name: "block_all",
    domains: ["*"],
    routes: [{ match: { prefix: "/" }, direct_response: { status: 502 }, name: "block_all" }],
    include_request_attempt_count: true,
  };
}

function httpPortOf(service: MeshService, port: number): boolean {
  return service.ports.some((item) => item.port === port && isHttpLike(item.protocol));
}

/** The services each VirtualService claims on this port; a wildcard host only claims services no exact host names. */
function claimServices(virtualServices: readonly VirtualServiceConfig[], servicesByName: ReadonlyMap<string, MeshService>): Map<VirtualServiceConfig, { services: MeshService[]; others: string[] }> {
  const exactHosts = new Set(virtualServices.flatMap((vs) => vs.hosts.filter((host) => !isWildcard(host))));
  const wildcardOwner = new Map<string, VirtualServiceConfig>();
  for (const [hostname] of servicesByName) {
    if (exactHosts.has(hostname)) continue;
    let best: { vs: VirtualServiceConfig; length: number } | undefined;
    for (const vs of virtualServices) {
      for (const host of vs.hosts) {
        if (isWildcard(host) && hostCovers(host, hostname) && (!best || host.length > best.length)) best = { vs, length: host.length };
      }
    }
    if (best) wildcardOwner.set(hostname, best.vs);
  }
  const out = new Map<VirtualServiceConfig, { services: MeshService[]; others: string[] }>();
  for (const vs of virtualServices) {
    const services: MeshService[] = [];
    const others: string[] = [];
    for (const host of vs.hosts) {
      if (!isWildcard(host)) {
        const service = servicesByName.get(host);
        if (service) services.push(service);
        else others.push(host);
        continue;
      }
      let matched = false;
      for (const [hostname, service] of servicesByName) {
        if (!hostCovers(host, hostname)) continue;
        matched = true;
        if (wildcardOwner.get(hostname) === vs && !services.includes(service)) services.push(service);
      }
      if (!matched) others.push(host);
    }
    out.set(vs, { services, others });
  }
  return out;
}

/** RouteConfiguration `"<port>"` of a sidecar: VirtualService vhosts, default vhosts, then allow_any / block_all. */
export function sidecarRouteConfiguration(push: PushContext, proxy: ProxyInfo, scope: SidecarScope, port: number): RouteConfiguration {
  const servicesByName = new Map<string, MeshService>();
  for (const service of scope.services) if (httpPortOf(service, port)) servicesByName.set(service.hostname, service);
  const context: RouteContext = {
    listenerPort: port,
    lookupService: (host) => scope.servicesByHost.get(host),
    proxyLabels: proxy.labels,
    proxyNamespace: proxy.namespace,
    gatewayNames: new Set(["mesh"]),
  };
  const candidates = port === 80 ? scope.virtualServices : scope.virtualServices.filter((vs) => vs.hosts.some((host) => [...servicesByName.keys()].some((hostname) => hostCovers(host, hostname))));
  const claims = claimServices(candidates, servicesByName);
  const wrappers: VirtualHostWrapper[] = [];
  const claimed = new Set<MeshService>();
  for (const vs of candidates) {
    const routes = buildVirtualServiceRoutes(vs, context);
    if (routes.length === 0) continue;
    const claim = claims.get(vs) ?? { services: [], others: [] };
    if (claim.services.length === 0 && port !== 80) continue;
    wrappers.push({ services: claim.services, virtualServiceHosts: claim.others, routes });
    for (const service of claim.services) claimed.add(service);
  }
  for (const service of servicesByName.values()) {
    if (claimed.has(service)) continue;
    const cluster = subsetClusterName("outbound", port, "", service.hostname);
    wrappers.push({ services: [service], virtualServiceHosts: [], routes: [defaultOutboundRoute(cluster, service.hostname, port)] });
  }
  const knownFqdn = new Set<string>();
  for (const wrapper of wrappers) for (const service of wrapper.services) knownFqdn.add(service.hostname).add(`${service.hostname}:${port}`);
  const names = new Set<string>();
  const usedDomains = new Set<string>();
  const virtualHosts: VirtualHost[] = [];
  const addVirtualHost = (hostname: string, routes: VirtualHost["routes"], service: MeshService | undefined): void => {
    const name = `${hostname}:${port}`;
    if (names.has(name)) return;
    names.add(name);
    const { domains, alternates } = service ? serviceDomains(service, proxy.namespace) : { domains: [hostname], alternates: [] as string[] };
    const kept = domains.filter((domain) => {
      const lower = domain.toLowerCase();
      if (usedDomains.has(lower)) return false;
      if (alternates.includes(domain) && knownFqdn.has(domain)) return false;
      usedDomains.add(lower);
      return true;
    });
    if (kept.length > 0) virtualHosts.push({ name, domains: kept, routes, include_request_attempt_count: true });
  };
  for (const wrapper of wrappers) {
    for (const host of wrapper.virtualServiceHosts) addVirtualHost(host, wrapper.routes, undefined);
    for (const service of wrapper.services) addVirtualHost(service.hostname, wrapper.routes, service);
  }
  virtualHosts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  virtualHosts.push(catchAllVirtualHost(scope.outboundPolicy === "ALLOW_ANY"));
  return {
    "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
    name: String(port),
    virtual_hosts: virtualHosts,
    validate_clusters: false,
    max_direct_response_body_size_bytes: MAX_DIRECT_RESPONSE_BODY_BYTES,
    ignore_port_in_host_matching: true,
  };
}

/** Ports that get a `0.0.0.0_<port>` HTTP listener and a route configuration. */
export function sidecarHttpPorts(scope: SidecarScope): number[] {
  const ports = new Set<number>();
  for (const service of scope.services) for (const port of service.ports) if (isHttpLike(port.protocol)) ports.add(port.port);
  return [...ports].sort((a, b) => a - b);
}

function passthroughChain(allowAny: boolean): FilterChain {
  const cluster = allowAny ? PASSTHROUGH_CLUSTER : BLACKHOLE_CLUSTER;
  return { name: "PassthroughFilterChain", filters: [tcpProxy(cluster, cluster)] };
}

/** Outbound listeners: HTTP per port, TCP per service address and port, and virtualOutbound on 15001. */
export function sidecarOutboundListeners(scope: SidecarScope): Listener[] {
  const allowAny = scope.outboundPolicy === "ALLOW_ANY";
  const listeners = new Map<string, Listener>();
  for (const port of sidecarHttpPorts(scope)) {
    const name = `0.0.0.0_${port}`;
    listeners.set(
      name,
      listenerShell(name, "0.0.0.0", port, [{ name, filters: [rdsConnectionManager(`outbound_0.0.0.0_${port}`, String(port))] }], {
        default_filter_chain: passthroughChain(allowAny),
        listener_filters: listenerFilters,
        traffic_direction: "OUTBOUND",
        bind_to_port: false,
      }),
    );
  }
  for (const service of scope.services) {
    for (const port of service.ports) {
      if (isHttpLike(port.protocol)) continue;
      const cluster = subsetClusterName("outbound", port.port, "", service.hostname);
      if (service.addresses.length > 0) {
        for (const address of service.addresses) {
          const name = `${address}_${port.port}`;
          if (listeners.has(name)) continue;
          listeners.set(name, listenerShell(name, address, port.port, [{ filters: [tcpProxy(cluster, cluster)] }], { listener_filters: listenerFilters, traffic_direction: "OUTBOUND", bind_to_port: false }));
        }
        continue;
      }
      const name = `0.0.0.0_${port.port}`;
      const existing = listeners.get(name);
      const sniChain = (): FilterChain => ({ filter_chain_match: { server_names: [service.hostname] }, filters: [tcpProxy(cluster, cluster)] });
      const tls = port.protocol === "TLS" || port.protocol === "HTTPS";
      if (!existing) {
        listeners.set(
          name,
          listenerShell(name, "0.0.0.0", port.port, [tls ? sniChain() : { filters: [tcpProxy(cluster, cluster)] }], {
            default_filter_chain: passthroughChain(allowAny),
            listener_filters: listenerFilters,
            traffic_direction: "OUTBOUND",
            bind_to_port: false,
          }),
        );
      } else if (tls && existing.default_filter_chain && !existing.filter_chains.some((chain) => chain.filter_chain_match?.server_names?.includes(service.hostname))) {
        existing.filter_chains.push(sniChain());
      }
    }
  }
  const catchAll = allowAny ? PASSTHROUGH_CLUSTER : BLACKHOLE_CLUSTER;
  const virtualOutbound = listenerShell(
    "virtualOutbound",
    "0.0.0.0",
    15001,
    [
      { name: "virtualOutbound-blackhole", filter_chain_match: { destination_port: 15001 }, filters: [tcpProxy(BLACKHOLE_CLUSTER, BLACKHOLE_CLUSTER)] },
      { name: "virtualOutbound-catchall-tcp", filters: [tcpProxy(catchAll, catchAll)] },
    ],
    { use_original_dst: true, traffic_direction: "OUTBOUND" },
  );
  return [...listeners.values(), virtualOutbound];
}

interface InboundPort {
  port: number;
  protocol: PortProtocol;
  services: { host: string; name: string; namespace: string }[];
}

function containerPortByName(pod: KubeObject, name: string): number | undefined {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isPlainObject) : [];
  for (const container of containers) {
    const ports = Array.isArray(container.ports) ? container.ports.filter(isPlainObject) : [];
    const found = ports.find((port) => port.name === name);
    if (found && typeof found.containerPort === "number") return found.containerPort;
  }
  return undefined;
}

/** The ports this workload serves for the Services selecting it (service target ports). */
export function inboundPorts(push: PushContext, proxy: ProxyInfo): InboundPort[] {
  const byPort = new Map<number, InboundPort>();
  for (const service of push.servicesSelecting(proxy)) {
    const spec = isPlainObject(service.spec) ? service.spec : {};
    const ports = Array.isArray(spec.ports) ? spec.ports.filter(isPlainObject) : [];
    for (const port of ports) {
      if (port.protocol === "UDP" || typeof port.port !== "number") continue;
      const target = typeof port.targetPort === "number" ? port.targetPort : typeof port.targetPort === "string" ? containerPortByName(proxy.pod, port.targetPort) : port.port;
      if (target === undefined) continue;
      const entry = byPort.get(target) ?? { port: target, protocol: protocolOfServicePort(typeof port.name === "string" ? port.name : undefined, typeof port.appProtocol === "string" ? port.appProtocol : undefined, undefined), services: [] };
      entry.services.push({ host: `${service.metadata.name}.${proxy.namespace}.svc.${DNS_DOMAIN}`, name: service.metadata.name, namespace: proxy.namespace });
      byPort.set(target, entry);
    }
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}

/** virtualInbound (15006): one chain per served port to `inbound|<port>||`, plus passthrough for anything else. */
export function sidecarInbound(push: PushContext, proxy: ProxyInfo): { listener: Listener; clusters: Cluster[] } {
  const ports = inboundPorts(push, proxy);
  const chains: FilterChain[] = [{ name: "virtualInbound-blackhole", filter_chain_match: { destination_port: 15006 }, filters: [tcpProxy(BLACKHOLE_CLUSTER, BLACKHOLE_CLUSTER)] }];
  for (const port of ports) {
    const cluster = subsetClusterName("inbound", port.port, "", "");
    const host = port.services[0]?.host ?? "";
    if (isHttpLike(port.protocol)) {
      chains.push({
        name: `0.0.0.0_${port.port}`,
        filter_chain_match: { destination_port: port.port },
        filters: [
          inlineConnectionManager(`inbound_0.0.0.0_${port.port}`, {
            name: cluster,
            virtual_hosts: [
              {
                name: `inbound|http|${port.port}`,
                domains: ["*"],
                routes: [
                  {
                    match: { prefix: "/" },
                    route: { cluster, timeout: "0s", max_stream_duration: { max_stream_duration: "0s", grpc_timeout_header_max: "0s" } },
                    decorator: { operation: `${host}:${port.port}/*` },
                    name: "default",
                  },
                ],
              },
            ],
            validate_clusters: false,
          }),
        ],
      });
    } else {
      chains.push({ name: `0.0.0.0_${port.port}`, filter_chain_match: { destination_port: port.port }, filters: [tcpProxy(cluster, cluster)] });
    }
  }
  chains.push({ name: "InboundPassthroughFilterChain", filters: [tcpProxy(INBOUND_PASSTHROUGH_CLUSTER, INBOUND_PASSTHROUGH_CLUSTER)] });
  return {
    listener: listenerShell("virtualInbound", "0.0.0.0", 15006, chains, { listener_filters: listenerFilters, use_original_dst: true, traffic_direction: "INBOUND" }),
    clusters: ports.map((port) => inboundCluster(port.port, port.services)),
  };
}
