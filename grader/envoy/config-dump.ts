// Typed reading of an Envoy /config_dump (from the embedded mesh or a real proxy): routes, clusters, endpoints,
// listeners, and the lookups checks and `istioctl proxy-config` need.
import type {
  Cluster,
  ClusterLoadAssignment,
  Listener,
  Route,
  RouteConfiguration,
  VirtualHost,
} from "@/cluster/embedded/mesh/envoy-types";

const sectionType = {
  bootstrap: "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump",
  clusters: "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
  listeners: "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
  routes: "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",
  endpoints: "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump",
} as const;

/** Thrown when a dump is not shaped like Envoy's: the grader reports "could not grade", not "wrong". */
export class ConfigDumpError extends Error {}

type Section = Record<string, unknown> & { "@type"?: string };

function asArray<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** A route together with where it sits, for evidence. */
export interface LocatedRoute {
  routeConfig: string;
  virtualHost: string;
  index: number;
  route: Route;
}

/** Read-only view over one proxy's config dump. */
export class EnvoyConfigView {
  readonly routeConfigs: readonly RouteConfiguration[];
  readonly clusters: readonly Cluster[];
  readonly listeners: readonly Listener[];
  readonly endpoints: readonly ClusterLoadAssignment[];
  /** Envoy node id (`sidecar~10.244.0.7~reviews-v1-….default~default.svc.cluster.local`), when the dump has a bootstrap. */
  readonly nodeId: string | undefined;

  constructor(dump: unknown) {
    const configs = (dump as { configs?: unknown } | null)?.configs;
    if (!Array.isArray(configs)) throw new ConfigDumpError("config_dump has no `configs` array");
    const sections = configs as Section[];
    const of = (type: string) => sections.filter((s) => s["@type"] === type);

    this.routeConfigs = of(sectionType.routes).flatMap((s) => [
      ...asArray<{ route_config: RouteConfiguration }>(s.static_route_configs).map((r) => r.route_config),
      ...asArray<{ route_config: RouteConfiguration }>(s.dynamic_route_configs).map((r) => r.route_config),
    ]);
    this.clusters = of(sectionType.clusters).flatMap((s) => [
      ...asArray<{ cluster: Cluster }>(s.static_clusters).map((c) => c.cluster),
      ...asArray<{ cluster: Cluster }>(s.dynamic_active_clusters).map((c) => c.cluster),
    ]);
    this.listeners = of(sectionType.listeners).flatMap((s) => [
      ...asArray<{ listener: Listener }>(s.static_listeners).map((l) => l.listener),
      ...asArray<{ active_state?: { listener: Listener } }>(s.dynamic_listeners).flatMap((l) => (l.active_state ? [l.active_state.listener] : [])),
    ]);
    this.endpoints = of(sectionType.endpoints).flatMap((s) => [
      ...asArray<{ endpoint_config: ClusterLoadAssignment }>(s.static_endpoint_configs).map((e) => e.endpoint_config),
      ...asArray<{ endpoint_config: ClusterLoadAssignment }>(s.dynamic_endpoint_configs).map((e) => e.endpoint_config),
    ]);
    const bootstrap = of(sectionType.bootstrap)[0] as { bootstrap?: { node?: { id?: string } } } | undefined;
    this.nodeId = bootstrap?.bootstrap?.node?.id;
  }

  routeConfig(name: string): RouteConfiguration | undefined {
    return this.routeConfigs.find((r) => r.name === name);
  }

  cluster(name: string): Cluster | undefined {
    return this.clusters.find((c) => c.name === name);
  }

  loadAssignment(clusterName: string): ClusterLoadAssignment | undefined {
    return this.endpoints.find((e) => e.cluster_name === clusterName);
  }

  /** The virtual host that serves `host:port` in route config `routeConfigName` (domain match as Envoy does it). */
  virtualHost(routeConfigName: string, authority: string): VirtualHost | undefined {
    const config = this.routeConfig(routeConfigName);
    if (!config) return undefined;
    return findVirtualHost(config.virtual_hosts ?? [], authority);
  }

  /** Every route of the vhost that serves `<host>:<port>` from a sidecar (route config named by the port). */
  sidecarRoutes(fqdn: string, port: number): LocatedRoute[] {
    const vhost = this.virtualHost(String(port), `${fqdn}:${port}`);
    if (!vhost) return [];
    return (vhost.routes ?? []).map((route, index) => ({ routeConfig: String(port), virtualHost: vhost.name, index, route }));
  }
}

/** Envoy's virtual-host selection: exact domain, then longest suffix wildcard, then longest prefix wildcard, then `*`. */
export function findVirtualHost(vhosts: readonly VirtualHost[], authority: string): VirtualHost | undefined {
  const host = authority.toLowerCase();
  const hostNoPort = host.replace(/:\d+$/, "");
  const candidates = [host, hostNoPort];
  for (const candidate of candidates) {
    const exact = vhosts.find((v) => (v.domains ?? []).some((d) => d.toLowerCase() === candidate));
    if (exact) return exact;
  }
  let best: { vhost: VirtualHost; length: number } | undefined;
  for (const vhost of vhosts) {
    for (const domain of (vhost.domains ?? []).map((d) => d.toLowerCase())) {
      if (domain === "*") continue;
      const matches =
        (domain.startsWith("*") && candidates.some((c) => c.endsWith(domain.slice(1)))) ||
        (domain.endsWith("*") && candidates.some((c) => c.startsWith(domain.slice(0, -1))));
      if (matches && (!best || domain.length > best.length)) best = { vhost, length: domain.length };
    }
  }
  return best?.vhost ?? vhosts.find((v) => (v.domains ?? []).includes("*"));
}

/** The clusters a route sends traffic to, with their weights (a single cluster gets weight 100). */
export function routeDestinations(route: Route): { cluster: string; weight: number }[] {
  const action = route.route;
  if (!action) return [];
  if (action.cluster) return [{ cluster: action.cluster, weight: 100 }];
  return (action.weighted_clusters?.clusters ?? []).map((c) => ({ cluster: c.name, weight: Number(c.weight ?? 0) }));
}

/** Splits an Istio cluster name `outbound|9080|v1|reviews.default.svc.cluster.local` into its parts. */
export function parseClusterName(name: string): { direction: string; port: number; subset: string; host: string } | undefined {
  const parts = name.split("|");
  if (parts.length !== 4) return undefined;
  const [direction, port, subset, host] = parts as [string, string, string, string];
  return { direction, port: Number(port), subset, host };
}
