// Following one request the way the mesh would: which VirtualService rule it matches, which pods a destination's
// subset selects, which Envoy route it takes in a proxy, and which pods stand behind that route's cluster.
import type { HTTPMatchRequest, HTTPRoute, StringMatch, VirtualServiceSpec } from "@/cluster/embedded/admission";
import { selectRoute, selectVirtualHost, regexFullMatch } from "@/cluster/embedded/mesh/dataplane/matching";
import type { Route, VirtualHost } from "@/cluster/embedded/mesh/envoy-types";
import { serviceNameFromHost } from "../analyze/hosts";
import { routeDestinations, type EnvoyConfigView } from "../envoy/config-dump";
import type { KubeObject, Snapshot } from "../snapshot/snapshot";
import { definedSubsets } from "./routing";

/** A request as a VirtualService or Envoy route sees it. */
export interface RequestShape {
  method: string;
  /** Path with query string. */
  path: string;
  authority: string;
  port: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Labels of the calling pod (for `sourceLabels`). */
  sourceLabels: Record<string, string>;
  sourceNamespace: string;
  /** `mesh` for sidecar traffic, `<ns>/<name>` of the Gateway for ingress traffic. */
  gateway: string;
}

/** The request a URL describes, with extra headers (a `host` header replaces the authority). */
export function requestFromUrl(url: string, headers: Record<string, string> = {}, source: { labels?: Record<string, string>; namespace?: string; gateway?: string } = {}): RequestShape {
  const parsed = new URL(url);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const { host, ...rest } = lower;
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === "https:" ? 443 : 80;
  return {
    method: "GET",
    path: `${parsed.pathname}${parsed.search}`,
    authority: host ?? parsed.host,
    port,
    headers: rest,
    sourceLabels: source.labels ?? {},
    sourceNamespace: source.namespace ?? "default",
    gateway: source.gateway ?? "mesh",
  };
}

function pathOf(request: RequestShape): string {
  const q = request.path.indexOf("?");
  return q < 0 ? request.path : request.path.slice(0, q);
}

function queryOf(request: RequestShape): Map<string, string> {
  const q = request.path.indexOf("?");
  return new Map(q < 0 ? [] : new URLSearchParams(request.path.slice(q + 1)));
}

/** Istio StringMatch semantics: exact, prefix, RE2 full-match regex; an empty match accepts any present value. */
export function stringMatchAccepts(match: StringMatch, value: string, ignoreCase = false): boolean {
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  if (match.exact !== undefined) return fold(value) === fold(match.exact);
  if (match.prefix !== undefined) return fold(value).startsWith(fold(match.prefix));
  if (match.regex !== undefined) return regexFullMatch(match.regex, value);
  return true;
}

/** Whether one `match` entry of an HTTP route accepts the request (all its conditions must hold). */
export function matchAccepts(match: HTTPMatchRequest, request: RequestShape): boolean {
  if (match.uri && !stringMatchAccepts(match.uri, pathOf(request), match.ignoreUriCase === true)) return false;
  if (match.method && !stringMatchAccepts(match.method, request.method)) return false;
  if (match.authority && !stringMatchAccepts(match.authority, request.authority)) return false;
  if (match.scheme && !stringMatchAccepts(match.scheme, "http")) return false;
  for (const [name, condition] of Object.entries(match.headers ?? {})) {
    const value = request.headers[name.toLowerCase()];
    if (value === undefined || !stringMatchAccepts(condition, value)) return false;
  }
  for (const [name, condition] of Object.entries(match.withoutHeaders ?? {})) {
    const value = request.headers[name.toLowerCase()];
    if (value !== undefined && stringMatchAccepts(condition, value)) return false;
  }
  if (match.queryParams) {
    const query = queryOf(request);
    for (const [name, condition] of Object.entries(match.queryParams)) {
      const value = query.get(name);
      if (value === undefined || !stringMatchAccepts(condition, value)) return false;
    }
  }
  if (match.port !== undefined && match.port !== request.port) return false;
  if (match.sourceLabels && !Object.entries(match.sourceLabels).every(([k, v]) => request.sourceLabels[k] === v)) return false;
  if (match.sourceNamespace !== undefined && match.sourceNamespace !== request.sourceNamespace) return false;
  if (match.gateways && match.gateways.length > 0 && !match.gateways.some((g) => g === request.gateway || (request.gateway !== "mesh" && request.gateway.endsWith(`/${g}`)))) return false;
  return true;
}

