/** Fails when mesh traffic to a host can reach anything but one subset; evidence: the route, the caller's Envoy route, a probe. */
import { z } from "zod";
import { defineCheck, type Finding } from "../../check";
import { parseClusterName, routeDestinations } from "../../envoy/config-dump";
import { definedSubsets, meshVirtualServices, routeShares, toFqdn, vsSpec } from "../../istio/routing";
import { countBy, probeEvidence, servedVersion, statusLabel } from "../../istio/traffic";
import { namespaceParam, probeParam, proxySelectorParam } from "../params";

const docsUrl = "https://istio.io/latest/docs/tasks/traffic-management/request-routing/";

export default defineCheck({
  id: "virtualservice.route-to-subset",
  title: "All traffic to a host goes to one subset",
  description: "Every route of the VirtualService sends the host's traffic to the subset, the caller's Envoy routes to that subset's cluster, and live requests are only served by it.",
  codes: ["ICA0201", "ICA0301", "ICA0302", "ICA0308", "ICA0901", "ICA0902", "ICA0905", "ICA0951", "ICA0955", "ICA0956"],
  params: z
    .object({
      host: z.string().min(1),
      namespace: namespaceParam,
      port: z.number().int().min(1).max(65535).default(9080),
      subset: z.string().min(1),
      caller: proxySelectorParam,
      probe: probeParam,
      servedBy: z.enum(["upstream-pod", "productpage-reviews"]).default("upstream-pod"),
    })
    .strict(),
  inputs: (p) => ({
    kinds: ["VirtualService", "DestinationRule", "Pod"],
    proxies: [p.caller],
    probes: [{ id: "traffic", spec: { ...p.probe, from: p.probe.from, url: p.probe.url }, afterSync: true }],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const fqdn = toFqdn(p.namespace, p.host);
    const expectedCluster = `outbound|${p.port}|${p.subset}|${fqdn}`;

    // The VirtualService: every destination of every route must be the subset.
    const [vs] = meshVirtualServices(snapshot, fqdn, p.namespace);
    if (!vs) {
      findings.push({
        code: "ICA0301",
        severity: "error",
        message: `No VirtualService routes ${p.host} for traffic inside the mesh, so requests are spread over every version.`,
        expected: { hosts: [p.host], route: [{ destination: { host: p.host, subset: p.subset } }] },
        hint: `Create a VirtualService with hosts: [${p.host}] and one http route to destination host ${p.host}, subset ${p.subset}.`,
        docsUrl,
      });
    } else {
      const resource = { kind: "VirtualService", namespace: vs.metadata.namespace, name: vs.metadata.name };
      const subsets = definedSubsets(snapshot, fqdn, p.namespace);
      const ns = vs.metadata.namespace ?? p.namespace;
      let wrong = 0;
      (vsSpec(vs).http ?? []).forEach((route, i) => {
        for (const dest of routeShares(route, ns)) {
          if (dest.share === 0) continue;
          const path = `spec.http[${i}].route[${dest.index}].destination`;
          if (dest.fqdn !== fqdn || dest.subset !== p.subset) {
            wrong++;
            findings.push({
              code: "ICA0302",
              severity: "error",
              message: `Route ${i} sends ${Math.round(dest.share * 100)}% of its requests to ${dest.subset ? `subset ${dest.subset} of ` : ""}${dest.fqdn}, not to subset ${p.subset}.`,
              resource,
              path: dest.fqdn !== fqdn ? `${path}.host` : `${path}.subset`,
              expected: { host: p.host, subset: p.subset },
              actual: { host: dest.fqdn, subset: dest.subset ?? null },
              hint: `Point every destination of ${vs.metadata.name} at subset ${p.subset}.`,
              docsUrl,
            });
          }
          if (dest.fqdn === fqdn && dest.subset && !subsets.has(dest.subset)) {
            wrong++;
            findings.push({
              code: "ICA0201",
              severity: "error",
              message: `Subset ${dest.subset} is not defined by any DestinationRule for ${p.host}: Envoy answers these requests with 503 NC.`,
              resource,
              path: `${path}.subset`,
              expected: `a DestinationRule for ${p.host} defining subset ${dest.subset}`,
              actual: subsets.size ? `subsets defined: ${[...subsets.keys()].join(", ")}` : "no DestinationRule defines subsets for this host",
              hint: "Define the subset in the host's DestinationRule (Bookinfo's destination-rule-all.yaml) before routing to it.",
              docsUrl: "https://istio.io/latest/docs/concepts/traffic-management/#destination-rules",
            });
          }
        }
      });
      if (wrong === 0) {
        findings.push({ code: "ICA0308", severity: "info", message: `${vs.metadata.name} routes all of ${p.host} to subset ${p.subset}.`, resource, actual: vsSpec(vs).http });
      }
    }

    // The caller's Envoy: every route for the host must name the subset's cluster, and that cluster must exist.
    const envoy = snapshot.envoy(p.caller);
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      const routes = envoy.config.sidecarRoutes(fqdn, p.port);
      if (routes.length === 0) {
        findings.push({ code: "ICA0902", severity: "error", message: `${proxy} has no route for ${fqdn}:${p.port}.`, hint: "Check that the Service exists and the VirtualService host is spelled right." });
      }
      for (const located of routes) {
        const clusters = routeDestinations(located.route).filter((d) => d.weight > 0).map((d) => d.cluster);
        const location = `route "${located.routeConfig}" › ${located.virtualHost} › routes[${located.index}]`;
        const stray = clusters.filter((c) => c !== expectedCluster);
        const missing = clusters.filter((c) => !envoy.config.cluster(c) && parseClusterName(c));
        if (stray.length || missing.length) {
          findings.push({
            code: "ICA0901",
            severity: "error",
            message: missing.length
              ? `${proxy} routes to ${missing.join(", ")}, a cluster it does not have (503 NC).`
              : `${proxy} sends ${fqdn} traffic to ${stray.join(", ")} instead of ${expectedCluster}.`,
            expected: expectedCluster,
            actual: clusters,
            envoy: { proxy, location, excerpt: located.route },
          });
        } else {
          findings.push({ code: "ICA0905", severity: "info", message: `${proxy} routes ${fqdn} to ${expectedCluster}.`, envoy: { proxy, location, excerpt: located.route } });
        }
      }
    }

    // Live traffic: every response must come from the subset's pods.
    const result = snapshot.probe("traffic");
    if (result) {
      const versions = result.responses.map((r) => (r.status >= 200 && r.status < 300 ? (servedVersion(snapshot, p.namespace, r, p.servedBy) ?? "unknown") : `HTTP ${statusLabel(r)}`));
      const histogram = countBy(versions, (v) => v);
      const evidence = probeEvidence("traffic", result, histogram);
      const failed = result.responses.filter((r) => r.status >= 400);
      const others = versions.filter((v) => v !== p.subset && !v.startsWith("HTTP "));
      if (failed.length) {
        findings.push({ code: "ICA0956", severity: "error", message: `${failed.length} of ${result.responses.length} requests failed (${Object.keys(countBy(failed, statusLabel)).join(", ")}).`, probe: evidence });
      }
      if (others.length) {
        findings.push({ code: "ICA0951", severity: "error", message: `${others.length} of ${result.responses.length} requests were served by versions other than ${p.subset}.`, probe: evidence, expected: { [p.subset]: result.responses.length }, actual: histogram });
      }
      if (!failed.length && !others.length) {
        findings.push({ code: "ICA0955", severity: "info", message: `All ${result.responses.length} requests were served by ${p.subset}.`, probe: evidence });
      }
    }
    return findings;
  },
});
