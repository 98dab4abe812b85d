// DestinationRule (networking.istio.io): structural schema mirroring istio/api destination_rule.proto plus the webhook's rules.
import { z } from "zod";
import { fqdnProblem, isIPAddress, portProblem, wildcardDomainProblem } from "../primitives";
import { schemaRule, webhookRule, type Path, type Report } from "../report";
import {
  checkExportTo,
  checkLabels,
  checkPort,
  checkSelectorLabels,
  checkSubsetName,
  double,
  duration,
  int32,
  nonNegativeDuration,
  onlyOneOf,
  portSelector,
  stringMap,
  uint32,
  uint32Value,
  workloadSelector,
} from "./common";

const httpCookie = z.strictObject({
  name: z.string(),
  path: z.string().optional(),
  ttl: nonNegativeDuration.optional(),
  attributes: z.array(z.strictObject({ name: z.string(), value: z.string().optional() })).optional(),
});

export const consistentHashLB = z
  .strictObject({
    httpHeaderName: z.string().optional(),
    httpCookie: httpCookie.optional(),
    useSourceIp: z.boolean().optional(),
    httpQueryParameterName: z.string().optional(),
    ringHash: z.strictObject({ minimumRingSize: uint32.optional() }).optional(),
    maglev: z.strictObject({ tableSize: uint32.optional() }).optional(),
    minimumRingSize: uint32.optional(),
  })
  .superRefine(schemaRule(onlyOneOf(["httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName"])))
  .superRefine(schemaRule(onlyOneOf(["ringHash", "maglev"])));
export type ConsistentHashLB = z.infer<typeof consistentHashLB>;

export const localityLoadBalancerSetting = z.strictObject({
  distribute: z.array(z.strictObject({ from: z.string().optional(), to: z.record(z.string(), uint32).optional() })).optional(),
  failover: z.array(z.strictObject({ from: z.string().optional(), to: z.string().optional() })).optional(),
  failoverPriority: z.array(z.string()).optional(),
  enabled: z.boolean().optional(),
});
export type LocalityLoadBalancerSetting = z.infer<typeof localityLoadBalancerSetting>;

