/** Fails when a workload can reach external hosts it should not, or cannot reach registered ones; evidence: the Sidecar policy and ServiceEntries in effect, the caller's Envoy catch-all and routes, and probes to each external URL. */
import { z } from "zod";
import { defineCheck, type Finding } from "../../check";
import { routeDestinations } from "../../envoy/config-dump";
import { rootNamespace, serviceEntriesFor, sidecarFor, sidecarSpec } from "../../istio/egress";
import { envoyRouteFor, requestFromUrl } from "../../istio/requests";
import { countBy, probeEvidence, statusLabel } from "../../istio/traffic";
import { proxySelectorParam } from "../params";

const docsUrl = "https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/";

const params = z
  .object({
    /** The workload whose outbound traffic is judged; probes start from it. */
    caller: proxySelectorParam,
    /** External URLs that must answer (through a ServiceEntry). */
    allowed: z.array(z.url()).default([]),
    /** External URLs the sidecar must refuse (502 from the block_all route). */
    blocked: z.array(z.url()).min(1),
    requestsPerUrl: z.number().int().min(1).max(50).default(3),
  })
  .strict();

function target(url: string): { host: string; port: number; scheme: "http" | "https" } {
  const parsed = new URL(url);
  const scheme = parsed.protocol === "https:" ? "https" : "http";
  return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : scheme === "https" ? 443 : 80, scheme };
}

