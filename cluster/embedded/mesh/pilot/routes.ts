// VirtualService HTTP rules → Envoy routes (match, destination, timeout, retries, fault, mirror), as istiod translates them.

import type { StringMatch } from "@/cluster/embedded/admission/istio/common";
import type { CorsPolicy, HTTPFaultInjection, HTTPMatchRequest, HTTPRetry, HTTPRoute, Headers } from "@/cluster/embedded/admission/istio/virtual-service";
import { parseDurationMs } from "@/cluster/embedded/admission/primitives";
import {
  FILTER,
  TYPE_URL,
  formatDuration,
  type FractionalPercent,
  type HTTPFault,
  type HeaderMatcher,
  type HeaderValueOption,
  type QueryParameterMatcher,
  type RequestMirrorPolicy,
  type RetryPolicy,
  type Route,
  type RouteAction,
  type RouteMatch,
  type StringMatcher,
} from "../envoy-types";
import { configPath, type VirtualServiceConfig } from "./config";
import { RETRY_POLICY_FIELDS, ROUTE_ACTION_FIELDS, ROUTE_FIELDS, inFieldOrder } from "./field-order";
import type { MeshService } from "./registry";

/** Istio 1.26's mesh-wide default retry policy (no retriable_status_codes since 1.24). */
export function defaultRetryPolicy(): RetryPolicy {
  return {
    retry_on: "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes",
    num_retries: 2,
    retry_host_predicate: [{ name: "envoy.retry_host_predicates.previous_hosts" }],
    host_selection_retry_max_attempts: "5",
  };
}

/** Durations as the config author wrote them (`3s`, `3000ms`, `1m`) in Envoy's JSON form. */
export function envoyDuration(text: string): string {
  return formatDuration(parseDurationMs(text) ?? 0);
}

const knownStatusCodes = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410,
  411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** retry.ConvertPolicy: absent → default; attempts 0 → no policy; integers in retryOn → retriable_status_codes. */
export function convertRetryPolicy(retries: HTTPRetry | undefined): RetryPolicy | undefined {
  const out = defaultRetryPolicy();
  if (!retries) return out;
  if ((retries.attempts ?? 0) <= 0) return undefined;
  out.num_retries = retries.attempts;
  if (retries.retryOn) {
    const codes: number[] = [];
    const conditions: string[] = [];
    for (const raw of retries.retryOn.split(",")) {
      const part = raw.trim();
      if (part === "") continue;
      const code = Number(part);
      if (Number.isInteger(code) && knownStatusCodes.has(code)) codes.push(code);
      else conditions.push(part);
    }
    out.retry_on = conditions.join(",");
    if (codes.length > 0) {
      out.retriable_status_codes = codes;
      if (!out.retry_on.includes("retriable-status-codes")) out.retry_on += ",retriable-status-codes";
    }
  }
  if (retries.perTryTimeout) out.per_try_timeout = envoyDuration(retries.perTryTimeout);
  if (retries.retryIgnorePreviousHosts === false) delete out.retry_host_predicate;
  if (retries.backoff) out.retry_back_off = { base_interval: envoyDuration(retries.backoff) };
  return inFieldOrder(out, RETRY_POLICY_FIELDS);
}

function stringMatcher(match: StringMatch): StringMatcher | undefined {
  if (match.exact !== undefined) return { exact: match.exact };
  if (match.prefix !== undefined) return { prefix: match.prefix };
  if (match.regex !== undefined) return { safe_regex: { regex: match.regex } };
  return undefined;
}

/** An empty StringMatch or regex `*` means "header present". */
function isPresenceMatch(match: StringMatch | undefined): boolean {
  if (!match) return true;
  if (match.exact === undefined && match.prefix === undefined && match.regex === undefined) return true;
  return match.regex === "*";
}

function headerMatcher(name: string, match: StringMatch | undefined): HeaderMatcher {
  if (isPresenceMatch(match)) return { name, present_match: true };
  const converted = match ? stringMatcher(match) : undefined;
  return converted ? { name, string_match: converted } : { name };
}

