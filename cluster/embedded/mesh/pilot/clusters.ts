// Envoy clusters (CDS) and their load assignments (EDS) for one proxy, with DestinationRule traffic policies applied.

import type { ConnectionPoolSettings, LoadBalancerSettings, OutlierDetection as IstioOutlierDetection, TrafficPolicy } from "@/cluster/embedded/admission/istio/destination-rule";
import {
  BLACKHOLE_CLUSTER,
  HTTP_PROTOCOL_OPTIONS_KEY,
  INBOUND_PASSTHROUGH_CLUSTER,
  PASSTHROUGH_CLUSTER,
  TYPE_URL,
  type CircuitBreakerThresholds,
  type Cluster,
  type ClusterLoadAssignment,
  type ConfigSource,
  type HttpProtocolOptions,
  type LbEndpoint,
  type LbPolicy,
  type LocalityLbEndpoints,
  type OutlierDetection,
} from "../envoy-types";
import { configPath, type MergedDestinationRule } from "./config";
import type { MeshService, ServiceEndpoint, ServicePort } from "./registry";
import { isHttp2, isHttpLike } from "./registry";
import { envoyDuration, subsetClusterName } from "./routes";

export const MAX_UINT32 = 4294967295;
export const DEFAULT_CONNECT_TIMEOUT = "10s";

export const ADS_CONFIG_SOURCE: ConfigSource = { ads: {}, initial_fetch_timeout: "0s", resource_api_version: "V3" };

function defaultThresholds(): CircuitBreakerThresholds {
  return { max_connections: MAX_UINT32, max_pending_requests: MAX_UINT32, max_requests: MAX_UINT32, max_retries: MAX_UINT32, track_remaining: true };
}

/** The policy in force for one port of one subset: top-level, then port-level, then the subset's own, then its port-level. */
export function effectivePolicy(rule: MergedDestinationRule | undefined, subsetName: string, port: number): TrafficPolicy | undefined {
  if (!rule) return undefined;
  let policy = overlay(undefined, rule.trafficPolicy, port);
  const subset = subsetName ? rule.subsets.find((item) => item.name === subsetName) : undefined;
  if (subset?.trafficPolicy) policy = overlay(policy, subset.trafficPolicy, port);
  return policy;
}

function overlay(base: TrafficPolicy | undefined, next: TrafficPolicy | undefined, port: number): TrafficPolicy | undefined {
  if (!next) return base;
  const out: TrafficPolicy = { ...base };
  for (const field of ["loadBalancer", "connectionPool", "outlierDetection", "tls"] as const) {
    if (next[field] !== undefined) Object.assign(out, { [field]: next[field] });
  }
  const portLevel = next.portLevelSettings?.find((setting) => setting.port?.number === port);
  if (portLevel) {
    for (const field of ["loadBalancer", "connectionPool", "outlierDetection", "tls"] as const) {
      if (portLevel[field] !== undefined) Object.assign(out, { [field]: portLevel[field] });
    }
  }
  delete out.portLevelSettings;
  return out;
}

function lbPolicyOf(loadBalancer: LoadBalancerSettings | undefined): LbPolicy | "PASSTHROUGH" | undefined {
  if (loadBalancer?.consistentHash) return loadBalancer.consistentHash.maglev ? "MAGLEV" : "RING_HASH";
  switch (loadBalancer?.simple) {
    case "ROUND_ROBIN":
      return undefined;
    case "RANDOM":
      return "RANDOM";
    case "PASSTHROUGH":
      return "PASSTHROUGH";
    default:
      return "LEAST_REQUEST";
  }
}

interface ConnectionPoolResult {
  circuitBreakers: NonNullable<Cluster["circuit_breakers"]>;
  connectTimeout?: string;
  protocolOptions?: HttpProtocolOptions;
}

