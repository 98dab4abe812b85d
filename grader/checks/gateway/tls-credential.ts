/** Fails when the ingress gateway does not terminate TLS for a host with a usable credential; evidence: the Gateway server, the credential Secret and its certificate, the bound VirtualService, and the gateway's TLS filter chain and HTTPS routes. */
import { z } from "zod";
import type { HttpConnectionManager } from "@/cluster/embedded/mesh/envoy-types";
import { defineCheck, type Finding, type ResourceRef } from "../../check";
import { findVirtualHost } from "../../envoy/config-dump";
import { credentialRef, inspectCredential } from "../../istio/credentials";
import { gatewaySpec, gatewaysForWorkload, qualifiedName, serverAcceptsHost, serverAdmits, virtualServicesBoundTo } from "../../istio/gateways";
import { vsSpec } from "../../istio/routing";
import type { KubeObject, Snapshot } from "../../snapshot/snapshot";
import { namespaceParam } from "../params";
import { hostsMatch } from "../../analyze/hosts";

const docsUrl = "https://istio.io/latest/docs/tasks/traffic-management/ingress/secure-ingress/";

const params = z
  .object({
    host: z.string().min(1),
    /** The HTTPS port clients use on the ingress gateway's Service. */
    port: z.number().int().min(1).max(65535).default(443),
    mode: z.enum(["SIMPLE", "MUTUAL"]).default("SIMPLE"),
    gateway: z
      .object({ namespace: namespaceParam, app: z.string().min(1) })
      .strict()
      .default({ namespace: "istio-system", app: "istio-ingressgateway" }),
    ingressService: z.string().min(1).default("istio-ingressgateway"),
  })
  .strict();
type Params = z.infer<typeof params>;

function ref(obj: KubeObject): ResourceRef {
  return { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name };
}

/** The pod port behind the gateway Service's port (the port Envoy listens on). */
function targetPort(snapshot: Snapshot, p: Params): number {
  const service = snapshot.get("Service", p.gateway.namespace, p.ingressService);
  const ports = (service?.spec?.ports ?? []) as { port: number; targetPort?: number | string }[];
  const found = ports.find((port) => port.port === p.port);
  return typeof found?.targetPort === "number" ? found.targetPort : p.port;
}

interface TlsChainView {
  sds: string[];
  serverNames?: string[];
  routeConfig?: string;
}

