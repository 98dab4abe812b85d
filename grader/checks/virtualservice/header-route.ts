/** Fails when requests carrying a header do not reach one subset while all other requests reach another; evidence: the rule each request takes, the caller's Envoy routes, probes with and without the header. */
import { z } from "zod";
import { defineCheck, type Finding, type ResourceRef } from "../../check";
import { parseClusterName, routeDestinations } from "../../envoy/config-dump";
import { envoyRouteFor, firstAcceptingRoute, requestFromUrl, routeAccepts } from "../../istio/requests";
import { definedSubsets, meshVirtualServices, routeShares, toFqdn, vsSpec } from "../../istio/routing";
import { countBy, probeEvidence, servedVersion, statusLabel } from "../../istio/traffic";
import type { Snapshot } from "../../snapshot/snapshot";
import { namespaceParam, probeParam, proxySelectorParam } from "../params";

const docsUrl = "https://istio.io/latest/docs/tasks/traffic-management/request-routing/";

const params = z
  .object({
    host: z.string().min(1),
    namespace: namespaceParam,
    port: z.number().int().min(1).max(65535).default(9080),
    /** Header values (exact) that select the special route, e.g. `{ "end-user": "jason" }`. */
    headers: z.record(z.string(), z.string()).refine((h) => Object.keys(h).length > 0, "name at least one header"),
    /** Where requests with the headers must go. */
    subset: z.string().min(1),
    /** Where every other request must go. */
    otherSubset: z.string().min(1),
    caller: proxySelectorParam,
    /** Sent twice: once with the headers, once without. */
    probe: probeParam,
    servedBy: z.enum(["upstream-pod", "productpage-reviews"]).default("upstream-pod"),
  })
  .strict();
type Params = z.infer<typeof params>;

function describeHeaders(headers: Record<string, string>): string {
  return Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join(", ");
}

/** Live traffic of one probe against the subset it must reach. */
function trafficFindings(snapshot: Snapshot, p: Params, probeId: string, subset: string, who: string): Finding[] {
  const result = snapshot.probe(probeId);
  if (!result) return [];
  const versions = result.responses.map((r) => (r.status >= 200 && r.status < 300 ? (servedVersion(snapshot, p.namespace, r, p.servedBy) ?? "unknown") : `HTTP ${statusLabel(r)}`));
  const histogram = countBy(versions, (v) => v);
  const evidence = probeEvidence(probeId, result, histogram);
  const failed = versions.filter((v) => v.startsWith("HTTP "));
  const stray = versions.filter((v) => v !== subset && !v.startsWith("HTTP "));
  const findings: Finding[] = [];
  if (failed.length) findings.push({ code: "ICA0956", severity: "error", message: `${failed.length} of ${result.responses.length} requests ${who} failed (${Object.keys(countBy(failed, (v) => v)).join(", ")}).`, probe: evidence });
  if (stray.length) findings.push({ code: "ICA0951", severity: "error", message: `${stray.length} of ${result.responses.length} requests ${who} were served by ${[...new Set(stray)].join(", ")} instead of ${subset}.`, probe: evidence, expected: { [subset]: result.responses.length }, actual: histogram });
  if (!failed.length && !stray.length) findings.push({ code: "ICA0955", severity: "info", message: `All ${result.responses.length} requests ${who} were served by ${subset}.`, probe: evidence });
  return findings;
}

