// IST0174 (DestinationRule host matches no Service or ServiceEntry) and IST0173 (a subset selects no pods).
import type { Analyzer } from "../../analyzer";
import { buildHostTable, resolveHost } from "../../hosts";
import { DestinationRuleSubsetNotSelectPods, UnknownDestinationRuleHost } from "../../messages";
import { selectorMatches, type Resource } from "../../resources";

export const subsetSelectPodAnalyzer: Analyzer = {
  metadata: {
    name: "destinationrule.SubsetSelectPodAnalyzer",
    description: "Checks if pods are selected by subsets in destination rules.",
    inputs: ["DestinationRule", "Pod", "Service", "ServiceEntry"],
    sinceIstio: "1.27",
  },
  analyze(ctx) {
    const hosts = buildHostTable(ctx);
    const pods = ctx.list("Pod");
    // From files alone the workload pods are unknown (Deployments are not expanded), so subsets are only judged
    // when real Pods are part of the input.
    const podsKnown = pods.some((pod) => !pod.synthetic);
    const unmatched: { rule: Resource<"DestinationRule">; subset: string; selector: Record<string, string> }[] = [];
    for (const rule of ctx.list("DestinationRule")) {
      const target = resolveHost(hosts, rule.namespace, rule.spec.exportTo, rule.spec.host);
      if (!target) {
        ctx.report(rule, UnknownDestinationRuleHost, [rule.spec.host], "spec.host");
        continue;
      }
      if (!podsKnown) continue;
      rule.spec.subsets.forEach((subset) => {
        unmatched.push({ rule, subset: subset.name, selector: { ...target.workloadLabels, ...subset.labels } });
      });
    }
    for (const entry of unmatched) {
      if (pods.some((pod) => selectorMatches(entry.selector, pod.labels))) continue;
      const index = entry.rule.spec.subsets.findIndex((subset) => subset.name === entry.subset);
      ctx.report(entry.rule, DestinationRuleSubsetNotSelectPods, [entry.subset], `spec.subsets[${index}].name`);
    }
  },
};
