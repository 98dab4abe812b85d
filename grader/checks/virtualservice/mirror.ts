/** Fails when users are not served by one subset while another receives mirrored copies; evidence: the rule, the caller's Envoy request_mirror_policies, the versions that answered, and the mirror pods' own request counters. */
import { z } from "zod";
import type { HTTPRoute } from "@/cluster/embedded/admission";
import { fractionValue } from "@/cluster/embedded/mesh/envoy-types";
import { defineCheck, type Finding, type ResourceRef } from "../../check";
import { parseClusterName, routeDestinations } from "../../envoy/config-dump";
import { istioRequestsDelta } from "../../istio/proxy-stats";
import { envoyRouteFor, firstAcceptingRoute, requestFromUrl } from "../../istio/requests";
import { definedSubsets, meshVirtualServices, routeShares, toFqdn, vsSpec } from "../../istio/routing";
import { countBy, probeEvidence, servedVersion, statusLabel } from "../../istio/traffic";
import { namespaceParam, probeParam, proxySelectorParam } from "../params";

const docsUrl = "https://istio.io/latest/docs/tasks/traffic-management/mirroring/";

const params = z
  .object({
    host: z.string().min(1),
    namespace: namespaceParam,
    port: z.number().int().min(1).max(65535).default(9080),
    /** The subset that answers users. */
    subset: z.string().min(1),
    /** The subset that receives the copies. */
    mirrorSubset: z.string().min(1),
    /** Share of requests mirrored, in percent. */
    percentage: z.number().min(0.01).max(100).default(100),
    /** Labels of the mirror subset's pods (their sidecars count the shadow requests they receive). */
    mirrorPods: z.object({ namespace: namespaceParam, labels: z.record(z.string(), z.string()) }).strict(),
    caller: proxySelectorParam,
    probe: probeParam,
    servedBy: z.enum(["upstream-pod", "productpage-reviews"]).default("upstream-pod"),
  })
  .strict();

/** The mirrors an Istio rule declares: `mirror` (+ mirrorPercentage/mirrorPercent) and `mirrors[]`, with their percentages. */
function declaredMirrors(route: HTTPRoute): { host: string; subset?: string; percent: number; path: string }[] {
  const out: { host: string; subset?: string; percent: number; path: string }[] = [];
  if (route.mirror) out.push({ host: route.mirror.host, subset: route.mirror.subset, percent: route.mirrorPercentage?.value ?? route.mirrorPercent ?? 100, path: "mirror" });
  (route.mirrors ?? []).forEach((m, i) => out.push({ host: m.destination.host, subset: m.destination.subset, percent: m.percentage?.value ?? 100, path: `mirrors[${i}]` }));
  return out;
}

