// ServiceEntry (networking.istio.io): structural schema mirroring istio/api service_entry.proto plus the webhook's rules.
import { z } from "zod";
import { fqdnProblem, ipOrCidrProblem, isIPAddress, isIstioDnsLabel, wildcardDomainProblem } from "../primitives";
import { webhookRule, type Path, type Report } from "../report";
import {
  checkExportTo,
  checkLabels,
  checkPort,
  checkProtocol,
  checkSelectorLabels,
  isHttpProtocol,
  isTlsProtocol,
  networkingWorkloadSelector,
  parseProtocol,
  stringMap,
  uint32,
} from "./common";
import { unixAddressProblem } from "./gateway";

export const servicePort = z.strictObject({
  number: uint32,
  protocol: z.string().optional(),
  name: z.string(),
  targetPort: uint32.optional(),
});
export type ServicePort = z.infer<typeof servicePort>;

export const workloadEntry = z.strictObject({
  address: z.string().optional(),
  ports: z.record(z.string(), uint32).optional(),
  labels: stringMap.optional(),
  network: z.string().optional(),
  locality: z.string().optional(),
  weight: uint32.optional(),
  serviceAccount: z.string().optional(),
});
export type WorkloadEntry = z.infer<typeof workloadEntry>;

const serviceEntryFields = z.strictObject({
  hosts: z.array(z.string()),
  addresses: z.array(z.string()).optional(),
  ports: z.array(servicePort).optional(),
  location: z.enum(["MESH_EXTERNAL", "MESH_INTERNAL"]).optional(),
  resolution: z.enum(["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"]).optional(),
  endpoints: z.array(workloadEntry).optional(),
  workloadSelector: networkingWorkloadSelector.optional(),
  exportTo: z.array(z.string()).optional(),
  subjectAltNames: z.array(z.string()).optional(),
});
/** ServiceEntry spec as written in YAML (camelCase, like istio/api). */
export type ServiceEntrySpec = z.infer<typeof serviceEntryFields>;

const UNIX_PREFIX = "unix://";

function checkEndpointPorts(endpoint: WorkloadEntry, path: Path, report: Report, portNames: ReadonlySet<string>): void {
  for (const [name, number] of Object.entries(endpoint.ports ?? {})) {
    if (!portNames.has(name)) report.invalid([...path, "ports", name], number, `endpoint port ${name} is not defined by the service entry`);
    if (!isIstioDnsLabel(name)) report.invalid([...path, "ports", name], name, "invalid port name");
    checkPort(number, [...path, "ports", name], report);
  }
  checkLabels(endpoint.labels, [...path, "labels"], report);
}

function checkStaticEndpoint(endpoint: WorkloadEntry, path: Path, report: Report, portNames: ReadonlySet<string>): void {
  const address = endpoint.address ?? "";
  if (address === "") {
    if (!endpoint.network) report.required([...path, "address"], "address is required");
  } else if (address.startsWith(UNIX_PREFIX)) {
    const problem = unixAddressProblem(address.slice(UNIX_PREFIX.length));
    if (problem) report.invalid([...path, "address"], address, problem);
    if (Object.keys(endpoint.ports ?? {}).length > 0) report.invalid([...path, "ports"], endpoint.ports, `unix endpoint ${address} must not include ports`);
    if (portNames.size !== 1) report.invalid([...path, "address"], address, "exactly 1 service port required for unix endpoints");
  } else if (!isIPAddress(address)) {
    report.invalid([...path, "address"], address, "endpoint address is not a valid IP address (STATIC resolution)");
  }
  checkEndpointPorts(endpoint, path, report, portNames);
}

