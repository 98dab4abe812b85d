// Sidecar (networking.istio.io): structural schema mirroring istio/api sidecar.proto plus the webhook's rules.
import { z } from "zod";
import { fqdnProblem, isIPAddress, isIstioDnsLabel } from "../primitives";
import { webhookRule, type Path, type Report } from "../report";
import { checkDestination, checkPort, checkProtocol, checkSelectorLabels, destination, networkingWorkloadSelector, uint32 } from "./common";
import { checkConnectionPool, connectionPoolSettings } from "./destination-rule";
import { checkNamespacedHost, checkServerTls, serverTLSSettings, unixAddressProblem } from "./gateway";

/** A Sidecar listener port (name and protocol optional, unlike Gateway ports). */
export const sidecarPort = z.strictObject({
  number: uint32.optional(),
  protocol: z.string().optional(),
  name: z.string().optional(),
  targetPort: uint32.optional(),
});
export type SidecarPort = z.infer<typeof sidecarPort>;

const captureMode = z.enum(["DEFAULT", "IPTABLES", "NONE"]);

export const istioIngressListener = z.strictObject({
  port: sidecarPort,
  bind: z.string().optional(),
  captureMode: captureMode.optional(),
  defaultEndpoint: z.string().optional(),
  tls: serverTLSSettings.optional(),
  connectionPool: connectionPoolSettings.optional(),
});
export type IstioIngressListener = z.infer<typeof istioIngressListener>;

export const istioEgressListener = z.strictObject({
  port: sidecarPort.optional(),
  bind: z.string().optional(),
  captureMode: captureMode.optional(),
  hosts: z.array(z.string()),
});
export type IstioEgressListener = z.infer<typeof istioEgressListener>;

export const outboundTrafficPolicy = z.strictObject({
  mode: z.enum(["REGISTRY_ONLY", "ALLOW_ANY"]).optional(),
  egressProxy: destination.optional(),
});
export type OutboundTrafficPolicy = z.infer<typeof outboundTrafficPolicy>;

const sidecarFields = z.strictObject({
  workloadSelector: networkingWorkloadSelector.optional(),
  ingress: z.array(istioIngressListener).optional(),
  egress: z.array(istioEgressListener).optional(),
  inboundConnectionPool: connectionPoolSettings.optional(),
  outboundTrafficPolicy: outboundTrafficPolicy.optional(),
});
/** Sidecar spec as written in YAML (camelCase, like istio/api). */
export type SidecarSpec = z.infer<typeof sidecarFields>;

const UNIX_PREFIX = "unix://";
const LOCAL_ENDPOINT_HOSTS = new Set(["127.0.0.1", "0.0.0.0", "::1", "::"]);

function checkListenerPort(port: SidecarPort, path: Path, report: Report): void {
  if (port.name && !isIstioDnsLabel(port.name)) report.invalid([...path, "name"], port.name, "invalid port name: must be a valid DNS-1123 label");
  checkProtocol(port.protocol, [...path, "protocol"], report);
  if ((port.targetPort ?? 0) > 0) report.invalid([...path, "targetPort"], port.targetPort, "targetPort has no impact on Sidecars");
}

function checkBind(bind: string | undefined, path: Path, report: Report): void {
  if (bind && !isIPAddress(bind)) report.invalid(path, bind, `${bind} is not a valid IP`);
}

function checkDefaultEndpoint(endpoint: string, path: Path, report: Report): void {
  if (endpoint.startsWith(UNIX_PREFIX)) {
    const problem = unixAddressProblem(endpoint.slice(UNIX_PREFIX.length));
    if (problem) report.invalid(path, endpoint, problem);
    return;
  }
  const match = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(endpoint);
  if (!match) {
    report.invalid(path, endpoint, "defaultEndpoint must be of form 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>");
    return;
  }
  const host = match[1] ?? match[2] ?? "";
  if (host !== "" && !LOCAL_ENDPOINT_HOSTS.has(host)) {
    report.invalid(path, endpoint, "defaultEndpoint must be of form 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>");
  }
  checkPort(Number(match[3]), path, report);
}

