// The grader's message catalog, sorted by code. Codes are stable and never reused: retired ones stay as comments.
// ICA00xx could not grade · ICA02xx DestinationRule · ICA03xx VirtualService · ICA04xx analyzer ·
// ICA05xx cluster state · ICA09xx Envoy config · ICA095x live traffic.

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
  { code: "ICA0332", name: "NoRouteForRequests", description: "No rule of the VirtualService takes some requests, so Envoy answers them 404 (NR)." },
  { code: "ICA0401", name: "AnalyzerError", description: "istioctl analyze reports a message at or above the failure threshold." },
  { code: "ICA0402", name: "AnalyzerClean", description: "Evidence: istioctl analyze found nothing at or above the failure threshold." },
  { code: "ICA0901", name: "EnvoyRouteMismatch", description: "The caller's Envoy route does not send the host's traffic to the expected cluster(s)." },
  { code: "ICA0902", name: "EnvoyRouteMissing", description: "The caller's Envoy has no route for the host." },
  { code: "ICA0903", name: "EnvoyFaultMismatch", description: "The caller's Envoy route lacks the expected fault filter config." },
  { code: "ICA0904", name: "EnvoyCircuitBreakerMismatch", description: "The caller's Envoy cluster does not carry the expected circuit-breaker thresholds." },
  { code: "ICA0905", name: "EnvoyConfigObserved", description: "Evidence: the Envoy config that implements the objective." },
  { code: "ICA0906", name: "EnvoyNoHealthyEndpoints", description: "The cluster the caller's Envoy routes to has no healthy endpoints (503 UH, no healthy upstream)." },
  { code: "ICA0951", name: "TrafficUnexpectedDestination", description: "Live requests reached a version they should not have." },
  { code: "ICA0952", name: "TrafficSplitOutOfInterval", description: "The observed split is not statistically consistent with the requested weights." },
  { code: "ICA0953", name: "TrafficLatencyOutOfRange", description: "Requests that reached the service were not delayed as asked." },
  { code: "ICA0954", name: "TrafficNoOverflow", description: "Concurrent load did not produce 503 responses flagged UO (circuit breaker overflow)." },
  { code: "ICA0955", name: "TrafficObserved", description: "Evidence: what live traffic did." },
  { code: "ICA0956", name: "TrafficErrors", description: "Live requests failed in a way the objective does not expect." },
] as const satisfies readonly MessageSpec[];

export type MessageCode = (typeof messages)[number]["code"];

const byCode = new Map<string, MessageSpec>(messages.map((m) => [m.code, m]));

/** The catalog entry of a code (undefined for unknown codes). */
export function messageSpec(code: string): MessageSpec | undefined {
  return byCode.get(code);
}
