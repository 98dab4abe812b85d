// Admission of the embedded API: valid Istio/Kubernetes manifests pass; broken ones are refused at the exact field, with the right reason.
import { describe, expect, it } from "vitest";
import {
  admit,
  admittedKinds,
  destinationRuleSpec,
  gatewaySpec,
  parseDurationMs,
  review,
  serviceEntrySpec,
  virtualServiceSpec,
  type AdmissionObject,
  type DestinationRuleSpec,
  type FieldCause,
  type GatewaySpec,
  type ServiceEntrySpec,
  type VirtualServiceSpec,
} from "@/cluster/embedded/admission/index";
import * as samples from "./samples";
import { copyOf, manifests } from "./samples";

const validSamples: Record<string, string> = {
  "virtual-service-all-v1": samples.virtualServiceAllV1,
  "virtual-service-reviews-80-20": samples.reviews8020,
  "virtual-service-ratings-test-delay (7s)": samples.ratingsTestDelay,
  "ratings delay written as 3000ms": samples.ratingsDelay3000ms,
  "virtual-service-ratings-test-abort": samples.ratingsTestAbort,
  "destination-rule-all": samples.destinationRuleAll,
  "seed lab circuit breaker reviews-cb": samples.reviewsCircuitBreaker,
  "bookinfo-gateway": samples.bookinfoGateway,
  "HTTPS gateway with httpsRedirect": samples.httpsGatewayWithRedirect,
  "DNS ServiceEntry for httpbin.org": samples.httpbinServiceEntry,
  "STATIC ServiceEntry with endpoints": samples.staticServiceEntry,
  "PeerAuthentication STRICT": samples.strictPeerAuthentication,
  "PeerAuthentication with port-level mTLS": samples.portLevelPeerAuthentication,
  "AuthorizationPolicy ALLOW with rules": samples.reviewsAuthorizationPolicy,
  "AuthorizationPolicy deny-all": samples.denyAllPolicy,
  "RequestAuthentication with JWKS URI": samples.jwtRequestAuthentication,
  "Sidecar REGISTRY_ONLY": samples.registryOnlySidecar,
  "VirtualService using most HTTP route features": samples.richVirtualService,
  "Bookinfo Service, ServiceAccount and Deployment": samples.bookinfoCore,
  "Namespace, ConfigMap, TLS Secret, Pod, Endpoints, ReplicaSet": samples.otherCore,
  "request-timeouts task (deprecated percent, 0.5s timeout)": samples.requestTimeoutsTask,
  "mirroring task": samples.mirroringTask,
  "egress gateway task (ServiceEntry, Gateway, DestinationRules, mesh+gateway VirtualService)": samples.egressGatewayTask,
  "TLS passthrough task (tls route with sniHosts)": samples.tlsPassthroughTask,
  "security tasks (allow-nothing, CUSTOM ext-authz, DENY without JWT, PERMISSIVE)": samples.securityTasks,
  "traffic policies (cookie hash with ttl 0s, locality failover, Sidecar ingress)": samples.trafficPolicyVariety,
};

describe("valid manifests are admitted", () => {
  for (const [name, text] of Object.entries(validSamples)) {
    it(name, () => {
      for (const object of manifests(text)) {
        expect({ name: (object.metadata as { name: string }).name, causes: admit(object) }).toEqual({
          name: (object.metadata as { name: string }).name,
          causes: [],
        });
      }
    });
  }

  it("accepts weights that do not sum to 100 (Istio removed that check)", () => {
    const [vs] = manifests(samples.reviews8020);
    const spec = copyOf(vs!).spec as VirtualServiceSpec;
    spec.http![0]!.route![1]!.weight = 30;
    expect(admit({ ...vs!, spec })).toEqual([]);
  });

  it("treats null fields as absent, as the API server does (YAML `subset:` with no value)", () => {
    const object = broken(reviewsVs, (o) => {
      o.metadata.creationTimestamp = null;
      o.spec.http[0].route[0].destination.subset = null;
    });
    expect(admit(object)).toEqual([]);
    expect(admit(broken(reviewsVs, (o) => (o.spec.http[0].route[0].destination.host = null)))).toEqual([
      { reason: "FieldValueRequired", field: "spec.http[0].route[0].destination.host", message: "Required value" },
    ]);
  });

  it("accepts the dry-run annotation on an ALLOW AuthorizationPolicy", () => {
    expect(admit(broken(authorizationPolicy, (o) => (o.metadata.annotations = { "istio.io/dry-run": "true" })))).toEqual([]);
  });

  it("accepts a single destination with weight 0 (it gets all traffic)", () => {
    const spec: VirtualServiceSpec = { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews" }, weight: 0 }] }] };
    expect(admit({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "r" }, spec })).toEqual([]);
  });
});

