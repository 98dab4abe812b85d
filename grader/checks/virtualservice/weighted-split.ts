/** Fails when a host's default route does not split traffic by the requested weights; evidence: route, Envoy weighted_clusters, observed split with Wilson intervals. */
import { z } from "zod";
import { defineCheck, type Finding } from "../../check";
import { parseClusterName, routeDestinations } from "../../envoy/config-dump";
import { defaultRouteIndex, definedSubsets, meshVirtualServices, routeShares, sharesBySubset, toFqdn, vsSpec } from "../../istio/routing";
import { countBy, probeEvidence, servedVersion, statusLabel } from "../../istio/traffic";
import { wilsonInterval } from "../../stats/binomial";
import { namespaceParam, probeParam, proxySelectorParam } from "../params";

const docsUrl = "https://istio.io/latest/docs/tasks/traffic-management/traffic-shifting/";

/** Two splits are the same when every subset's share differs by less than half a percentage point. */
function sameSplit(expected: Record<string, number>, actual: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  return [...keys].every((k) => Math.abs((expected[k] ?? 0) - (actual[k] ?? 0)) < 0.5);
}

function normalise(weights: Record<string, number>): Record<string, number> {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(weights).filter(([, w]) => w > 0).map(([k, w]) => [k, Math.round((w / total) * 1000) / 10]));
}

