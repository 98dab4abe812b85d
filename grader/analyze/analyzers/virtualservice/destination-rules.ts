// IST0101 (host+subset, mirror+subset in destinationrule): every subset a VirtualService routes to must be defined by a DestinationRule.
import type { Analyzer } from "../../analyzer";
import { serviceNameFromHost } from "../../hosts";
import { ReferencedResourceNotFound } from "../../messages";
import { mirrorDestinations, routeDestinations } from "../../routes";

function subsetKey(namespace: string, host: string, subset: string): string {
  const service = serviceNameFromHost(namespace, host);
  return `${service.namespace}/${service.name}+${subset}`;
}

export const destinationRuleAnalyzer: Analyzer = {
  metadata: {
    name: "virtualservice.DestinationRuleAnalyzer",
    description: "Checks the destination rules associated with each virtual service",
    inputs: ["VirtualService", "DestinationRule"],
  },
  analyze(ctx) {
    const defined = new Set<string>();
    for (const rule of ctx.list("DestinationRule")) {
      for (const subset of rule.spec.subsets) defined.add(subsetKey(rule.namespace, rule.spec.host, subset.name));
    }
    for (const vs of ctx.list("VirtualService")) {
      for (const [refs, reftype] of [
        [routeDestinations(vs.spec), "host+subset in destinationrule"],
        [mirrorDestinations(vs.spec), "mirror+subset in destinationrule"],
      ] as const) {
        for (const { destination, hostField } of refs) {
          if (destination.subset === "" || defined.has(subsetKey(vs.namespace, destination.host, destination.subset))) continue;
          ctx.report(vs, ReferencedResourceNotFound, [reftype, `${destination.host}+${destination.subset}`], hostField);
        }
      }
    }
  },
};
