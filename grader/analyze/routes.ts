// Enumerates the destinations of a VirtualService with the field path of each (routes first, then mirrors).
import type { DestinationView, VirtualServiceView } from "./resources";

/** One destination of a VirtualService and where it sits in the spec. */
export interface RouteDestinationRef {
  /** The destination; a route entry without one reads as host "". */
  destination: DestinationView;
  /** Path of the destination's host field, e.g. `spec.http[0].route[1].destination.host`. */
  hostField: string;
}

const MISSING: DestinationView = { host: "", subset: "", port: undefined };

/** tcp, tls and http route destinations, in istio's order. */
export function routeDestinations(spec: VirtualServiceView): RouteDestinationRef[] {
  const refs: RouteDestinationRef[] = [];
  for (const protocol of ["tcp", "tls", "http"] as const) {
    spec[protocol].forEach((rule, ruleIndex) => {
      rule.route.forEach((entry, routeIndex) => {
        refs.push({ destination: entry.destination ?? MISSING, hostField: `spec.${protocol}[${ruleIndex}].route[${routeIndex}].destination.host` });
      });
    });
  }
  return refs;
}

/** http mirror and mirrors destinations. */
export function mirrorDestinations(spec: VirtualServiceView): RouteDestinationRef[] {
  const refs: RouteDestinationRef[] = [];
  spec.http.forEach((rule, ruleIndex) => {
    if (rule.mirror) refs.push({ destination: rule.mirror, hostField: `spec.http[${ruleIndex}].mirror.host` });
    rule.mirrors.forEach((mirror, mirrorIndex) => {
      refs.push({ destination: mirror.destination ?? MISSING, hostField: `spec.http[${ruleIndex}].mirrors[${mirrorIndex}].destination.host` });
    });
  });
  return refs;
}
