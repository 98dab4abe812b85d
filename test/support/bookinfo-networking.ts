// Istio's Bookinfo networking samples (samples/bookinfo/networking) that several embedded-cluster test fixtures share.

/** destination-rule-all.yaml: subsets for productpage, reviews, ratings and details. */
export const destinationRuleAll = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: productpage
spec:
  host: productpage
  subsets:
  - name: v1
    labels:
      version: v1
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v3
    labels:
      version: v3
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
spec:
  host: ratings
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v2-mysql
    labels:
      version: v2-mysql
  - name: v2-mysql-vm
    labels:
      version: v2-mysql-vm
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: details
spec:
  host: details
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
`;

/** virtual-service-reviews-test-v2.yaml: end-user jason to reviews v2, everyone else v1. */
export const reviewsTestV2 = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - match:
    - headers:
        end-user:
          exact: jason
    route:
    - destination:
        host: reviews
        subset: v2
  - route:
    - destination:
        host: reviews
        subset: v1
`;

/** bookinfo-gateway.yaml: Gateway bookinfo-gateway on the ingress pod's port 8080 and the VirtualService bound to it. */
export const bookinfoGateway = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: bookinfo-gateway
spec:
  selector:
    istio: ingressgateway
  servers:
  - port:
      number: 8080
      name: http
      protocol: HTTP
    hosts:
    - "*"
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bookinfo
spec:
  hosts:
  - "*"
  gateways:
  - bookinfo-gateway
  http:
  - match:
    - uri:
        exact: /productpage
    - uri:
        prefix: /static
    - uri:
        exact: /login
    - uri:
        exact: /logout
    - uri:
        prefix: /api/v1/products
    route:
    - destination:
        host: productpage
        port:
          number: 9080
`;

/** virtual-service-reviews-80-20.yaml: reviews split 80/20 between subsets v1 and v2. */
export const reviews8020 = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
      weight: 80
    - destination:
        host: reviews
        subset: v2
      weight: 20
`;

/** The seed lab's circuit breaker: a DestinationRule with tiny connection-pool limits and eager outlier detection. */
export const reviewsCircuitBreaker = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews-cb
spec:
  host: reviews
  trafficPolicy:
    connectionPool:
      http:
        http1MaxPendingRequests: 1
        http2MaxRequests: 1
        maxRequestsPerConnection: 1
    outlierDetection:
      consecutive5xxErrors: 1
      interval: 1s
      baseEjectionTime: 30s
      maxEjectionPercent: 100
`;

/** A DestinationRule `reviews` with the given version subsets (compact YAML). */
export function reviewsSubsets(...versions: string[]): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
${versions.map((v) => `  - {name: ${v}, labels: {version: ${v}}}`).join("\n")}
`;
}

/** A VirtualService `reviews` sending every request to one subset (compact YAML). */
export function reviewsRoutedTo(subset: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: ${subset}}
`;
}

/**
 * The `virtualservice.route-to-subset` objective for reviews as productpage sees it, probed from sleep: through
 * productpage's page (`productpage-reviews`, the default) or straight to reviews (`upstream-pod`).
 */
export function reviewsRouteObjective(subset: string, options: { requests?: number; servedBy?: "productpage-reviews" | "upstream-pod" } = {}) {
  const servedBy = options.servedBy ?? "productpage-reviews";
  const url = servedBy === "upstream-pod" ? "http://reviews:9080/reviews/0" : "http://productpage:9080/productpage";
  return {
    check: "virtualservice.route-to-subset",
    params: {
      host: "reviews",
      subset,
      caller: { namespace: "default", app: "productpage" },
      probe: { from: { namespace: "default", app: "sleep" }, url, requests: options.requests ?? 10 },
      servedBy,
    },
  };
}
