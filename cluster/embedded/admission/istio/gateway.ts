// Gateway (networking.istio.io): structural schema mirroring istio/api gateway.proto plus the webhook's rules.
import { z } from "zod";
import { isIPAddress, isIstioDnsLabel, partialWildcardProblem, wildcardDomainProblem } from "../primitives";
import { webhookRule, type Path, type Report } from "../report";
import { checkPort, checkProtocol, isHttpProtocol, isTlsProtocol, parseProtocol, stringMap, uint32 } from "./common";

/** A port on a Gateway server or Sidecar listener (`targetPort` is deprecated and refused by the webhook). */
export const port = z.strictObject({
  number: uint32,
  protocol: z.string(),
  name: z.string(),
  targetPort: uint32.optional(),
});
export type Port = z.infer<typeof port>;

const TLS_VERSION_ORDER = ["TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"] as const;
const tlsProtocolVersion = z.enum(TLS_VERSION_ORDER);

export const serverTLSSettings = z.strictObject({
  httpsRedirect: z.boolean().optional(),
  mode: z.enum(["PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"]).optional(),
  serverCertificate: z.string().optional(),
  privateKey: z.string().optional(),
  caCertificates: z.string().optional(),
  caCrl: z.string().optional(),
  credentialName: z.string().optional(),
  credentialNames: z.array(z.string()).optional(),
  tlsCertificates: z
    .array(z.strictObject({ serverCertificate: z.string().optional(), privateKey: z.string().optional(), caCertificates: z.string().optional() }))
    .optional(),
  subjectAltNames: z.array(z.string()).optional(),
  verifyCertificateSpki: z.array(z.string()).optional(),
  verifyCertificateHash: z.array(z.string()).optional(),
  minProtocolVersion: tlsProtocolVersion.optional(),
  maxProtocolVersion: tlsProtocolVersion.optional(),
  cipherSuites: z.array(z.string()).optional(),
});
export type ServerTLSSettings = z.infer<typeof serverTLSSettings>;

export const server = z.strictObject({
  port,
  bind: z.string().optional(),
  hosts: z.array(z.string()),
  tls: serverTLSSettings.optional(),
  defaultEndpoint: z.string().optional(),
  name: z.string().optional(),
});
export type Server = z.infer<typeof server>;

const gatewayFields = z.strictObject({
  servers: z.array(server).optional(),
  selector: stringMap.optional(),
});
/** Gateway spec as written in YAML (camelCase, like istio/api). */
export type GatewaySpec = z.infer<typeof gatewayFields>;

const UNIX_PREFIX = "unix://";

/** Validates a unix domain socket path (absolute, not a directory, or an abstract `@name`). */
export function unixAddressProblem(address: string): string | null {
  if (address === "") return "unix address must not be empty";
  if (address.startsWith("@")) return null;
  if (!address.startsWith("/") || address.endsWith("/")) return `${address} is not an absolute path to a file`;
  return null;
}

function hostPartProblems(host: string, isGateway: boolean): string[] {
  const problems: string[] = [];
  if (host !== "*" && !host.includes(".")) problems.push("short names (non FQDN) are not allowed");
  const domain = wildcardDomainProblem(host);
  if (domain && !(isGateway && isIPAddress(host))) problems.push(domain);
  const partial = partialWildcardProblem(host);
  if (partial) problems.push(partial);
  return problems;
}

/** Validates a `namespace/dnsName` host of a Gateway server or Sidecar egress listener. */
export function checkNamespacedHost(host: string, path: Path, report: Report, isGateway: boolean): void {
  const slash = host.indexOf("/");
  if (slash < 0) {
    if (!isGateway) {
      report.invalid(path, host, "host must be of form namespace/dnsName");
      return;
    }
    for (const problem of hostPartProblems(host, true)) report.invalid(path, host, problem);
    return;
  }
  const namespace = host.slice(0, slash);
  const name = host.slice(slash + 1);
  if (namespace === "" || name === "") {
    report.invalid(path, host, "config namespace and dnsName in host entry cannot be empty");
    return;
  }
  const wellKnown = namespace === "*" || namespace === "." || (!isGateway && namespace === "~");
  if (!wellKnown && !isIstioDnsLabel(namespace)) report.invalid(path, host, `invalid namespace value "${namespace}" in ${isGateway ? "gateway" : "sidecar"}`);
  for (const problem of hostPartProblems(name, isGateway)) report.invalid(path, host, problem);
}

