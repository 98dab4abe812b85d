// VirtualService (networking.istio.io): structural schema mirroring istio/api virtual_service.proto plus the webhook's rules.
import { z } from "zod";
import { hostIsSubsetOf, hostsOverlap, isIPAddress, isIstioDnsLabel, parseDurationNanos, wildcardDomainProblem } from "../primitives";
import { schemaRule, webhookRule, type Path, type Report } from "../report";
import {
  checkDestination,
  checkExportTo,
  checkGatewayNames,
  checkIpsOrCidrs,
  checkLabels,
  checkPort,
  checkRegex,
  checkStringMatch,
  destination,
  duration,
  int32,
  onlyOneOf,
  percent,
  stringMap,
  stringMatch,
  uint32,
  uint32Value,
  type Destination,
} from "./common";

const headerOperations = z.strictObject({
  set: stringMap.optional(),
  add: stringMap.optional(),
  remove: z.array(z.string()).optional(),
});
export type HeaderOperations = z.infer<typeof headerOperations>;

/** Request/response header manipulation rules. */
export const headers = z.strictObject({ request: headerOperations.optional(), response: headerOperations.optional() });
export type Headers = z.infer<typeof headers>;

export const httpMatchRequest = z.strictObject({
  name: z.string().optional(),
  uri: stringMatch.optional(),
  scheme: stringMatch.optional(),
  method: stringMatch.optional(),
  authority: stringMatch.optional(),
  headers: z.record(z.string(), stringMatch).optional(),
  port: uint32.optional(),
  sourceLabels: stringMap.optional(),
  gateways: z.array(z.string()).optional(),
  queryParams: z.record(z.string(), stringMatch).optional(),
  ignoreUriCase: z.boolean().optional(),
  withoutHeaders: z.record(z.string(), stringMatch).optional(),
  sourceNamespace: z.string().optional(),
  statPrefix: z.string().optional(),
});
export type HTTPMatchRequest = z.infer<typeof httpMatchRequest>;

export const httpRouteDestination = z.strictObject({ destination, weight: int32.optional(), headers: headers.optional() });
export type HTTPRouteDestination = z.infer<typeof httpRouteDestination>;

export const routeDestination = z.strictObject({ destination, weight: int32.optional() });
export type RouteDestination = z.infer<typeof routeDestination>;

export const httpRedirect = z
  .strictObject({
    uri: z.string().optional(),
    authority: z.string().optional(),
    port: uint32.optional(),
    derivePort: z.enum(["FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"]).optional(),
    scheme: z.string().optional(),
    redirectCode: uint32.optional(),
  })
  .superRefine(schemaRule(onlyOneOf(["port", "derivePort"])));
export type HTTPRedirect = z.infer<typeof httpRedirect>;

const httpBody = z
  .strictObject({ string: z.string().optional(), bytes: z.string().optional() })
  .superRefine(schemaRule(onlyOneOf(["string", "bytes"])));

export const httpDirectResponse = z.strictObject({ status: uint32, body: httpBody.optional() });
export type HTTPDirectResponse = z.infer<typeof httpDirectResponse>;

export const delegate = z.strictObject({ name: z.string().optional(), namespace: z.string().optional() });
export type Delegate = z.infer<typeof delegate>;

export const httpRewrite = z.strictObject({
  uri: z.string().optional(),
  authority: z.string().optional(),
  uriRegexRewrite: z.strictObject({ match: z.string().optional(), rewrite: z.string().optional() }).optional(),
});
export type HTTPRewrite = z.infer<typeof httpRewrite>;

export const httpRetry = z.strictObject({
  attempts: int32.optional(),
  perTryTimeout: duration.optional(),
  retryOn: z.string().optional(),
  retryRemoteLocalities: z.boolean().optional(),
  retryIgnorePreviousHosts: z.boolean().optional(),
  backoff: duration.optional(),
});
export type HTTPRetry = z.infer<typeof httpRetry>;

export const corsPolicy = z.strictObject({
  allowOrigin: z.array(z.string()).optional(),
  allowOrigins: z.array(stringMatch).optional(),
  allowMethods: z.array(z.string()).optional(),
  allowHeaders: z.array(z.string()).optional(),
  exposeHeaders: z.array(z.string()).optional(),
  maxAge: duration.optional(),
  allowCredentials: z.boolean().optional(),
  unmatchedPreflights: z.enum(["UNSPECIFIED", "FORWARD", "IGNORE"]).optional(),
});
export type CorsPolicy = z.infer<typeof corsPolicy>;

