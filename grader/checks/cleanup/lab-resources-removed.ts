/** Fails while VirtualServices for the given hosts, or traffic policies the lab added, are still in the cluster; evidence: each leftover object. */
import { z } from "zod";
import { defineCheck, type Finding } from "../../check";
import { destinationRulesFor, drSpec, toFqdn, virtualServicesForHost } from "../../istio/routing";
import { namespaceParam } from "../params";

export default defineCheck({
  id: "cleanup.lab-resources-removed",
  title: "The lab's routing and traffic policies are removed",
  description: "No VirtualService routes the listed hosts any more, and no DestinationRule for the listed hosts keeps connection-pool or outlier-detection settings; the sample subsets may stay.",
  codes: ["ICA0205", "ICA0309"],
  params: z
    .object({
      namespace: namespaceParam,
      virtualServiceHosts: z.array(z.string().min(1)).default([]),
      trafficPolicyHosts: z.array(z.string().min(1)).default([]),
    })
    .strict(),
  inputs: () => ({ kinds: ["VirtualService", "DestinationRule"], proxies: [], probes: [] }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    for (const host of p.virtualServiceHosts) {
      for (const vs of virtualServicesForHost(snapshot, toFqdn(p.namespace, host))) {
        findings.push({
          code: "ICA0309",
          severity: "error",
          message: `VirtualService ${vs.metadata.namespace}/${vs.metadata.name} still routes ${host}.`,
          resource: { kind: "VirtualService", namespace: vs.metadata.namespace, name: vs.metadata.name },
          hint: `kubectl delete virtualservice ${vs.metadata.name} -n ${vs.metadata.namespace}`,
        });
      }
    }
    for (const host of p.trafficPolicyHosts) {
      for (const dr of destinationRulesFor(snapshot, toFqdn(p.namespace, host), p.namespace)) {
        const policies = [drSpec(dr).trafficPolicy, ...(drSpec(dr).subsets ?? []).map((s) => s.trafficPolicy)];
        if (!policies.some((t) => t?.connectionPool || t?.outlierDetection)) continue;
        const onlyPolicy = (drSpec(dr).subsets ?? []).length === 0;
        findings.push({
          code: "ICA0205",
          severity: "error",
          message: `DestinationRule ${dr.metadata.namespace}/${dr.metadata.name} still sets connection-pool or outlier-detection limits for ${host}.`,
          resource: { kind: "DestinationRule", namespace: dr.metadata.namespace, name: dr.metadata.name },
          path: "spec.trafficPolicy",
          hint: onlyPolicy
            ? `kubectl delete destinationrule ${dr.metadata.name} -n ${dr.metadata.namespace}`
            : `This rule also defines subsets other routes need: remove only its trafficPolicy (kubectl edit destinationrule ${dr.metadata.name}).`,
        });
      }
    }
    return findings;
  },
});