export default defineCheck({
  id: "virtualservice.mirror",
  title: "One subset serves users while another gets mirrored traffic",
  description:
    "The rule the probe's requests take routes them all to the serving subset and mirrors the requested share to the mirror subset, the caller's Envoy route carries the matching request_mirror_policies, every live response comes from the serving subset, and the mirror pods' sidecars count the shadow requests.",
  codes: ["ICA0201", "ICA0301", "ICA0302", "ICA0308", "ICA0332", "ICA0337", "ICA0338", "ICA0901", "ICA0902", "ICA0905", "ICA0931", "ICA0951", "ICA0955", "ICA0956", "ICA0972"],
  params,
  inputs: (p) => ({
    kinds: ["VirtualService", "DestinationRule", "Pod"],
    proxies: [p.caller],
    probes: [{ id: "traffic", spec: p.probe, afterSync: true }],
    stats: [p.mirrorPods],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const fqdn = toFqdn(p.namespace, p.host);
    const request = requestFromUrl(p.probe.url, p.probe.headers);
    const want = `${p.percentage}% of requests mirrored to subset ${p.mirrorSubset}`;

    // The rule: all destinations on the serving subset, one mirror to the mirror subset at the percentage.
    const [vs] = meshVirtualServices(snapshot, fqdn, p.namespace);
    if (!vs) {
      findings.push({ code: "ICA0301", severity: "error", message: `No VirtualService routes ${p.host}, so nothing is mirrored and users reach every version.`, expected: { route: [{ destination: { host: p.host, subset: p.subset } }], mirror: { host: p.host, subset: p.mirrorSubset } }, hint: `Create a VirtualService for ${p.host} routed to subset ${p.subset} with mirror: {host: ${p.host}, subset: ${p.mirrorSubset}}.`, docsUrl });
    } else {
      const spec = vsSpec(vs);
      const resource: ResourceRef = { kind: "VirtualService", namespace: vs.metadata.namespace, name: vs.metadata.name };
      const ns = vs.metadata.namespace ?? p.namespace;
      const index = firstAcceptingRoute(spec, request);
      const route = spec.http?.[index];
      if (!route) {
        findings.push({ code: "ICA0332", severity: "error", message: `No rule of ${vs.metadata.name} takes ${request.path}: Envoy answers 404 (NR).`, resource, path: "spec.http", docsUrl });
      } else {
        const at = `spec.http[${index}]`;
        const problems: Finding[] = [];
        for (const dest of routeShares(route, ns)) {
          if (dest.share > 0 && (dest.fqdn !== fqdn || dest.subset !== p.subset)) {
            problems.push({ code: "ICA0302", severity: "error", message: `Rule ${index} sends ${Math.round(dest.share * 100)}% of users to ${dest.subset ? `subset ${dest.subset} of ` : ""}${dest.fqdn}: mirroring must not change who serves users.`, resource, path: `${at}.route[${dest.index}].destination`, expected: { host: p.host, subset: p.subset }, actual: { host: dest.fqdn, subset: dest.subset ?? null } });
          }
        }
        const mirrors = declaredMirrors(route);
        const target = mirrors.find((m) => toFqdn(ns, m.host) === fqdn && m.subset === p.mirrorSubset);
        if (mirrors.length === 0) {
          problems.push({ code: "ICA0337", severity: "error", message: `Rule ${index} of ${vs.metadata.name} mirrors nothing.`, resource, path: `${at}.mirror`, expected: want, hint: `Add mirror: {host: ${p.host}, subset: ${p.mirrorSubset}} (and mirrorPercentage.value if not every request should be copied).` });
        } else if (!target || Math.abs(target.percent - p.percentage) > 0.01) {
          const seen = target ?? mirrors[0]!;
          problems.push({
            code: "ICA0338",
            severity: "error",
            message: target ? `Rule ${index} mirrors ${seen.percent}% of requests to subset ${p.mirrorSubset}, not ${p.percentage}%.` : `Rule ${index} mirrors to ${seen.subset ? `subset ${seen.subset} of ` : ""}${toFqdn(ns, seen.host)}, not to subset ${p.mirrorSubset} of ${p.host}.`,
            resource,
            path: `${at}.${seen.path}`,
            expected: want,
            actual: mirrors,
            hint: target ? "mirrorPercentage.value is a percentage (0–100); without it Istio mirrors every request." : undefined,
          });
        }
        if (target?.subset && !definedSubsets(snapshot, fqdn, p.namespace).has(target.subset)) {
          problems.push({ code: "ICA0201", severity: "error", message: `Subset ${target.subset} is not defined for ${p.host}: the copies go to a cluster Envoy does not have and are lost.`, resource, path: `${at}.${target.path}`, hint: "Define the subset in the host's DestinationRule." });
        }
        if (problems.length) findings.push(...problems.map((f) => ({ ...f, docsUrl })));
        else findings.push({ code: "ICA0308", severity: "info", message: `Rule ${index} of ${vs.metadata.name} serves users from subset ${p.subset} and mirrors ${p.percentage}% to subset ${p.mirrorSubset}.`, resource, path: at, actual: route });
      }
    }

    // The caller's Envoy: route to the serving cluster, request_mirror_policies to the mirror cluster.
    const envoy = snapshot.envoy(p.caller);
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      const picked = envoyRouteFor(envoy.config, String(p.port), request);
      if (!picked.route?.route || !picked.virtualHost) {
        findings.push({ code: "ICA0902", severity: "error", message: `${proxy} has no route for ${request.authority}${request.path}.` });
      } else {
        const location = `route "${p.port}" › ${picked.virtualHost.name} › routes[${picked.index}] › route`;
        const serving = `outbound|${p.port}|${p.subset}|${fqdn}`;
        const mirrorCluster = `outbound|${p.port}|${p.mirrorSubset}|${fqdn}`;
        const clusters = routeDestinations(picked.route).filter((d) => d.weight > 0).map((d) => d.cluster);
        if (clusters.some((c) => c !== serving)) {
          findings.push({ code: "ICA0901", severity: "error", message: `${proxy} serves ${fqdn} from ${clusters.join(", ")} instead of ${serving} alone.`, expected: serving, actual: clusters, envoy: { proxy, location, excerpt: picked.route.route } });
        }
        const policies = picked.route.route.request_mirror_policies ?? [];
        const policy = policies.find((m) => m.cluster === mirrorCluster);
        const percent = policy ? (policy.runtime_fraction ? fractionValue(policy.runtime_fraction.default_value) * 100 : 100) : 0;
        const excerpt = { cluster: picked.route.route.cluster ?? picked.route.route.weighted_clusters, request_mirror_policies: policies };
        findings.push(
          policy && Math.abs(percent - p.percentage) < 0.01 && envoy.config.cluster(mirrorCluster)
            ? { code: "ICA0905", severity: "info", message: `${proxy} mirrors ${percent}% of ${fqdn} requests to ${mirrorCluster}.`, envoy: { proxy, location, excerpt } }
            : {
                code: "ICA0931",
                severity: "error",
                message: policy
                  ? envoy.config.cluster(mirrorCluster)
                    ? `${proxy} mirrors ${percent}% of requests to ${mirrorCluster}, not ${p.percentage}%.`
                    : `${proxy} mirrors to ${mirrorCluster}, a cluster it does not have.`
                  : `${proxy}'s route has ${policies.length ? `request_mirror_policies to ${policies.map((m) => m.cluster).join(", ")}` : "no request_mirror_policies"}, not one to ${mirrorCluster}.`,
                expected: { cluster: mirrorCluster, percent: p.percentage },
                actual: policies.map((m) => ({ cluster: m.cluster, percent: m.runtime_fraction ? fractionValue(m.runtime_fraction.default_value) * 100 : 100 })),
                envoy: { proxy, location, excerpt },
              },
        );
      }
    }

    // Live traffic: users only see the serving subset, and the mirror pods counted the shadow copies.
    const result = snapshot.probe("traffic");
    if (result) {
      const versions = result.responses.map((r) => (r.status >= 200 && r.status < 300 ? (servedVersion(snapshot, p.namespace, r, p.servedBy) ?? "unknown") : `HTTP ${statusLabel(r)}`));
      const histogram = countBy(versions, (v) => v);
      const evidence = probeEvidence("traffic", result, histogram);
      const failed = versions.filter((v) => v.startsWith("HTTP "));
      const stray = versions.filter((v) => v !== p.subset && !v.startsWith("HTTP "));
      if (failed.length) findings.push({ code: "ICA0956", severity: "error", message: `${failed.length} of ${result.responses.length} requests failed.`, probe: evidence });
      if (stray.length) findings.push({ code: "ICA0951", severity: "error", message: `${stray.length} of ${result.responses.length} users were answered by ${[...new Set(stray)].join(", ")}: only ${p.subset} may answer, mirrored responses are thrown away.`, probe: evidence, expected: { [p.subset]: result.responses.length }, actual: histogram });

      const samples = snapshot.stats(p.mirrorPods) ?? [];
      const received = samples.reduce((sum, sample) => sum + istioRequestsDelta(sample, { reporter: "destination" }), 0);
      const expected = (result.responses.length * p.percentage) / 100;
      const statsEvidence = { ...evidence, histogram: { ...histogram, [`received by ${p.mirrorSubset} (istio_requests_total, reporter=destination)`]: received } };
      const pods = samples.map((s) => s.pod.name).join(", ") || "no pods";
      // Shadow copies are fire-and-forget: a few may still be in flight when the probe ends, and sampling is random.
      const enough = received >= Math.max(1, Math.floor(expected * 0.5)) && (p.percentage >= 100 || received <= expected * 2 + 3);
      if (stray.length === 0) {
        findings.push(
          enough
            ? { code: "ICA0955", severity: "info", message: `All ${result.responses.length} users were served by ${p.subset}; the sidecars of ${pods} counted ${received} mirrored requests (about ${Math.round(expected)} expected).`, probe: statsEvidence }
            : { code: "ICA0972", severity: "error", message: `The sidecars of ${pods} counted ${received} requests while ${result.responses.length} were sent; about ${Math.round(expected)} mirrored copies were expected.`, probe: statsEvidence, expected: `about ${Math.round(expected)} requests at ${p.mirrorSubset}`, actual: received },
        );
      }
    }
    return findings;
  },
});