export default defineCheck({
  id: "gateway.tls-credential",
  title: "The ingress gateway terminates TLS for a host",
  description:
    "A Gateway on the ingress workload has an HTTPS server for the host with the TLS mode and a credentialName, the Secret exists in the gateway workload's namespace with a certificate and key that serve the host, a VirtualService bound to the Gateway lists the host, and the gateway's Envoy has a TLS filter chain with that SDS certificate and HTTPS routes for the host.",
  codes: ["ICA0601", "ICA0602", "ICA0604", "ICA0605", "ICA0606", "ICA0607", "ICA0905", "ICA0933", "ICA0934"],
  params,
  inputs: (p) => ({
    kinds: ["Gateway", "VirtualService", "Secret", "Service", "Pod"],
    proxies: [p.gateway],
    probes: [],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const envoy = snapshot.envoy(p.gateway);
    const gatewayPod = envoy ? snapshot.get("Pod", envoy.pod.namespace, envoy.pod.name) : undefined;
    const workloadNamespace = envoy?.pod.namespace ?? p.gateway.namespace;
    const podPort = targetPort(snapshot, p);

    // The Gateway server for the host on the HTTPS port, with its TLS settings.
    const candidates = gatewaysForWorkload(snapshot, gatewayPod?.metadata.labels ?? {}).flatMap((gw) =>
      (gatewaySpec(gw).servers ?? []).map((server, index) => ({ gw, server, index })).filter(({ server }) => (server.port.number === p.port || server.port.number === podPort) && serverAcceptsHost(server, p.host, gw.metadata.namespace ?? "default")),
    );
    const terminating = candidates.find(({ server }) => server.port.protocol.toUpperCase() === "HTTPS" && server.tls?.mode === p.mode && (server.tls.credentialName ?? server.tls.credentialNames?.[0]));
    let credentialName: string | undefined;
    if (!terminating) {
      const seen = candidates[0];
      findings.push(
        seen
          ? {
              code: "ICA0604",
              severity: "error",
              message: `Gateway ${qualifiedName(seen.gw)} serves ${p.host} on port ${seen.server.port.number} as ${seen.server.port.protocol}${seen.server.tls?.mode ? ` with TLS mode ${seen.server.tls.mode}` : " without a tls block"}${seen.server.tls?.credentialName ? "" : " and no credentialName"}: the gateway does not terminate TLS with a certificate of yours.`,
              resource: ref(seen.gw),
              path: `spec.servers[${seen.index}]`,
              expected: { port: { number: p.port, protocol: "HTTPS" }, tls: { mode: p.mode, credentialName: "<a Secret in " + workloadNamespace + ">" } },
              actual: { port: seen.server.port, tls: seen.server.tls ?? null },
              hint: p.mode === "SIMPLE" ? "SIMPLE terminates TLS at the gateway with the Secret's certificate; PASSTHROUGH would hand the encrypted stream to the backend instead." : "MUTUAL also asks clients for a certificate signed by the Secret's CA bundle.",
              docsUrl,
            }
          : {
              code: "ICA0601",
              severity: "error",
              message: `No Gateway on the ${p.gateway.app} pods has a server on port ${p.port}${podPort === p.port ? "" : ` (or ${podPort})`} for ${p.host}.`,
              expected: { port: { number: p.port, name: "https", protocol: "HTTPS" }, hosts: [p.host], tls: { mode: p.mode, credentialName: "…" } },
              hint: "Add a server to the Gateway: port 443 named https with protocol HTTPS, hosts [the host], and a tls block.",
              docsUrl,
            },
      );
    } else {
      credentialName = terminating.server.tls!.credentialName ?? terminating.server.tls!.credentialNames![0]!;
      const at = `spec.servers[${terminating.index}].tls.credentialName`;
      const { namespace, name } = credentialRef(credentialName, workloadNamespace);
      const secret = snapshot.get("Secret", namespace, name);
      if (!secret) {
        const elsewhere = snapshot.list("Secret").filter((s) => s.metadata.name === name).map((s) => s.metadata.namespace);
        findings.push({
          code: "ICA0605",
          severity: "error",
          message: `credentialName ${credentialName} names Secret ${namespace}/${name}, which does not exist${elsewhere.length ? ` (there is one in ${elsewhere.join(", ")}, but the gateway reads Secrets from its own namespace, ${workloadNamespace})` : ""}: the HTTPS listener has no certificate and handshakes fail.`,
          resource: ref(terminating.gw),
          path: at,
          expected: `Secret ${name} in ${namespace}`,
          actual: elsewhere.length ? `Secret ${name} in ${elsewhere.join(", ")}` : "no such Secret",
          hint: `kubectl create -n ${workloadNamespace} secret tls ${name} --key=<key file> --cert=<certificate file>`,
          docsUrl,
        });
      } else {
        const contents = inspectCredential(secret, p.host, Date.now(), p.mode === "MUTUAL");
        findings.push(
          contents.problems.length
            ? { code: "ICA0606", severity: "error", message: `Secret ${namespace}/${name} cannot serve ${p.host}: ${contents.problems.join("; ")}.`, resource: ref(secret), path: contents.keys ? `data.${contents.keys.cert}` : "data", expected: `a certificate for ${p.host} and its key`, actual: { subjectAltNames: contents.subjectAltNames, validTo: contents.validTo ?? null }, docsUrl }
            : { code: "ICA0607", severity: "info", message: `Gateway ${qualifiedName(terminating.gw)} terminates TLS (${p.mode}) for ${p.host} with Secret ${namespace}/${name} (certificate for ${contents.subjectAltNames.join(", ")}, valid until ${contents.validTo}).`, resource: ref(terminating.gw), path: `spec.servers[${terminating.index}]`, actual: terminating.server },
        );
      }
      // A VirtualService bound to this Gateway must list the host, or the HTTPS server has nothing to route to.
      const bound = virtualServicesBoundTo(snapshot, terminating.gw).find((vs) => (vsSpec(vs).hosts ?? []).some((h) => hostsMatch(h, p.host) && serverAdmits(terminating.server, h, terminating.gw.metadata.namespace ?? "default", vs.metadata.namespace ?? "default")));
      if (!bound) {
        findings.push({ code: "ICA0602", severity: "error", message: `No VirtualService bound to ${qualifiedName(terminating.gw)} lists ${p.host}: TLS would be terminated, then every request answered 404.`, expected: { hosts: [p.host], gateways: [terminating.gw.metadata.name] }, hint: `Bind the host's VirtualService to ${terminating.gw.metadata.name} (gateways:).`, docsUrl });
      }
    }

    // The gateway's Envoy: a TLS filter chain for the host with the SDS certificate, and HTTPS routes for the host.
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      const listener = envoy.config.listeners.find((l) => l.address?.socket_address?.port_value === podPort);
      const chains: TlsChainView[] = (listener?.filter_chains ?? [])
        .filter((chain) => chain.transport_socket?.name === "envoy.transport_sockets.tls")
        .map((chain) => {
          const tls = chain.transport_socket?.typed_config as { common_tls_context?: { tls_certificate_sds_secret_configs?: { name: string }[] } } | undefined;
          const hcm = chain.filters?.[0]?.typed_config as HttpConnectionManager | undefined;
          return { sds: (tls?.common_tls_context?.tls_certificate_sds_secret_configs ?? []).map((s) => s.name), serverNames: chain.filter_chain_match?.server_names, routeConfig: hcm?.rds?.route_config_name };
        });
      const forHost = chains.find((c) => !c.serverNames?.length || c.serverNames.some((n) => hostsMatch(n, p.host)));
      const location = `listener 0.0.0.0_${podPort} › filter_chains`;
      const wantSds = credentialName ? `kubernetes://${credentialName}` : undefined;
      if (!forHost || (wantSds && !forHost.sds.includes(wantSds))) {
        findings.push({
          code: "ICA0934",
          severity: "error",
          message: !listener
            ? `${proxy} has no listener on port ${podPort}: no Gateway server opens ${p.port}.`
            : !forHost
              ? `${proxy}'s listener 0.0.0.0_${podPort} has no TLS filter chain for ${p.host}.`
              : `${proxy}'s TLS filter chain for ${p.host} asks SDS for ${forHost.sds.join(", ") || "no certificate"}, not ${wantSds}.`,
          expected: { server_names: [p.host], sds: wantSds ?? "kubernetes://<credentialName>" },
          actual: chains,
          envoy: { proxy, location, excerpt: chains },
          hint: `istioctl proxy-config listeners -n ${envoy.pod.namespace} ${envoy.pod.name} --port ${podPort} -o json; istioctl proxy-config secret -n ${envoy.pod.namespace} ${envoy.pod.name}`,
        });
      } else {
        const routes = forHost.routeConfig ? envoy.config.routeConfig(forHost.routeConfig) : undefined;
        const vhost = routes ? findVirtualHost(routes.virtual_hosts ?? [], p.host) : undefined;
        if (!vhost || vhost.name.startsWith("blackhole:") || (vhost.routes ?? []).length === 0) {
          findings.push({ code: "ICA0933", severity: "error", message: `${proxy} terminates TLS for ${p.host} but its HTTPS route config ${forHost.routeConfig ?? "(none)"} has no routes for the host (404 NR).`, expected: { routeConfig: forHost.routeConfig, domain: p.host }, actual: (routes?.virtual_hosts ?? []).map((v) => v.domains) });
        } else {
          findings.push({ code: "ICA0905", severity: "info", message: `${proxy} terminates TLS for ${p.host} with ${forHost.sds.join(", ")} and routes it through ${forHost.routeConfig} › ${vhost.name}.`, envoy: { proxy, location, excerpt: forHost } });
        }
      }
    }
    return findings;
  },
});