const [reviewsVs] = manifests(samples.reviews8020);
const [ratingsDelayVs] = manifests(samples.ratingsTestDelay);
const [ratingsAbortVs] = manifests(samples.ratingsTestAbort);
const [reviewsDr] = manifests(samples.destinationRuleAll).slice(1);
const [circuitBreakerDr] = manifests(samples.reviewsCircuitBreaker);
const [gateway, gatewayVs] = manifests(samples.bookinfoGateway);
const [serviceEntry] = manifests(samples.httpbinServiceEntry);
const [peerAuthentication] = manifests(samples.strictPeerAuthentication);
const [authorizationPolicy] = manifests(samples.reviewsAuthorizationPolicy);
const [sidecar] = manifests(samples.registryOnlySidecar);
const [service, , deployment] = manifests(samples.bookinfoCore);
const [, , , pod] = manifests(samples.otherCore);

/** Copies a sample and lets the case break it; `any` keeps the mutations short (the point is to write invalid shapes). */
function broken(sample: AdmissionObject | undefined, mutate: (object: any) => void): AdmissionObject {
  if (!sample) throw new Error("sample missing");
  const object = copyOf(sample);
  mutate(object);
  return object;
}

interface InvalidCase {
  name: string;
  object: AdmissionObject;
  reason: FieldCause["reason"];
  field: string;
}

