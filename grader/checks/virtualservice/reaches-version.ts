/** Fails when a request to a host is not answered by the pods of one version; evidence: the rule it takes and the pods that rule's subset selects, the caller's Envoy route → cluster → endpoints chain, and a probe with its response flags. */
import { z } from "zod";
import { defineCheck, type Finding } from "../../check";
import { destinationReach, envoyRouteFor, envoyRouteReach, firstAcceptingRoute, podsSelected, requestFromUrl, versionsOf } from "../../istio/requests";
import { explainFlags } from "../../istio/response-flags";
import { meshVirtualServices, routeShares, toFqdn, vsSpec } from "../../istio/routing";
import { countBy, probeEvidence, servedVersion, statusLabel } from "../../istio/traffic";
import { namespaceParam, probeParam, proxySelectorParam } from "../params";

const docsUrl = "https://istio.io/latest/docs/ops/common-problems/network-issues/";
const subsetDocsUrl = "https://istio.io/latest/docs/concepts/traffic-management/#destination-rules";

export default defineCheck({
  id: "virtualservice.reaches-version",
  title: "Requests to a host are answered by one version",
  description:
    "The VirtualService rule the request takes sends it to a subset that exists and selects only pods of the version; the caller's Envoy route names a cluster it has, whose healthy endpoints are those pods; and live requests all succeed from that version.",
  codes: ["ICA0201", "ICA0206", "ICA0301", "ICA0302", "ICA0308", "ICA0332", "ICA0901", "ICA0902", "ICA0905", "ICA0906", "ICA0951", "ICA0955", "ICA0956"],
  params: z
    .object({
      host: z.string().min(1),
      namespace: namespaceParam,
      port: z.number().int().min(1).max(65535).default(9080),
      /** The value of the pods' `version` label that must answer. */
      version: z.string().min(1),
      caller: proxySelectorParam,
      /** Sent from the caller straight to the host; its headers select the rule under test. */
      probe: probeParam,
    })
    .strict(),
  inputs: (p) => ({
    kinds: ["VirtualService", "DestinationRule", "Service", "Pod"],
    proxies: [p.caller],
    probes: [{ id: "traffic", spec: { ...p.probe, from: p.probe.from, url: p.probe.url }, afterSync: true }],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const fqdn = toFqdn(p.namespace, p.host);
    const envoy = snapshot.envoy(p.caller);
    const callerPod = envoy ? snapshot.get("Pod", envoy.pod.namespace, envoy.pod.name) : undefined;
    const request = requestFromUrl(p.probe.url, p.probe.headers, { labels: callerPod?.metadata.labels, namespace: p.caller.namespace });
    const described = p.probe.headers && Object.keys(p.probe.headers).length ? `requests with ${Object.entries(p.probe.headers).map(([k, v]) => `${k}: ${v}`).join(", ")}` : "requests";

    // Desired config: the rule the request takes, and the pods its destinations select.
    const [vs] = meshVirtualServices(snapshot, fqdn, p.namespace);
    if (!vs) {
      const versions = versionsOf(podsSelected(snapshot, fqdn, p.namespace));
      if (versions.length !== 1 || versions[0] !== p.version) {
        findings.push({
          code: "ICA0301",
          severity: "error",
          message: `No VirtualService routes ${p.host} for traffic inside the mesh, so ${described} are spread over every version (${versions.join(", ")}).`,
          hint: `Route ${p.host} with a VirtualService to a subset that selects the ${p.version} pods.`,
          docsUrl,
        });
      }
    } else {
      const resource = { kind: "VirtualService", namespace: vs.metadata.namespace, name: vs.metadata.name };
      const spec = vsSpec(vs);
      const index = firstAcceptingRoute(spec, request);
      if (index < 0) {
        findings.push({
          code: "ICA0332",
          severity: "error",
          message: `No rule of ${vs.metadata.name} takes ${described} to ${p.probe.url}: the sidecar answers them 404 (NR).`,
          resource,
          path: "spec.http",
          hint: "End the http list with a rule that has no match, so every request has somewhere to go.",
          docsUrl,
        });
      } else {
        const before = findings.length;
        for (const dest of routeShares(spec.http![index]!, vs.metadata.namespace ?? p.namespace)) {
          if (dest.share === 0) continue;
          const path = `spec.http[${index}].route[${dest.index}].destination`;
          if (dest.fqdn !== fqdn) {
            findings.push({ code: "ICA0302", severity: "error", message: `Rule ${index} sends ${described} to ${dest.fqdn}, not to ${fqdn}.`, resource, path: `${path}.host`, expected: p.host, actual: dest.fqdn, docsUrl });
            continue;
          }
          const reach = destinationReach(snapshot, fqdn, p.namespace, dest.subset);
          if (!reach.defined) {
            findings.push({
              code: "ICA0201",
              severity: "error",
              message: `Rule ${index} routes to subset "${dest.subset}", which no DestinationRule for ${p.host} defines: the caller's sidecar has no cluster for it and answers 503 NC.`,
              resource,
              path: `${path}.subset`,
              actual: dest.subset,
              hint: `istioctl analyze reports this as IST0101. Route to a subset the DestinationRule defines, or define "${dest.subset}" there with labels that select the ${p.version} pods.`,
              docsUrl: subsetDocsUrl,
            });
          } else if (reach.pods.length === 0) {
            findings.push({
              code: "ICA0206",
              severity: "error",
              message: `Subset "${dest.subset}" of ${p.host} selects pods labelled ${JSON.stringify(reach.labels)}, and no running ${p.host} pod has those labels: Envoy gets no endpoints for it and answers 503 UH (no healthy upstream).`,
              resource,
              path: `${path}.subset`,
              expected: `labels that match the ${p.version} pods, e.g. {"version":"${p.version}"}`,
              actual: { subsetLabels: reach.labels, podVersions: versionsOf(podsSelected(snapshot, fqdn, p.namespace)) },
              hint: "Compare the subset's labels with kubectl get pods --show-labels: keys and values must match exactly (they are case-sensitive). istioctl 1.27 and later report this as IST0173.",
              docsUrl: subsetDocsUrl,
            });
          } else {
            const versions = versionsOf(reach.pods);
            if (versions.length !== 1 || versions[0] !== p.version) {
              findings.push({
                code: "ICA0302",
                severity: "error",
                message: `Rule ${index} sends ${Math.round(dest.share * 100)}% of ${described} to ${dest.subset ? `subset "${dest.subset}", whose pods are` : "every pod of the host:"} version ${versions.join(", ")}, not only ${p.version}.`,
                resource,
                path: dest.subset ? `${path}.subset` : path,
                expected: p.version,
                actual: versions,
                docsUrl: subsetDocsUrl,
              });
            }
          }
        }
        if (findings.length === before) {
          findings.push({ code: "ICA0308", severity: "info", message: `${described[0]!.toUpperCase()}${described.slice(1)} take rule ${index} of ${vs.metadata.name}, whose destinations select only ${p.version} pods.`, resource, actual: spec.http![index] });
        }
      }
    }

    // Delivered config: the caller's route → cluster → endpoints, as istioctl proxy-config shows them.
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      const chosen = envoyRouteFor(envoy.config, String(p.port), request);
      if (!chosen.route) {
        findings.push({
          code: "ICA0902",
          severity: "error",
          message: chosen.virtualHost
            ? `${proxy}: no route of virtual host ${chosen.virtualHost.name} takes ${described} (404 NR).`
            : `${proxy} has no virtual host for ${request.authority} in route config "${p.port}" (404 NR).`,
          hint: `istioctl proxy-config routes ${envoy.pod.name} -n ${envoy.pod.namespace} --name ${p.port} -o json`,
        });
      } else {
        const location = `route "${p.port}" › ${chosen.virtualHost!.name} › routes[${chosen.index}]`;
        const reach = envoyRouteReach(envoy.config, chosen.route, snapshot);
        let bad = 0;
        for (const target of reach) {
          if (!target.exists) {
            bad++;
            findings.push({
              code: "ICA0901",
              severity: "error",
              message: `${proxy} routes ${described} to ${target.cluster}, a cluster it does not have: Envoy answers 503 NC.`,
              actual: target.cluster,
              envoy: { proxy, location, excerpt: chosen.route },
              hint: `istioctl proxy-config cluster ${envoy.pod.name} -n ${envoy.pod.namespace} --fqdn ${fqdn} lists the clusters it has.`,
            });
          } else if (target.healthyPods.length === 0) {
            bad++;
            findings.push({
              code: "ICA0906",
              severity: "error",
              message: `${proxy} routes ${described} to ${target.cluster}, which has no healthy endpoints: Envoy answers 503 UH.`,
              actual: { cluster: target.cluster, endpoints: [] },
              envoy: { proxy, location, excerpt: chosen.route },
              hint: `istioctl proxy-config endpoints ${envoy.pod.name} -n ${envoy.pod.namespace} --cluster "${target.cluster}" shows none.`,
            });
          } else {
            const versions = versionsOf(target.healthyPods.map((name) => snapshot.get("Pod", p.namespace, name)).filter((pod) => pod !== undefined));
            if (versions.length !== 1 || versions[0] !== p.version) {
              bad++;
              findings.push({
                code: "ICA0901",
                severity: "error",
                message: `${proxy} sends ${described} to ${target.cluster}, whose endpoints are ${target.healthyPods.join(", ")} (version ${versions.join(", ")}), not ${p.version}.`,
                expected: p.version,
                actual: { cluster: target.cluster, pods: target.healthyPods },
                envoy: { proxy, location, excerpt: chosen.route },
              });
            }
          }
        }
        if (bad === 0) {
          findings.push({ code: "ICA0905", severity: "info", message: `${proxy} sends ${described} to ${reach.map((r) => r.cluster).join(", ")}, backed by ${reach.flatMap((r) => r.healthyPods).join(", ")}.`, envoy: { proxy, location, excerpt: chosen.route } });
        }
      }
    }

    // Live traffic: every response must succeed and come from the version.
    const result = snapshot.probe("traffic");
    if (result) {
      const labels = result.responses.map((r) => (r.status >= 200 && r.status < 300 ? (servedVersion(snapshot, p.namespace, r, "upstream-pod") ?? "unknown") : `HTTP ${statusLabel(r)}`));
      const histogram = countBy(labels, (v) => v);
      const evidence = probeEvidence("traffic", result, histogram);
      const failed = result.responses.filter((r) => r.status < 200 || r.status >= 300);
      const others = labels.filter((v) => v !== p.version && !v.startsWith("HTTP "));
      if (failed.length) {
        const kinds = Object.keys(countBy(failed, statusLabel));
        const why = [...new Set(failed.map((r) => explainFlags(r.flags)).filter((e): e is string => e !== undefined))];
        findings.push({
          code: "ICA0956",
          severity: "error",
          message: `${failed.length} of ${result.responses.length} ${described} failed (${kinds.join(", ")})${why.length ? `: ${why.join(" / ")}` : ""}.`,
          probe: evidence,
          hint: "Response flags come from the caller's sidecar access log: kubectl logs <pod> -c istio-proxy.",
        });
      }
      if (others.length) {
        findings.push({ code: "ICA0951", severity: "error", message: `${others.length} of ${result.responses.length} ${described} were answered by versions other than ${p.version}.`, probe: evidence, expected: { [p.version]: result.responses.length }, actual: histogram });
      }
      if (!failed.length && !others.length) {
        findings.push({ code: "ICA0955", severity: "info", message: `All ${result.responses.length} ${described} were answered by ${p.version}.`, probe: evidence });
      }
    }
    return findings;
  },
});
