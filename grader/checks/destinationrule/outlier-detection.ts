/** Fails when the traffic to a host has no outlier detection that can eject a failing endpoint; evidence: the policy in effect for the clusters the caller uses, their Envoy outlier_detection, and a probe whose later requests must all succeed. */
import { z } from "zod";
import type { OutlierDetection, TrafficPolicy } from "@/cluster/embedded/admission";
import { defineCheck, type Finding, type ResourceRef } from "../../check";
import { parseClusterName, routeDestinations } from "../../envoy/config-dump";
import { envoyRouteFor, podsSelected, requestFromUrl } from "../../istio/requests";
import { definedSubsets, destinationRulesFor, drSpec, effectiveTrafficPolicy, toFqdn } from "../../istio/routing";
import { countBy, probeEvidence, statusLabel } from "../../istio/traffic";
import type { Snapshot } from "../../snapshot/snapshot";
import { namespaceParam, probeParam, proxySelectorParam } from "../params";

const docsUrl = "https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection";

const params = z
  .object({
    host: z.string().min(1),
    namespace: namespaceParam,
    port: z.number().int().min(1).max(65535).default(9080),
    caller: proxySelectorParam,
    /** Requests to the host; once the failing endpoint is ejected, the second half of them must all succeed. */
    probe: probeParam,
  })
  .strict();
type Params = z.infer<typeof params>;

/** The outlier detection a cluster of the host gets: the subset's own policy field, else the rule's top-level one. */
function outlierInEffect(snapshot: Snapshot, p: Params, subset: string): { policy?: OutlierDetection; resource?: ResourceRef; path?: string } {
  const fqdn = toFqdn(p.namespace, p.host);
  if (subset) {
    const found = definedSubsets(snapshot, fqdn, p.namespace).get(subset);
    const own = found?.subset.trafficPolicy?.outlierDetection;
    if (found && own) {
      const index = (drSpec(found.rule).subsets ?? []).indexOf(found.subset);
      return { policy: own, resource: ref(found.rule), path: `spec.subsets[${index}].trafficPolicy.outlierDetection` };
    }
  }
  const top = effectiveTrafficPolicy(snapshot, fqdn, p.namespace);
  return top?.policy.outlierDetection ? { policy: top.policy.outlierDetection, resource: ref(top.rule), path: "spec.trafficPolicy.outlierDetection" } : {};
}

function ref(obj: { kind: string; metadata: { namespace?: string; name: string } }): ResourceRef {
  return { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name };
}

/** Where outlierDetection is written for the host but does not reach the clusters in use (for the hint). */
function unusedOutlierSettings(snapshot: Snapshot, p: Params, used: readonly string[]): string[] {
  const fqdn = toFqdn(p.namespace, p.host);
  const places: string[] = [];
  for (const rule of destinationRulesFor(snapshot, fqdn, p.namespace)) {
    (drSpec(rule).subsets ?? []).forEach((s) => {
      if (s.trafficPolicy?.outlierDetection && !used.includes(s.name)) places.push(`${rule.metadata.name} › subset ${s.name}`);
    });
    const top: TrafficPolicy | undefined = drSpec(rule).trafficPolicy;
    if (top?.outlierDetection && effectiveTrafficPolicy(snapshot, fqdn, p.namespace)?.rule !== rule) places.push(`${rule.metadata.name} (ignored: an older rule for the host already sets a traffic policy)`);
  }
  return places;
}