const invalidCases: InvalidCase[] = [
  {
    name: "duration with a space (3 s)",
    object: broken(ratingsDelayVs, (o) => (o.spec.http[0].fault.delay.fixedDelay = "3 s")),
    reason: "FieldValueInvalid",
    field: "spec.http[0].fault.delay.fixedDelay",
  },
  { name: "negative duration", object: broken(reviewsVs, (o) => (o.spec.http[0].timeout = "-1s")), reason: "FieldValueInvalid", field: "spec.http[0].timeout" },
  {
    name: "duration that is not a number",
    object: broken(reviewsVs, (o) => (o.spec.http[0].retries = { attempts: 3, perTryTimeout: "abc" })),
    reason: "FieldValueInvalid",
    field: "spec.http[0].retries.perTryTimeout",
  },
  { name: "duration below 1ms", object: broken(reviewsVs, (o) => (o.spec.http[0].timeout = "0.5ms")), reason: "FieldValueInvalid", field: "spec.http[0].timeout" },
  { name: "duration finer than 1ms", object: broken(reviewsVs, (o) => (o.spec.http[0].timeout = "1500us")), reason: "FieldValueInvalid", field: "spec.http[0].timeout" },
  {
    name: "fault percentage 150",
    object: broken(ratingsDelayVs, (o) => (o.spec.http[0].fault.delay.percentage.value = 150)),
    reason: "FieldValueInvalid",
    field: "spec.http[0].fault.delay.percentage.value",
  },
  {
    name: "abort httpStatus 700",
    object: broken(ratingsAbortVs, (o) => (o.spec.http[0].fault.abort.httpStatus = 700)),
    reason: "FieldValueInvalid",
    field: "spec.http[0].fault.abort.httpStatus",
  },
  {
    name: "abort httpStatus that is not an integer",
    object: broken(ratingsAbortVs, (o) => (o.spec.http[0].fault.abort.httpStatus = 500.5)),
    reason: "FieldValueTypeInvalid",
    field: "spec.http[0].fault.abort.httpStatus",
  },
  { name: "fault with neither delay nor abort", object: broken(ratingsAbortVs, (o) => (o.spec.http[0].fault = {})), reason: "FieldValueRequired", field: "spec.http[0].fault" },
  { name: "negative weight", object: broken(reviewsVs, (o) => (o.spec.http[0].route[1].weight = -20)), reason: "FieldValueInvalid", field: "spec.http[0].route[1].weight" },
  {
    name: "all weights 0",
    object: broken(reviewsVs, (o) => {
      o.spec.http[0].route[0].weight = 0;
      o.spec.http[0].route[1].weight = 0;
    }),
    reason: "FieldValueInvalid",
    field: "spec.http[0].route",
  },
  { name: "weight written as a string", object: broken(reviewsVs, (o) => (o.spec.http[0].route[0].weight = "80")), reason: "FieldValueTypeInvalid", field: "spec.http[0].route[0].weight" },
  {
    name: "regex with lookahead (not RE2)",
    object: broken(gatewayVs, (o) => (o.spec.http[0].match[1].uri = { regex: "/static(?=/css)" })),
    reason: "FieldValueInvalid",
    field: "spec.http[0].match[1].uri.regex",
  },
  {
    name: "header match regex with backreference",
    object: broken(ratingsDelayVs, (o) => (o.spec.http[0].match[0].headers["end-user"] = { regex: "(a)\\1" })),
    reason: "FieldValueInvalid",
    field: "spec.http[0].match[0].headers[end-user].regex",
  },
  {
    name: "header name with a space",
    object: broken(ratingsDelayVs, (o) => (o.spec.http[0].match[0].headers = { "end user": { exact: "jason" } })),
    reason: "FieldValueInvalid",
    field: "spec.http[0].match[0].headers[end user]",
  },
  {
    name: "StringMatch with both exact and prefix",
    object: broken(gatewayVs, (o) => (o.spec.http[0].match[0].uri = { exact: "/productpage", prefix: "/product" })),
    reason: "FieldValueInvalid",
    field: "spec.http[0].match[0].uri.prefix",
  },
  {
    name: "typo in a field name (rout)",
    object: broken(reviewsVs, (o) => {
      o.spec.http[0].rout = o.spec.http[0].route;
      delete o.spec.http[0].route;
    }),
    reason: "FieldValueUnknown",
    field: "spec.http[0].rout",
  },
  { name: "unknown top-level field", object: broken(reviewsVs, (o) => (o.specs = {})), reason: "FieldValueUnknown", field: "specs" },
  {
    name: "destination without host",
    object: broken(reviewsVs, (o) => delete o.spec.http[0].route[0].destination.host),
    reason: "FieldValueRequired",
    field: "spec.http[0].route[0].destination.host",
  },
  { name: "http rule without any destination", object: broken(reviewsVs, (o) => delete o.spec.http[0].route), reason: "FieldValueRequired", field: "spec.http[0].route" },
  {
    name: "perTryTimeout without attempts",
    object: broken(reviewsVs, (o) => (o.spec.http[0].retries = { perTryTimeout: "2s" })),
    reason: "FieldValueRequired",
    field: "spec.http[0].retries.attempts",
  },
  {
    name: "unknown retryOn policy",
    object: broken(reviewsVs, (o) => (o.spec.http[0].retries = { attempts: 2, retryOn: "5xx,gateway-errors" })),
    reason: "FieldValueNotSupported",
    field: "spec.http[0].retries.retryOn",
  },
  { name: "mirrorPercentage 150", object: broken(reviewsVs, (o) => (o.spec.http[0].mirrorPercentage = { value: 150 })), reason: "FieldValueInvalid", field: "spec.http[0].mirrorPercentage.value" },
  { name: "host with a wildcard in the middle", object: broken(reviewsVs, (o) => (o.spec.hosts = ["reviews.*.svc.cluster.local"])), reason: "FieldValueInvalid", field: "spec.hosts[0]" },
  { name: "host * bound to the mesh", object: broken(reviewsVs, (o) => (o.spec.hosts = ["*"])), reason: "FieldValueInvalid", field: "spec.hosts[0]" },
  { name: "empty host", object: broken(reviewsVs, (o) => (o.spec.hosts = [""])), reason: "FieldValueInvalid", field: "spec.hosts[0]" },
  { name: "duplicate exportTo entry", object: broken(reviewsVs, (o) => (o.spec.exportTo = [".", "."])), reason: "FieldValueDuplicate", field: "spec.exportTo[1]" },
  {
    name: "destination port 0",
    object: broken(gatewayVs, (o) => (o.spec.http[0].route[0].destination.port.number = 0)),
    reason: "FieldValueInvalid",
    field: "spec.http[0].route[0].destination.port.number",
  },
  { name: "unsupported apiVersion", object: broken(reviewsVs, (o) => (o.apiVersion = "networking.istio.io/v2")), reason: "FieldValueNotSupported", field: "apiVersion" },
  { name: "DestinationRule duplicate subset", object: broken(reviewsDr, (o) => (o.spec.subsets[1].name = "v1")), reason: "FieldValueDuplicate", field: "spec.subsets[1].name" },
  { name: "DestinationRule without host", object: broken(reviewsDr, (o) => delete o.spec.host), reason: "FieldValueRequired", field: "spec.host" },
  {
    name: "DestinationRule invalid TLS mode",
    object: broken(circuitBreakerDr, (o) => (o.spec.trafficPolicy.tls = { mode: "STRICT" })),
    reason: "FieldValueNotSupported",
    field: "spec.trafficPolicy.tls.mode",
  },
  {
    name: "DestinationRule invalid loadBalancer",
    object: broken(circuitBreakerDr, (o) => (o.spec.trafficPolicy.loadBalancer = { simple: "FASTEST" })),
    reason: "FieldValueNotSupported",
    field: "spec.trafficPolicy.loadBalancer.simple",
  },
  {
    name: "DestinationRule maxEjectionPercent 150",
    object: broken(circuitBreakerDr, (o) => (o.spec.trafficPolicy.outlierDetection.maxEjectionPercent = 150)),
    reason: "FieldValueInvalid",
    field: "spec.trafficPolicy.outlierDetection.maxEjectionPercent",
  },
  {
    name: "DestinationRule duration without a unit",
    object: broken(circuitBreakerDr, (o) => (o.spec.trafficPolicy.outlierDetection.baseEjectionTime = "30")),
    reason: "FieldValueInvalid",
    field: "spec.trafficPolicy.outlierDetection.baseEjectionTime",
  },
  {
    name: "DestinationRule negative maxConnections",
    object: broken(circuitBreakerDr, (o) => (o.spec.trafficPolicy.connectionPool.tcp.maxConnections = -1)),
    reason: "FieldValueInvalid",
    field: "spec.trafficPolicy.connectionPool.tcp.maxConnections",
  },
  { name: "DestinationRule mutual TLS without certificates", object: broken(circuitBreakerDr, (o) => (o.spec.trafficPolicy.tls = { mode: "MUTUAL", privateKey: "/k" })), reason: "FieldValueRequired", field: "spec.trafficPolicy.tls.clientCertificate" },
  { name: "Gateway port 0", object: broken(gateway, (o) => (o.spec.servers[0].port.number = 0)), reason: "FieldValueInvalid", field: "spec.servers[0].port.number" },
  { name: "Gateway port without number", object: broken(gateway, (o) => delete o.spec.servers[0].port.number), reason: "FieldValueRequired", field: "spec.servers[0].port.number" },
  { name: "Gateway port without name", object: broken(gateway, (o) => delete o.spec.servers[0].port.name), reason: "FieldValueRequired", field: "spec.servers[0].port.name" },
  { name: "Gateway unknown protocol", object: broken(gateway, (o) => (o.spec.servers[0].port.protocol = "HTTP3")), reason: "FieldValueNotSupported", field: "spec.servers[0].port.protocol" },
  {
    name: "Gateway invalid TLS mode",
    object: broken(gateway, (o) => (o.spec.servers[0].tls = { mode: "STRICT" })),
    reason: "FieldValueNotSupported",
    field: "spec.servers[0].tls.mode",
  },
  {
    name: "Gateway HTTPS server without TLS settings",
    object: broken(gateway, (o) => (o.spec.servers[0].port = { number: 443, name: "https", protocol: "HTTPS" })),
    reason: "FieldValueRequired",
    field: "spec.servers[0].tls",
  },
  { name: "Gateway server without hosts", object: broken(gateway, (o) => (o.spec.servers[0].hosts = [])), reason: "FieldValueRequired", field: "spec.servers[0].hosts" },
  { name: "Gateway name with a dot", object: broken(gateway, (o) => (o.metadata.name = "bookinfo.gateway")), reason: "FieldValueInvalid", field: "metadata.name" },
  { name: "ServiceEntry unknown resolution", object: broken(serviceEntry, (o) => (o.spec.resolution = "DNS_ONLY")), reason: "FieldValueNotSupported", field: "spec.resolution" },
  { name: "ServiceEntry port 70000", object: broken(serviceEntry, (o) => (o.spec.ports[0].number = 70000)), reason: "FieldValueInvalid", field: "spec.ports[0].number" },
  { name: "ServiceEntry duplicate port name", object: broken(serviceEntry, (o) => (o.spec.ports[1].name = "http")), reason: "FieldValueDuplicate", field: "spec.ports[1].name" },
  { name: "ServiceEntry host *", object: broken(serviceEntry, (o) => (o.spec.hosts = ["*"])), reason: "FieldValueInvalid", field: "spec.hosts[0]" },
  { name: "PeerAuthentication unknown mTLS mode", object: broken(peerAuthentication, (o) => (o.spec.mtls.mode = "ON")), reason: "FieldValueNotSupported", field: "spec.mtls.mode" },
  {
    name: "PeerAuthentication port-level mTLS without selector",
    object: broken(peerAuthentication, (o) => (o.spec.portLevelMtls = { "8080": { mode: "DISABLE" } })),
    reason: "FieldValueInvalid",
    field: "spec.portLevelMtls",
  },
  { name: "AuthorizationPolicy unknown action", object: broken(authorizationPolicy, (o) => (o.spec.action = "REJECT")), reason: "FieldValueNotSupported", field: "spec.action" },
  { name: "AuthorizationPolicy empty source", object: broken(authorizationPolicy, (o) => (o.spec.rules[0].from[0].source = {})), reason: "FieldValueRequired", field: "spec.rules[0].from[0].source" },
  {
    name: "AuthorizationPolicy invalid ipBlock",
    object: broken(authorizationPolicy, (o) => (o.spec.rules[0].from[0].source.ipBlocks = ["10.0.0.0/33"])),
    reason: "FieldValueInvalid",
    field: "spec.rules[0].from[0].source.ipBlocks[0]",
  },
  { name: "AuthorizationPolicy unknown condition key", object: broken(authorizationPolicy, (o) => (o.spec.rules[0].when[1].key = "source.ips")), reason: "FieldValueNotSupported", field: "spec.rules[0].when[1].key" },
  { name: "AuthorizationPolicy provider without CUSTOM", object: broken(authorizationPolicy, (o) => (o.spec.provider = { name: "ext-authz" })), reason: "FieldValueInvalid", field: "spec.provider" },
  {
    name: "Sidecar unknown outbound mode",
    object: broken(sidecar, (o) => (o.spec.outboundTrafficPolicy.mode = "DENY")),
    reason: "FieldValueNotSupported",
    field: "spec.outboundTrafficPolicy.mode",
  },
  { name: "Sidecar egress host without namespace", object: broken(sidecar, (o) => (o.spec.egress[0].hosts = ["reviews.default.svc.cluster.local"])), reason: "FieldValueInvalid", field: "spec.egress[0].hosts[0]" },
  {
    name: "dry-run annotation on a kind that does not support it",
    object: broken(reviewsVs, (o) => (o.metadata.annotations = { "istio.io/dry-run": "true" })),
    reason: "FieldValueInvalid",
    field: "metadata.annotations[istio.io/dry-run]",
  },
  { name: "bad metadata.name", object: broken(reviewsVs, (o) => (o.metadata.name = "Reviews_V1")), reason: "FieldValueInvalid", field: "metadata.name" },
  { name: "missing metadata.name", object: broken(reviewsVs, (o) => delete o.metadata.name), reason: "FieldValueRequired", field: "metadata.name" },
  { name: "invalid label value", object: broken(service, (o) => (o.metadata.labels.version = "v1!")), reason: "FieldValueInvalid", field: "metadata.labels[version]" },
  { name: "Service name starting with a digit", object: broken(service, (o) => (o.metadata.name = "9reviews")), reason: "FieldValueInvalid", field: "metadata.name" },
  { name: "Service port 0", object: broken(service, (o) => (o.spec.ports[0].port = 0)), reason: "FieldValueInvalid", field: "spec.ports[0].port" },
  { name: "Service protocol HTTP", object: broken(service, (o) => (o.spec.ports[0].protocol = "HTTP")), reason: "FieldValueNotSupported", field: "spec.ports[0].protocol" },
  {
    name: "Service duplicate port names",
    object: broken(service, (o) => o.spec.ports.push({ name: "http", port: 9081 })),
    reason: "FieldValueDuplicate",
    field: "spec.ports[1].name",
  },
  { name: "Deployment negative replicas", object: broken(deployment, (o) => (o.spec.replicas = -1)), reason: "FieldValueInvalid", field: "spec.replicas" },
  {
    name: "Deployment selector not matching template labels",
    object: broken(deployment, (o) => (o.spec.template.metadata.labels.version = "v2")),
    reason: "FieldValueInvalid",
    field: "spec.template.metadata.labels",
  },
  { name: "Pod without containers", object: broken(pod, (o) => (o.spec.containers = [])), reason: "FieldValueRequired", field: "spec.containers" },
  { name: "Pod container without image", object: broken(pod, (o) => delete o.spec.containers[0].image), reason: "FieldValueRequired", field: "spec.containers[0].image" },
];

