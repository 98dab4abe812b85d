// Every check the grader knows, sorted by id: the only registry.
import type { Check } from "../check";
import analyzeClean from "./analyze/clean";
import cleanupLabResourcesRemoved from "./cleanup/lab-resources-removed";
import destinationruleCircuitBreaker from "./destinationrule/circuit-breaker";
import destinationruleOutlierDetection from "./destinationrule/outlier-detection";
import egressRegistryOnly from "./egress/registry-only";
import gatewayIngressRoute from "./gateway/ingress-route";
import gatewayTlsCredential from "./gateway/tls-credential";
import virtualserviceFaultInjection from "./virtualservice/fault-injection";
import virtualserviceHeaderRoute from "./virtualservice/header-route";
import virtualserviceMirror from "./virtualservice/mirror";
import virtualserviceReachesVersion from "./virtualservice/reaches-version";
import virtualserviceRouteToSubset from "./virtualservice/route-to-subset";
import virtualserviceTimeoutRetries from "./virtualservice/timeout-retries";
import virtualserviceWeightedSplit from "./virtualservice/weighted-split";

export const checks: readonly Check<any>[] = [
  analyzeClean,
  cleanupLabResourcesRemoved,
  destinationruleCircuitBreaker,
  destinationruleOutlierDetection,
  egressRegistryOnly,
  gatewayIngressRoute,
  gatewayTlsCredential,
  virtualserviceFaultInjection,
  virtualserviceHeaderRoute,
  virtualserviceMirror,
  virtualserviceReachesVersion,
  virtualserviceRouteToSubset,
  virtualserviceTimeoutRetries,
  virtualserviceWeightedSplit,
];

const byId = new Map(checks.map((c) => [c.id, c]));

/** The check with this id, or undefined. */
export function findCheck(id: string): Check<any> | undefined {
  return byId.get(id);
}
