// `istioctl proxy-config routes|clusters|listeners|endpoints|all`: istioctl's summary tables (tabwriter padding 5)
// computed from the proxy's Envoy config_dump and, for endpoints, Envoy's /clusters admin output, plus
// `-o json|yaml` with the protobuf JSON (camelCase) names istioctl prints.
import { stringify } from "yaml";
import type {
  Cluster,
  FilterChain,
  FilterChainMatch,
  HttpConnectionManager,
  Listener,
  Metadata,
  NetworkFilter,
  Route,
  RouteConfiguration,
  RouteMatch,
  TcpProxy,
  VirtualHost,
} from "@/cluster/embedded/mesh/envoy-types";
import { EnvoyConfigView } from "@/grader/envoy/config-dump";
import { alignColumns } from "../../kube/print";

/** istioctl's tabwriter: no minimum width, padding 5. */
export function istioTable(rows: readonly (readonly string[])[]): string {
  return alignColumns(rows, { padding: 5, minWidth: 0 });
}

/** Converts snake_case field names to protobuf JSON camelCase (map keys such as filter names stay as they are). */
export function toProtoJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toProtoJson);
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const name = /^[a-z][a-z0-9_]*$/.test(key) ? key.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase()) : key;
    out[name] = toProtoJson(child);
  }
  return out;
}

/** `-o json|yaml` output of a list of Envoy messages. */
export function dumpOutput(items: unknown[], format: "json" | "yaml"): string {
  const converted = toProtoJson(items);
  return format === "yaml" ? stringify(converted, { indentSeq: false, lineWidth: 0 }) : `${JSON.stringify(converted, null, 4)}\n`;
}

/** `name.namespace` from the `istio` filter metadata's config path (/apis/networking.istio.io/v1/namespaces/NS/KIND/NAME). */
export function describeManagement(metadata: Metadata | undefined): string {
  const config = metadata?.filter_metadata?.istio?.config;
  if (typeof config !== "string") return "";
  const pieces = config.split("/");
  if (!config.startsWith("/apis/networking.istio.io/") || pieces.length !== 8) return "<unknown>";
  return `${pieces[7]}.${pieces[5]}`;
}

function unexpandDomains(domains: readonly string[]): string[] {
  const unique = new Set(domains);
  return domains.filter((domain) => {
    const full = domain.endsWith(".svc.cluster.local") ? domain.slice(0, -".svc.cluster.local".length) : undefined;
    const partial = domain.endsWith(".svc") ? domain.slice(0, -".svc".length) : undefined;
    return !((full !== undefined && unique.has(full)) || (partial !== undefined && unique.has(partial)));
  });
}

/** The DOMAINS column: the port-less names, shortest forms kept, at most two then "+ N more...". */
export function describeRouteDomains(domains: readonly string[]): string {
  if (domains.length === 0) return "";
  if (domains.length === 1) return domains[0] ?? "";
  const withoutPort = unexpandDomains(domains.filter((domain) => !domain.includes(":") || ((domain.match(/:/g)?.length ?? 0) > 2 && domain.endsWith("]"))));
  if (withoutPort.length > 2) return `${withoutPort.slice(0, 2).join(", ")} + ${withoutPort.length - 2} more...`;
  return withoutPort.join(", ");
}

/** The MATCH column: `/prefix*`, exact path, or `regex …` (headers are not shown). */
export function describeMatch(match: RouteMatch | undefined): string {
  const conditions: string[] = [];
  if (match?.prefix) conditions.push(`${match.prefix}*`);
  const separated = (match as { path_separated_prefix?: string } | undefined)?.path_separated_prefix;
  if (separated) conditions.push(`PathPrefix:${separated}`);
  if (match?.path) conditions.push(match.path);
  if (match?.safe_regex) conditions.push(`regex ${match.safe_regex.regex}`);
  return conditions.join(" ");
}

function isPassthrough(route: Route): boolean {
  return route.route?.cluster === "PassthroughCluster";
}

interface DumpSection {
  "@type"?: string;
  static_route_configs?: { route_config: RouteConfiguration }[];
  dynamic_route_configs?: { route_config: RouteConfiguration }[];
}