export const faultDelay = z
  .strictObject({
    fixedDelay: duration.optional(),
    exponentialDelay: duration.optional(),
    percent: int32.optional(),
    percentage: percent.optional(),
  })
  .superRefine(schemaRule(onlyOneOf(["fixedDelay", "exponentialDelay"])));
export type HTTPFaultInjectionDelay = z.infer<typeof faultDelay>;

export const faultAbort = z
  .strictObject({
    httpStatus: int32.optional(),
    grpcStatus: z.string().optional(),
    http2Error: z.string().optional(),
    percentage: percent.optional(),
  })
  .superRefine(schemaRule(onlyOneOf(["httpStatus", "grpcStatus", "http2Error"])));
export type HTTPFaultInjectionAbort = z.infer<typeof faultAbort>;

export const httpFaultInjection = z.strictObject({ delay: faultDelay.optional(), abort: faultAbort.optional() });
export type HTTPFaultInjection = z.infer<typeof httpFaultInjection>;

export const httpMirrorPolicy = z.strictObject({ destination, percentage: percent.optional() });
export type HTTPMirrorPolicy = z.infer<typeof httpMirrorPolicy>;

export const httpRoute = z.strictObject({
  name: z.string().optional(),
  match: z.array(httpMatchRequest).optional(),
  route: z.array(httpRouteDestination).optional(),
  redirect: httpRedirect.optional(),
  directResponse: httpDirectResponse.optional(),
  delegate: delegate.optional(),
  rewrite: httpRewrite.optional(),
  timeout: duration.optional(),
  retries: httpRetry.optional(),
  fault: httpFaultInjection.optional(),
  mirror: destination.optional(),
  mirrors: z.array(httpMirrorPolicy).optional(),
  mirrorPercent: uint32Value.optional(),
  mirrorPercentage: percent.optional(),
  corsPolicy: corsPolicy.optional(),
  headers: headers.optional(),
});
export type HTTPRoute = z.infer<typeof httpRoute>;

export const l4MatchAttributes = z.strictObject({
  destinationSubnets: z.array(z.string()).optional(),
  port: uint32.optional(),
  sourceLabels: stringMap.optional(),
  gateways: z.array(z.string()).optional(),
  sourceNamespace: z.string().optional(),
});
export type L4MatchAttributes = z.infer<typeof l4MatchAttributes>;

export const tlsMatchAttributes = z.strictObject({
  sniHosts: z.array(z.string()),
  destinationSubnets: z.array(z.string()).optional(),
  port: uint32.optional(),
  sourceLabels: stringMap.optional(),
  gateways: z.array(z.string()).optional(),
  sourceNamespace: z.string().optional(),
});
export type TLSMatchAttributes = z.infer<typeof tlsMatchAttributes>;

export const tcpRoute = z.strictObject({ match: z.array(l4MatchAttributes).optional(), route: z.array(routeDestination).optional() });
export type TCPRoute = z.infer<typeof tcpRoute>;

export const tlsRoute = z.strictObject({ match: z.array(tlsMatchAttributes), route: z.array(routeDestination).optional() });
export type TLSRoute = z.infer<typeof tlsRoute>;

const virtualServiceFields = z.strictObject({
  hosts: z.array(z.string()).optional(),
  gateways: z.array(z.string()).optional(),
  http: z.array(httpRoute).optional(),
  tls: z.array(tlsRoute).optional(),
  tcp: z.array(tcpRoute).optional(),
  exportTo: z.array(z.string()).optional(),
});
/** VirtualService spec as written in YAML (camelCase, like istio/api). */
export type VirtualServiceSpec = z.infer<typeof virtualServiceFields>;