/** applyConnectionPool: limits over Istio's 2^32-1 defaults (only values > 0 count) and HTTP upstream options. */
function connectionPool(pool: ConnectionPoolSettings | undefined, protocolOptions: HttpProtocolOptions | undefined): ConnectionPoolResult {
  const thresholds = defaultThresholds();
  const result: ConnectionPoolResult = { circuitBreakers: { thresholds: [thresholds] } };
  if (protocolOptions) result.protocolOptions = protocolOptions;
  if (!pool) return result;
  const common = (): NonNullable<HttpProtocolOptions["common_http_protocol_options"]> => {
    result.protocolOptions ??= { "@type": TYPE_URL.httpProtocolOptions };
    result.protocolOptions.common_http_protocol_options ??= {};
    return result.protocolOptions.common_http_protocol_options;
  };
  if (pool.tcp?.maxConnections && pool.tcp.maxConnections > 0) thresholds.max_connections = pool.tcp.maxConnections;
  if (pool.http?.http1MaxPendingRequests && pool.http.http1MaxPendingRequests > 0) thresholds.max_pending_requests = pool.http.http1MaxPendingRequests;
  if (pool.http?.http2MaxRequests && pool.http.http2MaxRequests > 0) thresholds.max_requests = pool.http.http2MaxRequests;
  if (pool.http?.maxRetries && pool.http.maxRetries > 0) thresholds.max_retries = pool.http.maxRetries;
  if (pool.tcp?.connectTimeout) result.connectTimeout = envoyDuration(pool.tcp.connectTimeout);
  const idle = pool.http?.idleTimeout ?? pool.tcp?.idleTimeout;
  if (idle) common().idle_timeout = envoyDuration(idle);
  if (pool.http?.maxRequestsPerConnection && pool.http.maxRequestsPerConnection > 0) common().max_requests_per_connection = pool.http.maxRequestsPerConnection;
  if (pool.tcp?.maxConnectionDuration) common().max_connection_duration = envoyDuration(pool.tcp.maxConnectionDuration);
  return result;
}

/** applyOutlierDetection: Istio's mapping, plus the panic threshold from minHealthPercent (0 = panic mode off). */
function outlierDetection(outlier: IstioOutlierDetection | undefined): { detection: OutlierDetection; commonLbConfig: NonNullable<Cluster["common_lb_config"]> } | undefined {
  if (!outlier) return undefined;
  const out: OutlierDetection = {};
  const consecutive5xx = outlier.consecutive5xxErrors ?? outlier.consecutiveErrors;
  if (consecutive5xx !== undefined) {
    out.consecutive_5xx = consecutive5xx;
    out.enforcing_consecutive_5xx = consecutive5xx > 0 ? 100 : 0;
  }
  if (outlier.consecutiveGatewayErrors !== undefined) {
    out.consecutive_gateway_failure = outlier.consecutiveGatewayErrors;
    out.enforcing_consecutive_gateway_failure = outlier.consecutiveGatewayErrors > 0 ? 100 : 0;
  }
  if (outlier.interval) out.interval = envoyDuration(outlier.interval);
  if (outlier.baseEjectionTime) out.base_ejection_time = envoyDuration(outlier.baseEjectionTime);
  if (outlier.maxEjectionPercent !== undefined && outlier.maxEjectionPercent > 0) out.max_ejection_percent = outlier.maxEjectionPercent;
  if (outlier.splitExternalLocalOriginErrors) {
    out.split_external_local_origin_errors = true;
    if (outlier.consecutiveLocalOriginFailures !== undefined) {
      out.consecutive_local_origin_failure = outlier.consecutiveLocalOriginFailures;
      out.enforcing_consecutive_local_origin_failure = 100;
    }
  }
  out.enforcing_success_rate = 0;
  const minHealth = outlier.minHealthPercent ?? 0;
  return { detection: out, commonLbConfig: { healthy_panic_threshold: minHealth > 0 ? { value: minHealth } : {} } };
}

