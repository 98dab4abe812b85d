// The analyzer case table: for every analyzer, inputs that must fire and inputs that must stay silent.
import {
  caCertificateAnalyzer,
  conflictingGatewayAnalyzer,
  conflictingMeshGatewayHostsAnalyzer,
  conflictingServiceEntryProtocolAnalyzer,
  destinationHostAnalyzer,
  destinationRuleAnalyzer,
  gatewayAnalyzer,
  ingressGatewayPortAnalyzer,
  injectionAnalyzer,
  protocolAddressesAnalyzer,
  schemaValidationAnalyzer,
  secretAnalyzer,
  subsetSelectPodAnalyzer,
  unreachableRulesAnalyzer,
  type Analyzer,
} from "@/grader/analyze";

export interface AnalyzerCase {
  name: string;
  analyzer: Analyzer;
  yaml: string;
  expected: [code: string, origin: string][];
  /** Substrings that must each appear in one of the messages' texts. */
  texts?: string[];
}

const SERVICES = `
apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: default }
spec:
  selector: { app: reviews }
  ports: [{ name: http, port: 9080 }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80 }, { name: https, port: 443 }]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: external, namespace: default }
spec:
  hosts: [api.example.com, "*.wild.example.com"]
  ports: [{ number: 443, name: https, protocol: HTTPS }]
`;

function vs(name: string, spec: string, namespace = "default"): string {
  return `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: ${namespace} }
spec:
${spec}
`;
}