const HEADER_NAME = /^[-_A-Za-z0-9]+$/;
const JWT_CLAIM_ROUTE = /^@request\.auth\.claims(?:\.[^.].*|\[.+\])$/;
const HEADER_VALUE_CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;
const ENVOY_VARIABLE = /^[A-Z0-9_]+(?:\(.*\))?(?::\d+)?$/;
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"] as const;
const RETRY_ON_POLICIES = [
  "5xx",
  "gateway-error",
  "reset",
  "reset-before-request",
  "connect-failure",
  "retriable-4xx",
  "refused-stream",
  "retriable-status-codes",
  "retriable-headers",
  "envoy-ratelimited",
  "http3-post-connect-failure",
  "cancelled",
  "deadline-exceeded",
  "internal",
  "resource-exhausted",
  "unavailable",
] as const;
/** Status codes Go's net/http has a name for; Istio accepts exactly these as numeric retryOn entries. */
const NAMED_HTTP_STATUS = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404,
  405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502,
  503, 504, 505, 506, 507, 508, 510, 511,
]);
const GRPC_STATUS = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;
const MAX_DIRECT_RESPONSE_BYTES = 1024 * 1024;

/** Validates a header name used in a match (`@request.auth.claims.*` is allowed for JWT claim routing). */
export function checkHeaderName(name: string, path: Path, report: Report): void {
  if (name === "") report.invalid(path, name, "header name cannot be empty");
  else if (!JWT_CLAIM_ROUTE.test(name) && !HEADER_NAME.test(name)) report.invalid(path, name, `header name ${name} is not a valid header name`);
}

/** Why a header value is not valid for Envoy (control characters, unterminated or malformed %VARIABLE%), or null. */
export function headerValueProblem(value: string): string | null {
  if (HEADER_VALUE_CONTROL.test(value)) return "header value must not contain control characters";
  let index = 0;
  while (index < value.length) {
    const start = value.indexOf("%", index);
    if (start < 0) return null;
    if (value[start + 1] === "%") {
      index = start + 2;
      continue;
    }
    const end = value.indexOf("%", start + 1);
    if (end < 0) return `unterminated variable expression starting at position ${start} (write %% for a literal percent sign)`;
    const variable = value.slice(start + 1, end);
    if (!ENVOY_VARIABLE.test(variable)) return `invalid variable expression %${variable}%`;
    index = end + 1;
  }
  return null;
}

function isInternalHeader(name: string): boolean {
  return name.startsWith(":") || name.toLowerCase() === "host";
}

function isAuthorityHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === ":authority" || lower === "host";
}

/** Validates request/response header manipulation (no pseudo-headers, Host only via authority, valid values). */
export function checkHeaderOperations(ops: Headers | undefined, path: Path, report: Report, rewriteAuthority?: string): void {
  if (!ops) return;
  const checkValue = (value: string, at: Path): void => {
    const problem = headerValueProblem(value);
    if (problem) report.invalid(at, value, problem);
  };
  const checkRemovable = (name: string, at: Path): void => {
    if (name === "") report.invalid(at, name, "header name cannot be empty");
    else if (name.toLowerCase() === "host") report.invalid(at, name, "cannot set Host header");
    else if (isInternalHeader(name)) report.invalid(at, name, 'header cannot have ":" prefix');
  };
  let authority = rewriteAuthority ?? "";
  for (const operation of ["set", "add"] as const) {
    for (const [name, value] of Object.entries(ops.request?.[operation] ?? {})) {
      const at = [...path, "request", operation, name];
      if (name === "") report.invalid(at, name, "header name cannot be empty");
      else if (isInternalHeader(name) && !isAuthorityHeader(name)) report.invalid(at, name, 'header cannot have ":" prefix');
      checkValue(value, at);
      if (isAuthorityHeader(name)) {
        if (authority !== "") report.invalid(at, value, `authority header cannot be set multiple times: have "${authority}", attempting to set "${value}"`);
        else authority = value;
      }
    }
    for (const [name, value] of Object.entries(ops.response?.[operation] ?? {})) {
      const at = [...path, "response", operation, name];
      checkRemovable(name, at);
      checkValue(value, at);
    }
  }
  for (const side of ["request", "response"] as const) {
    for (const [index, name] of (ops[side]?.remove ?? []).entries()) checkRemovable(name, [...path, side, "remove", index]);
  }
}