/** TranslateRouteMatch: uri → path/prefix/safe_regex, headers sorted by name, then :method/:authority/:scheme, query params. */
export function translateRouteMatch(match: HTTPMatchRequest | undefined): RouteMatch {
  const out: RouteMatch = { prefix: "/" };
  if (!match) return out;
  const headers: HeaderMatcher[] = [];
  for (const [name, value] of Object.entries(match.headers ?? {})) headers.push(headerMatcher(name.toLowerCase(), value));
  for (const [name, value] of Object.entries(match.withoutHeaders ?? {})) {
    const matcher = headerMatcher(name.toLowerCase(), value);
    matcher.invert_match = true;
    if (!isPresenceMatch(value)) matcher.treat_missing_header_as_empty = true;
    headers.push(matcher);
  }
  headers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (match.uri) {
    delete out.prefix;
    if (match.uri.exact !== undefined) out.path = match.uri.exact;
    else if (match.uri.prefix !== undefined) out.prefix = match.uri.prefix;
    else if (match.uri.regex !== undefined) out.safe_regex = { regex: match.uri.regex };
    else out.prefix = "/";
  }
  out.case_sensitive = !(match.ignoreUriCase ?? false);
  if (match.method) headers.push(headerMatcher(":method", match.method));
  if (match.authority) headers.push(headerMatcher(":authority", match.authority));
  if (match.scheme) headers.push(headerMatcher(":scheme", match.scheme));
  if (headers.length > 0) out.headers = headers;
  const query: QueryParameterMatcher[] = [];
  for (const [name, value] of Object.entries(match.queryParams ?? {})) {
    if (isPresenceMatch(value)) query.push({ name, present_match: true });
    else {
      const converted = stringMatcher(value);
      query.push(converted ? { name, string_match: converted } : { name });
    }
  }
  if (query.length > 0) out.query_parameters = query;
  return out;
}

function percentToFraction(value: number): FractionalPercent {
  return { numerator: Math.trunc(value * 10000), denominator: "MILLION" };
}

/** FractionalPercent with the HUNDRED denominator, which proto3 JSON leaves out (its enum value is 0). */
function integerToFraction(value: number): FractionalPercent {
  return value === 0 ? {} : { numerator: value };
}

/** TranslateFault: percentage → MILLION, deprecated percent → HUNDRED; a delay without either faults nothing. */
export function translateFault(fault: HTTPFaultInjection): HTTPFault | undefined {
  const out: HTTPFault = { "@type": TYPE_URL.fault };
  if (fault.delay?.fixedDelay) {
    const percentage = fault.delay.percentage ? percentToFraction(fault.delay.percentage.value ?? 0) : integerToFraction(fault.delay.percent ?? 0);
    out.delay = { fixed_delay: envoyDuration(fault.delay.fixedDelay), percentage };
  }
  if (fault.abort && (fault.abort.httpStatus !== undefined || fault.abort.grpcStatus !== undefined)) {
    const abort: NonNullable<HTTPFault["abort"]> = {};
    if (fault.abort.httpStatus !== undefined) abort.http_status = fault.abort.httpStatus;
    else if (fault.abort.grpcStatus !== undefined) abort.grpc_status = grpcCodes[fault.abort.grpcStatus] ?? 2;
    if (fault.abort.percentage) abort.percentage = percentToFraction(fault.abort.percentage.value ?? 0);
    out.abort = abort;
  }
  return out.delay || out.abort ? out : undefined;
}

const grpcCodes: Record<string, number> = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

/** TranslateCORSPolicy: a per-route envoy.filters.http.cors policy, enabled for 100% of requests. */
export function translateCorsPolicy(policy: CorsPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = { "@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy" };
  const origins = policy.allowOrigins ? policy.allowOrigins.map(stringMatcher).filter((item) => item !== undefined) : policy.allowOrigin?.map((exact) => ({ exact }));
  if (origins && origins.length > 0) out.allow_origin_string_match = origins;
  if (policy.allowMethods?.length) out.allow_methods = policy.allowMethods.join(",");
  if (policy.allowHeaders?.length) out.allow_headers = policy.allowHeaders.join(",");
  if (policy.exposeHeaders?.length) out.expose_headers = policy.exposeHeaders.join(",");
  if (policy.maxAge) out.max_age = String(Math.floor((parseDurationMs(policy.maxAge) ?? 0) / 1000));
  if (policy.allowCredentials !== undefined) out.allow_credentials = policy.allowCredentials;
  out.filter_enabled = { default_value: { numerator: 100 } };
  out.forward_not_matching_preflights = policy.unmatchedPreflights !== "IGNORE";
  return out;
}