/** Route configurations in istioctl's order: dynamic then static, numeric names ascending first. */
function sortedRouteConfigs(dump: unknown): RouteConfiguration[] {
  const sections = ((dump as { configs?: DumpSection[] }).configs ?? []).filter((section) => section["@type"]?.endsWith("RoutesConfigDump"));
  const all = sections.flatMap((section) => [...(section.dynamic_route_configs ?? []), ...(section.static_route_configs ?? [])].map((entry) => entry.route_config));
  const numeric = all.filter((config) => /^\d+$/.test(config.name)).sort((a, b) => Number(a.name) - Number(b.name));
  return [...numeric, ...all.filter((config) => !/^\d+$/.test(config.name))];
}

export interface RouteOptions {
  name?: string;
  verbose: boolean;
}

export function routesOutput(dump: unknown, options: RouteOptions, format: "short" | "json" | "yaml"): string {
  const configs = sortedRouteConfigs(dump).filter((config) => options.name === undefined || config.name === options.name);
  if (format !== "short") return dumpOutput(configs, format);
  if (!options.verbose) return istioTable([["NAME", "VIRTUAL HOSTS"], ...configs.map((config) => [config.name, String(config.virtual_hosts?.length ?? 0)])]);
  const rows: string[][] = [["NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE"]];
  for (const config of configs) {
    for (const vhost of config.virtual_hosts ?? []) {
      for (const route of vhost.routes ?? []) {
        if (!isPassthrough(route)) rows.push([config.name, vhost.name, describeRouteDomains(vhost.domains ?? []), describeMatch(route.match), describeManagement(route.metadata)]);
      }
      if ((vhost.routes ?? []).length === 0) rows.push([config.name, vhost.name, describeRouteDomains(vhost.domains ?? []), "/*", "404"]);
    }
  }
  return istioTable(rows);
}

/** `direction|port|subset|fqdn` of an Istio cluster name, or undefined for other clusters. */
function subsetKey(name: string): { direction: string; port: number; subset: string; fqdn: string } | undefined {
  const parts = name.split("|");
  if (parts.length < 4) return undefined;
  return { direction: parts[0] ?? "", port: Number(parts[1] ?? 0), subset: parts[2] ?? "", fqdn: parts[3] ?? "" };
}

export interface ClusterOptions {
  fqdn?: string;
  port?: number;
  subset?: string;
  direction?: string;
}

function clusterMatches(cluster: Cluster, options: ClusterOptions): boolean {
  const name = cluster.name;
  if (options.fqdn && !name.includes(options.fqdn)) return false;
  if (options.direction && !name.includes(options.direction)) return false;
  if (options.subset && !name.includes(options.subset)) return false;
  if (options.port && !name.includes(`|${options.port}|`)) return false;
  return true;
}