function checkMatch(match: HTTPMatchRequest, path: Path, report: Report, boundToGateway: boolean): void {
  for (const field of ["headers", "withoutHeaders"] as const) {
    for (const [name, value] of Object.entries(match[field] ?? {})) {
      checkHeaderName(name, [...path, field, name], report);
      if (JWT_CLAIM_ROUTE.test(name) && !boundToGateway) {
        report.invalid([...path, field, name], name, "JWT claim based routing is only supported for virtual services bound to a gateway");
      }
      if (field === "withoutHeaders" && value.regex === "*") continue;
      checkStringMatch(value, [...path, field, name], report);
    }
  }
  if (match.uri) checkStringMatch(match.uri, [...path, "uri"], report, { allowEmptyPrefix: true });
  for (const field of ["scheme", "method", "authority"] as const) {
    const value = match[field];
    if (value) checkStringMatch(value, [...path, field], report);
  }
  for (const [name, value] of Object.entries(match.queryParams ?? {})) checkStringMatch(value, [...path, "queryParams", name], report);
  if (match.port !== undefined && match.port !== 0) checkPort(match.port, [...path, "port"], report);
  checkLabels(match.sourceLabels, [...path, "sourceLabels"], report);
  checkGatewayNames(match.gateways, [...path, "gateways"], report);
  if (match.sourceNamespace && !isIstioDnsLabel(match.sourceNamespace)) {
    report.invalid([...path, "sourceNamespace"], match.sourceNamespace, "sourceNamespace must be a valid DNS-1123 label");
  }
}

function checkWeightedDestinations(
  routes: readonly { destination: Destination; weight?: number | undefined; headers?: Headers | undefined }[] | undefined,
  path: Path,
  report: Report,
): void {
  if (!routes) return;
  let total = 0;
  for (const [index, route] of routes.entries()) {
    checkDestination(route.destination, [...path, index, "destination"], report);
    checkHeaderOperations(route.headers, [...path, index, "headers"], report);
    const weight = route.weight ?? 0;
    if (weight < 0) report.invalid([...path, index, "weight"], weight, "weight must not be negative");
    total += weight;
  }
  if (routes.length > 1 && total === 0) {
    report.invalid(path, routes.map((route) => route.weight ?? 0), "total destination weight = 0; at least one destination needs a positive weight");
  }
}

function checkRouteConflicts(route: HTTPRoute, path: Path, report: Report, inDelegate: boolean): boolean {
  if (!inDelegate && route.delegate) {
    if (route.redirect) report.invalid([...path, "redirect"], route.redirect, "an HTTP route with delegate must not specify redirect");
    if (route.route !== undefined) report.invalid([...path, "route"], route.route, "an HTTP route with delegate must not specify route");
    return false;
  }
  if (inDelegate && route.delegate) report.invalid([...path, "delegate"], route.delegate, "a delegate virtual service's HTTP route cannot contain delegate");
  const hasRoute = (route.route?.length ?? 0) > 0;
  if (route.redirect) {
    if (hasRoute) report.invalid([...path, "redirect"], route.redirect, "HTTP route cannot contain both route and redirect");
    if (route.fault) report.invalid([...path, "fault"], route.fault, "HTTP route cannot contain both fault and redirect");
    if (route.rewrite) report.invalid([...path, "rewrite"], route.rewrite, "HTTP route cannot contain both rewrite and redirect");
    if (route.directResponse) report.invalid([...path, "directResponse"], route.directResponse, "HTTP route cannot contain both directResponse and redirect");
  } else if (route.directResponse) {
    if (hasRoute) report.invalid([...path, "directResponse"], route.directResponse, "HTTP route cannot contain both route and directResponse");
    if (route.fault) report.invalid([...path, "fault"], route.fault, "HTTP route cannot contain both fault and directResponse");
    if (route.rewrite) report.invalid([...path, "rewrite"], route.rewrite, "HTTP route cannot contain both rewrite and directResponse");
  } else if (!hasRoute) {
    report.required([...path, "route"], "an HTTP route needs at least one destination (or a redirect, directResponse or delegate)");
  }
  if (route.mirror && route.mirrors !== undefined && route.mirrors.length > 0) {
    report.invalid([...path, "mirrors"], route.mirrors, "HTTP route cannot contain both mirror and mirrors");
  }
  return true;
}