/** `outbound|<port>|<subset>|<host>`. */
export function subsetClusterName(direction: "outbound" | "inbound", port: number, subset: string, host: string): string {
  return `${direction}|${port}|${subset}|${host}`;
}

/** GetDestinationCluster: explicit port, else the service's only port, else the listener port. */
export function destinationCluster(destination: { host: string; subset?: string | undefined; port?: { number?: number | undefined } | undefined }, service: MeshService | undefined, listenerPort: number): string {
  let port = listenerPort;
  if (destination.port?.number !== undefined) port = destination.port.number;
  else if (service && service.ports.length === 1 && service.ports[0]) port = service.ports[0].port;
  return subsetClusterName("outbound", port, destination.subset ?? "", destination.host);
}

function headerOptions(values: Record<string, string> | undefined, append: boolean): { options: HeaderValueOption[]; authority: string } {
  let authority = "";
  const options: HeaderValueOption[] = [];
  for (const [key, value] of Object.entries(values ?? {})) {
    const lower = key.toLowerCase();
    if (lower === ":authority" || lower === "host") authority = value;
    if (key.startsWith(":") || lower === "host") continue;
    options.push({ header: { key, value }, append_action: append ? "APPEND_IF_EXISTS_OR_ADD" : "OVERWRITE_IF_EXISTS_OR_ADD" });
  }
  options.sort((a, b) => (a.header.key < b.header.key ? -1 : a.header.key > b.header.key ? 1 : 0));
  return { options, authority };
}

function applyHeaderOperations(out: Route, headers: Headers): string {
  const set = headerOptions(headers.request?.set, false);
  const add = headerOptions(headers.request?.add, true);
  const requestAdd = [...set.options, ...add.options];
  if (requestAdd.length > 0) out.request_headers_to_add = [...(out.request_headers_to_add ?? []), ...requestAdd];
  const responseAdd = [...headerOptions(headers.response?.set, false).options, ...headerOptions(headers.response?.add, true).options];
  if (responseAdd.length > 0) out.response_headers_to_add = [...(out.response_headers_to_add ?? []), ...responseAdd];
  const requestRemove = (headers.request?.remove ?? []).filter((key) => !key.startsWith(":") && key.toLowerCase() !== "host");
  if (requestRemove.length > 0) out.request_headers_to_remove = [...(out.request_headers_to_remove ?? []), ...requestRemove];
  const responseRemove = (headers.response?.remove ?? []).filter((key) => !key.startsWith(":") && key.toLowerCase() !== "host");
  if (responseRemove.length > 0) out.response_headers_to_remove = [...(out.response_headers_to_remove ?? []), ...responseRemove];
  return set.authority || add.authority;
}

function mirrorFraction(percentage: { value?: number | undefined } | undefined, percent: number | undefined): FractionalPercent | undefined {
  if (percentage) return (percentage.value ?? 0) > 0 ? percentToFraction(percentage.value ?? 0) : undefined;
  if (percent !== undefined) return percent > 0 ? integerToFraction(percent) : undefined;
  return integerToFraction(100);
}

/** `<host>:<port><path>` for one cluster, `<vs>:<port><path>` otherwise (GetRouteOperation). */
function routeOperation(route: Route, vsName: string, listenerPort: number): string {
  const match = route.match;
  const path = match.prefix !== undefined ? `${match.prefix}*` : match.path !== undefined ? match.path : match.safe_regex ? match.safe_regex.regex : "/*";
  const cluster = route.route?.cluster;
  if (cluster) {
    const parts = cluster.split("|");
    if (parts.length === 4 && parts[3]) return `${parts[3]}:${parts[1]}${path}`;
  }
  return `${vsName}:${listenerPort}${path}`;
}