export default defineCheck({
  id: "virtualservice.weighted-split",
  title: "Traffic to a host is split across subsets by weight",
  description: "The default route's weights match the requested split, the caller's Envoy carries the same weighted_clusters, and the split observed in live traffic is statistically consistent with it.",
  codes: ["ICA0201", "ICA0301", "ICA0303", "ICA0308", "ICA0901", "ICA0902", "ICA0905", "ICA0952", "ICA0955", "ICA0956"],
  params: z
    .object({
      host: z.string().min(1),
      namespace: namespaceParam,
      port: z.number().int().min(1).max(65535).default(9080),
      weights: z.record(z.string(), z.number().min(0)).refine((w) => Object.values(w).some((v) => v > 0), "at least one weight must be positive"),
      caller: proxySelectorParam,
      probe: probeParam,
      confidence: z.number().min(0.5).max(0.99999).default(0.999),
      servedBy: z.enum(["upstream-pod", "productpage-reviews"]).default("upstream-pod"),
    })
    .strict(),
  inputs: (p) => ({
    kinds: ["VirtualService", "DestinationRule", "Pod"],
    proxies: [p.caller],
    probes: [{ id: "traffic", spec: p.probe, afterSync: true }],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const fqdn = toFqdn(p.namespace, p.host);
    const expected = normalise(p.weights);

    const [vs] = meshVirtualServices(snapshot, fqdn, p.namespace);
    if (!vs) {
      findings.push({
        code: "ICA0301",
        severity: "error",
        message: `No VirtualService routes ${p.host} for traffic inside the mesh.`,
        expected: { hosts: [p.host], weights: expected },
        hint: `Create a VirtualService for ${p.host} whose route lists one destination per subset with a weight each.`,
        docsUrl,
      });
    } else {
      const resource = { kind: "VirtualService", namespace: vs.metadata.namespace, name: vs.metadata.name };
      const index = defaultRouteIndex(vsSpec(vs));
      const route = vsSpec(vs).http?.[index];
      const shares = route ? routeShares(route, vs.metadata.namespace ?? p.namespace) : [];
      const actual = sharesBySubset(shares.filter((s) => s.fqdn === fqdn));
      if (!route || !sameSplit(expected, actual) || shares.some((s) => s.fqdn !== fqdn && s.share > 0)) {
        findings.push({
          code: "ICA0303",
          severity: "error",
          message: route
            ? `The default route of ${vs.metadata.name} splits ${p.host} as ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}.`
            : `${vs.metadata.name} has no route that every request takes (each route has a match).`,
          resource,
          path: route ? `spec.http[${index}].route` : "spec.http",
          expected,
          actual,
          hint: "List one destination per subset in the same route and give each its weight; Envoy divides by the sum of the weights.",
          docsUrl,
        });
      } else {
        findings.push({ code: "ICA0308", severity: "info", message: `${vs.metadata.name} splits ${p.host} as ${JSON.stringify(actual)}.`, resource, path: `spec.http[${index}].route`, actual: route.route });
      }
      const subsets = definedSubsets(snapshot, fqdn, p.namespace);
      for (const s of shares) {
        if (s.share > 0 && s.subset && !subsets.has(s.subset)) {
          findings.push({
            code: "ICA0201",
            severity: "error",
            message: `Subset ${s.subset} is not defined by any DestinationRule for ${p.host}: its share of requests fails with 503 NC.`,
            resource,
            path: `spec.http[${index}].route[${s.index}].destination.subset`,
            hint: "Define the subset in the host's DestinationRule before sending traffic to it.",
          });
        }
      }
    }

    const envoy = snapshot.envoy(p.caller);
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      const routes = envoy.config.sidecarRoutes(fqdn, p.port);
      const located = routes.find((r) => (r.route.match?.headers ?? []).length === 0) ?? routes[0];
      if (!located) {
        findings.push({ code: "ICA0902", severity: "error", message: `${proxy} has no route for ${fqdn}:${p.port}.` });
      } else {
        const weights: Record<string, number> = {};
        for (const d of routeDestinations(located.route)) {
          const parsed = parseClusterName(d.cluster);
          const key = parsed && parsed.host === fqdn ? parsed.subset || "(no subset)" : d.cluster;
          weights[key] = (weights[key] ?? 0) + d.weight;
        }
        const actual = normalise(weights);
        const location = `route "${located.routeConfig}" › ${located.virtualHost} › routes[${located.index}]`;
        findings.push(
          sameSplit(expected, actual)
            ? { code: "ICA0905", severity: "info", message: `${proxy} carries weighted_clusters ${JSON.stringify(actual)}.`, envoy: { proxy, location, excerpt: located.route.route } }
            : { code: "ICA0901", severity: "error", message: `${proxy} splits ${fqdn} as ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}.`, expected, actual, envoy: { proxy, location, excerpt: located.route.route } },
        );
      }
    }

    const result = snapshot.probe("traffic");
    if (result) {
      const ok = result.responses.filter((r) => r.status >= 200 && r.status < 300);
      const versions = ok.map((r) => servedVersion(snapshot, p.namespace, r, p.servedBy) ?? "unknown");
      const histogram = countBy(versions, (v) => v);
      const failed = result.responses.filter((r) => r.status >= 400);
      const evidence = probeEvidence("traffic", result, { ...histogram, ...Object.fromEntries(Object.entries(countBy(failed, statusLabel)).map(([k, v]) => [`HTTP ${k}`, v])) });
      if (failed.length) {
        findings.push({ code: "ICA0956", severity: "error", message: `${failed.length} of ${result.responses.length} requests failed.`, probe: evidence });
      }
      const outside: string[] = [];
      const intervals: Record<string, string> = {};
      for (const subset of new Set([...Object.keys(expected), ...Object.keys(histogram)])) {
        const share = (expected[subset] ?? 0) / 100;
        const { low, high } = wilsonInterval(histogram[subset] ?? 0, ok.length, p.confidence);
        intervals[subset] = `${((histogram[subset] ?? 0) / Math.max(1, ok.length) * 100).toFixed(1)}% observed, ${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}% plausible`;
        if (share < low || share > high) outside.push(subset);
      }
      const confidence = `${(p.confidence * 100).toFixed(1)}%`;
      findings.push(
        outside.length
          ? { code: "ICA0952", severity: "error", message: `Over ${ok.length} requests the split is not consistent with ${JSON.stringify(expected)} at ${confidence} confidence (${outside.join(", ")} outside the interval).`, probe: evidence, expected, actual: intervals }
          : { code: "ICA0955", severity: "info", message: `Over ${ok.length} requests the observed split is consistent with ${JSON.stringify(expected)} at ${confidence} confidence.`, probe: evidence, actual: intervals },
      );
    }
    return findings;
  },
});