function checkFault(fault: HTTPFaultInjection, path: Path, report: Report): void {
  if (!fault.abort && !fault.delay) report.required(path, "HTTP fault injection must have an abort and/or a delay");
  const abort = fault.abort;
  if (abort) {
    if (abort.httpStatus !== undefined && (abort.httpStatus < 200 || abort.httpStatus > 599)) {
      report.invalid([...path, "abort", "httpStatus"], abort.httpStatus, `HTTP status ${abort.httpStatus} is not in range 200-599`);
    }
    if (abort.grpcStatus !== undefined && !(GRPC_STATUS as readonly string[]).includes(abort.grpcStatus)) {
      report.notSupported([...path, "abort", "grpcStatus"], abort.grpcStatus, GRPC_STATUS, "unsupported gRPC status");
    }
    if (abort.http2Error !== undefined) report.invalid([...path, "abort", "http2Error"], abort.http2Error, "HTTP/2 abort fault injection not supported yet");
  }
  const delay = fault.delay;
  if (delay) {
    if (delay.exponentialDelay !== undefined) report.invalid([...path, "delay", "exponentialDelay"], delay.exponentialDelay, "exponentialDelay not supported yet");
    if (delay.percent !== undefined && (delay.percent < 0 || delay.percent > 100)) {
      report.invalid([...path, "delay", "percent"], delay.percent, `percentage ${delay.percent} is not in range 0..100`);
    }
  }
}

function checkRedirect(redirect: HTTPRedirect, path: Path, report: Report): void {
  if (!redirect.uri && !redirect.authority && redirect.port === undefined && redirect.derivePort === undefined && !redirect.scheme) {
    report.required(path, "redirect must specify uri, authority, scheme, port or derivePort");
  }
  if (redirect.redirectCode !== undefined && redirect.redirectCode !== 0 && (redirect.redirectCode < 300 || redirect.redirectCode > 399)) {
    report.invalid([...path, "redirectCode"], redirect.redirectCode, `${redirect.redirectCode} is not a valid redirect code, must be 3xx`);
  }
  if (redirect.scheme && redirect.scheme !== "http" && redirect.scheme !== "https") {
    report.notSupported([...path, "scheme"], redirect.scheme, ["http", "https"], "invalid redirect scheme");
  }
  if (redirect.port !== undefined && redirect.port > 0) checkPort(redirect.port, [...path, "port"], report);
}

function checkDirectResponse(response: HTTPDirectResponse, path: Path, report: Report): void {
  if (response.status < 200 || response.status > 599) report.invalid([...path, "status"], response.status, `HTTP status ${response.status} is not in range 200-599`);
  const body = response.body;
  const size = body?.string !== undefined ? Buffer.byteLength(body.string) : body?.bytes !== undefined ? Buffer.from(body.bytes, "base64").length : 0;
  if (size > MAX_DIRECT_RESPONSE_BYTES) report.invalid([...path, "body"], `${size} bytes`, "large direct responses may impact control plane performance, must be less than 1MB");
}

function checkRetries(retries: HTTPRetry, path: Path, report: Report): void {
  const attempts = retries.attempts ?? 0;
  if (attempts < 0) report.invalid([...path, "attempts"], attempts, "attempts cannot be negative");
  const configured = (["perTryTimeout", "retryOn", "retryRemoteLocalities"] as const).filter(
    (field) => retries[field] !== undefined && retries[field] !== "",
  );
  if (attempts === 0 && configured.length > 0) {
    const detail = `${configured.join(", ")} configured while attempts is 0 (retries disabled); set attempts > 0`;
    if (retries.attempts === undefined) report.required([...path, "attempts"], detail);
    else report.invalid([...path, "attempts"], attempts, detail);
  }
  if (retries.retryOn) {
    for (const policy of retries.retryOn.split(",")) {
      const isStatus = /^\d+$/.test(policy) && NAMED_HTTP_STATUS.has(Number(policy));
      if (!isStatus && !(RETRY_ON_POLICIES as readonly string[]).includes(policy)) {
        report.notSupported([...path, "retryOn"], policy, RETRY_ON_POLICIES, "not a valid retryOn policy (an HTTP status code is also accepted)");
      }
    }
  }
}