export interface RouteContext {
  listenerPort: number;
  /** Looks a destination host up among the services this proxy can see. */
  lookupService: (host: string) => MeshService | undefined;
  proxyLabels: Readonly<Record<string, string>>;
  proxyNamespace: string;
  /** `mesh` for sidecars, `ns/name` of the Gateway for routers. */
  gatewayNames: ReadonlySet<string>;
}

function sourceMatches(match: HTTPMatchRequest | undefined, context: RouteContext): boolean {
  if (!match) return true;
  if (match.gateways && match.gateways.length > 0) return match.gateways.some((gateway) => context.gatewayNames.has(gateway));
  const labels = match.sourceLabels ?? {};
  if (!Object.entries(labels).every(([key, value]) => context.proxyLabels[key] === value)) return false;
  return match.sourceNamespace === undefined || match.sourceNamespace === context.proxyNamespace;
}

/** Whether any rule of the VirtualService depends on who the caller is (so routes cannot be shared per namespace). */
export function dependsOnSource(vs: VirtualServiceConfig): boolean {
  return vs.http.some((rule) => (rule.match ?? []).some((match) => match.sourceLabels !== undefined || match.sourceNamespace !== undefined));
}

function translateRoute(vs: VirtualServiceConfig, rule: HTTPRoute, match: HTTPMatchRequest | undefined, context: RouteContext): Route | undefined {
  if (match?.port !== undefined && match.port !== context.listenerPort) return undefined;
  if (!sourceMatches(match, context)) return undefined;
  const out: Route = { match: translateRouteMatch(match) };
  let authority = rule.headers ? applyHeaderOperations(out, rule.headers) : "";
  if (rule.redirect) {
    const redirect: NonNullable<Route["redirect"]> = {};
    if (rule.redirect.authority) redirect.host_redirect = rule.redirect.authority;
    if (rule.redirect.uri) redirect.path_redirect = rule.redirect.uri;
    if (rule.redirect.scheme) redirect.scheme_redirect = rule.redirect.scheme;
    if (rule.redirect.port !== undefined) redirect.port_redirect = rule.redirect.port;
    else if (rule.redirect.derivePort === "FROM_REQUEST_PORT") redirect.port_redirect = context.listenerPort;
    const code = rule.redirect.redirectCode ?? 301;
    const codes: Record<number, NonNullable<typeof redirect.response_code> | undefined> = { 301: undefined, 302: "FOUND", 303: "SEE_OTHER", 307: "TEMPORARY_REDIRECT", 308: "PERMANENT_REDIRECT" };
    if (!(code in codes)) return undefined;
    const named = codes[code];
    if (named) redirect.response_code = named;
    out.redirect = redirect;
  } else if (rule.directResponse) {
    const direct: NonNullable<Route["direct_response"]> = { status: rule.directResponse.status };
    if (rule.directResponse.body?.string !== undefined) direct.body = { inline_string: rule.directResponse.body.string };
    else if (rule.directResponse.body?.bytes !== undefined) direct.body = { inline_bytes: rule.directResponse.body.bytes };
    out.direct_response = direct;
  } else {
    const action: RouteAction = {};
    const timeout = rule.timeout ? envoyDuration(rule.timeout) : "0s";
    if (rule.rewrite) {
      if (rule.rewrite.uriRegexRewrite?.match !== undefined) action.regex_rewrite = { pattern: { regex: rule.rewrite.uriRegexRewrite.match }, substitution: rule.rewrite.uriRegexRewrite.rewrite ?? "" };
      else if (rule.rewrite.uri) action.prefix_rewrite = rule.rewrite.uri;
      if (rule.rewrite.authority) authority = rule.rewrite.authority;
    }
    const destinations = rule.route ?? [];
    if (destinations.length === 1 && destinations[0]) {
      const only = destinations[0];
      action.cluster = destinationCluster(only.destination, context.lookupService(only.destination.host), context.listenerPort);
      if (only.headers) {
        const destinationAuthority = applyHeaderOperations(out, only.headers);
        if (!authority && destinationAuthority) authority = destinationAuthority;
      }
    } else {
      action.weighted_clusters = {
        clusters: destinations
          .filter((destination) => (destination.weight ?? 0) !== 0)
          .map((destination) => ({ name: destinationCluster(destination.destination, context.lookupService(destination.destination.host), context.listenerPort), weight: destination.weight ?? 0 })),
      };
    }
    if (authority) action.host_rewrite_literal = authority;
    action.timeout = timeout;
    const retry = convertRetryPolicy(rule.retries);
    if (retry) action.retry_policy = retry;
    const mirrors: RequestMirrorPolicy[] = [];
    if (rule.mirror) {
      const fraction = mirrorFraction(rule.mirrorPercentage, rule.mirrorPercent);
      if (fraction) mirrors.push({ cluster: destinationCluster(rule.mirror, context.lookupService(rule.mirror.host), context.listenerPort), runtime_fraction: { default_value: fraction }, trace_sampled: false });
    }
    for (const mirror of rule.mirrors ?? []) {
      const fraction = mirrorFraction(mirror.percentage, undefined);
      if (fraction) mirrors.push({ cluster: destinationCluster(mirror.destination, context.lookupService(mirror.destination.host), context.listenerPort), runtime_fraction: { default_value: fraction }, trace_sampled: false });
    }
    if (mirrors.length > 0) action.request_mirror_policies = mirrors;
    action.max_grpc_timeout = timeout;
    out.route = inFieldOrder(action, ROUTE_ACTION_FIELDS);
  }
  out.metadata = { filter_metadata: { istio: { config: configPath("virtual-service", vs) } } };
  out.decorator = { operation: routeOperation(out, vs.name, context.listenerPort) };
  if (rule.fault || rule.corsPolicy) {
    const perFilter: NonNullable<Route["typed_per_filter_config"]> = {};
    const fault = rule.fault ? translateFault(rule.fault) : undefined;
    if (fault) perFilter[FILTER.fault] = fault;
    if (rule.corsPolicy) perFilter[FILTER.cors] = translateCorsPolicy(rule.corsPolicy);
    out.typed_per_filter_config = perFilter;
  }
  const name = rule.name && match?.name ? `${rule.name}.${match.name}` : (rule.name ?? (match?.name ? `.${match.name}` : undefined));
  if (name) out.name = name;
  return inFieldOrder(out, ROUTE_FIELDS);
}