/** Istio's ServiceEntry webhook rules (hosts, addresses, ports, resolution/endpoint consistency, exportTo). */
export function checkServiceEntry(spec: ServiceEntrySpec, report: Report): void {
  checkSelectorLabels(spec.workloadSelector?.labels, ["workloadSelector", "labels"], report);
  if (spec.workloadSelector && spec.endpoints) {
    report.invalid(["workloadSelector"], spec.workloadSelector, "only one of workloadSelector or endpoints is allowed in a service entry");
  }
  if (spec.hosts.length === 0) report.required(["hosts"], "service entry must have at least one host");
  for (const [index, host] of spec.hosts.entries()) {
    if (host === "*") {
      report.invalid(["hosts", index], host, "invalid host *");
      continue;
    }
    const problem = wildcardDomainProblem(host);
    if (problem) report.invalid(["hosts", index], host, problem);
  }
  const resolution = spec.resolution ?? "NONE";
  let cidrFound = false;
  for (const [index, address] of (spec.addresses ?? []).entries()) {
    cidrFound ||= address.includes("/");
    const problem = ipOrCidrProblem(address);
    if (problem) report.invalid(["addresses", index], address, problem);
  }
  if (cidrFound && resolution !== "NONE" && resolution !== "STATIC") {
    report.invalid(["resolution"], resolution, "CIDR addresses are allowed only for NONE/STATIC resolution types");
  }
  const portNames = new Set<string>();
  const portNumbers = new Set<number>();
  for (const [index, entry] of (spec.ports ?? []).entries()) {
    const at = ["ports", index];
    if (portNames.has(entry.name)) report.duplicate([...at, "name"], entry.name, "service entry port name already defined");
    if (portNumbers.has(entry.number)) report.duplicate([...at, "number"], entry.number, "service entry port already defined");
    portNames.add(entry.name);
    portNumbers.add(entry.number);
    if (entry.targetPort !== undefined && entry.targetPort !== 0) checkPort(entry.targetPort, [...at, "targetPort"], report);
    if (!isIstioDnsLabel(entry.name)) report.invalid([...at, "name"], entry.name, "invalid port name: must be a valid DNS-1123 label");
    checkProtocol(entry.protocol, [...at, "protocol"], report);
    checkPort(entry.number, [...at, "number"], report);
  }
  const endpoints = spec.endpoints ?? [];
  switch (resolution) {
    case "NONE":
      if (endpoints.length > 0) report.invalid(["endpoints"], `${endpoints.length} endpoints`, "no endpoints should be provided for resolution type NONE");
      break;
    case "STATIC":
      for (const [index, endpoint] of endpoints.entries()) checkStaticEndpoint(endpoint, ["endpoints", index], report, portNames);
      break;
    case "DNS":
    case "DNS_ROUND_ROBIN":
      if (endpoints.length === 0) {
        for (const [index, host] of spec.hosts.entries()) {
          if (host !== "*" && fqdnProblem(host)) report.invalid(["hosts", index], host, `hosts must be FQDN if no endpoints are provided for resolution mode ${resolution}`);
        }
      }
      if (resolution === "DNS_ROUND_ROBIN" && endpoints.length > 1) {
        report.invalid(["endpoints"], `${endpoints.length} endpoints`, "there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN");
      }
      for (const [index, endpoint] of endpoints.entries()) {
        const address = endpoint.address ?? "";
        if (!isIPAddress(address) && fqdnProblem(address)) {
          report.invalid(["endpoints", index, "address"], address, "endpoint address is not a valid FQDN or an IP address");
        }
        checkEndpointPorts(endpoint, ["endpoints", index], report, portNames);
      }
      break;
  }
  if (resolution !== "NONE" && spec.hosts.length > 1) {
    const opaque = (spec.ports ?? []).findIndex((entry) => {
      const protocol = parseProtocol(entry.protocol ?? "");
      return !isHttpProtocol(protocol) && !isTlsProtocol(protocol);
    });
    if (opaque >= 0) report.invalid(["ports", opaque, "protocol"], spec.ports?.[opaque]?.protocol ?? "", "multiple hosts provided with non-HTTP, non-TLS ports");
  }
  checkExportTo(spec.exportTo, ["exportTo"], report, { allowNone: true });
}

/** ServiceEntry spec schema: the CRD structure plus Istio's webhook rules. */
export const serviceEntrySpec = serviceEntryFields.superRefine(webhookRule(checkServiceEntry));
