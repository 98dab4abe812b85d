// Envoy admin /config_dump for a proxy's accepted config: bootstrap, clusters, listeners, routes and (optionally) endpoints.

import {
  TYPE_URL,
  type Address,
  type BootstrapConfigDump,
  type Cluster,
  type ClusterLoadAssignment,
  type ClustersConfigDump,
  type ConfigDump,
  type EndpointsConfigDump,
  type Listener,
  type ListenersConfigDump,
  type ProxyConfig,
  type RoutesConfigDump,
} from "../envoy-types";

/** Bootstrap clusters reach the agent over a Unix pipe, an address form our typed subset leaves out. */
function staticCluster(name: string, address: Address | { pipe: { path: string } }, http2 = false): Cluster {
  const cluster: Cluster = {
    "@type": TYPE_URL.cluster,
    name,
    type: "STATIC",
    connect_timeout: name === "xds-grpc" ? "1s" : "0.250s",
    load_assignment: { cluster_name: name, endpoints: [{ locality: {}, lb_endpoints: [{ endpoint: { address: address as Address }, health_status: "HEALTHY" }] }] },
  };
  if (http2) cluster.typed_extension_protocol_options = { "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": { "@type": TYPE_URL.httpProtocolOptions, explicit_http_config: { http2_protocol_options: {} } } };
  return cluster;
}

/** Clusters every istio-proxy has from its bootstrap file. */
export function bootstrapClusters(): Cluster[] {
  return [
    staticCluster("prometheus_stats", { socket_address: { address: "127.0.0.1", port_value: 15000 } }),
    staticCluster("agent", { socket_address: { address: "127.0.0.1", port_value: 15020 } }),
    staticCluster("sds-grpc", { pipe: { path: "./var/run/secrets/workload-spiffe-uds/socket" } }, true),
    staticCluster("xds-grpc", { pipe: { path: "./etc/istio/proxy/XDS" } }, true),
  ];
}

/** Listeners every istio-proxy has from its bootstrap file (Prometheus stats and the readiness endpoint). */
export function bootstrapListeners(): Listener[] {
  const statsListener = (name: string, port: number, cluster: string, prefix: string): Listener => ({
    "@type": TYPE_URL.listener,
    name,
    address: { socket_address: { address: "0.0.0.0", port_value: port } },
    filter_chains: [
      {
        filters: [
          {
            name: "envoy.filters.network.http_connection_manager",
            typed_config: {
              "@type": TYPE_URL.httpConnectionManager,
              stat_prefix: prefix,
              route_config: { name: "local_route", virtual_hosts: [{ name: "backend", domains: ["*"], routes: [{ match: { prefix: port === 15090 ? "/stats/prometheus" : "/healthz/ready" }, route: { cluster } }] }] },
              http_filters: [{ name: "envoy.filters.http.router", typed_config: { "@type": TYPE_URL.router } }],
            },
          },
        ],
      },
    ],
  });
  return [statsListener("0.0.0.0_15090", 15090, "prometheus_stats", "stats"), statsListener("0.0.0.0_15021", 15021, "agent", "agent")];
}

function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** The dump as Envoy prints it; `updatedAtMs` is when the proxy accepted this config and `startedAtMs` its boot time. */
export function buildConfigDump(config: ProxyConfig, options: { includeEds?: boolean; updatedAtMs: number; startedAtMs: number }): ConfigDump {
  const updated = isoMs(options.updatedAtMs);
  const started = isoMs(options.startedAtMs);
  const bootstrap: BootstrapConfigDump = {
    "@type": TYPE_URL.bootstrapConfigDump,
    bootstrap: {
      node: config.node,
      static_resources: { listeners: bootstrapListeners(), clusters: bootstrapClusters() },
      dynamic_resources: {
        lds_config: { ads: {}, initial_fetch_timeout: "0s", resource_api_version: "V3" },
        cds_config: { ads: {}, initial_fetch_timeout: "0s", resource_api_version: "V3" },
        ads_config: { api_type: "GRPC", set_node_on_first_message_only: true, transport_api_version: "V3", grpc_services: [{ envoy_grpc: { cluster_name: "xds-grpc" } }] },
      },
      admin: { address: { socket_address: { address: "127.0.0.1", port_value: 15000 } }, profile_path: "/var/lib/istio/data/envoy.prof" },
    },
    last_updated: started,
  };
  const clusters: ClustersConfigDump = {
    "@type": TYPE_URL.clustersConfigDump,
    version_info: config.version,
    static_clusters: bootstrapClusters().map((cluster) => ({ cluster, last_updated: started })),
    dynamic_active_clusters: [...config.clusters.values()].map((cluster) => ({ version_info: config.version, cluster, last_updated: updated })),
  };
  const listeners: ListenersConfigDump = {
    "@type": TYPE_URL.listenersConfigDump,
    version_info: config.version,
    static_listeners: bootstrapListeners().map((listener) => ({ listener, last_updated: started })),
    dynamic_listeners: [...config.listeners.values()].map((listener) => ({ name: listener.name, active_state: { version_info: config.version, listener, last_updated: updated } })),
  };
  const routes: RoutesConfigDump = {
    "@type": TYPE_URL.routesConfigDump,
    static_route_configs: bootstrapListeners().map((listener) => {
      const manager = listener.filter_chains[0]?.filters[0]?.typed_config as { route_config: RoutesConfigDump["dynamic_route_configs"][number]["route_config"] };
      return { route_config: { "@type": TYPE_URL.routeConfiguration, ...manager.route_config }, last_updated: started };
    }),
    dynamic_route_configs: [...config.routes.values()].map((route_config) => ({ version_info: config.version, route_config, last_updated: updated })),
  };
  const configs: ConfigDump["configs"] = [bootstrap, clusters, listeners, routes];
  if (options.includeEds) {
    const staticEndpoints = bootstrapClusters().map((cluster): { endpoint_config: ClusterLoadAssignment } => ({
      endpoint_config: { "@type": TYPE_URL.clusterLoadAssignment, cluster_name: cluster.name, ...(cluster.load_assignment?.endpoints ? { endpoints: cluster.load_assignment.endpoints } : {}), policy: { overprovisioning_factor: 140 } },
    }));
    const dynamicEndpoints = [...config.clusters.values()].map((cluster): { endpoint_config: ClusterLoadAssignment } => {
      const assignment = config.endpoints.get(cluster.name) ?? cluster.load_assignment;
      const endpoint_config: ClusterLoadAssignment = { "@type": TYPE_URL.clusterLoadAssignment, cluster_name: cluster.name };
      if (assignment?.endpoints) endpoint_config.endpoints = assignment.endpoints;
      endpoint_config.policy = { overprovisioning_factor: 140 };
      return { endpoint_config };
    });
    const endpoints: EndpointsConfigDump = { "@type": TYPE_URL.endpointsConfigDump, static_endpoint_configs: staticEndpoints, dynamic_endpoint_configs: dynamicEndpoints };
    configs.push(endpoints);
  }
  return { configs };
}
