// Sidecar routes and clusters for the Bookinfo traffic-management tasks, in the names and shapes Istio 1.26 generates.
import { describe, expect, it } from "vitest";
import {
  bookinfoMesh,
  cluster,
  configOf,
  destinationRuleAll,
  ratingsDelay,
  reviews8020,
  reviewsCircuitBreaker,
  reviewsTestV2,
  routeConfig,
  routesOf,
  virtualHost,
  virtualServiceAllV1,
} from "./fixtures";

const defaultRetry = {
  retry_on: "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes",
  num_retries: 2,
  retry_host_predicate: [{ name: "envoy.retry_host_predicates.previous_hosts" }],
  host_selection_retry_max_attempts: "5",
};

describe("default Bookinfo (no Istio config)", () => {
  it("gives every service a vhost with a default route on RouteConfiguration 9080", () => {
    const mesh = bookinfoMesh();
    const config = configOf(mesh, "productpage-v1");
    const reviews = virtualHost(config, "9080", "reviews.default.svc.cluster.local:9080");
    expect(reviews.domains.slice(0, 4)).toEqual(["reviews.default.svc.cluster.local", "reviews", "reviews.default.svc", "reviews.default"]);
    expect(reviews.domains[4]).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(reviews.routes).toEqual([
      {
        match: { prefix: "/" },
        route: { cluster: "outbound|9080||reviews.default.svc.cluster.local", timeout: "0s", retry_policy: defaultRetry, max_grpc_timeout: "0s" },
        decorator: { operation: "reviews.default.svc.cluster.local:9080/*" },
        name: "default",
      },
    ]);
    const catchAll = routeConfig(config, "9080").virtual_hosts.at(-1);
    expect(catchAll?.name).toBe("allow_any");
    expect(catchAll?.routes[0]?.route?.cluster).toBe("PassthroughCluster");
  });

  it("has an EDS cluster per service port with Istio's defaults and endpoints per pod", () => {
    const mesh = bookinfoMesh();
    const config = configOf(mesh, "productpage-v1");
    const reviews = cluster(config, "outbound|9080||reviews.default.svc.cluster.local");
    expect(reviews).toMatchObject({
      type: "EDS",
      eds_cluster_config: { eds_config: { ads: {}, initial_fetch_timeout: "0s", resource_api_version: "V3" }, service_name: "outbound|9080||reviews.default.svc.cluster.local" },
      connect_timeout: "10s",
      lb_policy: "LEAST_REQUEST",
      circuit_breakers: { thresholds: [{ max_connections: 4294967295, max_pending_requests: 4294967295, max_requests: 4294967295, max_retries: 4294967295, track_remaining: true }] },
    });
    expect(reviews.outlier_detection).toBeUndefined();
    const endpoints = config.endpoints.get("outbound|9080||reviews.default.svc.cluster.local")?.endpoints?.[0]?.lb_endpoints ?? [];
    expect(endpoints).toHaveLength(3);
    expect(endpoints.every((endpoint) => endpoint.health_status === "HEALTHY" && endpoint.endpoint.address.socket_address.port_value === 9080)).toBe(true);
    const workloads = endpoints.map((endpoint) => String(endpoint.metadata?.filter_metadata.istio?.workload)).sort();
    expect(workloads).toEqual(["reviews-v1;default;reviews;v1;Kubernetes", "reviews-v2;default;reviews;v2;Kubernetes", "reviews-v3;default;reviews;v3;Kubernetes"]);
    expect([...config.clusters.keys()]).toEqual(expect.arrayContaining(["BlackHoleCluster", "PassthroughCluster", "InboundPassthroughCluster", "inbound|9080||"]));
    expect(config.listeners.has("0.0.0.0_9080")).toBe(true);
    expect(config.listeners.has("virtualOutbound")).toBe(true);
    expect(config.listeners.has("virtualInbound")).toBe(true);
  });
});

describe("virtual-service-all-v1 + destination-rule-all", () => {
  it("routes reviews to the v1 subset cluster and creates subset clusters filtered by labels", () => {
    const mesh = bookinfoMesh();
    mesh.apply(destinationRuleAll);
    mesh.apply(virtualServiceAllV1);
    mesh.sync();
    const config = configOf(mesh, "productpage-v1");
    const [route] = routesOf(config, "reviews");
    expect(route?.route?.cluster).toBe("outbound|9080|v1|reviews.default.svc.cluster.local");
    expect(route?.match).toEqual({ prefix: "/" });
    expect(route?.metadata).toEqual({ filter_metadata: { istio: { config: "/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews" } } });
    expect(route?.decorator).toEqual({ operation: "reviews.default.svc.cluster.local:9080/*" });
    expect(route?.route?.retry_policy).toEqual(defaultRetry);
    const v2 = cluster(config, "outbound|9080|v2|reviews.default.svc.cluster.local");
    expect(v2.metadata?.filter_metadata.istio).toMatchObject({ subset: "v2", config: "/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews" });
    const v2Endpoints = config.endpoints.get("outbound|9080|v2|reviews.default.svc.cluster.local")?.endpoints?.flatMap((group) => group.lb_endpoints) ?? [];
    expect(v2Endpoints.map((endpoint) => endpoint.metadata?.filter_metadata.istio?.workload)).toEqual(["reviews-v2;default;reviews;v2;Kubernetes"]);
    // ratings v2 selects no pod: the cluster exists with no endpoints.
    expect(config.endpoints.get("outbound|9080|v2|ratings.default.svc.cluster.local")?.endpoints).toBeUndefined();
  });
});

