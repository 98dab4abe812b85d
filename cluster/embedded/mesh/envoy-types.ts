// Envoy v3 configuration as /config_dump prints it (snake_case JSON field names), for the subset Istio generates.
//
// Conventions of proto3 JSON that these types follow:
// - Durations are strings in seconds with 0, 3, 6 or 9 fractional digits: "10s", "0.500s", "180s".
// - 64-bit integers are strings ("host_selection_retry_max_attempts": "5"); 32-bit integers are numbers.
// - Enums are their names ("LEAST_REQUEST", "HEALTHY", "MILLION").
// - `Any` messages carry "@type": "type.googleapis.com/<full message name>".
// The pilot produces these structures; the data plane interprets them as Envoy would.

/** A proto3 Duration in JSON form, e.g. "10s", "0.500s". */
export type Duration = string;

// ---------------------------------------------------------------------------------------------------------------
// Type URLs

export const TYPE_URL = {
  listener: "type.googleapis.com/envoy.config.listener.v3.Listener",
  routeConfiguration: "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
  cluster: "type.googleapis.com/envoy.config.cluster.v3.Cluster",
  clusterLoadAssignment: "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",
  httpConnectionManager: "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
  tcpProxy: "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
  router: "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
  fault: "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
  cors: "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors",
  httpProtocolOptions: "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
  downstreamTlsContext: "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
  upstreamTlsContext: "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
  rawBuffer: "type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer",
  bootstrapConfigDump: "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump",
  clustersConfigDump: "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
  listenersConfigDump: "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
  routesConfigDump: "type.googleapis.com/envoy.admin.v3.RoutesConfigDump",
  endpointsConfigDump: "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump",
  secretsConfigDump: "type.googleapis.com/envoy.admin.v3.SecretsConfigDump",
} as const;

/** Filter names Istio uses (HTTP filters, network filters, per-route config keys). */
export const FILTER = {
  httpConnectionManager: "envoy.filters.network.http_connection_manager",
  tcpProxy: "envoy.filters.network.tcp_proxy",
  fault: "envoy.filters.http.fault",
  cors: "envoy.filters.http.cors",
  router: "envoy.filters.http.router",
} as const;

/** Well-known cluster names of an Istio proxy. */
export const PASSTHROUGH_CLUSTER = "PassthroughCluster";
export const BLACKHOLE_CLUSTER = "BlackHoleCluster";
export const INBOUND_PASSTHROUGH_CLUSTER = "InboundPassthroughCluster";

/** Key of `typed_extension_protocol_options` that carries HTTP upstream options. */
export const HTTP_PROTOCOL_OPTIONS_KEY = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

// ---------------------------------------------------------------------------------------------------------------
// Common types

export type FractionalPercentDenominator = "HUNDRED" | "TEN_THOUSAND" | "MILLION";

/** envoy.type.v3.FractionalPercent; a missing denominator means HUNDRED. */
export interface FractionalPercent {
  numerator?: number;
  denominator?: FractionalPercentDenominator;
}

export interface RuntimeFractionalPercent {
  default_value: FractionalPercent;
  runtime_key?: string;
}

export interface SocketAddress {
  address: string;
  port_value: number;
  protocol?: "TCP" | "UDP";
}

export interface Address {
  socket_address: SocketAddress;
}

/** envoy.config.core.v3.Metadata: per-filter namespaces of arbitrary JSON. */
export interface Metadata {
  filter_metadata: Record<string, Record<string, unknown>>;
}

export interface Locality {
  region?: string;
  zone?: string;
  sub_zone?: string;
}

/** envoy.config.core.v3.ConfigSource as Istio writes it for ADS-delivered resources. */
export interface ConfigSource {
  ads: Record<string, never>;
  initial_fetch_timeout?: Duration;
  resource_api_version: "V3";
}

/** envoy.type.matcher.v3.StringMatcher (exactly one of exact / prefix / suffix / safe_regex / contains). */
export interface StringMatcher {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safe_regex?: RegexMatcher;
  ignore_case?: boolean;
}

