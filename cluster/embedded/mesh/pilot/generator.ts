// Builds the full xDS state (LDS, RDS, CDS, EDS) one proxy receives from one push, sharing work between similar proxies.

import type { Cluster, ClusterLoadAssignment, EnvoyNode, Listener, ProxyConfig, RouteConfiguration } from "../envoy-types";
import { outboundClusters, wellKnownClusters } from "./clusters";
import { gatewayListeners, gatewayRouteConfigurations, gatewayServers } from "./gateway";
import { DNS_DOMAIN } from "./hosts";
import type { ConfigSnapshot, ProxyInfo, PushContext, SidecarScope } from "./push-context";
import { sidecarHttpPorts, sidecarInbound, sidecarOutboundListeners, sidecarRouteConfiguration } from "./sidecar";

export const ISTIO_PROXY_VERSION = "1.26.2";

/** Envoy's node identity as the istio-agent sets it. */
export function nodeOf(proxy: ProxyInfo): EnvoyNode {
  const app = proxy.labels["service.istio.io/canonical-name"] ?? proxy.labels.app ?? proxy.name;
  return {
    id: `${proxy.type}~${proxy.ip}~${proxy.name}.${proxy.namespace}~${proxy.namespace}.svc.${DNS_DOMAIN}`,
    cluster: `${app}.${proxy.namespace}`,
    metadata: {
      CLUSTER_ID: "Kubernetes",
      INSTANCE_IPS: proxy.ip,
      ISTIO_VERSION: ISTIO_PROXY_VERSION,
      LABELS: { ...proxy.labels },
      MESH_ID: DNS_DOMAIN,
      NAME: proxy.name,
      NAMESPACE: proxy.namespace,
      NODE_NAME: "ica-control-plane",
      SERVICE_ACCOUNT: proxy.serviceAccount,
      WORKLOAD_NAME: proxy.labels.app ?? proxy.name,
    },
    locality: {},
    user_agent_name: "envoy",
  };
}

interface SharedOutbound {
  clusters: Cluster[];
  endpoints: ClusterLoadAssignment[];
}

function sameObjects(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

function sameInputs(a: ConfigSnapshot, b: ConfigSnapshot, fields: readonly (keyof ConfigSnapshot)[]): boolean {
  return fields.every((field) => sameObjects(a[field], b[field]));
}

/** What outbound clusters and endpoints are computed from. */
const CLUSTER_INPUTS: readonly (keyof ConfigSnapshot)[] = ["services", "endpoints", "pods", "nodes", "serviceEntries", "destinationRules", "sidecars", "configMaps"];
/** What sidecar route configurations and outbound listeners are computed from. */
const ROUTE_INPUTS: readonly (keyof ConfigSnapshot)[] = ["services", "pods", "serviceEntries", "virtualServices", "sidecars", "configMaps"];

/**
 * Per-push generator: outbound clusters and routes are computed once per scope and reused by every proxy in it.
 * When the objects they depend on are the very same (frozen) objects as in the previous push, the previous
 * push's results are reused, so a VirtualService edit does not rebuild clusters and an endpoint change does not
 * rebuild routes.
 */
export class ConfigGenerator {
  private readonly outbound: Map<string, SharedOutbound>;
  private readonly routes: Map<string, RouteConfiguration[]>;
  private readonly outboundListeners: Map<string, Listener[]>;
  private readonly configs = new Map<string, ProxyConfig>();

  constructor(
    readonly push: PushContext,
    previous?: ConfigGenerator,
  ) {
    const clustersReusable = previous !== undefined && sameInputs(previous.push.snapshot, push.snapshot, CLUSTER_INPUTS);
    const routesReusable = previous !== undefined && sameInputs(previous.push.snapshot, push.snapshot, ROUTE_INPUTS);
    this.outbound = clustersReusable && previous ? previous.outbound : new Map();
    this.routes = routesReusable && previous ? previous.routes : new Map();
    this.outboundListeners = routesReusable && previous ? previous.outboundListeners : new Map();
  }

  /** The config for a proxy in this push (cached). */
  configFor(proxy: ProxyInfo): ProxyConfig {
    const key = `${proxy.namespace}/${proxy.name}`;
    const cached = this.configs.get(key);
    if (cached) return cached;
    const built = proxy.type === "router" ? this.buildRouter(proxy) : this.buildSidecar(proxy);
    this.configs.set(key, built);
    return built;
  }

  private shared(proxy: ProxyInfo, scope: SidecarScope): SharedOutbound {
    const selectorRules = this.push.destinationRules
      .filter((rule) => rule.workloadSelector && rule.namespace === proxy.namespace && Object.entries(rule.workloadSelector).every(([key, value]) => proxy.labels[key] === value))
      .map((rule) => rule.name)
      .join(",");
    const key = `${scope.key}|${selectorRules}`;
    const cached = this.outbound.get(key);
    if (cached) return cached;
    const result: SharedOutbound = { clusters: [], endpoints: [] };
    for (const service of scope.services) {
      const built = outboundClusters(service, this.push.destinationRuleFor(proxy, service));
      result.clusters.push(...built.clusters);
      result.endpoints.push(...built.endpoints);
    }
    this.outbound.set(key, result);
    return result;
  }

  private sidecarRoutes(proxy: ProxyInfo, scope: SidecarScope): RouteConfiguration[] {
    const key = scope.sourceDependent ? `${scope.key}|${proxy.namespace}/${proxy.name}` : scope.key;
    const cached = this.routes.get(key);
    if (cached) return cached;
    const built = sidecarHttpPorts(scope).map((port) => sidecarRouteConfiguration(this.push, proxy, scope, port));
    this.routes.set(key, built);
    return built;
  }

  private buildSidecar(proxy: ProxyInfo): ProxyConfig {
    const scope = this.push.scopeFor(proxy);
    const shared = this.shared(proxy, scope);
    let outboundListeners = this.outboundListeners.get(scope.key);
    if (!outboundListeners) {
      outboundListeners = sidecarOutboundListeners(scope);
      this.outboundListeners.set(scope.key, outboundListeners);
    }
    const inbound = sidecarInbound(this.push, proxy);
    return this.assemble(proxy, "sidecar", [...outboundListeners, inbound.listener], this.sidecarRoutes(proxy, scope), [...shared.clusters, ...wellKnownClusters(), ...inbound.clusters], shared.endpoints);
  }

  private buildRouter(proxy: ProxyInfo): ProxyConfig {
    const scope = this.push.scopeFor(proxy);
    const shared = this.shared(proxy, scope);
    const servers = gatewayServers(this.push, proxy);
    return this.assemble(proxy, "router", gatewayListeners(this.push, proxy, scope, servers), gatewayRouteConfigurations(this.push, proxy, scope, servers), [...shared.clusters, ...wellKnownClusters()], shared.endpoints);
  }

  /** Resources are shared between proxies (and pushes): readers must treat them as immutable. */
  private assemble(proxy: ProxyInfo, proxyType: "sidecar" | "router", listeners: Listener[], routes: RouteConfiguration[], clusters: Cluster[], endpoints: ClusterLoadAssignment[]): ProxyConfig {
    return {
      version: this.push.version,
      node: nodeOf(proxy),
      proxyType,
      listeners: new Map(listeners.map((listener) => [listener.name, listener])),
      routes: new Map(routes.map((route) => [route.name, route])),
      clusters: new Map(clusters.map((cluster) => [cluster.name, cluster])),
      endpoints: new Map(endpoints.map((assignment) => [assignment.cluster_name, assignment])),
    };
  }
}