export const CASES: AnalyzerCase[] = [
  // virtualservice.DestinationHostAnalyzer
  {
    name: "unknown destination host",
    analyzer: destinationHostAnalyzer,
    yaml: SERVICES + vs("r", `  hosts: [reviews]\n  http: [{ route: [{ destination: { host: reviewz } }] }]`),
    expected: [["IST0101", "VirtualService default/r"]],
    texts: ['Referenced host not found: "reviewz"'],
  },
  {
    name: "destination port the service does not expose",
    analyzer: destinationHostAnalyzer,
    yaml: SERVICES + vs("r", `  hosts: [reviews]\n  http: [{ route: [{ destination: { host: reviews, port: { number: 8080 } } }] }]`),
    expected: [["IST0101", "VirtualService default/r"]],
    texts: ['Referenced host:port not found: "reviews:8080"'],
  },
  {
    name: "multi-port service without a destination port",
    analyzer: destinationHostAnalyzer,
    yaml: SERVICES + vs("w", `  hosts: [web]\n  http: [{ route: [{ destination: { host: web } }] }]`),
    expected: [["IST0112", "VirtualService default/w"]],
    texts: ['routes to a service "web" that exposes multiple ports [80 443]'],
  },
  {
    name: "unknown mirror host",
    analyzer: destinationHostAnalyzer,
    yaml: SERVICES + vs("r", `  hosts: [reviews]\n  http: [{ route: [{ destination: { host: reviews } }], mirror: { host: shadow } }]`),
    expected: [["IST0101", "VirtualService default/r"]],
    texts: ['Referenced mirror host not found: "shadow"'],
  },
  {
    name: "gateway route without subset while the mesh route uses subsets",
    analyzer: destinationHostAnalyzer,
    yaml:
      SERVICES +
      vs("reviews", `  hosts: [reviews]\n  http: [{ route: [{ destination: { host: reviews, subset: v1 } }] }]`) +
      vs("edge", `  hosts: ["*"]\n  gateways: [gw]\n  http: [{ route: [{ destination: { host: reviews } }] }]`),
    expected: [["IST0140", "VirtualService default/edge"]],
    texts: ["Subset in virtual service default/reviews has no effect on ingress gateway default/edge requests"],
  },
  {
    name: "short, FQDN, ServiceEntry and wildcard hosts all resolve",
    analyzer: destinationHostAnalyzer,
    yaml:
      SERVICES +
      vs(
        "ok",
        `  hosts: [reviews]
  http:
  - route:
    - { destination: { host: reviews }, weight: 50 }
    - { destination: { host: reviews.default.svc.cluster.local, port: { number: 9080 } }, weight: 50 }
  - route: [{ destination: { host: api.example.com } }]
  - route: [{ destination: { host: eu.wild.example.com } }]
  - route: [{ destination: { host: web, port: { number: 443 } } }]`,
      ) +
      vs("cross", `  hosts: [reviews]\n  http: [{ route: [{ destination: { host: reviews.default.svc.cluster.local } }] }]`, "other"),
    expected: [],
  },
  // virtualservice.DestinationRuleAnalyzer
  {
    name: "subset no DestinationRule defines",
    analyzer: destinationRuleAnalyzer,
    yaml:
      `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec: { host: reviews, subsets: [{ name: v1, labels: { version: v1 } }] }
` + vs("r", `  hosts: [reviews]\n  http: [{ route: [{ destination: { host: reviews, subset: v2 } }], mirror: { host: reviews, subset: v3 } }]`),
    expected: [
      ["IST0101", "VirtualService default/r"],
      ["IST0101", "VirtualService default/r"],
    ],
    texts: ['Referenced host+subset in destinationrule not found: "reviews+v2"', 'Referenced mirror+subset in destinationrule not found: "reviews+v3"'],
  },
  {
    name: "subset defined by a DestinationRule in the service's namespace",
    analyzer: destinationRuleAnalyzer,
    yaml:
      `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: bookinfo }
spec: { host: reviews, subsets: [{ name: v1, labels: { version: v1 } }] }
` + vs("r", `  hosts: [reviews.bookinfo.svc.cluster.local]\n  http: [{ route: [{ destination: { host: reviews.bookinfo.svc.cluster.local, subset: v1 } }, { destination: { host: reviews.bookinfo.svc.cluster.local } }] }]`, "frontend"),
    expected: [],
  },
  // virtualservice.GatewayAnalyzer
  {
    name: "gateway that does not exist",
    analyzer: gatewayAnalyzer,
    yaml: vs("r", `  hosts: [bookinfo.example.com]\n  gateways: [missing-gw, mesh]\n  http: [{ route: [{ destination: { host: reviews } }] }]`),
    expected: [
      ["IST0101", "VirtualService default/r"],
      ["IST0132", "VirtualService default/r"],
    ],
    texts: ['Referenced gateway not found: "missing-gw"', "one or more host [bookinfo.example.com] defined in VirtualService default/r not found in Gateway default/missing-gw."],
  },
  {
    name: "host the gateway does not serve",
    analyzer: gatewayAnalyzer,
    yaml:
      `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: [shop.example.com] }]
` + vs("r", `  hosts: [bookinfo.example.com]\n  gateways: [gw]\n  http: [{ route: [{ destination: { host: reviews } }] }]`),
    expected: [["IST0132", "VirtualService default/r"]],
  },
  {
    name: "cross-namespace gateway with namespaced and wildcard hosts",
    analyzer: gatewayAnalyzer,
    yaml:
      `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: gw, namespace: istio-system }
spec:
  selector: { istio: ingressgateway }
  servers:
  - { port: { number: 80, name: http, protocol: HTTP }, hosts: [default/bookinfo.example.com] }
  - { port: { number: 8080, name: http2, protocol: HTTP }, hosts: ["*.shop.example.com"] }
` +
      vs("r", `  hosts: [bookinfo.example.com]\n  gateways: [istio-system/gw]\n  http: [{ route: [{ destination: { host: reviews } }] }]`) +
      vs("s", `  hosts: [cart.shop.example.com]\n  gateways: [istio-system/gw]\n  http: [{ route: [{ destination: { host: cart } }] }]`, "shop"),
    expected: [],
  },
  // virtualservice.ConflictingMeshGatewayHostsAnalyzer
  {
    name: "two mesh VirtualServices for one host",
    analyzer: conflictingMeshGatewayHostsAnalyzer,
    yaml: vs("a", `  hosts: [reviews]\n  http: [{ route: [{ destination: { host: reviews } }] }]`) + vs("b", `  hosts: [reviews.default.svc.cluster.local]\n  gateways: [mesh]\n  http: [{ route: [{ destination: { host: reviews } }] }]`),
    expected: [
      ["IST0109", "VirtualService default/a"],
      ["IST0109", "VirtualService default/b"],
    ],
  },
  {
    name: "same host split between mesh and an ingress gateway, or kept namespace-local",
    analyzer: conflictingMeshGatewayHostsAnalyzer,
    yaml:
      vs("a", `  hosts: [reviews]\n  http: [{ route: [{ destination: { host: reviews } }] }]`) +
      vs("edge", `  hosts: [reviews.default.svc.cluster.local]\n  gateways: [istio-system/gw]\n  http: [{ route: [{ destination: { host: reviews } }] }]`) +
      vs("local1", `  hosts: [ratings]\n  exportTo: ["."]\n  http: [{ route: [{ destination: { host: ratings } }] }]`, "team1") +
      vs("local2", `  hosts: [ratings.team1.svc.cluster.local]\n  exportTo: ["."]\n  http: [{ route: [{ destination: { host: ratings } }] }]`, "team2"),
    expected: [],
  },
  // destinationrule.CaCertificateAnalyzer
  {
    name: "SIMPLE and MUTUAL TLS without caCertificates",
    analyzer: caCertificateAnalyzer,
    yaml: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: db-tls, namespace: default }
spec:
  host: db.example.com
  trafficPolicy:
    tls: { mode: SIMPLE }
    portLevelSettings: [{ port: { number: 5432 }, tls: { mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem } }]
`,
    expected: [
      ["IST0128", "DestinationRule default/db-tls"],
      ["IST0129", "DestinationRule default/db-tls"],
    ],
    texts: [
      "DestinationRule default/db-tls in namespace default has TLS mode set to SIMPLE but no caCertificates are set to validate server identity for host: db.example.com",
      "has TLS mode set to MUTUAL but no caCertificates are set to validate server identity for host: db.example.com at port number:5432",
    ],
  },
  {
    name: "ISTIO_MUTUAL, caCertificates set, or a credentialName on a workload-scoped rule",
    analyzer: caCertificateAnalyzer,
    yaml: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: mesh, namespace: default }
spec: { host: reviews, trafficPolicy: { tls: { mode: ISTIO_MUTUAL } } }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ca, namespace: default }
spec: { host: db.example.com, trafficPolicy: { tls: { mode: SIMPLE, caCertificates: /etc/ca.pem } } }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: cred, namespace: default }
spec:
  host: db.example.com
  workloadSelector: { matchLabels: { app: client } }
  trafficPolicy: { tls: { mode: MUTUAL, credentialName: client-cert } }
`,
    expected: [],
  },
  // destinationrule.SubsetSelectPodAnalyzer
  {
    name: "host that matches no service, and a subset no pod carries",
    analyzer: subsetSelectPodAnalyzer,
    yaml:
      SERVICES +
      `---
apiVersion: v1
kind: Pod
metadata: { name: reviews-v1-abc, namespace: default, labels: { app: reviews, version: v1 } }
spec: { containers: [{ name: reviews, image: reviews }] }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: fake-host, namespace: default }
spec: { host: nowhere }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec: { host: reviews, subsets: [{ name: v1, labels: { version: v1 } }, { name: v9, labels: { version: v9 } }] }
`,
    expected: [
      ["IST0173", "DestinationRule default/reviews"],
      ["IST0174", "DestinationRule default/fake-host"],
    ],
    texts: [
      "The Subset v9 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).",
      "The host nowhere defined in the DestinationRule does not match any services in the mesh.",
    ],
  },
  {
    name: "files without Pods: subsets are not judged, hosts still are",
    analyzer: subsetSelectPodAnalyzer,
    yaml:
      SERVICES +
      `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec: { host: reviews.default.svc.cluster.local, subsets: [{ name: v9, labels: { version: v9 } }] }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: external, namespace: default }
spec: { host: api.example.com }
`,
    expected: [],
  },
  // gateway.IngressGatewayPortAnalyzer
  {
    name: "selector that matches no pod",
    analyzer: ingressGatewayPortAnalyzer,
    yaml: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  selector: { istio: ingress }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }]
