// The grader's message catalog, sorted by code. Codes are stable and never reused: retired ones stay as comments.
// ICA00xx could not grade · ICA02xx DestinationRule · ICA03xx VirtualService · ICA04xx analyzer ·
// ICA05xx cluster state · ICA06xx Gateway and egress · ICA09xx Envoy config · ICA095x–ICA097x live traffic.

export interface MessageSpec {
  code: string;
  name: string;
  /** What the code means, for the catalog page and the meta-tests. */
  description: string;
}

export const messages = [
  { code: "ICA0001", name: "InternalError", description: "The grader itself failed; this says nothing about the learner's work." },
  { code: "ICA0002", name: "ClusterUnavailable", description: "The cluster could not be reached or answered with an error, so the objective could not be graded." },
  { code: "ICA0003", name: "ConfigNotPropagated", description: "Proxies did not acknowledge the latest configuration within the grading window." },
  { code: "ICA0004", name: "ProxyNotFound", description: "No running pod with a sidecar matched the proxy the check needs." },
  { code: "ICA0005", name: "InvalidParameters", description: "The objective's parameters do not fit the check (a lab authoring error)." },
  { code: "ICA0201", name: "SubsetNotDefined", description: "A route names a subset that no DestinationRule for the host defines (Envoy answers 503 NC)." },
  { code: "ICA0202", name: "ConnectionPoolMissing", description: "No DestinationRule for the host sets connection-pool limits." },
  { code: "ICA0203", name: "ConnectionPoolTooLoose", description: "The connection-pool limits admit the whole load, so the breaker cannot trip." },
  { code: "ICA0204", name: "ConnectionPoolObserved", description: "Evidence: the connection-pool limits in effect for the host." },
  { code: "ICA0205", name: "TrafficPolicyStillPresent", description: "A DestinationRule still carries the traffic policy the lab asked to remove." },
  { code: "ICA0206", name: "SubsetSelectsNoPods", description: "A subset's labels, together with the Service's selector, match no running pod: Envoy gets no endpoints for it and answers 503 UH." },
  { code: "ICA0230", name: "OutlierDetectionMissing", description: "No outlierDetection is in effect for the host's traffic, so a failing endpoint keeps receiving requests." },
  { code: "ICA0231", name: "OutlierEjectionCapped", description: "maxEjectionPercent is too low to eject even one of the host's endpoints (Envoy counts ejections_overflow instead)." },
  { code: "ICA0232", name: "OutlierDetectionNotApplied", description: "outlierDetection is set only where the traffic does not go (a subset no route uses), or its error threshold is disabled." },
  { code: "ICA0233", name: "OutlierDetectionObserved", description: "Evidence: the outlier-detection settings in effect for the host." },
  { code: "ICA0301", name: "VirtualServiceMissing", description: "No VirtualService routes the host for sidecar (mesh) traffic." },
  { code: "ICA0302", name: "RouteDestinationMismatch", description: "Requests are routed somewhere other than the expected subset." },
  { code: "ICA0303", name: "WeightsMismatch", description: "The route's weights differ from the requested split." },
  { code: "ICA0304", name: "FaultMissing", description: "No fault of the expected type is configured on the host's routes." },
  { code: "ICA0305", name: "FaultValueMismatch", description: "The fault is configured with a different delay, status or percentage." },
  { code: "ICA0306", name: "FaultNotForAllRequests", description: "The fault only applies to some requests (a match, or a percentage below 100)." },
  { code: "ICA0307", name: "FaultOnOtherHost", description: "A matching fault exists, but on a different service than asked." },
  { code: "ICA0308", name: "RouteObserved", description: "Evidence: the VirtualService route that serves the host." },
  { code: "ICA0309", name: "VirtualServiceStillPresent", description: "A VirtualService the lab asked to remove still routes the host." },
  { code: "ICA0310", name: "FaultTooBroad", description: "The fault applies to more requests than the objective asks (for everyone instead of one user)." },
  { code: "ICA0331", name: "HeaderRouteShadowed", description: "A rule that matches every request sits above the header match, so the matching requests never reach their rule." },
  { code: "ICA0332", name: "NoRouteForRequests", description: "No rule of the VirtualService takes some requests, so Envoy answers them 404 (NR)." },
  { code: "ICA0333", name: "RouteTimeoutMismatch", description: "The route's timeout is missing or differs from the requested one." },
  { code: "ICA0334", name: "RetriesMismatch", description: "The route's retries are missing, have too few attempts, or lack a per-try timeout." },
  { code: "ICA0335", name: "RetryBudgetExceedsTimeout", description: "Every try at its per-try timeout takes longer than the route timeout, which cuts the last tries short." },
  { code: "ICA0336", name: "RetryOnMissesTimeouts", description: "retryOn has no condition that retries a try that timed out (5xx, gateway-error or reset)." },
  { code: "ICA0337", name: "MirrorMissing", description: "The route that serves users does not mirror traffic." },
  { code: "ICA0338", name: "MirrorTargetMismatch", description: "Traffic is mirrored to a different host or subset, or at a different percentage, than asked." },
  { code: "ICA0401", name: "AnalyzerError", description: "istioctl analyze reports a message at or above the failure threshold." },
  { code: "ICA0402", name: "AnalyzerClean", description: "Evidence: istioctl analyze found nothing at or above the failure threshold." },
  { code: "ICA0601", name: "GatewayServerMissing", description: "No Gateway on the ingress gateway workload has a server for the host and port." },
  { code: "ICA0602", name: "GatewayVirtualServiceUnbound", description: "No VirtualService bound to the Gateway (spec.gateways) serves the host, so the gateway answers 404." },
  { code: "ICA0603", name: "GatewayPathNotRouted", description: "A path is not routed from the gateway to the expected destination." },
  { code: "ICA0604", name: "GatewayTlsMismatch", description: "The Gateway's server for the host does not terminate TLS as asked (protocol, port, mode or credentialName)." },
  { code: "ICA0605", name: "GatewayCredentialMissing", description: "The Secret named by credentialName does not exist in the gateway workload's namespace." },
  { code: "ICA0606", name: "GatewayCredentialInvalid", description: "The credential Secret lacks a usable certificate and key, or its certificate does not cover the host." },
  { code: "ICA0607", name: "GatewayConfigObserved", description: "Evidence: the Gateway, its bound VirtualService and credential as configured." },
  { code: "ICA0611", name: "OutboundPolicyNotRegistryOnly", description: "The outbound traffic policy in effect for the caller is not REGISTRY_ONLY, so unknown external hosts stay reachable." },
  { code: "ICA0612", name: "ExternalHostNotRegistered", description: "No ServiceEntry visible to the caller registers the external host on the port the caller uses." },
  { code: "ICA0613", name: "ExternalHostsTooBroad", description: "A ServiceEntry or policy opens external hosts the objective wants blocked." },
  { code: "ICA0614", name: "EgressConfigObserved", description: "Evidence: the outbound traffic policy and ServiceEntries in effect for the caller." },
  { code: "ICA0901", name: "EnvoyRouteMismatch", description: "The caller's Envoy route does not send the host's traffic to the expected cluster(s)." },
  { code: "ICA0902", name: "EnvoyRouteMissing", description: "The caller's Envoy has no route for the host." },
  { code: "ICA0903", name: "EnvoyFaultMismatch", description: "The caller's Envoy route lacks the expected fault filter config." },
  { code: "ICA0904", name: "EnvoyCircuitBreakerMismatch", description: "The caller's Envoy cluster does not carry the expected circuit-breaker thresholds." },
  { code: "ICA0905", name: "EnvoyConfigObserved", description: "Evidence: the Envoy config that implements the objective." },
  { code: "ICA0906", name: "EnvoyNoHealthyEndpoints", description: "The cluster the caller's Envoy routes to has no healthy endpoints (503 UH, no healthy upstream)." },
  { code: "ICA0930", name: "EnvoyRetryPolicyMismatch", description: "The caller's Envoy route lacks the expected timeout or retry_policy." },
  { code: "ICA0931", name: "EnvoyMirrorMismatch", description: "The caller's Envoy route lacks the expected request_mirror_policies." },
  { code: "ICA0932", name: "EnvoyOutlierDetectionMismatch", description: "The caller's Envoy cluster lacks the expected outlier_detection settings." },
  { code: "ICA0933", name: "EnvoyGatewayRouteMismatch", description: "The ingress gateway's Envoy has no route for the host and path, or sends it elsewhere." },
  { code: "ICA0934", name: "EnvoyTlsListenerMismatch", description: "The ingress gateway's Envoy has no TLS filter chain for the host with the expected SDS certificate." },
  { code: "ICA0935", name: "EnvoyOutboundPolicyMismatch", description: "The caller's Envoy routes unknown hosts or a registered external host differently than the policy asks." },
  { code: "ICA0951", name: "TrafficUnexpectedDestination", description: "Live requests reached a version they should not have." },
  { code: "ICA0952", name: "TrafficSplitOutOfInterval", description: "The observed split is not statistically consistent with the requested weights." },
  { code: "ICA0953", name: "TrafficLatencyOutOfRange", description: "Requests that reached the service were not delayed as asked." },
  { code: "ICA0954", name: "TrafficNoOverflow", description: "Concurrent load did not produce 503 responses flagged UO (circuit breaker overflow)." },
  { code: "ICA0955", name: "TrafficObserved", description: "Evidence: what live traffic did." },
  { code: "ICA0956", name: "TrafficErrors", description: "Live requests failed in a way the objective does not expect." },
  { code: "ICA0970", name: "TrafficSlowerThanTimeout", description: "Requests took longer than the route timeout allows." },
  { code: "ICA0971", name: "TrafficFailuresAboveBudget", description: "More requests failed than the objective tolerates." },
  { code: "ICA0972", name: "TrafficMirrorNotObserved", description: "The mirror target's sidecar did not receive the shadow copies (authority ending in -shadow)." },
  { code: "ICA0973", name: "TrafficFailingHostNotEjected", description: "Requests kept reaching the failing endpoint: it was never ejected." },
  { code: "ICA0974", name: "TrafficEgressMismatch", description: "An external host that should be reachable was blocked, or one that should be blocked answered." },
] as const satisfies readonly MessageSpec[];

export type MessageCode = (typeof messages)[number]["code"];

const byCode = new Map<string, MessageSpec>(messages.map((m) => [m.code, m]));

/** The catalog entry of a code (undefined for unknown codes). */
export function messageSpec(code: string): MessageSpec | undefined {
  return byCode.get(code);
}