describe("weighted routing", () => {
  it("renders the 80/20 split as weighted_clusters without total_weight", () => {
    const mesh = bookinfoMesh();
    mesh.apply(destinationRuleAll);
    mesh.apply(reviews8020);
    mesh.sync();
    const [route] = routesOf(configOf(mesh, "productpage-v1"), "reviews");
    expect(route).toEqual({
      match: { prefix: "/" },
      route: {
        weighted_clusters: {
          clusters: [
            { name: "outbound|9080|v1|reviews.default.svc.cluster.local", weight: 80 },
            { name: "outbound|9080|v2|reviews.default.svc.cluster.local", weight: 20 },
          ],
        },
        timeout: "0s",
        retry_policy: defaultRetry,
        max_grpc_timeout: "0s",
      },
      metadata: { filter_metadata: { istio: { config: "/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews" } } },
      decorator: { operation: "reviews:9080/*" },
    });
  });

  it("drops weight-0 destinations", () => {
    const mesh = bookinfoMesh();
    mesh.apply(reviews8020.replace("weight: 80", "weight: 100").replace("weight: 20", "weight: 0"));
    mesh.sync();
    const [route] = routesOf(configOf(mesh, "productpage-v1"), "reviews");
    expect(route?.route?.weighted_clusters?.clusters).toEqual([{ name: "outbound|9080|v1|reviews.default.svc.cluster.local", weight: 100 }]);
  });
});

describe("header matching", () => {
  it("matches end-user: jason with an exact string_match, before the default rule", () => {
    const mesh = bookinfoMesh();
    mesh.apply(destinationRuleAll);
    mesh.apply(reviewsTestV2);
    mesh.sync();
    const routes = routesOf(configOf(mesh, "productpage-v1"), "reviews");
    expect(routes.map((route) => route.route?.cluster)).toEqual(["outbound|9080|v2|reviews.default.svc.cluster.local", "outbound|9080|v1|reviews.default.svc.cluster.local"]);
    expect(routes[0]?.match).toEqual({ prefix: "/", case_sensitive: true, headers: [{ name: "end-user", string_match: { exact: "jason" } }] });
  });

  it("translates uri, method, query, withoutHeaders and ignoreUriCase", () => {
    const mesh = bookinfoMesh();
    mesh.apply(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts: [ratings]
  http:
  - name: api
    match:
    - name: get-ratings
      uri: {regex: "/ratings/[0-9]+"}
      method: {exact: GET}
      queryParams: {debug: {exact: "1"}}
      withoutHeaders: {x-canary: {exact: "yes"}}
      ignoreUriCase: true
    route:
    - destination: {host: ratings}
`);
    mesh.sync();
    const [route] = routesOf(configOf(mesh, "reviews-v2"), "ratings");
    expect(route?.name).toBe("api.get-ratings");
    expect(route?.match).toEqual({
      safe_regex: { regex: "/ratings/[0-9]+" },
      case_sensitive: false,
      headers: [
        { name: "x-canary", string_match: { exact: "yes" }, invert_match: true, treat_missing_header_as_empty: true },
        { name: ":method", string_match: { exact: "GET" } },
      ],
      query_parameters: [{ name: "debug", string_match: { exact: "1" } }],
    });
    expect(route?.route?.cluster).toBe("outbound|9080||ratings.default.svc.cluster.local");
  });
});

describe("fault injection", () => {
  it.each(["3s", "3000ms"])("puts a %s ratings delay into typed_per_filter_config with a MILLION percentage", (delay) => {
    const mesh = bookinfoMesh();
    mesh.apply(destinationRuleAll);
    mesh.apply(ratingsDelay(delay));
    mesh.sync();
    const [route] = routesOf(configOf(mesh, "reviews-v2"), "ratings");
    expect(route?.typed_per_filter_config).toEqual({
      "envoy.filters.http.fault": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
        delay: { fixed_delay: "3s", percentage: { numerator: 1000000, denominator: "MILLION" } },
      },
    });
  });

  it("faults nothing when the percentage is absent, and maps the deprecated percent to HUNDRED", () => {
    const mesh = bookinfoMesh();
    mesh.apply(ratingsDelay("2s").replace(/percentage:\n\s+value: 100.0\n\s+/, ""));
    mesh.sync();
    const [route] = routesOf(configOf(mesh, "reviews-v2"), "ratings");
    expect(route?.typed_per_filter_config?.["envoy.filters.http.fault"]?.delay).toEqual({ fixed_delay: "2s", percentage: {} });
    mesh.apply(ratingsDelay("2s").replace(/percentage:\n\s+value: 100.0/, "percent: 50"));
    mesh.sync();
    const [updated] = routesOf(configOf(mesh, "reviews-v2"), "ratings");
    expect(updated?.typed_per_filter_config?.["envoy.filters.http.fault"]?.delay).toEqual({ fixed_delay: "2s", percentage: { numerator: 50 } });
  });

  it("renders an abort with its http_status", () => {
    const mesh = bookinfoMesh();
    mesh.apply(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts: [ratings]
  http:
  - fault:
      abort:
        percentage: {value: 50}
        httpStatus: 500
    route:
    - destination: {host: ratings}
`);
    mesh.sync();
    const [route] = routesOf(configOf(mesh, "reviews-v3"), "ratings");
    expect(route?.typed_per_filter_config?.["envoy.filters.http.fault"]?.abort).toEqual({ http_status: 500, percentage: { numerator: 500000, denominator: "MILLION" } });
  });
});