function protocolOptionsFor(port: ServicePort): HttpProtocolOptions | undefined {
  if (isHttp2(port.protocol)) return { "@type": TYPE_URL.httpProtocolOptions, explicit_http_config: { http2_protocol_options: {} } };
  if (port.protocol === "UNSUPPORTED") return { "@type": TYPE_URL.httpProtocolOptions, use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} } };
  return undefined;
}

function serviceMetadata(service: MeshService, port: number, rule: MergedDestinationRule | undefined, subset: string): Cluster["metadata"] {
  const istio: Record<string, unknown> = {
    default_original_port: port,
    services: [{ host: service.hostname, name: service.name, namespace: service.namespace }],
  };
  if (rule) istio.config = configPath("destination-rule", rule.primary);
  if (subset) istio.subset = subset;
  return { filter_metadata: { istio } };
}

const identitiesCache = new WeakMap<MeshService, string[]>();

/** SPIFFE identities of the service's sidecar backends (what the client verifies). */
function identitiesOf(service: MeshService): string[] {
  let accounts = identitiesCache.get(service);
  if (!accounts) {
    accounts = [...new Set(service.endpoints.filter((endpoint) => endpoint.sidecar && endpoint.serviceAccount).map((endpoint) => `spiffe://cluster.local/ns/${endpoint.namespace}/sa/${endpoint.serviceAccount}`))].sort();
    identitiesCache.set(service, accounts);
  }
  return accounts;
}

const SDS_GRPC_SOURCE = {
  api_config_source: { api_type: "GRPC", grpc_services: [{ envoy_grpc: { cluster_name: "sds-grpc" } }], set_node_on_first_message_only: true, transport_api_version: "V3" },
  initial_fetch_timeout: "0s",
  resource_api_version: "V3",
};
const PLAINTEXT_MATCH = { name: "tlsMode-disabled", match: {}, transport_socket: { name: "envoy.transport_sockets.raw_buffer", typed_config: { "@type": TYPE_URL.rawBuffer } } };

/** mTLS to sidecar-injected backends (auto mTLS), plaintext otherwise, like Istio's transport socket matches. */
function transportSocketMatches(service: MeshService, sni: string): Cluster["transport_socket_matches"] {
  const accounts = identitiesOf(service);
  return [
    {
      name: "tlsMode-istio",
      match: { tlsMode: "istio" },
      transport_socket: {
        name: "envoy.transport_sockets.tls",
        typed_config: {
          "@type": TYPE_URL.upstreamTlsContext,
          common_tls_context: {
            alpn_protocols: ["istio-peer-exchange", "istio"],
            tls_certificate_sds_secret_configs: [{ name: "default", sds_config: SDS_GRPC_SOURCE }],
            combined_validation_context: { default_validation_context: { match_subject_alt_names: accounts.map((exact) => ({ exact })) }, validation_context_sds_secret_config: { name: "ROOTCA", sds_config: SDS_GRPC_SOURCE } },
          },
          sni,
        },
      },
    },
    PLAINTEXT_MATCH,
  ];
}

function subsetLabelsMatch(labels: Readonly<Record<string, string>> | undefined, endpoint: ServiceEndpoint): boolean {
  return Object.entries(labels ?? {}).every(([key, value]) => endpoint.labels[key] === value);
}

function lbEndpoint(endpoint: ServiceEndpoint, port: number, clusterIsExternal: boolean): LbEndpoint {
  const filterMetadata: Record<string, Record<string, unknown>> = {};
  if (endpoint.sidecar) filterMetadata["envoy.transport_socket_match"] = { tlsMode: "istio" };
  if (!clusterIsExternal) {
    const app = endpoint.labels["service.istio.io/canonical-name"] ?? endpoint.labels.app ?? endpoint.workloadName;
    const revision = endpoint.labels["service.istio.io/canonical-revision"] ?? endpoint.labels.version ?? "latest";
    filterMetadata.istio = { workload: `${endpoint.workloadName};${endpoint.namespace};${app};${revision};Kubernetes` };
  }
  const out: LbEndpoint = {
    endpoint: { address: { socket_address: { address: endpoint.address, port_value: port } }, health_check_config: {} },
    health_status: endpoint.ready ? "HEALTHY" : "UNHEALTHY",
  };
  if (Object.keys(filterMetadata).length > 0) out.metadata = { filter_metadata: filterMetadata };
  out.load_balancing_weight = endpoint.weight;
  return out;
}

