/** Fails when a request entering through the ingress gateway with a Host and path does not reach a service; evidence: the Gateway server and bound VirtualService chain, the gateway's Envoy virtual host and route, and probes sent to the gateway. */
import { z } from "zod";
import { defineCheck, type Finding } from "../../check";
import { parseClusterName, routeDestinations } from "../../envoy/config-dump";
import { boundGateways, gatewaySpec, gatewaysForWorkload, qualifiedName, serverAcceptsHost, serverAdmits, virtualServicesBoundTo } from "../../istio/gateways";
import { envoyRouteFor, firstAcceptingRoute, podsSelected, requestFromUrl } from "../../istio/requests";
import { routeShares, toFqdn, vsSpec } from "../../istio/routing";
import { countBy, probeEvidence, statusLabel } from "../../istio/traffic";
import type { KubeObject, Snapshot } from "../../snapshot/snapshot";
import { namespaceParam } from "../params";
import { hostsMatch } from "../../analyze/hosts";

const docsUrl = "https://istio.io/latest/docs/tasks/traffic-management/ingress/ingress-control/";

const params = z
  .object({
    /** The Host header clients send. */
    host: z.string().min(1),
    path: z.string().regex(/^\//, "a path starting with /"),
    /** The port clients use on the ingress gateway's Service (80 for plain HTTP). */
    port: z.number().int().min(1).max(65535).default(80),
    /** The gateway workload: its proxy is read and the probes are sent to its Service from its own pod. */
    gateway: z
      .object({ namespace: namespaceParam, app: z.string().min(1) })
      .strict()
      .default({ namespace: "istio-system", app: "istio-ingressgateway" }),
    ingressService: z.string().min(1).default("istio-ingressgateway"),
    /** The service that must answer, as a short name or FQDN (resolved in `namespace`). */
    service: z.string().min(1),
    namespace: namespaceParam,
    requests: z.number().int().min(1).max(200).default(10),
    expectStatus: z.number().int().min(100).max(599).default(200),
  })
  .strict();
type Params = z.infer<typeof params>;

/** The gateway workload's Service port → container port (the listener port istiod uses: route config `http.<port>`). */
function targetPort(snapshot: Snapshot, p: Params): number {
  const service = snapshot.get("Service", p.gateway.namespace, p.ingressService);
  const ports = (service?.spec?.ports ?? []) as { port: number; targetPort?: number | string }[];
  const found = ports.find((port) => port.port === p.port);
  return typeof found?.targetPort === "number" ? found.targetPort : p.port;
}

function ref(obj: KubeObject): { kind: string; namespace?: string; name: string } {
  return { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name };
}

export default defineCheck({
  id: "gateway.ingress-route",
  title: "Requests through the ingress gateway reach a service",
  description:
    "A Gateway on the ingress workload has a server for the Host on the port, a VirtualService bound to that Gateway lists the Host and routes the path to the service, the gateway's Envoy has the virtual host and route, and requests sent to the gateway with that Host are answered by the service.",
  codes: ["ICA0601", "ICA0602", "ICA0603", "ICA0607", "ICA0905", "ICA0933", "ICA0951", "ICA0955", "ICA0956"],
  params,
  inputs: (p) => ({
    kinds: ["Gateway", "VirtualService", "Service", "Pod"],
    proxies: [p.gateway],
    probes: [
      {
        id: "ingress",
        spec: { from: p.gateway, url: `http://${p.ingressService}.${p.gateway.namespace}.svc.cluster.local:${p.port}${p.path}`, headers: { host: p.host }, requests: p.requests },
        afterSync: true,
      },
    ],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const serviceFqdn = toFqdn(p.namespace, p.service);
    const envoy = snapshot.envoy(p.gateway);
    const gatewayPod = envoy ? snapshot.get("Pod", envoy.pod.namespace, envoy.pod.name) : undefined;
    const podLabels = gatewayPod?.metadata.labels ?? {};
    const curl = `curl -H "Host: ${p.host}" http://$INGRESS_HOST:$INGRESS_PORT${p.path}`;

    // Hand-off 1: a Gateway on this workload must accept the Host on the port.
    // A server may name the Service port (80, translated by istiod) or the pod's port behind it (8080, as Bookinfo's sample does).
    const podPort = targetPort(snapshot, p);
    const gateways = gatewaysForWorkload(snapshot, podLabels);
    const onPort = gateways.flatMap((gw) => (gatewaySpec(gw).servers ?? []).filter((s) => s.port.number === p.port || s.port.number === podPort).map((server) => ({ gw, server })));
    const accepting = onPort.filter(({ gw, server }) => serverAcceptsHost(server, p.host, gw.metadata.namespace ?? "default"));
    if (accepting.length === 0) {
      findings.push({
        code: "ICA0601",
        severity: "error",
        message: onPort.length
          ? `No Gateway server on port ${p.port} accepts Host ${p.host}: ${onPort.map(({ gw, server }) => `${qualifiedName(gw)} serves ${server.hosts.join(", ")}`).join("; ")}.`
          : `No Gateway selecting the ${p.gateway.app} pods (${Object.entries(podLabels).filter(([k]) => k === "istio" || k === "app").map(([k, v]) => `${k}=${v}`).join(", ")}) has a server on port ${p.port}${podPort === p.port ? "" : ` (or ${podPort}, the pod port behind it)`}.`,
        resource: onPort[0] ? ref(onPort[0].gw) : undefined,
        path: onPort[0] ? "spec.servers[].hosts" : "spec.servers",
        expected: { port: podPort === p.port ? p.port : `${p.port} or ${podPort}`, hosts: [p.host] },
        actual: onPort.map(({ gw, server }) => ({ gateway: qualifiedName(gw), hosts: server.hosts })),
        hint: "The Gateway's selector must match the ingress gateway pods, and one of its servers on this port must list the Host (or a wildcard covering it).",
        docsUrl,
      });
    }

    // Hand-off 2: a VirtualService bound to such a Gateway must list the Host and route the path to the service.
    let serving: { vs: KubeObject; gateway: KubeObject } | undefined;
    for (const { gw, server } of accepting) {
      const vs = virtualServicesBoundTo(snapshot, gw).find((candidate) =>
        (vsSpec(candidate).hosts ?? []).some((h) => hostsMatch(h, p.host) && serverAdmits(server, h, gw.metadata.namespace ?? "default", candidate.metadata.namespace ?? "default")),
      );
      if (vs) {
        serving = { vs, gateway: gw };
        break;
      }
    }
    if (accepting.length > 0 && !serving) {
      const gatewayNames = [...new Set(accepting.map(({ gw }) => qualifiedName(gw)))];
      const forHost = snapshot.list("VirtualService").filter((vs) => (vsSpec(vs).hosts ?? []).some((h) => hostsMatch(h, p.host)));
      const bound = accepting.flatMap(({ gw }) => virtualServicesBoundTo(snapshot, gw));
      for (const vs of forHost) {
        const gatewaysOfVs = boundGateways(vs);
        const explicit = (vsSpec(vs).gateways ?? []).length > 0;
        findings.push({
          code: "ICA0602",
          severity: "error",
          message: explicit
            ? `VirtualService ${qualifiedName(vs)} lists ${p.host} but is bound to ${gatewaysOfVs.join(", ")}, not to ${gatewayNames.join(" or ")}: the ingress gateway never receives its routes and answers 404.`
            : `VirtualService ${qualifiedName(vs)} lists ${p.host} but has no gateways field, so it applies only to sidecars (the reserved gateway "mesh"): the ingress gateway answers 404.`,
          resource: ref(vs),
          path: "spec.gateways",
          expected: gatewayNames,
          actual: vsSpec(vs).gateways ?? null,
          hint: `Bind it with gateways: [${accepting[0]!.gw.metadata.namespace === vs.metadata.namespace ? accepting[0]!.gw.metadata.name : qualifiedName(accepting[0]!.gw)}] (add mesh too if sidecars should keep using it).`,
          docsUrl: "https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService",
        });
      }
      for (const vs of bound.filter((vs) => !forHost.includes(vs))) {
        findings.push({
          code: "ICA0602",
          severity: "error",
          message: `VirtualService ${qualifiedName(vs)} is bound to ${gatewayNames.join(", ")} but lists hosts ${(vsSpec(vs).hosts ?? []).join(", ")}, not ${p.host}: the gateway builds virtual hosts only for VirtualService hosts, so requests for ${p.host} get 404.`,
          resource: ref(vs),
          path: "spec.hosts",
          expected: [p.host],
          actual: vsSpec(vs).hosts ?? [],
          hint: `Make the VirtualService's hosts include ${p.host}; widening the Gateway's hosts does not change which Host the VirtualService answers for. istioctl analyze warns with IST0132 when the two disagree.`,
          docsUrl,
        });
      }
      if (forHost.length === 0 && bound.length === 0) {
        findings.push({
          code: "ICA0602",
          severity: "error",
          message: `No VirtualService is bound to ${gatewayNames.join(" or ")} for ${p.host}, so the gateway has no route for it and answers 404.`,
          expected: { hosts: [p.host], gateways: gatewayNames },
          hint: `Create a VirtualService with hosts: [${p.host}] and gateways: [${accepting[0]!.gw.metadata.name}] that routes ${p.path} to ${p.service}.`,
          docsUrl,
        });
      }
    }
    if (serving) {
      const request = requestFromUrl(`http://${p.host}:${p.port}${p.path}`, { host: p.host }, { gateway: qualifiedName(serving.gateway) });
      const spec = vsSpec(serving.vs);
      const index = firstAcceptingRoute(spec, request);
      const destinations = index >= 0 ? routeShares(spec.http![index]!, serving.vs.metadata.namespace ?? "default").filter((d) => d.share > 0) : [];
      const elsewhere = destinations.filter((d) => d.fqdn !== serviceFqdn);
      if (index < 0 || elsewhere.length > 0) {
        findings.push({
          code: "ICA0603",
          severity: "error",
          message:
            index < 0
              ? `VirtualService ${qualifiedName(serving.vs)} serves ${p.host} but none of its rules matches ${p.path}: the gateway answers 404.`
              : `Rule ${index} of ${qualifiedName(serving.vs)} sends ${p.path} to ${elsewhere.map((d) => d.fqdn).join(", ")}, not to ${serviceFqdn}.`,
          resource: ref(serving.vs),
          path: index < 0 ? "spec.http[].match" : `spec.http[${index}].route`,
          expected: { path: p.path, host: p.service },
          actual: index < 0 ? (spec.http ?? []).map((r) => r.match ?? null) : destinations.map((d) => d.fqdn),
          docsUrl,
        });
      } else {
        findings.push({ code: "ICA0607", severity: "info", message: `Gateway ${qualifiedName(serving.gateway)} accepts ${p.host} on port ${p.port}; ${qualifiedName(serving.vs)} is bound to it and rule ${index} routes ${p.path} to ${p.service}.`, resource: ref(serving.vs), actual: spec.http?.[index] });
      }
    }

    // The gateway's Envoy: route config http.<target port> must have a virtual host for the Host and a route for the path.
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      const routeConfig = `http.${podPort}`;
      const request = requestFromUrl(`http://${p.host}${p.path}`, { host: p.host });
      const picked = envoyRouteFor(envoy.config, routeConfig, request);
      // istiod's catch-all `blackhole:<port>` virtual host only exists to answer 404: it is not a virtual host for the Host.
      const chosen = picked.virtualHost?.name.startsWith("blackhole:") ? { index: -1 } : picked;
      const domains = (envoy.config.routeConfig(routeConfig)?.virtual_hosts ?? []).filter((v) => !v.name.startsWith("blackhole:")).flatMap((v) => v.domains);
      const inspect = `istioctl proxy-config routes ${envoy.pod.name} -n ${envoy.pod.namespace} --name ${routeConfig}`;
      if (!chosen.virtualHost || !chosen.route) {
        findings.push({
          code: "ICA0933",
          severity: "error",
          message: !envoy.config.routeConfig(routeConfig)
            ? `${proxy} has no route config ${routeConfig}: no Gateway server opens port ${p.port} on it.`
            : !chosen.virtualHost
              ? `${proxy} has no virtual host for ${p.host} in ${routeConfig} (it serves ${domains.length ? domains.join(", ") : "no domains"}), so it answers 404 NR.`
              : `${proxy}: virtual host ${chosen.virtualHost.name} has no route matching ${p.path} (404 NR).`,
          expected: { routeConfig, domain: p.host, path: p.path },
          actual: { domains },
          hint: inspect,
        });
      } else {
        const clusters = routeDestinations(chosen.route).filter((d) => d.weight > 0).map((d) => d.cluster);
        const stray = clusters.filter((c) => parseClusterName(c)?.host !== serviceFqdn);
        const location = `route "${routeConfig}" › ${chosen.virtualHost.name} › routes[${chosen.index}]`;
        if (stray.length || clusters.length === 0) {
          findings.push({ code: "ICA0933", severity: "error", message: `${proxy} routes ${p.host}${p.path} to ${clusters.length ? clusters.join(", ") : "no cluster (a redirect or direct response)"}, not to ${serviceFqdn}.`, expected: serviceFqdn, actual: clusters, envoy: { proxy, location, excerpt: chosen.route }, hint: inspect });
        } else {
          findings.push({ code: "ICA0905", severity: "info", message: `${proxy} routes ${p.host}${p.path} to ${clusters.join(", ")}.`, envoy: { proxy, location, excerpt: chosen.route } });
        }
      }
    }

    // Traffic: requests sent to the gateway with the Host header, as curl from outside the cluster would send them.
    const result = snapshot.probe("ingress");
    if (result) {
      const servicePods = new Set(podsSelected(snapshot, serviceFqdn, p.namespace).map((pod) => pod.metadata.name));
      const labels = result.responses.map((r) => {
        const pod = r.upstreamPod?.split(".")[0];
        return r.status === p.expectStatus && pod && servicePods.has(pod) ? `${r.status} ${p.service}` : r.status === p.expectStatus ? `${r.status} from ${pod ?? "the gateway"}` : `HTTP ${statusLabel(r)}`;
      });
      const histogram = countBy(labels, (l) => l);
      const evidence = probeEvidence("ingress", result, histogram);
      const failed = result.responses.filter((r) => r.status !== p.expectStatus);
      const elsewhere = labels.filter((l) => l.includes(" from "));
      if (failed.length) {
        const notFound = failed.filter((r) => r.status === 404).length;
        findings.push({
          code: "ICA0956",
          severity: "error",
          message: `${failed.length} of ${result.responses.length} requests (${curl}) got ${Object.keys(countBy(failed, statusLabel)).join(", ")} instead of ${p.expectStatus}${notFound ? "; a 404 from the gateway with flag NR in its access log means it has no route for that Host and path" : ""}.`,
          probe: evidence,
          hint: `kubectl logs -n ${p.gateway.namespace} -l app=${p.gateway.app} --tail 5 shows the gateway's access log.`,
        });
      }
      if (elsewhere.length) {
        findings.push({ code: "ICA0951", severity: "error", message: `${elsewhere.length} of ${result.responses.length} requests were answered by something other than ${p.service}.`, probe: evidence, actual: histogram });
      }
      if (!failed.length && !elsewhere.length) {
        findings.push({ code: "ICA0955", severity: "info", message: `All ${result.responses.length} requests (${curl}) got ${p.expectStatus} from ${p.service}.`, probe: evidence });
      }
    }
    return findings;
  },
});