describe("timeouts, retries and mirroring", () => {
  it("maps timeout, retries and mirror like Istio", () => {
    const mesh = bookinfoMesh();
    mesh.apply(destinationRuleAll);
    mesh.apply(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
    timeout: 0.5s
    retries:
      attempts: 3
      perTryTimeout: 2s
      retryOn: gateway-error,503
    mirror: {host: reviews, subset: v2}
`);
    mesh.sync();
    const [route] = routesOf(configOf(mesh, "productpage-v1"), "reviews");
    expect(route?.route).toEqual({
      cluster: "outbound|9080|v1|reviews.default.svc.cluster.local",
      timeout: "0.500s",
      retry_policy: {
        retry_on: "gateway-error,retriable-status-codes",
        num_retries: 3,
        retry_host_predicate: [{ name: "envoy.retry_host_predicates.previous_hosts" }],
        host_selection_retry_max_attempts: "5",
        retriable_status_codes: [503],
        per_try_timeout: "2s",
      },
      request_mirror_policies: [{ cluster: "outbound|9080|v2|reviews.default.svc.cluster.local", runtime_fraction: { default_value: { numerator: 100 } }, trace_sampled: false }],
      max_grpc_timeout: "0.500s",
    });
  });

  it("removes the retry policy for attempts 0 and scales mirrorPercentage to MILLION", () => {
    const mesh = bookinfoMesh();
    mesh.apply(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    retries: {attempts: 0}
    mirror: {host: ratings}
    mirrorPercentage: {value: 25}
`);
    mesh.sync();
    const [route] = routesOf(configOf(mesh, "productpage-v1"), "reviews");
    expect(route?.route?.retry_policy).toBeUndefined();
    expect(route?.route?.request_mirror_policies).toEqual([{ cluster: "outbound|9080||ratings.default.svc.cluster.local", runtime_fraction: { default_value: { numerator: 250000, denominator: "MILLION" } }, trace_sampled: false }]);
  });
});