`,
    expected: [["IST0101", "Gateway default/gw"]],
    texts: ['Referenced selector not found: "istio=ingress"'],
  },
  {
    name: "gateway ports that are service target ports",
    analyzer: ingressGatewayPortAnalyzer,
    yaml: `apiVersion: v1
kind: Pod
metadata: { name: ingress-abc, namespace: ingress, labels: { app: custom-ingress } }
spec: { containers: [{ name: istio-proxy, image: proxyv2 }] }
---
apiVersion: v1
kind: Service
metadata: { name: custom-ingress, namespace: ingress }
spec:
  selector: { app: custom-ingress }
  ports: [{ name: http2, port: 80, targetPort: 8080 }, { name: https, port: 443, targetPort: 8443, protocol: TCP }]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  selector: { app: custom-ingress }
  servers:
  - { port: { number: 8080, name: http, protocol: HTTP }, hosts: ["*"] }
  - { port: { number: 8443, name: https, protocol: HTTPS }, hosts: ["*"], tls: { mode: SIMPLE, credentialName: cert } }
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: default-ingress, namespace: default }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }]
`,
    expected: [],
  },
  // gateway.SecretAnalyzer
  {
    name: "credentialName without a Secret in the gateway workload's namespace",
    analyzer: secretAnalyzer,
    yaml: `apiVersion: v1