export const loadBalancerSettings = z
  .strictObject({
    simple: z.enum(["UNSPECIFIED", "LEAST_CONN", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST"]).optional(),
    consistentHash: consistentHashLB.optional(),
    localityLbSetting: localityLoadBalancerSetting.optional(),
    warmupDurationSecs: duration.optional(),
    warmup: z.strictObject({ duration: duration.optional(), minimumPercent: double.optional(), aggression: double.optional() }).optional(),
  })
  .superRefine(schemaRule(onlyOneOf(["simple", "consistentHash"])));
export type LoadBalancerSettings = z.infer<typeof loadBalancerSettings>;

export const connectionPoolSettings = z.strictObject({
  tcp: z
    .strictObject({
      maxConnections: int32.optional(),
      connectTimeout: duration.optional(),
      tcpKeepalive: z.strictObject({ probes: uint32.optional(), time: duration.optional(), interval: duration.optional() }).optional(),
      maxConnectionDuration: duration.optional(),
      idleTimeout: duration.optional(),
    })
    .optional(),
  http: z
    .strictObject({
      http1MaxPendingRequests: int32.optional(),
      http2MaxRequests: int32.optional(),
      maxRequestsPerConnection: int32.optional(),
      maxRetries: int32.optional(),
      idleTimeout: duration.optional(),
      h2UpgradePolicy: z.enum(["DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"]).optional(),
      useClientProtocol: z.boolean().optional(),
      maxConcurrentStreams: int32.optional(),
    })
    .optional(),
});
export type ConnectionPoolSettings = z.infer<typeof connectionPoolSettings>;

export const outlierDetection = z.strictObject({
  consecutiveErrors: int32.optional(),
  splitExternalLocalOriginErrors: z.boolean().optional(),
  consecutiveLocalOriginFailures: uint32Value.optional(),
  consecutiveGatewayErrors: uint32Value.optional(),
  consecutive5xxErrors: uint32Value.optional(),
  interval: duration.optional(),
  baseEjectionTime: duration.optional(),
  maxEjectionPercent: int32.optional(),
  minHealthPercent: int32.optional(),
});
export type OutlierDetection = z.infer<typeof outlierDetection>;

export const clientTLSSettings = z.strictObject({
  mode: z.enum(["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"]).optional(),
  clientCertificate: z.string().optional(),
  privateKey: z.string().optional(),
  caCertificates: z.string().optional(),
  credentialName: z.string().optional(),
  subjectAltNames: z.array(z.string()).optional(),
  sni: z.string().optional(),
  insecureSkipVerify: z.boolean().optional(),
  caCrl: z.string().optional(),
});
export type ClientTLSSettings = z.infer<typeof clientTLSSettings>;

export const portTrafficPolicy = z.strictObject({
  port: portSelector.optional(),
  loadBalancer: loadBalancerSettings.optional(),
  connectionPool: connectionPoolSettings.optional(),
  outlierDetection: outlierDetection.optional(),
  tls: clientTLSSettings.optional(),
});
export type PortTrafficPolicy = z.infer<typeof portTrafficPolicy>;

export const trafficPolicy = z.strictObject({
  loadBalancer: loadBalancerSettings.optional(),
  connectionPool: connectionPoolSettings.optional(),
  outlierDetection: outlierDetection.optional(),
  tls: clientTLSSettings.optional(),
  portLevelSettings: z.array(portTrafficPolicy).optional(),
  tunnel: z.strictObject({ protocol: z.string().optional(), targetHost: z.string(), targetPort: uint32 }).optional(),
  proxyProtocol: z.strictObject({ version: z.enum(["V1", "V2"]).optional() }).optional(),
});
export type TrafficPolicy = z.infer<typeof trafficPolicy>;

export const subset = z.strictObject({ name: z.string(), labels: stringMap.optional(), trafficPolicy: trafficPolicy.optional() });
export type Subset = z.infer<typeof subset>;

const destinationRuleFields = z.strictObject({
  host: z.string(),
  trafficPolicy: trafficPolicy.optional(),
  subsets: z.array(subset).optional(),
  exportTo: z.array(z.string()).optional(),
  workloadSelector: workloadSelector.optional(),
});
/** DestinationRule spec as written in YAML (camelCase, like istio/api). */
export type DestinationRuleSpec = z.infer<typeof destinationRuleFields>;

function checkPercent(value: number | undefined, path: Path, report: Report): void {
  if (value !== undefined && (value < 0 || value > 100)) report.invalid(path, value, `percentage ${value} is not in range 0..100`);
}

function checkOutlierDetection(outlier: OutlierDetection, path: Path, report: Report): void {
  if (!outlier.splitExternalLocalOriginErrors && (outlier.consecutiveLocalOriginFailures ?? 0) > 0) {
    report.invalid(
      [...path, "consecutiveLocalOriginFailures"],
      outlier.consecutiveLocalOriginFailures,
      "consecutiveLocalOriginFailures is set but splitExternalLocalOriginErrors is false",
    );
  }
  checkPercent(outlier.maxEjectionPercent, [...path, "maxEjectionPercent"], report);
  checkPercent(outlier.minHealthPercent, [...path, "minHealthPercent"], report);
}

/** Validates connection pool settings (shared with Sidecar ingress listeners). */
export function checkConnectionPool(pool: ConnectionPoolSettings, path: Path, report: Report): void {
  if (!pool.http && !pool.tcp) {
    report.required(path, "connection pool must have at least one field (tcp or http)");
    return;
  }
  const http = pool.http;
  if (http) {
    for (const field of ["http1MaxPendingRequests", "http2MaxRequests", "maxRequestsPerConnection", "maxRetries", "maxConcurrentStreams"] as const) {
      const value = http[field];
      if (value !== undefined && value < 0) report.invalid([...path, "http", field], value, "must be non-negative");
    }
    if (http.h2UpgradePolicy === "UPGRADE" && http.useClientProtocol) {
      report.invalid([...path, "http", "useClientProtocol"], true, "useClientProtocol must not be true when h2UpgradePolicy is UPGRADE");
    }
  }
  if (pool.tcp?.maxConnections !== undefined && pool.tcp.maxConnections < 0) {
    report.invalid([...path, "tcp", "maxConnections"], pool.tcp.maxConnections, "must be non-negative");
  }
}

function isPrime(value: number): boolean {
  if (value !== 0 && value < 4) return true;
  if (value % 2 === 0) return false;
  for (let factor = 3; factor * factor <= value; factor += 2) if (value % factor === 0) return false;
  return true;
}

function checkLocalities(localities: readonly string[], path: Path, report: Report): void {
  const seen: string[][] = [];
  for (const locality of localities) {
    const stars = locality.split("*").length - 1;
    if (stars > 1 || (stars === 1 && !locality.endsWith("*"))) {
      report.invalid(path, locality, "a locality may contain at most one '*' wildcard, at the end");
      return;
    }
    const parts = locality.split("/");
    if (parts.some((part) => part === "")) {
      report.invalid(path, locality, "locality must not contain empty region/zone/subzone info");
      return;
    }
    const overlaps = seen.some((other) => {
      const shared = Math.min(other.length, parts.length);
      return other.slice(0, shared).every((part, index) => part === "*" || parts[index] === "*" || part === parts[index]);
    });
    if (overlaps) {
      report.invalid(path, locality, "locality overlaps with previously specified ones");
      return;
    }
    seen.push(parts);
  }
}

function checkLoadBalancer(lb: LoadBalancerSettings, path: Path, report: Report): void {
  const hash = lb.consistentHash;
  if (hash) {
    if (hash.httpCookie && hash.httpCookie.name === "") report.required([...path, "consistentHash", "httpCookie", "name"], "name required for httpCookie");
    if (hash.minimumRingSize !== undefined && hash.minimumRingSize !== 0 && (hash.ringHash || hash.maglev)) {
      report.invalid([...path, "consistentHash", "minimumRingSize"], hash.minimumRingSize, "only one of minimumRingSize or maglev/ringHash can be specified");
    }
    if (hash.maglev) {
      const tableSize = hash.maglev.tableSize ?? 0;
      const at = [...path, "consistentHash", "maglev", "tableSize"];
      if (tableSize === 0) report.required(at, "tableSize must be set for maglev");
      else if (tableSize >= 5000011) report.invalid(at, tableSize, "tableSize must be less than 5000011 for maglev");
      else if (!isPrime(tableSize)) report.invalid(at, tableSize, "tableSize must be a prime number for maglev");
    }
  }
  const locality = lb.localityLbSetting;
  if (locality) {
    const at = [...path, "localityLbSetting"];
    const distribute = locality.distribute ?? [];
    const failover = locality.failover ?? [];
    if (distribute.length > 0 && failover.length > 0) {
      report.invalid(at, "distribute+failover", "can not simultaneously specify 'distribute' and 'failover'");
      return;
    }
    for (const [index, rule] of distribute.entries()) {
      const weights = Object.entries(rule.to ?? {});
      const bad = weights.find(([, weight]) => weight <= 0 || weight > 100);
      if (bad) report.invalid([...at, "distribute", index, "to", bad[0]], bad[1], "locality weight must be in range [1, 100]");
      const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
      if (!bad && total !== 100) report.invalid([...at, "distribute", index, "to"], total, `total locality weight ${total} != 100`);
      checkLocalities(weights.map(([name]) => name), [...at, "distribute", index, "to"], report);
    }
    checkLocalities(distribute.map((rule) => rule.from ?? ""), [...at, "distribute"], report);
    for (const [index, rule] of failover.entries()) {
      const from = rule.from ?? "";
      const to = rule.to ?? "";
      if (from === to) report.invalid([...at, "failover", index], rule, "locality lb failover settings must specify different regions");
      if (from.includes("/") || to.includes("/")) report.invalid([...at, "failover", index], rule, "locality lb failover only specifies regions");
      if (from.includes("*") || to.includes("*")) report.invalid([...at, "failover", index], rule, "locality lb failover region should not contain '*' wildcard");
    }
  }
}

/** Validates client-side TLS settings the way Istio's webhook does. */
export function checkClientTls(tls: ClientTLSSettings, path: Path, report: Report): void {
  if (tls.insecureSkipVerify) {
    if (tls.mode === "SIMPLE" && (tls.caCertificates || tls.credentialName || tls.subjectAltNames !== undefined)) {
      report.invalid([...path, "insecureSkipVerify"], true, "cannot specify caCertificates, credentialName or subjectAltNames when insecureSkipVerify is true");
    }
    if (tls.mode === "MUTUAL" && (tls.caCertificates || tls.subjectAltNames !== undefined)) {
      report.invalid([...path, "insecureSkipVerify"], true, "cannot specify caCertificates or subjectAltNames when insecureSkipVerify is true");
    }
  }
  if ((tls.mode === "SIMPLE" || tls.mode === "MUTUAL") && tls.credentialName) {
    if (tls.clientCertificate || tls.caCertificates || tls.privateKey || tls.caCrl) {
      report.invalid([...path, "credentialName"], tls.credentialName, "cannot specify client certificates, CA certificate or CA CRL if credentialName is set");
    }
    return;
  }
  if (tls.mode === "MUTUAL") {
    if (!tls.clientCertificate) report.required([...path, "clientCertificate"], "client certificate required for mutual tls");
    if (!tls.privateKey) report.required([...path, "privateKey"], "private key required for mutual tls");
  }
}

function policyIsEmpty(policy: PortTrafficPolicy): boolean {
  return !policy.loadBalancer && !policy.connectionPool && !policy.outlierDetection && !policy.tls;
}

function checkPolicyParts(policy: PortTrafficPolicy, path: Path, report: Report): void {
  if (policy.outlierDetection) checkOutlierDetection(policy.outlierDetection, [...path, "outlierDetection"], report);
  if (policy.connectionPool) checkConnectionPool(policy.connectionPool, [...path, "connectionPool"], report);
  if (policy.loadBalancer) checkLoadBalancer(policy.loadBalancer, [...path, "loadBalancer"], report);
  if (policy.tls) checkClientTls(policy.tls, [...path, "tls"], report);
}

/** Validates a TrafficPolicy (top level or per subset). */
export function checkTrafficPolicy(policy: TrafficPolicy, path: Path, report: Report): void {
  if (policyIsEmpty(policy) && !policy.portLevelSettings && !policy.tunnel && !policy.proxyProtocol) {
    report.required(path, "traffic policy must have at least one field");
    return;
  }
  if (policy.tunnel && policy.proxyProtocol) {
    report.invalid([...path, "proxyProtocol"], policy.proxyProtocol, "tunnel and proxyProtocol must not be set together");
    return;
  }
  checkPolicyParts(policy, path, report);
  for (const [index, portPolicy] of (policy.portLevelSettings ?? []).entries()) {
    const at = [...path, "portLevelSettings", index];
    if (!portPolicy.port) report.required([...at, "port"], "portLevelSettings entries must have a port");
    else checkPort(portPolicy.port.number ?? 0, [...at, "port", "number"], report);
    if (policyIsEmpty(portPolicy)) report.required(at, "port traffic policy must have at least one field");
    else checkPolicyParts(portPolicy, at, report);
  }
  const tunnel = policy.tunnel;
  if (tunnel) {
    const at = [...path, "tunnel"];
    if (tunnel.protocol && tunnel.protocol !== "CONNECT" && tunnel.protocol !== "POST") {
      report.notSupported([...at, "protocol"], tunnel.protocol, ["CONNECT", "POST"], "tunnel protocol");
    }
    if (fqdnProblem(tunnel.targetHost) && !isIPAddress(tunnel.targetHost)) {
      report.invalid([...at, "targetHost"], tunnel.targetHost, "tunnel target host must be a valid FQDN or IP address");
    }
    const portIssue = portProblem(tunnel.targetPort);
    if (portIssue) report.invalid([...at, "targetPort"], tunnel.targetPort, portIssue);
  }
}

/** Istio's DestinationRule webhook rules (host, traffic policies, unique valid subsets, exportTo, selector). */
export function checkDestinationRule(spec: DestinationRuleSpec, report: Report): void {
  const hostIssue = wildcardDomainProblem(spec.host);
  if (hostIssue) report.invalid(["host"], spec.host, hostIssue);
  if (spec.trafficPolicy) checkTrafficPolicy(spec.trafficPolicy, ["trafficPolicy"], report);
  const names = new Set<string>();
  for (const [index, entry] of (spec.subsets ?? []).entries()) {
    if (names.has(entry.name)) report.duplicate(["subsets", index, "name"], entry.name, "duplicate subset names");
    names.add(entry.name);
    checkSubsetName(entry.name, ["subsets", index, "name"], report);
    checkLabels(entry.labels, ["subsets", index, "labels"], report);
    if (entry.trafficPolicy) checkTrafficPolicy(entry.trafficPolicy, ["subsets", index, "trafficPolicy"], report);
  }
  checkExportTo(spec.exportTo, ["exportTo"], report, { allowNone: false });
  checkSelectorLabels(spec.workloadSelector?.matchLabels, ["workloadSelector", "matchLabels"], report);
}

/** DestinationRule spec schema: the CRD structure plus Istio's webhook rules. */
export const destinationRuleSpec = destinationRuleFields.superRefine(webhookRule(checkDestinationRule));