function checkRewrite(rewrite: HTTPRewrite, path: Path, report: Report): void {
  if (rewrite.uri && rewrite.uriRegexRewrite) report.invalid([...path, "uriRegexRewrite"], rewrite.uriRegexRewrite, "rewrite may only contain one of uri or uriRegexRewrite");
  if (!rewrite.uri && !rewrite.uriRegexRewrite && !rewrite.authority) report.required(path, "rewrite must specify at least one of uri, uriRegexRewrite or authority");
  const regex = rewrite.uriRegexRewrite;
  if (regex) {
    if (!regex.match) report.required([...path, "uriRegexRewrite", "match"], "uriRegexRewrite requires both match and rewrite");
    else checkRegex(regex.match, [...path, "uriRegexRewrite", "match"], report);
    if (!regex.rewrite) report.required([...path, "uriRegexRewrite", "rewrite"], "uriRegexRewrite requires both match and rewrite");
  }
}

function checkCors(policy: CorsPolicy, path: Path, report: Report): void {
  for (const [index, origin] of (policy.allowOrigins ?? []).entries()) {
    const value = origin.exact ?? origin.prefix ?? origin.regex ?? "";
    if (value === "") report.invalid([...path, "allowOrigins", index], origin, "an allowOrigins entry needs a non-empty exact, prefix or regex");
    else if (origin.regex !== undefined) checkRegex(origin.regex, [...path, "allowOrigins", index, "regex"], report);
  }
  for (const [index, method] of (policy.allowMethods ?? []).entries()) {
    if (!(HTTP_METHODS as readonly string[]).includes(method)) report.notSupported([...path, "allowMethods", index], method, HTTP_METHODS, "not a supported HTTP method");
  }
  for (const field of ["allowHeaders", "exposeHeaders"] as const) {
    for (const [index, name] of (policy[field] ?? []).entries()) {
      if (name === "") report.invalid([...path, field, index], name, "header name cannot be empty");
      else if (name !== "*" && !HEADER_NAME.test(name)) report.invalid([...path, field, index], name, `header name ${name} is not a valid header name`);
    }
  }
  const maxAgeNanos = policy.maxAge === undefined ? null : parseDurationNanos(policy.maxAge);
  if (maxAgeNanos !== null && maxAgeNanos % 1_000_000_000n !== 0n) {
    report.invalid([...path, "maxAge"], policy.maxAge, "maxAge is accurate only to seconds precision");
  }
}

function checkHttpRoute(route: HTTPRoute, path: Path, report: Report, context: { inDelegate: boolean; boundToGateway: boolean }): void {
  if (!checkRouteConflicts(route, path, report, context.inDelegate)) return;
  for (const [index, match] of (route.match ?? []).entries()) checkMatch(match, [...path, "match", index], report, context.boundToGateway);
  checkHeaderOperations(route.headers, [...path, "headers"], report, route.rewrite?.authority);
  if (route.corsPolicy) checkCors(route.corsPolicy, [...path, "corsPolicy"], report);
  if (route.fault) checkFault(route.fault, [...path, "fault"], report);
  if (route.mirrorPercent !== undefined && route.mirrorPercent > 100) {
    report.invalid([...path, "mirrorPercent"], route.mirrorPercent, `mirrorPercent must have a max value of 100 (it has ${route.mirrorPercent})`);
  }
  if (route.mirror) checkDestination(route.mirror, [...path, "mirror"], report);
  for (const [index, mirror] of (route.mirrors ?? []).entries()) checkDestination(mirror.destination, [...path, "mirrors", index, "destination"], report);
  if (route.redirect) checkRedirect(route.redirect, [...path, "redirect"], report);
  if (route.directResponse) checkDirectResponse(route.directResponse, [...path, "directResponse"], report);
  if (route.retries) checkRetries(route.retries, [...path, "retries"], report);
  if (route.rewrite) checkRewrite(route.rewrite, [...path, "rewrite"], report);
  checkWeightedDestinations(route.route, [...path, "route"], report);
}

function checkL4Match(match: L4MatchAttributes | TLSMatchAttributes, path: Path, report: Report): void {
  checkIpsOrCidrs(match.destinationSubnets, [...path, "destinationSubnets"], report);
  if (match.port !== undefined && match.port !== 0) checkPort(match.port, [...path, "port"], report);
  checkLabels(match.sourceLabels, [...path, "sourceLabels"], report);
  checkGatewayNames(match.gateways, [...path, "gateways"], report);
}