describe("invalid manifests are refused at the exact field", () => {
  it("has at least 25 cases", () => {
    expect(invalidCases.length).toBeGreaterThanOrEqual(25);
  });

  for (const testCase of invalidCases) {
    it(testCase.name, () => {
      const causes = admit(testCase.object);
      expect(causes.map((cause) => [cause.reason, cause.field])).toEqual([[testCase.reason, testCase.field]]);
      expect(causes[0]?.message).not.toBe("");
    });
  }
});

describe("cause messages and admission steps", () => {
  it("names an unknown field with its full path", () => {
    const object = broken(reviewsVs, (o) => {
      o.spec.http[0].rout = o.spec.http[0].route;
      delete o.spec.http[0].route;
    });
    expect(admit(object)).toEqual([{ reason: "FieldValueUnknown", field: "spec.http[0].rout", message: 'unknown field "spec.http[0].rout"' }]);
  });

  it("lists the supported values of an enum", () => {
    const [cause] = admit(broken(circuitBreakerDr, (o) => (o.spec.trafficPolicy.loadBalancer = { simple: "FASTEST" })));
    expect(cause?.message).toContain('"ROUND_ROBIN"');
    expect(cause?.message).toContain('"LEAST_REQUEST"');
  });

  it("reports schema errors first, like the API server before the webhook runs", () => {
    const object = broken(reviewsVs, (o) => {
      o.spec.http[0].route[0].weight = -1;
      o.spec.http[0].timeout = "3 s";
    });
    expect(review(object)).toEqual({
      deniedBy: "schema",
      causes: [expect.objectContaining({ field: "spec.http[0].timeout", reason: "FieldValueInvalid" })],
    });
  });

  it("reports every webhook problem of a structurally valid object", () => {
    const object = broken(ratingsAbortVs, (o) => {
      o.spec.http[0].fault.abort.httpStatus = 700;
      o.spec.http[0].route[0].weight = -5;
    });
    const result = review(object);
    expect(result.deniedBy).toBe("webhook");
    expect(result.causes.map((cause) => cause.field).sort()).toEqual(["spec.http[0].fault.abort.httpStatus", "spec.http[0].route[0].weight"]);
  });

  it("explains why a regex is refused", () => {
    const [cause] = admit(broken(gatewayVs, (o) => (o.spec.http[0].match[1].uri = { regex: "/static(?=/css)" })));
    expect(cause?.message).toContain("RE2");
  });

  it("refuses kinds it has no schema for", () => {
    expect(admit({ apiVersion: "networking.istio.io/v1", kind: "EnvoyFilter", metadata: { name: "x" }, spec: {} })).toEqual([
      expect.objectContaining({ reason: "FieldValueNotSupported", field: "kind" }),
    ]);
  });

  it("serves every Istio kind in all of its versions", () => {
    expect(admittedKinds).toContainEqual({ group: "networking.istio.io", versions: ["v1", "v1beta1", "v1alpha3"], kind: "VirtualService" });
    expect(admittedKinds).toContainEqual({ group: "security.istio.io", versions: ["v1", "v1beta1"], kind: "AuthorizationPolicy" });
    expect(admittedKinds).toContainEqual({ group: "apps", versions: ["v1"], kind: "Deployment" });
    expect(admittedKinds.map((entry) => entry.kind).sort()).toEqual(
      [
        "AuthorizationPolicy",
        "ConfigMap",
        "Deployment",
        "DestinationRule",
        "Endpoints",
        "Gateway",
        "Namespace",
        "PeerAuthentication",
        "Pod",
        "ReplicaSet",
        "RequestAuthentication",
        "Secret",
        "Service",
        "ServiceAccount",
        "ServiceEntry",
        "Sidecar",
        "VirtualService",
      ].sort(),
    );
  });
});