/** Istio's Sidecar webhook rules (selector, listeners, ports, hosts, outbound policy). */
export function checkSidecar(spec: SidecarSpec, report: Report): void {
  checkSelectorLabels(spec.workloadSelector?.labels, ["workloadSelector", "labels"], report);
  if (!spec.egress?.length && !spec.ingress?.length && !spec.outboundTrafficPolicy && !spec.inboundConnectionPool) {
    report.required(["egress"], "sidecar: empty configuration provided");
    return;
  }
  const ingressPorts = new Set<number>();
  for (const [index, listener] of (spec.ingress ?? []).entries()) {
    const at = ["ingress", index];
    checkListenerPort(listener.port, [...at, "port"], report);
    const number = listener.port.number ?? 0;
    checkPort(number, [...at, "port", "number"], report);
    checkBind(listener.bind, [...at, "bind"], report);
    if (ingressPorts.has(number)) report.duplicate([...at, "port", "number"], number, "ports on IP bound listeners must be unique");
    ingressPorts.add(number);
    if (listener.defaultEndpoint) checkDefaultEndpoint(listener.defaultEndpoint, [...at, "defaultEndpoint"], report);
    const tls = listener.tls;
    if (tls) {
      if ((tls.subjectAltNames?.length ?? 0) > 0) report.invalid([...at, "tls", "subjectAltNames"], tls.subjectAltNames, "subjectAltNames is not supported in ingress tls");
      if (tls.httpsRedirect) report.invalid([...at, "tls", "httpsRedirect"], true, "httpsRedirect is not supported");
      if (tls.credentialName) report.invalid([...at, "tls", "credentialName"], tls.credentialName, "credentialName is not currently supported");
      if (tls.mode === "ISTIO_MUTUAL" || tls.mode === "AUTO_PASSTHROUGH") report.invalid([...at, "tls", "mode"], tls.mode, "cannot set this mode in sidecar ingress tls");
      checkServerTls(tls, [...at, "tls"], report);
    }
    if (listener.connectionPool) checkConnectionPool(listener.connectionPool, [...at, "connectionPool"], report);
  }
  if (spec.inboundConnectionPool) checkConnectionPool(spec.inboundConnectionPool, ["inboundConnectionPool"], report);
  const egress = spec.egress ?? [];
  const egressPorts = new Set<number>();
  const socketBinds = new Set<string>();
  for (const [index, listener] of egress.entries()) {
    const at = ["egress", index];
    if (!listener.port) {
      if (index !== egress.length - 1) report.invalid(at, "catch-all", "the egress listener with empty port should be the last listener in the list");
    } else {
      checkListenerPort(listener.port, [...at, "port"], report);
      const number = listener.port.number ?? 0;
      const bind = listener.bind ?? "";
      if (number === 0) {
        if (!bind.startsWith(UNIX_PREFIX)) {
          report.invalid([...at, "bind"], bind, "ports with 0 value must have a unix domain socket bind address");
        } else {
          const problem = unixAddressProblem(bind.slice(UNIX_PREFIX.length));
          if (problem) report.invalid([...at, "bind"], bind, problem);
        }
        if (listener.captureMode === "IPTABLES") report.invalid([...at, "captureMode"], listener.captureMode, "captureMode must be DEFAULT/NONE for unix domain socket listeners");
        if (socketBinds.has(bind)) report.duplicate([...at, "bind"], bind, "unix domain socket values for listeners must be unique");
        socketBinds.add(bind);
      } else {
        checkPort(number, [...at, "port", "number"], report);
        checkBind(listener.bind, [...at, "bind"], report);
        if (egressPorts.has(number)) report.duplicate([...at, "port", "number"], number, "ports on IP bound listeners must be unique");
        egressPorts.add(number);
      }
    }
    if (listener.hosts.length === 0) report.required([...at, "hosts"], "egress listener must contain at least one host");
    for (const [hostIndex, host] of listener.hosts.entries()) checkNamespacedHost(host, [...at, "hosts", hostIndex], report, false);
  }
  const outbound = spec.outboundTrafficPolicy;
  if (outbound?.egressProxy) {
    const at = ["outboundTrafficPolicy", "egressProxy"];
    if ((outbound.mode ?? "REGISTRY_ONLY") !== "ALLOW_ANY") {
      report.invalid(["outboundTrafficPolicy", "mode"], outbound.mode ?? "REGISTRY_ONLY", "egressProxy must be set only with ALLOW_ANY outbound traffic policy mode");
      return;
    }
    const hostProblem = fqdnProblem(outbound.egressProxy.host);
    if (hostProblem) report.invalid([...at, "host"], outbound.egressProxy.host, hostProblem);
    if (!outbound.egressProxy.port) report.required([...at, "port"], "egressProxy port must be set");
    else checkDestination(outbound.egressProxy, at, report);
  }
}

/** Sidecar spec schema: the CRD structure plus Istio's webhook rules. */
export const sidecarSpec = sidecarFields.superRefine(webhookRule(checkSidecar));