describe("DestinationRule traffic policy", () => {
  it("merges the seed lab's reviews-cb after the sample reviews rule into every reviews cluster", () => {
    const mesh = bookinfoMesh();
    mesh.apply(destinationRuleAll);
    mesh.apply(reviewsCircuitBreaker);
    mesh.sync();
    const config = configOf(mesh, "fortio-deploy");
    for (const subset of ["", "v1", "v2", "v3"]) {
      const reviews = cluster(config, `outbound|9080|${subset}|reviews.default.svc.cluster.local`);
      expect(reviews.circuit_breakers).toEqual({ thresholds: [{ max_connections: 4294967295, max_pending_requests: 1, max_requests: 1, max_retries: 4294967295, track_remaining: true }] });
      expect(reviews.outlier_detection).toEqual({ consecutive_5xx: 1, enforcing_consecutive_5xx: 100, interval: "1s", base_ejection_time: "30s", max_ejection_percent: 100, enforcing_success_rate: 0 });
      expect(reviews.common_lb_config).toEqual({ healthy_panic_threshold: {} });
      expect(reviews.typed_extension_protocol_options?.["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]).toEqual({
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        common_http_protocol_options: { max_requests_per_connection: 1 },
      });
    }
    // The merged rule keeps the oldest rule's name in metadata.
    expect(cluster(config, "outbound|9080|v1|reviews.default.svc.cluster.local").metadata?.filter_metadata.istio?.config).toBe("/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews");
    // Other services are unaffected.
    expect(cluster(config, "outbound|9080||ratings.default.svc.cluster.local").circuit_breakers?.thresholds[0]?.max_pending_requests).toBe(4294967295);
  });

  it("applies load balancer, connect timeout, port-level and subset-level overrides", () => {
    const mesh = bookinfoMesh();
    mesh.apply(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews.default.svc.cluster.local
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    connectionPool:
      tcp: {connectTimeout: 3m, maxConnections: 7}
    portLevelSettings:
    - port: {number: 9080}
      loadBalancer: {simple: RANDOM}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      loadBalancer: {simple: LEAST_CONN}
      connectionPool:
        http: {maxRetries: 5, idleTimeout: 30s}
`);
    mesh.sync();
    const config = configOf(mesh, "productpage-v1");
    const plain = cluster(config, "outbound|9080||reviews.default.svc.cluster.local");
    expect(plain.lb_policy).toBe("RANDOM");
    expect(plain.connect_timeout).toBe("180s");
    expect(plain.circuit_breakers?.thresholds[0]?.max_connections).toBe(7);
    const v1 = cluster(config, "outbound|9080|v1|reviews.default.svc.cluster.local");
    expect(v1.lb_policy).toBe("LEAST_REQUEST");
    expect(v1.connect_timeout).toBe("10s");
    expect(v1.circuit_breakers?.thresholds[0]).toMatchObject({ max_connections: 4294967295, max_retries: 5 });
    expect(v1.typed_extension_protocol_options?.["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]?.common_http_protocol_options).toEqual({ idle_timeout: "30s" });
  });

  it("names a cluster no DestinationRule defines in the route without creating it (503 NC later)", () => {
    const mesh = bookinfoMesh();
    mesh.apply(virtualServiceAllV1.replace(/subset: v1/g, "subset: v3"));
    mesh.sync();
    const config = configOf(mesh, "productpage-v1");
    const [route] = routesOf(config, "reviews");
    expect(route?.route?.cluster).toBe("outbound|9080|v3|reviews.default.svc.cluster.local");
    expect(config.clusters.has("outbound|9080|v3|reviews.default.svc.cluster.local")).toBe(false);
  });
});

describe("other route actions", () => {
  it("translates redirect, direct response, rewrite, header operations and CORS", () => {
    const mesh = bookinfoMesh();
    mesh.apply(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: details
spec:
  hosts: [details]
  http:
  - match: [{uri: {prefix: /old}}]
    redirect: {uri: /new, authority: details.default.svc.cluster.local, redirectCode: 302}
  - match: [{uri: {exact: /health}}]
    directResponse: {status: 204, body: {string: ok}}
  - rewrite: {uri: /details, authority: details-internal}
    headers:
      request:
        set: {x-team: books}
        remove: [x-debug]
      response:
        add: {x-served-by: details}
    corsPolicy:
      allowOrigins: [{exact: https://example.com}]
      allowMethods: [GET, POST]
      maxAge: 24h
    route:
    - destination: {host: details}
`);
    mesh.sync();
    const [redirect, direct, rewrite] = routesOf(configOf(mesh, "productpage-v1"), "details");
    expect(redirect?.redirect).toEqual({ host_redirect: "details.default.svc.cluster.local", path_redirect: "/new", response_code: "FOUND" });
    expect(redirect?.decorator?.operation).toBe("details:9080/old*");
    expect(direct?.direct_response).toEqual({ status: 204, body: { inline_string: "ok" } });
    expect(rewrite?.route).toMatchObject({ cluster: "outbound|9080||details.default.svc.cluster.local", prefix_rewrite: "/details", host_rewrite_literal: "details-internal" });
    expect(rewrite?.request_headers_to_add).toEqual([{ header: { key: "x-team", value: "books" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }]);
    expect(rewrite?.request_headers_to_remove).toEqual(["x-debug"]);
    expect(rewrite?.response_headers_to_add).toEqual([{ header: { key: "x-served-by", value: "details" }, append_action: "APPEND_IF_EXISTS_OR_ADD" }]);
    expect(rewrite?.typed_per_filter_config?.["envoy.filters.http.cors"]).toEqual({
      "@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy",
      allow_origin_string_match: [{ exact: "https://example.com" }],
      allow_methods: "GET,POST",
      max_age: "86400",
      filter_enabled: { default_value: { numerator: 100 } },
      forward_not_matching_preflights: true,
    });
  });
});