function localityOf(text: string): LocalityLbEndpoints["locality"] {
  if (!text) return {};
  const [region = "", zone = "", subZone = ""] = text.split("/");
  const out: LocalityLbEndpoints["locality"] = {};
  if (region) out.region = region;
  if (zone) out.zone = zone;
  if (subZone) out.sub_zone = subZone;
  return out;
}

/** Endpoints of one service port (optionally narrowed to a subset), grouped by locality. */
export function loadAssignment(clusterName: string, service: MeshService, port: ServicePort, subsetLabels: Readonly<Record<string, string>> | undefined): ClusterLoadAssignment {
  const groups = new Map<string, LbEndpoint[]>();
  for (const endpoint of service.endpoints) {
    if (!subsetLabelsMatch(subsetLabels, endpoint)) continue;
    const target = endpoint.ports.get(port.name) ?? (service.registry === "External" ? port.port : undefined);
    if (target === undefined) continue;
    const list = groups.get(endpoint.locality) ?? [];
    list.push(lbEndpoint(endpoint, target, service.meshExternal));
    groups.set(endpoint.locality, list);
  }
  const out: ClusterLoadAssignment = { "@type": TYPE_URL.clusterLoadAssignment, cluster_name: clusterName };
  if (groups.size > 0) {
    out.endpoints = [...groups.entries()].map(([locality, lbEndpoints]) => ({
      locality: localityOf(locality),
      lb_endpoints: lbEndpoints,
      load_balancing_weight: lbEndpoints.reduce((sum, endpoint) => sum + (endpoint.load_balancing_weight ?? 1), 0),
    }));
  }
  out.policy = { overprovisioning_factor: 140 };
  return out;
}

export interface ClusterBuildResult {
  clusters: Cluster[];
  endpoints: ClusterLoadAssignment[];
}

/** `outbound|<port>|<subset>|<host>` clusters for one service (the plain cluster first, then DestinationRule subsets). */
export function outboundClusters(service: MeshService, rule: MergedDestinationRule | undefined): ClusterBuildResult {
  const out: ClusterBuildResult = { clusters: [], endpoints: [] };
  const subsets = ["", ...(rule?.subsets ?? []).map((subset) => subset.name)];
  for (const port of service.ports) {
    for (const subset of subsets) {
      const name = subsetClusterName("outbound", port.port, subset, service.hostname);
      const policy = effectivePolicy(rule, subset, port.port);
      const labels = subset ? rule?.subsets.find((item) => item.name === subset)?.labels : undefined;
      const lb = lbPolicyOf(policy?.loadBalancer);
      const type = service.resolution === "Passthrough" || lb === "PASSTHROUGH" ? "ORIGINAL_DST" : service.resolution === "DNSLB" ? "STRICT_DNS" : service.resolution === "DNSRoundRobinLB" ? "LOGICAL_DNS" : "EDS";
      const dns = type === "STRICT_DNS" || type === "LOGICAL_DNS";
      const pool = connectionPool(policy?.connectionPool, isHttpLike(port.protocol) ? protocolOptionsFor(port) : undefined);
      const outlier = outlierDetection(policy?.outlierDetection);
      // Fields in Envoy's print order (proto field numbers).
      const cluster: Cluster = { "@type": TYPE_URL.cluster, name, type };
      if (type === "EDS") cluster.eds_cluster_config = { eds_config: ADS_CONFIG_SOURCE, service_name: name };
      cluster.connect_timeout = pool.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
      if (type === "ORIGINAL_DST") cluster.lb_policy = "CLUSTER_PROVIDED";
      else if (lb && lb !== "PASSTHROUGH") cluster.lb_policy = lb;
      cluster.circuit_breakers = pool.circuitBreakers;
      if (dns) {
        cluster.dns_refresh_rate = "60s";
        cluster.dns_lookup_family = "V4_ONLY";
      }
      if (outlier) cluster.outlier_detection = outlier.detection;
      if (type === "ORIGINAL_DST") cluster.cleanup_interval = "60s";
      cluster.metadata = serviceMetadata(service, port.port, rule, subset);
      if (outlier) cluster.common_lb_config = outlier.commonLbConfig;
      if (dns) {
        const assignment = loadAssignment(name, service, port, labels);
        delete assignment["@type"];
        cluster.load_assignment = assignment;
      }
      if (pool.protocolOptions) cluster.typed_extension_protocol_options = { [HTTP_PROTOCOL_OPTIONS_KEY]: pool.protocolOptions };
      if (dns) cluster.respect_dns_ttl = true;
      if (!service.meshExternal) cluster.transport_socket_matches = transportSocketMatches(service, `outbound_.${port.port}_.${subset}_.${service.hostname}`);
      out.clusters.push(cluster);
      if (type === "EDS") out.endpoints.push(loadAssignment(name, service, port, labels));
    }
  }
  return out;
}