function checkTlsRoute(route: TLSRoute, path: Path, report: Report, spec: VirtualServiceSpec): void {
  if (route.match.length === 0) report.required([...path, "match"], "TLS route must have at least one match condition");
  for (const [index, match] of route.match.entries()) {
    const matchPath = [...path, "match", index];
    if (match.sniHosts.length === 0) report.required([...matchPath, "sniHosts"], "TLS match must have at least one SNI host");
    for (const [hostIndex, sniHost] of match.sniHosts.entries()) {
      const problem = wildcardDomainProblem(sniHost);
      if (problem) {
        if (!isIPAddress(sniHost)) report.invalid([...matchPath, "sniHosts", hostIndex], sniHost, problem);
        continue;
      }
      const hosts = spec.hosts ?? [];
      if (!hosts.some((host) => hostIsSubsetOf(sniHost, host))) {
        report.invalid([...matchPath, "sniHosts", hostIndex], sniHost, `SNI host is not a compatible subset of any of the virtual service hosts: [${hosts.join(", ")}]`);
      }
    }
    checkL4Match(match, matchPath, report);
  }
  if ((route.route?.length ?? 0) === 0) report.required([...path, "route"], "TLS route is required");
  checkWeightedDestinations(route.route, [...path, "route"], report);
}

function checkTcpRoute(route: TCPRoute, path: Path, report: Report): void {
  for (const [index, match] of (route.match ?? []).entries()) checkL4Match(match, [...path, "match", index], report);
  if ((route.route?.length ?? 0) === 0) report.required([...path, "route"], "TCP route is required");
  checkWeightedDestinations(route.route, [...path, "route"], report);
}

/** Istio's VirtualService webhook rules (pkg/config/validation ValidateVirtualService), reported per field. */
export function checkVirtualService(spec: VirtualServiceSpec, report: Report): void {
  const hosts = spec.hosts ?? [];
  const gateways = spec.gateways ?? [];
  const inDelegate = hosts.length === 0;
  if (inDelegate) {
    if (gateways.length > 0) report.invalid(["gateways"], gateways, "a delegate virtual service (no hosts) must not specify gateways");
    if ((spec.tls?.length ?? 0) > 0) report.invalid(["tls"], spec.tls, "a delegate virtual service (no hosts) must not specify tls routes");
    if ((spec.tcp?.length ?? 0) > 0) report.invalid(["tcp"], spec.tcp, "a delegate virtual service (no hosts) must not specify tcp routes");
  }
  checkGatewayNames(gateways, ["gateways"], report);
  const boundToGateway = gateways.length > 0 && !gateways.includes("mesh");
  let allHostsValid = true;
  for (const [index, host] of hosts.entries()) {
    const problem = wildcardDomainProblem(host);
    if (problem) {
      if (!isIPAddress(host)) {
        report.invalid(["hosts", index], host, problem);
        allHostsValid = false;
      }
    } else if (!boundToGateway && host === "*") {
      report.invalid(["hosts", index], host, "wildcard host * is not allowed for virtual services bound to the mesh gateway");
      allHostsValid = false;
    }
  }
  if (allHostsValid) {
    for (let later = 1; later < hosts.length; later++) {
      const host = hosts[later] ?? "";
      const earlier = hosts.slice(0, later).find((other) => hostsOverlap(other, host));
      if (earlier !== undefined) report.duplicate(["hosts", later], host, `duplicate hosts in virtual service: ${earlier} & ${host}`);
    }
  }
  if ((spec.http?.length ?? 0) === 0 && (spec.tcp?.length ?? 0) === 0 && (spec.tls?.length ?? 0) === 0) {
    report.required(["http"], "http, tcp or tls must be provided in virtual service");
  }
  for (const [index, route] of (spec.http ?? []).entries()) checkHttpRoute(route, ["http", index], report, { inDelegate, boundToGateway });
  for (const [index, route] of (spec.tls ?? []).entries()) checkTlsRoute(route, ["tls", index], report, spec);
  for (const [index, route] of (spec.tcp ?? []).entries()) checkTcpRoute(route, ["tcp", index], report);
  checkExportTo(spec.exportTo, ["exportTo"], report, { allowNone: false });
}

/** VirtualService spec schema: the CRD structure plus Istio's webhook rules. */
export const virtualServiceSpec = virtualServiceFields.superRefine(webhookRule(checkVirtualService));