export default defineCheck({
  id: "egress.registry-only",
  title: "Only registered external hosts are reachable",
  description:
    "The outbound traffic policy for the caller is REGISTRY_ONLY, each allowed external host is registered by a ServiceEntry on the port and protocol used and every blocked one is not, the caller's Envoy routes unknown hosts to block_all and registered ones to their cluster, and probes get answers only from the allowed hosts.",
  codes: ["ICA0611", "ICA0612", "ICA0613", "ICA0614", "ICA0905", "ICA0935", "ICA0955", "ICA0974"],
  params,
  inputs: (p) => ({
    kinds: ["Sidecar", "ServiceEntry", "Pod"],
    proxies: [p.caller],
    probes: [
      ...p.allowed.map((url, i) => ({ id: `allowed-${i}`, spec: { from: p.caller, url, requests: p.requestsPerUrl }, afterSync: true })),
      ...p.blocked.map((url, i) => ({ id: `blocked-${i}`, spec: { from: p.caller, url, requests: p.requestsPerUrl }, afterSync: true })),
    ],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const envoy = snapshot.envoy(p.caller);
    const namespace = envoy?.pod.namespace ?? p.caller.namespace;
    const pod = envoy ? snapshot.get("Pod", envoy.pod.namespace, envoy.pod.name) : undefined;
    const labels = pod?.metadata.labels ?? ("app" in p.caller ? { app: p.caller.app } : {});

    // The outbound traffic policy: the Sidecar in effect, or the mesh config when no Sidecar sets one.
    const sidecar = sidecarFor(snapshot, namespace, labels);
    const mode = sidecar ? sidecarSpec(sidecar).outboundTrafficPolicy?.mode : undefined;
    const catchAll = envoy ? envoyRouteFor(envoy.config, String(target(p.blocked[0]!).port), requestFromUrl(`http://unregistered.invalid:${target(p.blocked[0]!).port}/`)) : undefined;
    const envoyBlocks = catchAll?.virtualHost?.name === "block_all";
    if (mode === "ALLOW_ANY" || (mode === undefined && envoy && !envoyBlocks)) {
      findings.push({
        code: "ICA0611",
        severity: "error",
        message: sidecar
          ? `Sidecar ${sidecar.metadata.namespace}/${sidecar.metadata.name} applies to the caller and ${mode ? "sets outboundTrafficPolicy ALLOW_ANY" : "sets no outboundTrafficPolicy, so the mesh default ALLOW_ANY holds"}: any external host is reachable.`
          : `No Sidecar applies to the caller (none selects it in ${namespace}, and neither ${namespace} nor ${rootNamespace} has a default one), and the mesh default is ALLOW_ANY: any external host is reachable.`,
        resource: sidecar && { kind: "Sidecar", namespace: sidecar.metadata.namespace, name: sidecar.metadata.name },
        path: "spec.outboundTrafficPolicy.mode",
        expected: "REGISTRY_ONLY",
        actual: mode ?? "ALLOW_ANY (mesh default)",
        hint: `Create a Sidecar named default in ${rootNamespace} (the root namespace: it applies mesh-wide) with outboundTrafficPolicy.mode REGISTRY_ONLY, or set it in the mesh config.`,
        docsUrl,
      });
    } else {
      findings.push({
        code: "ICA0614",
        severity: "info",
        message: mode ? `Sidecar ${sidecar!.metadata.namespace}/${sidecar!.metadata.name} sets outboundTrafficPolicy REGISTRY_ONLY for the caller.` : "The mesh config sets outboundTrafficPolicy REGISTRY_ONLY (no Sidecar overrides it for the caller).",
        resource: sidecar && { kind: "Sidecar", namespace: sidecar.metadata.namespace, name: sidecar.metadata.name },
        actual: mode ?? "REGISTRY_ONLY (mesh config)",
      });
    }

    // ServiceEntries: each allowed host registered on its port and protocol, no blocked host registered.
    for (const url of p.allowed) {
      const t = target(url);
      const { matching, hostOnly } = serviceEntriesFor(snapshot, namespace, t.host, t.port, t.scheme);
      if (matching.length === 0) {
        findings.push({
          code: "ICA0612",
          severity: "error",
          message: hostOnly.length
            ? `ServiceEntry ${hostOnly[0]!.metadata.name} lists ${t.host} but has no ${t.scheme === "http" ? "HTTP" : "TLS or HTTPS"} port ${t.port}, so ${url} is still unknown to the mesh.`
            : `No ServiceEntry visible in ${namespace} registers ${t.host}, so under REGISTRY_ONLY ${url} is blocked.`,
          resource: hostOnly[0] && { kind: "ServiceEntry", namespace: hostOnly[0].metadata.namespace, name: hostOnly[0].metadata.name },
          path: hostOnly.length ? "spec.ports" : undefined,
          expected: { hosts: [t.host], ports: [{ number: t.port, protocol: t.scheme === "http" ? "HTTP" : "TLS" }], location: "MESH_EXTERNAL", resolution: "DNS" },
          hint: `Register ${t.host} with a ServiceEntry: hosts [${t.host}], a port ${t.port} with protocol ${t.scheme === "http" ? "HTTP" : "TLS"}, location MESH_EXTERNAL, resolution DNS.`,
          docsUrl: "https://istio.io/latest/docs/reference/config/networking/service-entry/",
        });
      } else {
        findings.push({ code: "ICA0614", severity: "info", message: `ServiceEntry ${matching[0]!.metadata.name} registers ${t.host}:${t.port}.`, resource: { kind: "ServiceEntry", namespace: matching[0]!.metadata.namespace, name: matching[0]!.metadata.name }, actual: matching[0]!.spec });
      }
    }
    for (const url of p.blocked) {
      const t = target(url);
      const { matching } = serviceEntriesFor(snapshot, namespace, t.host, t.port, t.scheme);
      for (const entry of matching) {
        findings.push({
          code: "ICA0613",
          severity: "error",
          message: `ServiceEntry ${entry.metadata.name} (hosts ${JSON.stringify((entry.spec as { hosts?: string[] }).hosts)}) also registers ${t.host}, which must stay blocked.`,
          resource: { kind: "ServiceEntry", namespace: entry.metadata.namespace, name: entry.metadata.name },
          path: "spec.hosts",
          hint: "List exactly the hosts you need; a wildcard opens every matching host.",
          docsUrl: "https://istio.io/latest/docs/reference/config/networking/service-entry/",
        });
      }
    }

    // The caller's Envoy: blocked hosts fall through to block_all, allowed ones have a route to their own cluster.
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      const checkUrl = (url: string, allowed: boolean) => {
        const t = target(url);
        const picked = envoyRouteFor(envoy.config, String(t.port), requestFromUrl(url));
        const location = `route "${t.port}" › ${picked.virtualHost?.name ?? "(no virtual host)"}`;
        const clusters = picked.route ? routeDestinations(picked.route).map((d) => d.cluster) : [];
        const ok = allowed ? clusters.some((c) => c === `outbound|${t.port}||${t.host}` && envoy.config.cluster(c)) : picked.virtualHost?.name === "block_all";
        findings.push(
          ok
            ? { code: "ICA0905", severity: "info", message: allowed ? `${proxy} routes ${t.host}:${t.port} to outbound|${t.port}||${t.host}.` : `${proxy} sends ${t.host}:${t.port} to the block_all route (502).`, envoy: { proxy, location, excerpt: picked.route ?? null } }
            : {
                code: "ICA0935",
                severity: "error",
                message: allowed
                  ? `${proxy} has no route to a cluster for ${t.host}:${t.port} (it uses ${picked.virtualHost?.name ?? "nothing"}${clusters.length ? ` → ${clusters.join(", ")}` : ""}).`
                  : `${proxy} lets ${t.host}:${t.port} through via ${picked.virtualHost?.name ?? "no virtual host"}${clusters.length ? ` → ${clusters.join(", ")}` : ""} instead of block_all.`,
                expected: allowed ? `outbound|${t.port}||${t.host}` : "virtual host block_all (direct_response 502)",
                actual: picked.virtualHost?.name ?? null,
                envoy: { proxy, location, excerpt: picked.route ?? null },
              },
        );
      };
      p.allowed.forEach((url) => checkUrl(url, true));
      p.blocked.forEach((url) => checkUrl(url, false));
    }

    // Live traffic: allowed URLs answer, blocked ones get 502 (or no connection).
    const probeUrl = (id: string, url: string, allowed: boolean) => {
      const result = snapshot.probe(id);
      if (!result) return;
      const histogram = countBy(result.responses, (r) => (r.status === 0 ? "no response" : statusLabel(r)));
      const evidence = probeEvidence(id, result, histogram);
      const answered = result.responses.filter((r) => r.status >= 200 && r.status < 400).length;
      const ok = allowed ? answered === result.responses.length : answered === 0;
      findings.push(
        ok
          ? { code: "ICA0955", severity: "info", message: allowed ? `${url} answered all ${result.responses.length} requests.` : `${url} was refused for all ${result.responses.length} requests.`, probe: evidence }
          : { code: "ICA0974", severity: "error", message: allowed ? `${url} failed ${result.responses.length - answered} of ${result.responses.length} requests (${Object.keys(histogram).join(", ")}).` : `${url} answered ${answered} of ${result.responses.length} requests: it is not blocked.`, probe: evidence, expected: allowed ? "2xx answers" : "502 from block_all" },
      );
    };
    p.allowed.forEach((url, i) => probeUrl(`allowed-${i}`, url, true));
    p.blocked.forEach((url, i) => probeUrl(`blocked-${i}`, url, false));
    return findings;
  },
});