/** The clusters every proxy gets regardless of services. */
export function wellKnownClusters(): Cluster[] {
  const passthroughBreakers = { thresholds: [defaultThresholds()] };
  return [
    { "@type": TYPE_URL.cluster, name: BLACKHOLE_CLUSTER, type: "STATIC", connect_timeout: DEFAULT_CONNECT_TIMEOUT },
    {
      "@type": TYPE_URL.cluster,
      name: INBOUND_PASSTHROUGH_CLUSTER,
      type: "ORIGINAL_DST",
      connect_timeout: DEFAULT_CONNECT_TIMEOUT,
      lb_policy: "CLUSTER_PROVIDED",
      circuit_breakers: passthroughBreakers,
      cleanup_interval: "60s",
      upstream_bind_config: { source_address: { address: "127.0.0.6", port_value: 0 } },
      typed_extension_protocol_options: { [HTTP_PROTOCOL_OPTIONS_KEY]: { "@type": TYPE_URL.httpProtocolOptions, use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} } } },
    },
    {
      "@type": TYPE_URL.cluster,
      name: PASSTHROUGH_CLUSTER,
      type: "ORIGINAL_DST",
      connect_timeout: DEFAULT_CONNECT_TIMEOUT,
      lb_policy: "CLUSTER_PROVIDED",
      circuit_breakers: { thresholds: [defaultThresholds()] },
      cleanup_interval: "60s",
      typed_extension_protocol_options: { [HTTP_PROTOCOL_OPTIONS_KEY]: { "@type": TYPE_URL.httpProtocolOptions, use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} } } },
    },
  ];
}

/** `inbound|<port>||` for a port the workload serves: traffic goes to the app on the pod's own address. */
export function inboundCluster(port: number, services: readonly { host: string; name: string; namespace: string }[]): Cluster {
  return {
    "@type": TYPE_URL.cluster,
    name: subsetClusterName("inbound", port, "", ""),
    type: "ORIGINAL_DST",
    connect_timeout: DEFAULT_CONNECT_TIMEOUT,
    lb_policy: "CLUSTER_PROVIDED",
    circuit_breakers: { thresholds: [defaultThresholds()] },
    cleanup_interval: "60s",
    upstream_bind_config: { source_address: { address: "127.0.0.6", port_value: 0 } },
    metadata: { filter_metadata: { istio: { services: services.map((service) => ({ ...service })) } } },
  };
}