describe("exported spec schemas and types", () => {
  it("parse typed specs the control plane builds", () => {
    const vs: VirtualServiceSpec = { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews", subset: "v1" }, weight: 100 }], timeout: "10s" }] };
    const dr: DestinationRuleSpec = { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }], trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } };
    const gw: GatewaySpec = { selector: { istio: "ingressgateway" }, servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }] };
    const se: ServiceEntrySpec = { hosts: ["api.example.com"], ports: [{ number: 443, name: "https", protocol: "TLS" }], resolution: "DNS" };
    expect(virtualServiceSpec.parse(vs)).toEqual(vs);
    expect(destinationRuleSpec.parse(dr)).toEqual(dr);
    expect(gatewaySpec.parse(gw)).toEqual(gw);
    expect(serviceEntrySpec.parse(se)).toEqual(se);
  });

  it("apply the webhook rules too", () => {
    const result = virtualServiceSpec.safeParse({ hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews" }, weight: -1 }] }] });
    expect(result.success).toBe(false);
  });
});

describe("durations", () => {
  it.each([
    ["3s", 3000],
    ["3000ms", 3000],
    ["0.5s", 500],
    ["1m", 60_000],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(["3 s", "abc", "3", "s", "1.s5", ""])("%j does not parse", (text) => {
    expect(parseDurationMs(text)).toBeNull();
  });

  it("treats 7s and 7000ms alike in admission", () => {
    const sevenThousand = broken(ratingsDelayVs, (o) => (o.spec.http[0].fault.delay.fixedDelay = "7000ms"));
    expect(admit(sevenThousand)).toEqual([]);
  });
});