/** Validates server-side TLS settings (Gateway servers and Sidecar ingress listeners). */
export function checkServerTls(tls: ServerTLSSettings, path: Path, report: Report): void {
  const min = TLS_VERSION_ORDER.indexOf(tls.minProtocolVersion ?? "TLS_AUTO");
  const max = TLS_VERSION_ORDER.indexOf(tls.maxProtocolVersion ?? "TLS_AUTO");
  if (min > 0 && max > 0 && min > max) {
    report.invalid([...path, "minProtocolVersion"], tls.minProtocolVersion, "minProtocolVersion must not be higher than maxProtocolVersion");
  }
  if (tls.mode === "ISTIO_MUTUAL") {
    for (const field of ["serverCertificate", "privateKey", "caCertificates", "credentialName"] as const) {
      if (tls[field]) report.invalid([...path, field], tls[field], `ISTIO_MUTUAL TLS cannot have an associated ${field}`);
    }
    return;
  }
  const mode = tls.mode ?? "PASSTHROUGH";
  const hasCredential = Boolean(tls.credentialName) || (tls.credentialNames?.length ?? 0) > 0 || (tls.tlsCertificates?.length ?? 0) > 0;
  if ((mode === "SIMPLE" || mode === "MUTUAL" || mode === "OPTIONAL_MUTUAL") && hasCredential) {
    if (tls.caCrl) report.invalid([...path, "caCrl"], tls.caCrl, "CRL is not supported with credentialName; put the CRL in the credential");
    return;
  }
  if (mode === "SIMPLE" || mode === "MUTUAL" || mode === "OPTIONAL_MUTUAL") {
    if (!tls.serverCertificate) report.required([...path, "serverCertificate"], `${mode} TLS requires a server certificate (or credentialName)`);
    if (!tls.privateKey) report.required([...path, "privateKey"], `${mode} TLS requires a private key (or credentialName)`);
    if (mode !== "SIMPLE" && !tls.caCertificates) report.required([...path, "caCertificates"], `${mode} TLS requires a client CA bundle (or credentialName)`);
  }
  if (tls.caCrl && mode === "SIMPLE") report.invalid([...path, "caCrl"], tls.caCrl, "CRL is not supported with SIMPLE TLS");
}

function checkServer(entry: Server, path: Path, report: Report): void {
  if (entry.hosts.length === 0) report.required([...path, "hosts"], "server config must contain at least one host");
  for (const [index, host] of entry.hosts.entries()) checkNamespacedHost(host, [...path, "hosts", index], report, true);
  const protocol = parseProtocol(entry.port.protocol);
  if (protocol === null) checkProtocol(entry.port.protocol || "(empty)", [...path, "port", "protocol"], report);
  const bind = entry.bind ?? "";
  const number = entry.port.number;
  if (number > 0 || !bind.startsWith(UNIX_PREFIX)) checkPort(number, [...path, "port", "number"], report);
  if ((entry.port.targetPort ?? 0) > 0) report.invalid([...path, "port", "targetPort"], entry.port.targetPort, "targetPort has no impact on Gateways");
  if (entry.port.name === "") report.required([...path, "port", "name"], "port name must be set");
  if (bind.startsWith(UNIX_PREFIX)) {
    const problem = unixAddressProblem(bind.slice(UNIX_PREFIX.length));
    if (problem) report.invalid([...path, "bind"], bind, problem);
    if (number !== 0) report.invalid([...path, "port", "number"], number, "port number must be 0 for a unix domain socket bind");
  } else if (bind !== "" && !isIPAddress(bind)) {
    report.invalid([...path, "bind"], bind, `${bind} is not a valid IP`);
  }
  if (entry.tls) checkServerTls(entry.tls, [...path, "tls"], report);
  if (protocol === null) return;
  if (isTlsProtocol(protocol) && !entry.tls) {
    report.required([...path, "tls"], `server must have TLS settings for ${protocol} ports`);
  } else if (!isTlsProtocol(protocol) && entry.tls) {
    const tls = entry.tls;
    const passthrough = (tls.mode ?? "PASSTHROUGH") === "PASSTHROUGH" || tls.mode === "AUTO_PASSTHROUGH";
    if (!isHttpProtocol(protocol)) {
      report.invalid([...path, "tls"], tls, "server cannot have TLS settings for non HTTPS/TLS ports");
    } else if (!passthrough || tls.caCertificates || tls.privateKey || tls.serverCertificate) {
      report.invalid([...path, "tls"], tls, "server cannot have TLS settings other than httpsRedirect for plain text HTTP ports");
    }
  }
}

/** Istio's Gateway webhook rules (servers, hosts, ports, TLS, unique port names). */
export function checkGateway(spec: GatewaySpec, report: Report): void {
  const servers = spec.servers ?? [];
  if (servers.length === 0) report.required(["servers"], "gateway must have at least one server");
  const portNames = new Set<string>();
  for (const [index, entry] of servers.entries()) {
    checkServer(entry, ["servers", index], report);
    if (portNames.has(entry.port.name)) report.duplicate(["servers", index, "port", "name"], entry.port.name, "port names in servers must be unique");
    portNames.add(entry.port.name);
  }
}

/** Gateway spec schema: the CRD structure plus Istio's webhook rules. */
export const gatewaySpec = gatewayFields.superRefine(webhookRule(checkGateway));
