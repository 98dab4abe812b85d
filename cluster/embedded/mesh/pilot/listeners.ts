// Listener building blocks shared by sidecars and gateways: HTTP connection managers, TCP proxies, addresses.

import { FILTER, TYPE_URL, type FilterChain, type HttpConnectionManager, type HttpFilter, type Listener, type NetworkFilter, type RouteConfiguration } from "../envoy-types";
import { ADS_CONFIG_SOURCE } from "./clusters";

/** The HTTP filter chain Istio installs: telemetry exchange, an empty fault and cors filter (per-route config), stats, router. */
export function httpFilters(): HttpFilter[] {
  return [
    { name: "istio.metadata_exchange", typed_config: { "@type": "type.googleapis.com/udpa.type.v1.TypedStruct", type_url: "type.googleapis.com/io.istio.http.peer_metadata.Config" } },
    { name: "envoy.filters.http.grpc_stats", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig", emit_filter_state: true, stats_for_all_methods: false } },
    { name: FILTER.fault, typed_config: { "@type": TYPE_URL.fault } },
    { name: FILTER.cors, typed_config: { "@type": TYPE_URL.cors } },
    { name: "istio.stats", typed_config: { "@type": "type.googleapis.com/stats.PluginConfig" } },
    { name: FILTER.router, typed_config: { "@type": TYPE_URL.router } },
  ];
}

/** The access log every Istio listener writes to stdout (meshConfig.accessLogFile). */
function accessLog(): NonNullable<HttpConnectionManager["access_log"]> {
  return [{ name: "envoy.access_loggers.file", typed_config: { "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog", path: "/dev/stdout" } }];
}

export function rdsConnectionManager(statPrefix: string, routeName: string, options: { useRemoteAddress?: boolean } = {}): NetworkFilter {
  const manager: HttpConnectionManager = {
    "@type": TYPE_URL.httpConnectionManager,
    stat_prefix: statPrefix,
    rds: { config_source: ADS_CONFIG_SOURCE, route_config_name: routeName },
    http_filters: httpFilters(),
    access_log: accessLog(),
    normalize_path: true,
    path_with_escaped_slashes_action: "KEEP_UNCHANGED",
    request_id_extension: { typed_config: { "@type": "type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig", use_request_id_for_trace_sampling: true } },
    upgrade_configs: [{ upgrade_type: "websocket" }],
    stream_idle_timeout: "0s",
  };
  if (options.useRemoteAddress) manager.use_remote_address = true;
  return { name: FILTER.httpConnectionManager, typed_config: manager };
}

export function inlineConnectionManager(statPrefix: string, routeConfig: RouteConfiguration): NetworkFilter {
  const manager: HttpConnectionManager = {
    "@type": TYPE_URL.httpConnectionManager,
    stat_prefix: statPrefix,
    route_config: routeConfig,
    http_filters: httpFilters(),
    access_log: accessLog(),
    normalize_path: true,
    upgrade_configs: [{ upgrade_type: "websocket" }],
    stream_idle_timeout: "0s",
    server_name: "istio-envoy",
  };
  return { name: FILTER.httpConnectionManager, typed_config: manager };
}

export function tcpProxy(statPrefix: string, cluster: string): NetworkFilter {
  return { name: FILTER.tcpProxy, typed_config: { "@type": TYPE_URL.tcpProxy, stat_prefix: statPrefix, cluster } };
}

export function listenerShell(name: string, address: string, port: number, filterChains: FilterChain[], extra: Partial<Listener> = {}): Listener {
  return {
    "@type": TYPE_URL.listener,
    name,
    address: { socket_address: { address, port_value: port } },
    filter_chains: filterChains,
    ...extra,
  };
}

export const listenerFilters: NonNullable<Listener["listener_filters"]> = [
  { name: "envoy.filters.listener.tls_inspector", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector" } },
  { name: "envoy.filters.listener.http_inspector", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector" } },
];