kind: Secret
metadata: { name: shop-cert, namespace: default }
type: kubernetes.io/tls
data: { tls.crt: "", tls.key: "" }
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  selector: { istio: ingressgateway }
  servers: [{ port: { number: 443, name: https, protocol: HTTPS }, hosts: ["*"], tls: { mode: SIMPLE, credentialName: shop-cert } }]
`,
    expected: [["IST0101", "Gateway default/gw"]],
    texts: ['Referenced credentialName not found: "shop-cert"'],
  },
  {
    name: "credentialName found next to the ingress pods",
    analyzer: secretAnalyzer,
    yaml: `apiVersion: v1
kind: Secret
metadata: { name: shop-cert, namespace: istio-system }
type: kubernetes.io/tls
data: { tls.crt: "", tls.key: "" }
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  selector: { istio: ingressgateway }
  servers:
  - { port: { number: 443, name: https, protocol: HTTPS }, hosts: ["*"], tls: { mode: SIMPLE, credentialName: shop-cert } }
  - { port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }
`,
    expected: [],
  },
  // gateway.ConflictingGatewayAnalyzer
  {
    name: "two gateways claim the same selector, port and host",
    analyzer: conflictingGatewayAnalyzer,
    yaml: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: alpha, namespace: default }
spec: { selector: { istio: ingressgateway }, servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: [shop.example.com] }] }
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: beta, namespace: default }
spec: { selector: { istio: ingressgateway }, servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*.example.com"] }] }
`,
    expected: [
      ["IST0145", "Gateway default/alpha"],
      ["IST0145", "Gateway default/beta"],
    ],
    texts: ["Conflict with gateways default/beta (workload selector istio=ingressgateway, port 80, hosts shop.example.com).", "Conflict with gateways default/alpha (workload selector istio=ingressgateway, port 80, hosts *.example.com)."],
  },
  {
    name: "same selector on different ports",
    analyzer: conflictingGatewayAnalyzer,
    yaml: `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: alpha, namespace: default }
spec: { selector: { istio: ingressgateway }, servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }] }
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: beta, namespace: default }
spec: { selector: { istio: ingressgateway }, servers: [{ port: { number: 8080, name: http, protocol: HTTP }, hosts: ["*"] }] }
`,
    expected: [],
  },
  // serviceentry.Analyzer
  {
    name: "TCP ports without addresses",
    analyzer: protocolAddressesAnalyzer,
    yaml: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: db, namespace: default }