export interface RegexMatcher {
  regex: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Routes (RDS)

export interface HeaderMatcher {
  name: string;
  string_match?: StringMatcher;
  /** Header presence match (Istio uses it for `withoutHeaders` with an empty match, and for "any value"). */
  present_match?: boolean;
  invert_match?: boolean;
  /** Set on `withoutHeaders` matchers: a missing header counts as the empty string. */
  treat_missing_header_as_empty?: boolean;
}

export interface QueryParameterMatcher {
  name: string;
  string_match?: StringMatcher;
  present_match?: boolean;
}

/** envoy.config.route.v3.RouteMatch: exactly one of prefix / path / safe_regex. */
export interface RouteMatch {
  prefix?: string;
  path?: string;
  safe_regex?: RegexMatcher;
  case_sensitive?: boolean;
  headers?: HeaderMatcher[];
  query_parameters?: QueryParameterMatcher[];
}

export interface WeightedCluster {
  name: string;
  weight: number;
}

export interface WeightedClusters {
  clusters: WeightedCluster[];
  /** Deprecated in Envoy; Istio never sets it (the sum of the weights is used). */
  total_weight?: number;
}

export interface RetryHostPredicate {
  name: string;
}

export interface RetryPolicy {
  retry_on: string;
  num_retries?: number;
  per_try_timeout?: Duration;
  retriable_status_codes?: number[];
  retry_host_predicate?: RetryHostPredicate[];
  /** int64 in proto JSON: a string. */
  host_selection_retry_max_attempts?: string;
  retry_back_off?: { base_interval: Duration };
}

export interface RequestMirrorPolicy {
  cluster: string;
  runtime_fraction?: RuntimeFractionalPercent;
  trace_sampled?: boolean;
}

export interface RouteAction {
  cluster?: string;
  weighted_clusters?: WeightedClusters;
  timeout?: Duration;
  max_grpc_timeout?: Duration;
  retry_policy?: RetryPolicy;
  request_mirror_policies?: RequestMirrorPolicy[];
  prefix_rewrite?: string;
  regex_rewrite?: { pattern: RegexMatcher; substitution: string };
  host_rewrite_literal?: string;
  /** Inbound routes: stream duration limits ("0s" = none). */
  max_stream_duration?: { max_stream_duration?: Duration; grpc_timeout_header_max?: Duration };
  /** Envoy's answer when the named cluster does not exist; unset means 503 (NC). */
  cluster_not_found_response_code?: "SERVICE_UNAVAILABLE" | "NOT_FOUND" | "INTERNAL_SERVER_ERROR";
}

export interface RedirectAction {
  host_redirect?: string;
  port_redirect?: number;
  path_redirect?: string;
  prefix_rewrite?: string;
  scheme_redirect?: string;
  https_redirect?: boolean;
  /** Enum name; absent means MOVED_PERMANENTLY (301). */
  response_code?: "MOVED_PERMANENTLY" | "FOUND" | "SEE_OTHER" | "TEMPORARY_REDIRECT" | "PERMANENT_REDIRECT";
}

export interface DirectResponseAction {
  status: number;
  body?: { inline_string?: string; inline_bytes?: string };
}

/** envoy.extensions.filters.http.fault.v3.HTTPFault as a per-route config. */
export interface HTTPFault {
  "@type": typeof TYPE_URL.fault;
  delay?: { fixed_delay: Duration; percentage?: FractionalPercent };
  abort?: { http_status?: number; grpc_status?: number; percentage?: FractionalPercent };
}

export interface HeaderValueOption {
  header: { key: string; value: string };
  append_action?: "APPEND_IF_EXISTS_OR_ADD" | "ADD_IF_ABSENT" | "OVERWRITE_IF_EXISTS_OR_ADD" | "OVERWRITE_IF_EXISTS";
}

export interface Route {
  name?: string;
  match: RouteMatch;
  /** Exactly one of route / redirect / direct_response. */
  route?: RouteAction;
  redirect?: RedirectAction;
  direct_response?: DirectResponseAction;
  metadata?: Metadata;
  decorator?: { operation: string };
  typed_per_filter_config?: { [FILTER.fault]?: HTTPFault } & Record<string, unknown>;
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
}

export interface VirtualHost {
  name: string;
  /** Host/authority values this vhost serves: exact names, `host:port`, `*`, `*.suffix`. */
  domains: string[];
  routes: Route[];
  include_request_attempt_count?: boolean;
  /** Gateway servers with `tls.httpsRedirect`: plain-HTTP requests get a 301 to https. */
  require_tls?: "NONE" | "EXTERNAL_ONLY" | "ALL";
}

export interface RouteConfiguration {
  "@type"?: typeof TYPE_URL.routeConfiguration;
  name: string;
  virtual_hosts: VirtualHost[];
  validate_clusters?: boolean;
  max_direct_response_body_size_bytes?: number;
  ignore_port_in_host_matching?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Listeners (LDS)

export interface HttpFilter {
  name: string;
  typed_config?: { "@type": string } & Record<string, unknown>;
}

export interface HttpConnectionManager {
  "@type": typeof TYPE_URL.httpConnectionManager;
  stat_prefix: string;
  /** Routes fetched over RDS by name (sidecar outbound and gateways). */
  rds?: { config_source: ConfigSource; route_config_name: string };
  /** Routes inline (sidecar inbound). */
  route_config?: RouteConfiguration;
  http_filters: HttpFilter[];
  use_remote_address?: boolean;
  normalize_path?: boolean;
  path_with_escaped_slashes_action?: string;
  request_id_extension?: Record<string, unknown>;
  upgrade_configs?: { upgrade_type: string }[];
  stream_idle_timeout?: Duration;
  access_log?: { name: string; typed_config?: Record<string, unknown> }[];
  server_name?: string;
}

export interface TcpProxy {
  "@type": typeof TYPE_URL.tcpProxy;
  stat_prefix: string;
  cluster: string;
}

export interface NetworkFilter {
  name: string;
  typed_config: HttpConnectionManager | TcpProxy | ({ "@type": string } & Record<string, unknown>);
}

export interface SdsSecretConfig {
  name: string;
  sds_config: ConfigSource;
}

export interface TransportSocket {
  name: string;
  typed_config: { "@type": string } & Record<string, unknown>;
}

/** DownstreamTlsContext as Istio writes it for a Gateway TLS server with credentialName. */
export interface DownstreamTlsContext {
  "@type": typeof TYPE_URL.downstreamTlsContext;
  common_tls_context: {
    tls_certificate_sds_secret_configs: SdsSecretConfig[];
    alpn_protocols?: string[];
  };
  require_client_certificate?: boolean;
}

export interface FilterChainMatch {
  destination_port?: number;
  prefix_ranges?: { address_prefix: string; prefix_len: number }[];
  server_names?: string[];
  transport_protocol?: string;
  application_protocols?: string[];
}

export interface FilterChain {
  name?: string;
  filter_chain_match?: FilterChainMatch;
  filters: NetworkFilter[];
  transport_socket?: TransportSocket;
}

export interface Listener {
  "@type"?: typeof TYPE_URL.listener;
  name: string;
  address: Address;
  filter_chains: FilterChain[];
  default_filter_chain?: FilterChain;
  use_original_dst?: boolean;
  bind_to_port?: boolean;
  traffic_direction?: "INBOUND" | "OUTBOUND" | "UNSPECIFIED";
  listener_filters?: { name: string; typed_config?: Record<string, unknown> }[];
  continue_on_listener_filters_timeout?: boolean;
  access_log?: { name: string; typed_config?: Record<string, unknown> }[];
}

// ---------------------------------------------------------------------------------------------------------------
// Clusters (CDS)

export type ClusterDiscoveryType = "EDS" | "STRICT_DNS" | "LOGICAL_DNS" | "ORIGINAL_DST" | "STATIC";
export type LbPolicy = "ROUND_ROBIN" | "LEAST_REQUEST" | "RANDOM" | "RING_HASH" | "MAGLEV" | "CLUSTER_PROVIDED";

export interface CircuitBreakerThresholds {
  priority?: "DEFAULT" | "HIGH";
  max_connections?: number;
  max_pending_requests?: number;
  max_requests?: number;
  max_retries?: number;
  track_remaining?: boolean;
}

export interface CircuitBreakers {
  thresholds: CircuitBreakerThresholds[];
}

export interface OutlierDetection {
  consecutive_5xx?: number;
  interval?: Duration;
  base_ejection_time?: Duration;
  max_ejection_percent?: number;
  enforcing_consecutive_5xx?: number;
  enforcing_success_rate?: number;
  consecutive_gateway_failure?: number;
  enforcing_consecutive_gateway_failure?: number;
  split_external_local_origin_errors?: boolean;
  consecutive_local_origin_failure?: number;
  enforcing_consecutive_local_origin_failure?: number;
  max_ejection_time?: Duration;
}

export interface CommonLbConfig {
  /** envoy.type.v3.Percent; `{}` (value 0) disables panic mode, as Istio does by default. */
  healthy_panic_threshold?: { value?: number };
  locality_weighted_lb_config?: Record<string, never>;
}

export interface HttpProtocolOptions {
  "@type": typeof TYPE_URL.httpProtocolOptions;
  common_http_protocol_options?: {
    idle_timeout?: Duration;
    max_requests_per_connection?: number;
    max_connection_duration?: Duration;
  };
  explicit_http_config?: { http_protocol_options?: Record<string, unknown>; http2_protocol_options?: Record<string, unknown> };
  use_downstream_protocol_config?: { http_protocol_options?: Record<string, unknown>; http2_protocol_options?: Record<string, unknown> };
}

export interface Cluster {
  "@type"?: typeof TYPE_URL.cluster;
  name: string;
  type?: ClusterDiscoveryType;
  eds_cluster_config?: { eds_config: ConfigSource; service_name: string };
  connect_timeout?: Duration;
  /** Absent means ROUND_ROBIN (the enum's zero value, which proto3 JSON omits). */
  lb_policy?: LbPolicy;
  circuit_breakers?: CircuitBreakers;
  outlier_detection?: OutlierDetection;
  common_lb_config?: CommonLbConfig;
  typed_extension_protocol_options?: { [HTTP_PROTOCOL_OPTIONS_KEY]?: HttpProtocolOptions } & Record<string, unknown>;
  /** Endpoints of STATIC / STRICT_DNS clusters (EDS clusters get theirs from ClusterLoadAssignment). */
  load_assignment?: ClusterLoadAssignment;
  dns_lookup_family?: "V4_ONLY" | "V6_ONLY" | "AUTO" | "ALL";
  dns_refresh_rate?: Duration;
  respect_dns_ttl?: boolean;
  metadata?: Metadata;
  transport_socket_matches?: { name: string; match: Record<string, string>; transport_socket: TransportSocket }[];
  filters?: { name: string; typed_config: Record<string, unknown> }[];
  cleanup_interval?: Duration;
  upstream_bind_config?: { source_address: SocketAddress };
}

// ---------------------------------------------------------------------------------------------------------------
// Endpoints (EDS)

export type HealthStatus = "UNKNOWN" | "HEALTHY" | "UNHEALTHY" | "DRAINING" | "TIMEOUT" | "DEGRADED";

export interface LbEndpoint {
  endpoint: { address: Address; health_check_config?: Record<string, never> };
  health_status: HealthStatus;
  metadata?: Metadata;
  load_balancing_weight?: number;
}

export interface LocalityLbEndpoints {
  locality: Locality;
  lb_endpoints: LbEndpoint[];
  load_balancing_weight?: number;
  priority?: number;
}

export interface ClusterLoadAssignment {
  "@type"?: typeof TYPE_URL.clusterLoadAssignment;
  cluster_name: string;
  endpoints?: LocalityLbEndpoints[];
  policy?: { overprovisioning_factor?: number };
}

// ---------------------------------------------------------------------------------------------------------------
// What one proxy holds

/** Envoy's node identity: `sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local` or `router~…`. */
export interface EnvoyNode {
  id: string;
  cluster: string;
  metadata: Record<string, unknown>;
  locality?: Locality;
  user_agent_name?: string;
}

/**
 * The xDS state a proxy has accepted, keyed by resource name in each map (insertion order = the order istiod sent
 * them). `version` is the push version these resources came from. Resources are shared between proxies and kept
 * for older versions, so readers must never modify them.
 */
export interface ProxyConfig {
  version: string;
  node: EnvoyNode;
  /** "sidecar" for application pods, "router" for gateways. */
  proxyType: "sidecar" | "router";
  listeners: ReadonlyMap<string, Listener>;
  routes: ReadonlyMap<string, RouteConfiguration>;
  clusters: ReadonlyMap<string, Cluster>;
  /** ClusterLoadAssignment per EDS cluster (STRICT_DNS clusters carry theirs in `load_assignment`). */
  endpoints: ReadonlyMap<string, ClusterLoadAssignment>;
}

// ---------------------------------------------------------------------------------------------------------------
// /config_dump envelope

export interface BootstrapConfigDump {
  "@type": typeof TYPE_URL.bootstrapConfigDump;
  bootstrap: {
    node: EnvoyNode;
    static_resources?: { listeners?: Listener[]; clusters?: Cluster[] };
    dynamic_resources?: Record<string, unknown>;
    admin?: Record<string, unknown>;
  };
  last_updated: string;
}

export interface ClustersConfigDump {
  "@type": typeof TYPE_URL.clustersConfigDump;
  version_info?: string;
  static_clusters: { cluster: Cluster; last_updated: string }[];
  dynamic_active_clusters: { version_info: string; cluster: Cluster; last_updated: string }[];
}

export interface ListenersConfigDump {
  "@type": typeof TYPE_URL.listenersConfigDump;
  version_info?: string;
  static_listeners?: { listener: Listener; last_updated: string }[];
  dynamic_listeners: { name: string; active_state: { version_info: string; listener: Listener; last_updated: string } }[];
}

export interface RoutesConfigDump {
  "@type": typeof TYPE_URL.routesConfigDump;
  static_route_configs?: { route_config: RouteConfiguration; last_updated: string }[];
  dynamic_route_configs: { version_info: string; route_config: RouteConfiguration; last_updated: string }[];
}

export interface EndpointsConfigDump {
  "@type": typeof TYPE_URL.endpointsConfigDump;
  static_endpoint_configs?: { endpoint_config: ClusterLoadAssignment }[];
  dynamic_endpoint_configs: { version_info?: string; endpoint_config: ClusterLoadAssignment; last_updated?: string }[];
}

export type ConfigDumpSection = BootstrapConfigDump | ClustersConfigDump | ListenersConfigDump | RoutesConfigDump | EndpointsConfigDump;

export interface ConfigDump {
  configs: ConfigDumpSection[];
}

// ---------------------------------------------------------------------------------------------------------------
// Value helpers shared by the control plane (writing) and the data plane (reading)

/** Formats milliseconds as a proto3 JSON Duration: 10000 → "10s", 500 → "0.500s", 1 → "0.001s". */
export function formatDuration(ms: number): Duration {
  const totalMs = Math.round(ms);
  const seconds = Math.floor(totalMs / 1000);
  const rest = totalMs - seconds * 1000;
  return rest === 0 ? `${seconds}s` : `${seconds}.${String(rest).padStart(3, "0")}s`;
}

/** Parses a proto3 JSON Duration ("10s", "0.500s") to milliseconds; undefined for anything else. */
export function parseDurationMs(value: Duration | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(-?\d+)(?:\.(\d{1,9}))?s$/.exec(value);
  if (!match) return undefined;
  const fraction = (match[2] ?? "").padEnd(9, "0");
  return Number(match[1]) * 1000 + Number(fraction) / 1_000_000;
}

/** The probability (0..1) a FractionalPercent expresses; numerators above the denominator are capped at 1. */
export function fractionValue(percent: FractionalPercent | undefined): number {
  if (!percent) return 0;
  const scale = percent.denominator === "MILLION" ? 1_000_000 : percent.denominator === "TEN_THOUSAND" ? 10_000 : 100;
  return Math.min(1, (percent.numerator ?? 0) / scale);
}