/** Whether an HTTP route accepts the request (no `match` accepts everything). */
export function routeAccepts(route: HTTPRoute, request: RequestShape): boolean {
  const matches = route.match ?? [];
  return matches.length === 0 || matches.some((m) => matchAccepts(m, request));
}

/** The index of the first HTTP route of a VirtualService that takes the request, or -1 (Envoy answers 404 NR). */
export function firstAcceptingRoute(spec: VirtualServiceSpec, request: RequestShape): number {
  return (spec.http ?? []).findIndex((route) => routeAccepts(route, request));
}

/** The running pods behind a host (its Service's selector) narrowed by extra labels, e.g. a subset's. */
export function podsSelected(snapshot: Snapshot, fqdn: string, namespace: string, labels: Record<string, string> = {}): KubeObject[] {
  const { namespace: serviceNamespace, name } = serviceNameFromHost(namespace, fqdn);
  const service = snapshot.get("Service", serviceNamespace, name);
  const selector = (service?.spec?.selector ?? undefined) as Record<string, string> | undefined;
  if (!selector) return [];
  const wanted = { ...selector, ...labels };
  return snapshot
    .list("Pod", serviceNamespace)
    .filter((pod) => (pod.status as { phase?: string } | undefined)?.phase === "Running" && !pod.metadata.deletionTimestamp)
    .filter((pod) => Object.entries(wanted).every(([k, v]) => pod.metadata.labels?.[k] === v));
}

/** The version labels of some pods, sorted and de-duplicated. */
export function versionsOf(pods: readonly KubeObject[]): string[] {
  return [...new Set(pods.map((pod) => pod.metadata.labels?.version ?? "(no version label)"))].sort();
}

/** What a destination `host`/`subset` reaches: whether the subset exists, and the pods it selects. */
export function destinationReach(snapshot: Snapshot, fqdn: string, namespace: string, subset: string | undefined): { defined: boolean; labels: Record<string, string>; pods: KubeObject[] } {
  if (subset === undefined) return { defined: true, labels: {}, pods: podsSelected(snapshot, fqdn, namespace) };
  const found = definedSubsets(snapshot, fqdn, namespace).get(subset);
  if (!found) return { defined: false, labels: {}, pods: [] };
  const labels = found.subset.labels ?? {};
  return { defined: true, labels, pods: podsSelected(snapshot, fqdn, namespace, labels) };
}

/** The Envoy virtual host and route a proxy picks for a request in one route configuration. */
export function envoyRouteFor(config: EnvoyConfigView, routeConfigName: string, request: RequestShape): { virtualHost?: VirtualHost; route?: Route; index: number } {
  const routeConfig = config.routeConfig(routeConfigName);
  if (!routeConfig) return { index: -1 };
  const virtualHost = selectVirtualHost(routeConfig, request.authority);
  if (!virtualHost) return { index: -1 };
  const route = selectRoute(virtualHost, { method: request.method, path: request.path, authority: request.authority, scheme: "http", headers: request.headers, body: "" });
  return { virtualHost, route, index: route ? virtualHost.routes.indexOf(route) : -1 };
}

/** One cluster a route sends traffic to, with what the proxy holds for it. */
export interface ClusterReach {
  cluster: string;
  weight: number;
  /** False when the proxy has no such cluster (Envoy answers 503 NC). */
  exists: boolean;
  /** Pod names behind the cluster's healthy endpoints (empty: 503 UH). */
  healthyPods: string[];
}

/** For each cluster of an Envoy route: does it exist, and which pods answer for it (by endpoint IP). */
export function envoyRouteReach(config: EnvoyConfigView, route: Route, snapshot: Snapshot): ClusterReach[] {
  const podsByIp = new Map(snapshot.list("Pod").map((pod) => [String((pod.status as { podIP?: string } | undefined)?.podIP ?? ""), pod]));
  return routeDestinations(route)
    .filter((d) => d.weight > 0)
    .map(({ cluster, weight }) => {
      const exists = config.cluster(cluster) !== undefined;
      const endpoints = (config.loadAssignment(cluster)?.endpoints ?? []).flatMap((l) => l.lb_endpoints ?? []);
      const healthyPods = endpoints
        .filter((e) => e.health_status === undefined || e.health_status === "HEALTHY" || e.health_status === "UNKNOWN")
        .map((e) => {
          const ip = e.endpoint.address.socket_address.address;
          return podsByIp.get(ip)?.metadata.name ?? ip;
        });
      return { cluster, weight, exists, healthyPods };
    });
}