spec:
  hosts: [db.example.com]
  ports:
  - { number: 5432, name: tcp, protocol: TCP }
  - { number: 9000, name: raw }
  resolution: DNS
`,
    expected: [
      ["IST0134", "ServiceEntry default/db"],
      ["IST0134", "ServiceEntry default/db"],
    ],
  },
  {
    name: "HTTP ports, or TCP with addresses",
    analyzer: protocolAddressesAnalyzer,
    yaml: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: web, namespace: default }
spec: { hosts: [web.example.com], ports: [{ number: 443, name: https, protocol: HTTPS }], resolution: DNS }
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: db, namespace: default }
spec: { hosts: [db.example.com], addresses: [10.0.0.10], ports: [{ number: 5432, name: tcp, protocol: TCP }], resolution: STATIC, endpoints: [{ address: 10.0.0.10 }] }
`,
    expected: [],
  },
  // serviceentry.ConflictingServiceEntryProtocolAnalyzer
  {
    name: "one host and port with HTTP and HTTPS",
    analyzer: conflictingServiceEntryProtocolAnalyzer,
    yaml: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: se-http, namespace: default }
spec: { hosts: [api.example.com], ports: [{ number: 443, name: http, protocol: HTTP }], resolution: DNS }
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: se-https, namespace: default }
spec: { hosts: [api.example.com], ports: [{ number: 443, name: https, protocol: HTTPS }], resolution: DNS }
`,
    expected: [
      ["IST0177", "ServiceEntry default/se-http"],
      ["IST0177", "ServiceEntry default/se-https"],
    ],
    texts: ['Multiple ServiceEntries (default/se-http, default/se-https) define the same host "api.example.com" and port 443 with conflicting protocols (HTTP, HTTPS).'],
  },
  {
    name: "same protocol, or entries kept in their own namespaces",
    analyzer: conflictingServiceEntryProtocolAnalyzer,
    yaml: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: a, namespace: team1 }
spec: { hosts: [api.example.com], exportTo: ["."], ports: [{ number: 443, name: http, protocol: HTTP }], resolution: DNS }
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: b, namespace: team2 }
spec: { hosts: [api.example.com], exportTo: ["."], ports: [{ number: 443, name: https, protocol: HTTPS }], resolution: DNS }
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: c, namespace: team1 }
spec: { hosts: [api.example.com], exportTo: ["."], ports: [{ number: 443, name: http-alt, protocol: http }], resolution: DNS }
`,
    expected: [],
  },
  // schema.ValidationAnalyzer
  {
    name: "VirtualService the API would refuse",
    analyzer: schemaValidationAnalyzer,
    yaml: vs("bad", `  hosts: [reviews]\n  http: [{ route: [{ destination: { host: reviews }, weight: "eighty" }] }]`),
    expected: [["IST0106", "VirtualService default/bad"]],
    texts: ['Schema validation error: spec.http[0].route[0].weight: Invalid value: "eighty": must be of type number'],
  },
  {
    name: "valid Istio resources",
    analyzer: schemaValidationAnalyzer,
    yaml:
      vs("good", `  hosts: [reviews]\n  http: [{ route: [{ destination: { host: reviews, subset: v1 }, weight: 80 }, { destination: { host: reviews, subset: v2 }, weight: 20 }] }]`) +
      `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec: { host: reviews, subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }] }
`,
    expected: [],
  },
  // virtualservice.UnreachableRulesAnalyzer
  {
    name: "duplicate match and a second catch-all rule",
    analyzer: unreachableRulesAnalyzer,
    yaml: vs(
      "dup",
      `  hosts: [reviews]
  http:
  - match: [{ headers: { end-user: { exact: jason } } }]
    route: [{ destination: { host: reviews, subset: v2 } }]
  - name: again
    match: [{ headers: { end-user: { exact: jason } } }]
    route: [{ destination: { host: reviews, subset: v3 } }]
  - route: [{ destination: { host: reviews, subset: v1 } }]
  - route: [{ destination: { host: reviews, subset: v1 } }]`,
    ),
    expected: [
      ["IST0130", "VirtualService default/dup"],
      ["IST0130", "VirtualService default/dup"],
      ["IST0131", "VirtualService default/dup"],
    ],
    texts: ['VirtualService rule #3 not used (only the last rule can have no matches).', 'VirtualService rule "again" not used (all matches used by prior rules).', 'VirtualService rule "again" match #0 is not used (duplicate/overlapping match in rule #0).'],
  },
  {
    name: "a prefix match that an earlier prefix covers",
    analyzer: unreachableRulesAnalyzer,
    yaml: vs(
      "overlap",
      `  hosts: [reviews]
  http:
  - match: [{ uri: { prefix: /api } }]
    route: [{ destination: { host: reviews, subset: v1 } }]
  - match: [{ uri: { prefix: /api/v2 } }]
    route: [{ destination: { host: reviews, subset: v2 } }]`,
    ),
    expected: [["IST0131", "VirtualService default/overlap"]],
    texts: ["VirtualService rule #1 match #0 of prefix /api/v2 is not used (duplicate/overlapping match in rule #0 of prefix /api on #0)."],
  },
  {
    name: "distinct matches followed by one default route",
    analyzer: unreachableRulesAnalyzer,
    yaml: vs(
      "fine",
      `  hosts: [reviews]
  http:
  - match: [{ headers: { end-user: { exact: jason } } }]
    route: [{ destination: { host: reviews, subset: v2 } }]
  - match: [{ uri: { prefix: /v2 } }, { uri: { prefix: /beta }, method: { exact: POST } }]
    route: [{ destination: { host: reviews, subset: v3 } }]
  - match: [{ uri: { prefix: /beta/x } }]
    route: [{ destination: { host: reviews, subset: v3 } }]
  - route: [{ destination: { host: reviews, subset: v1 } }]`,
    ),
    expected: [],
  },
  // injection.Analyzer
  {
    name: "namespace without injection label and a pod missing its proxy",
    analyzer: injectionAnalyzer,
    yaml: `apiVersion: v1
kind: Namespace
metadata: { name: plain }
---
apiVersion: v1
kind: Namespace
metadata: { name: mesh, labels: { istio-injection: enabled } }
---
apiVersion: v1
kind: Pod
metadata: { name: app-1, namespace: mesh, labels: { app: app } }
spec: { containers: [{ name: app, image: app }] }
`,
    expected: [
      ["IST0102", "Namespace plain"],
      ["IST0103", "Pod mesh/app-1"],
    ],
    texts: [
      "The namespace is not enabled for Istio injection. Run 'kubectl label namespace plain istio-injection=enabled' to enable it, or 'kubectl label namespace plain istio-injection=disabled' to explicitly mark it as not needing injection.",
      "The pod mesh/app-1 is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.",
    ],
  },
  {
    name: "injected pods, opted-out pods and namespaces, system namespaces",
    analyzer: injectionAnalyzer,
    yaml: `apiVersion: v1
kind: Namespace
metadata: { name: mesh, labels: { istio-injection: enabled } }
---
apiVersion: v1
kind: Namespace
metadata: { name: canary, labels: { istio.io/rev: canary } }
---
apiVersion: v1
kind: Namespace
metadata: { name: legacy, labels: { istio-injection: disabled } }
---
apiVersion: v1
kind: Namespace
metadata: { name: kube-system }
---
apiVersion: v1
kind: Pod
metadata: { name: app-1, namespace: mesh }
spec: { containers: [{ name: app, image: app }, { name: istio-proxy, image: proxyv2 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: job-1, namespace: mesh, annotations: { sidecar.istio.io/inject: "false" } }
spec: { containers: [{ name: job, image: job }] }
---
apiVersion: v1
kind: Pod
metadata: { name: old-1, namespace: legacy }
spec: { containers: [{ name: old, image: old }] }
`,
    expected: [],
  },
];