/** A catch-all route: prefix `/` (or regex `.*`) with no header or query conditions. */
export function isCatchAllRoute(route: Route): boolean {
  const match = route.match;
  const catchAllPath = match.prefix === "/" || match.safe_regex?.regex === ".*";
  return catchAllPath && !match.headers?.length && !match.query_parameters?.length;
}

/** BuildHTTPRoutesForVirtualService: one route per match of each rule, stopping after a catch-all. Empty when nothing applies. */
export function buildVirtualServiceRoutes(vs: VirtualServiceConfig, context: RouteContext): Route[] {
  const out: Route[] = [];
  for (const rule of vs.http) {
    let catchAll = false;
    if (!rule.match || rule.match.length === 0) {
      const route = translateRoute(vs, rule, undefined, context);
      if (route) out.push(route);
      catchAll = true;
    } else {
      for (const match of rule.match) {
        const route = translateRoute(vs, rule, match, context);
        if (!route) continue;
        out.push(route);
        if (isCatchAllRoute(route)) {
          catchAll = true;
          break;
        }
      }
    }
    if (catchAll) break;
  }
  return out;
}

/** The `default` route of a service without a VirtualService. */
export function defaultOutboundRoute(cluster: string, host: string, port: number): Route {
  return {
    match: { prefix: "/" },
    route: { cluster, timeout: "0s", retry_policy: defaultRetryPolicy(), max_grpc_timeout: "0s" },
    decorator: { operation: `${host}:${port}/*` },
    name: "default",
  };
}