export default defineCheck({
  id: "virtualservice.header-route",
  title: "Requests with a header go to one subset, all others to another",
  description:
    "The first VirtualService rule a request with the header takes routes it to the subset, the rule every other request takes routes to the other subset, the caller's Envoy picks the same clusters, and probes with and without the header are served accordingly.",
  codes: ["ICA0201", "ICA0301", "ICA0302", "ICA0308", "ICA0331", "ICA0332", "ICA0901", "ICA0902", "ICA0905", "ICA0951", "ICA0955", "ICA0956"],
  params,
  inputs: (p) => ({
    kinds: ["VirtualService", "DestinationRule", "Pod"],
    proxies: [p.caller],
    probes: [
      { id: "with-header", spec: { ...p.probe, headers: { ...p.probe.headers, ...p.headers } }, afterSync: true },
      { id: "without-header", spec: p.probe, afterSync: true },
    ],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const fqdn = toFqdn(p.namespace, p.host);
    const tagged = describeHeaders(p.headers);
    const url = p.probe.url;
    const cases = [
      { label: `with ${tagged}`, headers: { ...p.probe.headers, ...p.headers }, subset: p.subset },
      { label: `without ${Object.keys(p.headers).join(", ")}`, headers: { ...p.probe.headers }, subset: p.otherSubset },
    ];

    // The VirtualService: which rule each kind of request takes, and where that rule sends it.
    const [vs] = meshVirtualServices(snapshot, fqdn, p.namespace);
    if (!vs) {
      findings.push({
        code: "ICA0301",
        severity: "error",
        message: `No VirtualService routes ${p.host} for traffic inside the mesh, so requests ${cases[0]!.label} are spread over every version like all others.`,
        hint: `Create a VirtualService for ${p.host}: first a rule matching ${tagged} routed to subset ${p.subset}, then a rule without match routed to subset ${p.otherSubset}.`,
        docsUrl,
      });
    } else {
      const spec = vsSpec(vs);
      const resource: ResourceRef = { kind: "VirtualService", namespace: vs.metadata.namespace, name: vs.metadata.name };
      const ns = vs.metadata.namespace ?? p.namespace;
      const subsets = definedSubsets(snapshot, fqdn, p.namespace);
      const requests = cases.map((c) => requestFromUrl(url, c.headers));
      const taken = requests.map((request) => firstAcceptingRoute(spec, request));
      const [headerRoute, otherRoute] = taken as [number, number];
      let wrong = 0;
      cases.forEach((c, n) => {
        const index = taken[n]!;
        if (index < 0) {
          wrong++;
          findings.push({
            code: "ICA0332",
            severity: "error",
            message: `No rule of ${vs.metadata.name} takes requests ${c.label}: Envoy answers them 404 (NR).`,
            resource,
            path: "spec.http",
            hint: "End the http list with a rule that has no match, so every request has somewhere to go.",
            docsUrl,
          });
          return;
        }
        const route = spec.http![index]!;
        for (const dest of routeShares(route, ns)) {
          if (dest.share === 0) continue;
          const at = `spec.http[${index}].route[${dest.index}].destination`;
          if (dest.fqdn !== fqdn || dest.subset !== c.subset) {
            wrong++;
            // A later rule with a match would have taken these requests: the earlier catch-all hides it.
            const shadowed = n === 0 && (spec.http ?? []).some((later, j) => j > index && (later.match ?? []).length > 0 && routeAccepts(later, requests[0]!));
            findings.push({
              code: shadowed ? "ICA0331" : "ICA0302",
              severity: "error",
              message: shadowed
                ? `Requests ${c.label} are caught by rule ${index}, which matches every request and comes first, so they go to ${dest.subset ? `subset ${dest.subset}` : dest.fqdn} instead of ${c.subset}.`
                : `Requests ${c.label} take rule ${index}, which sends ${Math.round(dest.share * 100)}% of them to ${dest.subset ? `subset ${dest.subset} of ` : ""}${dest.fqdn}, not to subset ${c.subset}.`,
              resource,
              path: shadowed ? `spec.http[${index}]` : dest.fqdn !== fqdn ? `${at}.host` : `${at}.subset`,
              expected: { host: p.host, subset: c.subset },
              actual: { rule: index, host: dest.fqdn, subset: dest.subset ?? null },
              hint: shadowed ? "Rules are evaluated top to bottom: put the rule with the header match above the catch-all rule." : `Send requests ${c.label} to subset ${c.subset}.`,
              docsUrl,
            });
          } else if (dest.subset && !subsets.has(dest.subset)) {
            wrong++;
            findings.push({
              code: "ICA0201",
              severity: "error",
              message: `Subset ${dest.subset} is not defined by any DestinationRule for ${p.host}: requests ${c.label} get 503 NC.`,
              resource,
              path: `${at}.subset`,
              hint: "Define the subset in the host's DestinationRule before routing to it.",
              docsUrl: "https://istio.io/latest/docs/concepts/traffic-management/#destination-rules",
            });
          }
        }
      });
      if (wrong === 0) {
        findings.push({ code: "ICA0308", severity: "info", message: `Requests with ${tagged} take rule ${headerRoute} (subset ${p.subset}); all others take rule ${otherRoute} (subset ${p.otherSubset}).`, resource, actual: spec.http });
      }
    }

    // The caller's Envoy: the route each kind of request selects must name the subset's cluster.
    const envoy = snapshot.envoy(p.caller);
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      for (const c of cases) {
        const expectedCluster = `outbound|${p.port}|${c.subset}|${fqdn}`;
        const picked = envoyRouteFor(envoy.config, String(p.port), requestFromUrl(url, c.headers));
        if (!picked.route || !picked.virtualHost) {
          findings.push({ code: "ICA0902", severity: "error", message: `${proxy} has no route for requests to ${fqdn}:${p.port} ${c.label}.` });
          continue;
        }
        const clusters = routeDestinations(picked.route).filter((d) => d.weight > 0).map((d) => d.cluster);
        const location = `route "${p.port}" › ${picked.virtualHost.name} › routes[${picked.index}]`;
        const missing = clusters.filter((name) => parseClusterName(name) && !envoy.config.cluster(name));
        findings.push(
          clusters.length === 1 && clusters[0] === expectedCluster && missing.length === 0
            ? { code: "ICA0905", severity: "info", message: `${proxy} routes requests ${c.label} to ${expectedCluster}.`, envoy: { proxy, location, excerpt: picked.route } }
            : {
                code: "ICA0901",
                severity: "error",
                message: missing.length ? `${proxy} routes requests ${c.label} to ${missing.join(", ")}, a cluster it does not have (503 NC).` : `${proxy} routes requests ${c.label} to ${clusters.join(", ") || "no cluster"} instead of ${expectedCluster}.`,
                expected: expectedCluster,
                actual: clusters,
                envoy: { proxy, location, excerpt: picked.route },
              },
        );
      }
    }

    findings.push(...trafficFindings(snapshot, p, "with-header", p.subset, cases[0]!.label));
    findings.push(...trafficFindings(snapshot, p, "without-header", p.otherSubset, cases[1]!.label));
    return findings;
  },
});