export function clustersOutput(dump: unknown, options: ClusterOptions, format: "short" | "json" | "yaml"): string {
  const view = new EnvoyConfigView(dump);
  const sortKey = (cluster: Cluster): [string, string, number, string] => {
    const key = subsetKey(cluster.name);
    return key ? [key.fqdn, key.subset, key.port, key.direction] : [cluster.name, "", 0, ""];
  };
  const clusters = [...view.clusters].filter((cluster) => clusterMatches(cluster, options)).sort((a, b) => {
    const [an, as, ap, ad] = sortKey(a);
    const [bn, bs, bp, bd] = sortKey(b);
    if (an !== bn) return an < bn ? -1 : 1;
    if (as !== bs) return as < bs ? -1 : 1;
    if (ap !== bp) return ap - bp;
    return ad < bd ? -1 : ad > bd ? 1 : 0;
  });
  if (format !== "short") return dumpOutput(clusters, format);
  const rows: string[][] = [["SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "DESTINATION RULE"]];
  for (const cluster of clusters) {
    const key = subsetKey(cluster.name);
    const type = cluster.type ?? "STATIC";
    if (key) rows.push([key.fqdn, String(key.port), key.subset || "-", key.direction, type, describeManagement(cluster.metadata)]);
    else rows.push([cluster.name, "-", "-", "-", type, describeManagement(cluster.metadata)]);
  }
  return istioTable(rows);
}

function filterChainsOf(listener: Listener): FilterChain[] {
  return listener.default_filter_chain ? [...(listener.filter_chains ?? []), listener.default_filter_chain] : [...(listener.filter_chains ?? [])];
}

function listenerType(listener: Listener): string {
  let http = 0;
  let tcp = 0;
  for (const chain of filterChainsOf(listener)) {
    for (const filter of chain.filters ?? []) {
      if (filter.name === "envoy.filters.network.http_connection_manager") http += 1;
      else if (filter.name === "envoy.filters.network.tcp_proxy" && (filter.typed_config as TcpProxy).cluster !== "BlackHoleCluster") tcp += 1;
    }
  }
  if (http > 0) return tcp === 0 ? "HTTP" : "HTTP+TCP";
  return tcp > 0 ? "TCP" : "UNKNOWN";
}

const PROTOCOL_DESCRIPTIONS: [string, string[]][] = [
  ["App: HTTP TLS", ["http/1.0", "http/1.1", "h2c", "istio-http/1.0", "istio-http/1.1", "istio-h2"]],
  ["App: Istio HTTP Plain", ["istio", "istio-http/1.0", "istio-http/1.1", "istio-h2"]],
  ["App: TCP TLS", ["istio-peer-exchange", "istio"]],
  ["App: HTTP", ["http/1.0", "http/1.1", "h2c"]],
];

function describeChainMatch(match: FilterChainMatch | undefined): string {
  const parts: string[] = [];
  if (match?.server_names?.length) parts.push(`SNI: ${match.server_names.join(",")}`);
  if (match?.transport_protocol) parts.push(`Trans: ${match.transport_protocol}`);
  if (match?.application_protocols?.length) {
    const protocols = match.application_protocols;
    const known = PROTOCOL_DESCRIPTIONS.find(([, list]) => list.length === protocols.length && list.every((item, index) => item === protocols[index]));
    parts.push(known ? known[0] : `App: ${protocols.join(",")}`);
  }
  const port = match?.destination_port !== undefined ? `:${match.destination_port}` : "";
  if (match?.prefix_ranges?.length) parts.push(`Addr: ${match.prefix_ranges.map((range) => `${range.address_prefix}/${range.prefix_len}`).join(",")}${port}`);
  else if (port) parts.push(`Addr: *${port}`);
  return parts.length ? parts.join("; ") : "ALL";
}

function describeInlineRoutes(config: RouteConfiguration): string {
  const vhosts = config.virtual_hosts ?? [];
  const only = vhosts[0];
  if (vhosts.length === 1 && only && only.domains?.length === 1 && only.domains[0] === "*" && only.routes?.length === 1 && only.routes[0]?.match?.prefix === "/" && only.routes[0].route?.cluster) {
    const cluster = only.routes[0].route.cluster;
    return cluster.includes("Cluster") ? cluster : `Cluster: ${cluster}`;
  }
  const describeVhost = (vhost: VirtualHost): string => {
    const routes = (vhost.routes ?? []).map((route) => describeMatch(route.match)).join(", ");
    const domains = vhost.domains?.length === 1 && vhost.domains[0] === "*" ? "" : (vhost.domains ?? []).join("/");
    return domains ? `${domains} ${routes}` : routes;
  };
  return `Inline Route: ${vhosts.map(describeVhost).join("; ")}`;
}

function describeDestination(filters: readonly NetworkFilter[]): string {
  for (const filter of filters) {
    if (filter.name === "envoy.filters.network.http_connection_manager") {
      const hcm = filter.typed_config as HttpConnectionManager;
      if (hcm.route_config) return describeInlineRoutes(hcm.route_config);
      if (hcm.rds?.route_config_name) return `Route: ${hcm.rds.route_config_name}`;
      return "HTTP";
    }
    if (filter.name === "envoy.filters.network.tcp_proxy") {
      const cluster = (filter.typed_config as TcpProxy).cluster;
      if (cluster !== "BlackHoleCluster") return cluster.includes("Cluster") ? cluster : `Cluster: ${cluster}`;
    }
  }
  return "Non-HTTP/Non-TCP";
}

export interface ListenerOptions {
  address?: string;
  port?: number;
  type?: string;
  verbose: boolean;
}

export function listenersOutput(dump: unknown, options: ListenerOptions, format: "short" | "json" | "yaml"): string {
  const view = new EnvoyConfigView(dump);
  const address = (listener: Listener): string => listener.address?.socket_address?.address ?? "";
  const port = (listener: Listener): number => listener.address?.socket_address?.port_value ?? 0;
  const listeners = [...view.listeners]
    .filter((listener) => (options.address === undefined || address(listener).toLowerCase() === options.address.toLowerCase()) && (options.port === undefined || port(listener) === options.port) && (options.type === undefined || listenerType(listener).toLowerCase() === options.type.toLowerCase()))
    .sort((a, b) => port(a) - port(b) || (address(a) < address(b) ? -1 : address(a) > address(b) ? 1 : 0) || (listenerType(a) < listenerType(b) ? -1 : 1));
  if (format !== "short") return dumpOutput(listeners, format);
  if (!options.verbose) return istioTable([["ADDRESSES", "PORT", "TYPE"], ...listeners.map((listener) => [address(listener), String(port(listener)), listenerType(listener)])]);
  const rows: string[][] = [["ADDRESSES", "PORT", "MATCH", "DESTINATION"]];
  for (const listener of listeners) {
    const chains = filterChainsOf(listener)
      .map((chain) => ({ match: describeChainMatch(chain.filter_chain_match), destination: describeDestination(chain.filters ?? []) }))
      .sort((a, b) => (a.destination > b.destination ? -1 : a.destination < b.destination ? 1 : 0));
    for (const chain of chains) rows.push([address(listener), String(port(listener)), chain.match, chain.destination]);
  }
  return istioTable(rows);
}

/** One upstream host from Envoy's /clusters admin output. */
export interface HostStatus {
  cluster: string;
  address: string;
  healthy: boolean;
  outlierFailed: boolean;
}

/** Parses Envoy's `/clusters` text (`cluster::host::health_flags::…` lines). */
export function parseClustersAdmin(text: string): HostStatus[] {
  const hosts: HostStatus[] = [];
  for (const line of text.split("\n")) {
    const parts = line.split("::");
    if (parts.length !== 4 || parts[2] !== "health_flags") continue;
    const flags = parts[3] ?? "";
    hosts.push({ cluster: parts[0] ?? "", address: parts[1] ?? "", healthy: !/failed_(eds_health|active_hc)/.test(flags), outlierFailed: flags.includes("/failed_outlier_check") });
  }
  return hosts;
}

export interface EndpointOptions {
  cluster?: string;
  address?: string;
  port?: number;
  status?: string;
}

export function endpointsOutput(hosts: readonly HostStatus[], options: EndpointOptions, format: "short" | "json" | "yaml"): string {
  const shown = hosts
    .filter((host) => {
      const [ip = "", port = ""] = host.address.split(/:(?=\d+$)/);
      const status = host.healthy ? "HEALTHY" : "UNHEALTHY";
      return (options.cluster === undefined || host.cluster === options.cluster) && (options.address === undefined || ip === options.address) && (options.port === undefined || Number(port) === options.port) && (options.status === undefined || status === options.status.toUpperCase());
    })
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.cluster < b.cluster ? -1 : 1));
  if (format !== "short") {
    const byCluster = new Map<string, HostStatus[]>();
    for (const host of shown) byCluster.set(host.cluster, [...(byCluster.get(host.cluster) ?? []), host]);
    const clusters = [...byCluster.entries()].map(([name, list]) => ({
      name,
      host_statuses: list.map((host) => {
        const [ip = "", port = "0"] = host.address.split(/:(?=\d+$)/);
        return { address: { socket_address: { address: ip, port_value: Number(port) } }, health_status: { eds_health_status: host.healthy ? "HEALTHY" : "UNHEALTHY", ...(host.outlierFailed ? { failed_outlier_check: true } : {}) } };
      }),
    }));
    return dumpOutput(clusters, format);
  }
  return istioTable([["ENDPOINT", "STATUS", "OUTLIER CHECK", "CLUSTER"], ...shown.map((host) => [host.address, host.healthy ? "HEALTHY" : "UNHEALTHY", host.outlierFailed ? "FAILED" : "OK", host.cluster])]);
}