export default defineCheck({
  id: "destinationrule.outlier-detection",
  title: "A failing endpoint is ejected by outlier detection",
  description:
    "The clusters the caller uses for the host get outlierDetection with an enabled error threshold and a maxEjectionPercent that lets at least one endpoint go, the caller's Envoy clusters carry outlier_detection, and once the failing endpoint has been ejected live requests stop failing.",
  codes: ["ICA0230", "ICA0231", "ICA0232", "ICA0233", "ICA0902", "ICA0905", "ICA0932", "ICA0955", "ICA0973"],
  params,
  inputs: (p) => ({
    kinds: ["DestinationRule", "Service", "Pod"],
    proxies: [p.caller],
    probes: [{ id: "traffic", spec: p.probe, afterSync: true }],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const fqdn = toFqdn(p.namespace, p.host);
    const request = requestFromUrl(p.probe.url, p.probe.headers);

    // Which clusters (subsets) the caller's traffic uses: read from its Envoy route, else the plain service cluster.
    const envoy = snapshot.envoy(p.caller);
    const picked = envoy ? envoyRouteFor(envoy.config, String(p.port), request) : undefined;
    const clusters = picked?.route ? routeDestinations(picked.route).filter((d) => d.weight > 0).map((d) => d.cluster).filter((c) => parseClusterName(c)?.host === fqdn) : [];
    const clusterNames = clusters.length ? clusters : [`outbound|${p.port}||${fqdn}`];
    const subsets = clusterNames.map((c) => parseClusterName(c)?.subset ?? "");

    // The Istio objects: outlier detection in effect for each of those clusters.
    for (const subset of new Set(subsets)) {
      const where = subset ? `subset ${subset} of ${p.host}` : p.host;
      const { policy, resource, path } = outlierInEffect(snapshot, p, subset);
      const subsetLabels = subset ? (definedSubsets(snapshot, fqdn, p.namespace).get(subset)?.subset.labels ?? {}) : {};
      const endpoints = podsSelected(snapshot, fqdn, p.namespace, subsetLabels).length;
      if (!policy) {
        const elsewhere = unusedOutlierSettings(snapshot, p, subsets);
        findings.push({
          code: elsewhere.length ? "ICA0232" : "ICA0230",
          severity: "error",
          message: elsewhere.length
            ? `Traffic to ${where} gets no outlier detection: it is only set on ${elsewhere.join(", ")}, which these requests never use.`
            : `No DestinationRule gives ${where} an outlierDetection, so a failing endpoint keeps its share of requests.`,
          path: "spec.trafficPolicy.outlierDetection",
          expected: { outlierDetection: { consecutive5xxErrors: "≥ 1", maxEjectionPercent: endpoints > 0 ? `≥ ${Math.ceil(100 / endpoints)}` : "enough for one endpoint" } },
          hint: elsewhere.length
            ? "Put outlierDetection in the top-level trafficPolicy of the host's DestinationRule (or route the traffic to the subset that has it)."
            : `Add trafficPolicy.outlierDetection to the DestinationRule for ${p.host}.`,
          docsUrl,
        });
        continue;
      }
      const threshold = policy.consecutive5xxErrors ?? policy.consecutiveErrors ?? 5;
      const gatewayThreshold = policy.consecutiveGatewayErrors ?? 0;
      const maxPercent = policy.maxEjectionPercent ?? 10;
      const needed = endpoints > 0 ? Math.ceil(100 / endpoints) : 100;
      if (threshold === 0 && gatewayThreshold === 0) {
        findings.push({ code: "ICA0232", severity: "error", message: `consecutive5xxErrors is 0 and no consecutiveGatewayErrors is set: this outlierDetection never ejects anything.`, resource, path: `${path}.consecutive5xxErrors`, expected: "≥ 1", actual: 0, docsUrl });
      } else if (endpoints > 0 && (100 * 1) / endpoints > maxPercent) {
        findings.push({
          code: "ICA0231",
          severity: "error",
          message: `maxEjectionPercent is ${maxPercent}${policy.maxEjectionPercent === undefined ? " (Istio's default)" : ""}, but ejecting one of the ${endpoints} endpoints of ${where} takes ${needed}%: Envoy refuses the ejection (ejections_overflow) and the failing endpoint stays in rotation.`,
          resource,
          path: `${path}.maxEjectionPercent`,
          expected: `≥ ${needed}`,
          actual: maxPercent,
          hint: "With few replicas, maxEjectionPercent must allow at least one endpoint to go — but keep enough healthy ones to carry the load.",
          docsUrl,
        });
      } else {
        findings.push({ code: "ICA0233", severity: "info", message: `${where}: ${threshold ? `${threshold} consecutive 5xx` : `${gatewayThreshold} consecutive gateway errors`} eject an endpoint, up to ${maxPercent}% of the ${endpoints} endpoints.`, resource, path, actual: policy });
      }
    }

    // The caller's Envoy: each cluster in use carries outlier_detection that can eject one endpoint.
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      if (!picked?.route) findings.push({ code: "ICA0902", severity: "error", message: `${proxy} has no route for ${request.authority}${request.path}.` });
      for (const name of clusterNames) {
        const cluster = envoy.config.cluster(name);
        const outlier = cluster?.outlier_detection;
        const hosts = (envoy.config.loadAssignment(name)?.endpoints ?? []).flatMap((l) => l.lb_endpoints ?? []).length;
        const enabled = outlier && (((outlier.consecutive_5xx ?? 5) > 0 && (outlier.enforcing_consecutive_5xx ?? 100) > 0) || ((outlier.consecutive_gateway_failure ?? 0) > 0 && (outlier.enforcing_consecutive_gateway_failure ?? 0) > 0));
        const room = outlier && (hosts === 0 || (100 * 1) / hosts <= (outlier.max_ejection_percent ?? 10));
        const location = `cluster ${name} › outlier_detection`;
        findings.push(
          enabled && room
            ? { code: "ICA0905", severity: "info", message: `${proxy} runs outlier detection on ${name} (${hosts} endpoints).`, envoy: { proxy, location, excerpt: outlier } }
            : { code: "ICA0932", severity: "error", message: outlier ? `${proxy}'s outlier_detection on ${name} cannot eject one of its ${hosts} endpoints.` : `${proxy}'s cluster ${name} has no outlier_detection.`, envoy: { proxy, location, excerpt: outlier ?? null } },
        );
      }
    }

    // Live traffic: failures may happen until the failing endpoint is ejected, none after.
    const result = snapshot.probe("traffic");
    if (result) {
      const label = (r: (typeof result.responses)[number]) => (r.status >= 200 && r.status < 400 ? `${r.status} ${r.upstreamPod ?? ""}`.trim() : `HTTP ${statusLabel(r)}`);
      const evidence = probeEvidence("traffic", result, countBy(result.responses, label));
      const half = Math.floor(result.responses.length / 2);
      const failing = (r: (typeof result.responses)[number]) => r.status === 0 || r.status >= 500;
      const early = result.responses.slice(0, half).filter(failing).length;
      const late = result.responses.slice(half).filter(failing).length;
      findings.push(
        late > 0
          ? { code: "ICA0973", severity: "error", message: `${late} of the last ${result.responses.length - half} requests still failed (${early} in the first ${half}): the failing endpoint was never ejected.`, probe: evidence, expected: "no failures once the endpoint is ejected" }
          : { code: "ICA0955", severity: "info", message: `${early} of the first ${half} requests failed before the failing endpoint was ejected; the last ${result.responses.length - half} all succeeded.`, probe: evidence },
      );
    }
    return findings;
  },
});
