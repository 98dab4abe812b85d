// Core v1 kinds the embedded API stores (Namespace, Service, Pod, ConfigMap, Secret, ServiceAccount, Endpoints), validated lightly.
import { z } from "zod";
import { dns1123LabelProblem, dns1123SubdomainProblem, ipOrCidrProblem, isIPAddress, portProblem } from "../primitives";
import { schemaRule, type Path, type Report } from "../report";
import { checkLabelMap } from "./meta";

const protocol = z.enum(["TCP", "UDP", "SCTP"]);
const stringMap = z.record(z.string(), z.string());
const IANA_SERVICE_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** Why a named port is not an IANA service name (at most 15 lowercase characters, a letter, no `--`), or null. */
export function ianaServiceNameProblem(name: string): string | null {
  if (name.length > 15) return "must be no more than 15 characters";
  if (!IANA_SERVICE_NAME.test(name)) return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), and not start or end with a hyphen";
  if (name.includes("--")) return "must not contain consecutive hyphens";
  if (!/[a-z]/.test(name)) return "must contain at least one letter (a-z)";
  return null;
}

function checkPortNumber(port: number, path: Path, report: Report): void {
  const problem = portProblem(port);
  if (problem) report.invalid(path, port, "must be between 1 and 65535, inclusive");
}

export const containerPort = z.looseObject({
  containerPort: z.int(),
  name: z.string().optional(),
  protocol: protocol.optional(),
  hostPort: z.int().optional(),
  hostIP: z.string().optional(),
});

/** A container (only the fields the embedded cluster uses are typed; others pass through). */
export const container = z.looseObject({
  name: z.string(),
  image: z.string(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  ports: z.array(containerPort).optional(),
  env: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })).optional(),
  imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).optional(),
});
export type Container = z.infer<typeof container>;

/** PodSpec (typed where the embedded cluster reads it; other fields pass through). */
export const podSpec = z.looseObject({
  containers: z.array(container),
  initContainers: z.array(container).optional(),
  restartPolicy: z.enum(["Always", "OnFailure", "Never"]).optional(),
  serviceAccountName: z.string().optional(),
  nodeName: z.string().optional(),
  hostname: z.string().optional(),
  subdomain: z.string().optional(),
  volumes: z.array(z.looseObject({ name: z.string() })).optional(),
});
export type PodSpec = z.infer<typeof podSpec>;

/** Validates a PodSpec: at least one container, unique valid names, images, ports. */
export function checkPodSpec(spec: PodSpec, path: Path, report: Report): void {
  if (spec.containers.length === 0) report.required([...path, "containers"], "a pod needs at least one container");
  const names = new Set<string>();
  for (const field of ["initContainers", "containers"] as const) {
    for (const [index, entry] of (spec[field] ?? []).entries()) {
      const at = [...path, field, index];
      if (entry.name === "") report.required([...at, "name"]);
      else {
        const problem = dns1123LabelProblem(entry.name);
        if (problem) report.invalid([...at, "name"], entry.name, problem);
        if (names.has(entry.name)) report.duplicate([...at, "name"], entry.name);
        names.add(entry.name);
      }
      if (entry.image.trim() === "") report.required([...at, "image"]);
      const portNames = new Set<string>();
      for (const [portIndex, port] of (entry.ports ?? []).entries()) {
        checkPortNumber(port.containerPort, [...at, "ports", portIndex, "containerPort"], report);
        if (port.hostPort !== undefined && port.hostPort !== 0) checkPortNumber(port.hostPort, [...at, "ports", portIndex, "hostPort"], report);
        if (port.name) {
          const problem = ianaServiceNameProblem(port.name);
          if (problem) report.invalid([...at, "ports", portIndex, "name"], port.name, problem);
          if (portNames.has(port.name)) report.duplicate([...at, "ports", portIndex, "name"], port.name);
          portNames.add(port.name);
        }
      }
    }
  }
  if (spec.serviceAccountName) {
    const problem = dns1123SubdomainProblem(spec.serviceAccountName);
    if (problem) report.invalid([...path, "serviceAccountName"], spec.serviceAccountName, problem);
  }
}

const podFields = z.strictObject({ spec: podSpec, status: z.unknown().optional() });
export const podBody = podFields.superRefine(schemaRule((pod: z.infer<typeof podFields>, report) => checkPodSpec(pod.spec, ["spec"], report)));

export const servicePort = z.strictObject({
  name: z.string().optional(),
  protocol: protocol.optional(),
  appProtocol: z.string().optional(),
  port: z.int(),
  targetPort: z.union([z.int(), z.string()]).optional(),
  nodePort: z.int().optional(),
});
export type ServicePort = z.infer<typeof servicePort>;

export const serviceSpec = z.strictObject({
  ports: z.array(servicePort).optional(),
  selector: stringMap.optional(),
  clusterIP: z.string().optional(),
  clusterIPs: z.array(z.string()).optional(),
  type: z.enum(["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]).optional(),
  externalIPs: z.array(z.string()).optional(),
  sessionAffinity: z.enum(["None", "ClientIP"]).optional(),
  loadBalancerIP: z.string().optional(),
  loadBalancerSourceRanges: z.array(z.string()).optional(),
  externalName: z.string().optional(),
  externalTrafficPolicy: z.enum(["Cluster", "Local"]).optional(),
  healthCheckNodePort: z.int().optional(),
  publishNotReadyAddresses: z.boolean().optional(),
  sessionAffinityConfig: z.looseObject({}).optional(),
  ipFamilies: z.array(z.enum(["IPv4", "IPv6"])).optional(),
  ipFamilyPolicy: z.enum(["SingleStack", "PreferDualStack", "RequireDualStack"]).optional(),
  allocateLoadBalancerNodePorts: z.boolean().optional(),
  loadBalancerClass: z.string().optional(),
  internalTrafficPolicy: z.enum(["Cluster", "Local"]).optional(),
  trafficDistribution: z.string().optional(),
});
export type ServiceSpec = z.infer<typeof serviceSpec>;

/** Validates a ServiceSpec: ports (range, names unique and required when several), targetPort, type-specific fields. */
export function checkServiceSpec(spec: ServiceSpec, path: Path, report: Report): void {
  const type = spec.type ?? "ClusterIP";
  const ports = spec.ports ?? [];
  const headless = spec.clusterIP === "None";
  if (ports.length === 0 && !headless && type !== "ExternalName") report.required([...path, "ports"]);
  const names = new Set<string>();
  for (const [index, port] of ports.entries()) {
    const at = [...path, "ports", index];
    if (ports.length > 1 && !port.name) report.required([...at, "name"], "port names are required when a service has more than one port");
    if (port.name) {
      const problem = dns1123LabelProblem(port.name);
      if (problem) report.invalid([...at, "name"], port.name, problem);
      if (names.has(port.name)) report.duplicate([...at, "name"], port.name);
      names.add(port.name);
    }
    checkPortNumber(port.port, [...at, "port"], report);
    if (typeof port.targetPort === "number" && port.targetPort !== 0) checkPortNumber(port.targetPort, [...at, "targetPort"], report);
    if (typeof port.targetPort === "string") {
      const problem = ianaServiceNameProblem(port.targetPort);
      if (problem) report.invalid([...at, "targetPort"], port.targetPort, problem);
    }
    if (port.nodePort !== undefined && port.nodePort !== 0) {
      if (type === "ClusterIP" || type === "ExternalName") report.invalid([...at, "nodePort"], port.nodePort, `may not be used when \`type\` is '${type}'`);
      else checkPortNumber(port.nodePort, [...at, "nodePort"], report);
    }
  }
  checkLabelMap(spec.selector, [...path, "selector"], report);
  if (spec.clusterIP && spec.clusterIP !== "None" && !isIPAddress(spec.clusterIP)) {
    report.invalid([...path, "clusterIP"], spec.clusterIP, "must be empty, 'None', or a valid IP address");
  }
  if (type === "ExternalName") {
    if (!spec.externalName) report.required([...path, "externalName"]);
    else {
      const problem = dns1123SubdomainProblem(spec.externalName);
      if (problem) report.invalid([...path, "externalName"], spec.externalName, problem);
    }
  }
  for (const [index, range] of (spec.loadBalancerSourceRanges ?? []).entries()) {
    const problem = ipOrCidrProblem(range);
    if (problem) report.invalid([...path, "loadBalancerSourceRanges", index], range, problem);
  }
}

const serviceFields = z.strictObject({ spec: serviceSpec.optional(), status: z.unknown().optional() });
export const serviceBody = serviceFields.superRefine(
  schemaRule((service: z.infer<typeof serviceFields>, report) => checkServiceSpec(service.spec ?? {}, ["spec"], report)),
);

export const namespaceBody = z.strictObject({
  spec: z.strictObject({ finalizers: z.array(z.string()).optional() }).optional(),
  status: z.unknown().optional(),
});

const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function checkDataKeys(maps: readonly (readonly [string, Readonly<Record<string, string>> | undefined])[], report: Report): void {
  const seen = new Set<string>();
  for (const [field, map] of maps) {
    for (const key of Object.keys(map ?? {})) {
      if (key.length > 253 || !DATA_KEY.test(key) || key === "." || key === ".." || key.startsWith("..")) {
        report.invalid([field, key], key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (not '.', '..' or starting with '..')");
      }
      if (seen.has(key) && field !== "stringData") report.invalid([field, key], key, "duplicate of key present in another data field");
      seen.add(key);
    }
  }
}

const configMapFields = z.strictObject({
  data: stringMap.optional(),
  binaryData: stringMap.optional(),
  immutable: z.boolean().optional(),
});
export type ConfigMapBody = z.infer<typeof configMapFields>;
export const configMapBody = configMapFields.superRefine(
  schemaRule((body: ConfigMapBody, report) => {
    checkDataKeys([["data", body.data], ["binaryData", body.binaryData]], report);
    for (const [key, value] of Object.entries(body.binaryData ?? {})) {
      if (!BASE64.test(value)) report.invalid(["binaryData", key], "<value>", "must be base64 encoded");
    }
  }),
);

const secretFields = z.strictObject({
  data: stringMap.optional(),
  stringData: stringMap.optional(),
  type: z.string().optional(),
  immutable: z.boolean().optional(),
});
export type SecretBody = z.infer<typeof secretFields>;
export const secretBody = secretFields.superRefine(
  schemaRule((body: SecretBody, report) => {
    checkDataKeys([["data", body.data], ["stringData", body.stringData]], report);
    for (const [key, value] of Object.entries(body.data ?? {})) {
      if (!BASE64.test(value)) report.invalid(["data", key], "<value>", "must be base64 encoded");
    }
    if (body.type === "kubernetes.io/tls") {
      for (const key of ["tls.crt", "tls.key"]) {
        if (body.data?.[key] === undefined && body.stringData?.[key] === undefined) report.required(["data", key]);
      }
    }
  }),
);

export const serviceAccountBody = z.strictObject({
  secrets: z.array(z.looseObject({ name: z.string().optional() })).optional(),
  imagePullSecrets: z.array(z.strictObject({ name: z.string().optional() })).optional(),
  automountServiceAccountToken: z.boolean().optional(),
});

const endpointAddress = z.strictObject({
  ip: z.string(),
  hostname: z.string().optional(),
  nodeName: z.string().optional(),
  targetRef: z.looseObject({}).optional(),
});
export const endpointSubset = z.strictObject({
  addresses: z.array(endpointAddress).optional(),
  notReadyAddresses: z.array(endpointAddress).optional(),
  ports: z
    .array(z.strictObject({ name: z.string().optional(), port: z.int(), protocol: protocol.optional(), appProtocol: z.string().optional() }))
    .optional(),
});
export type EndpointSubset = z.infer<typeof endpointSubset>;

const endpointsFields = z.strictObject({ subsets: z.array(endpointSubset).optional() });
export const endpointsBody = endpointsFields.superRefine(
  schemaRule((body: z.infer<typeof endpointsFields>, report) => {
    for (const [index, subset] of (body.subsets ?? []).entries()) {
      for (const field of ["addresses", "notReadyAddresses"] as const) {
        for (const [addressIndex, address] of (subset[field] ?? []).entries()) {
          if (!isIPAddress(address.ip)) report.invalid(["subsets", index, field, addressIndex, "ip"], address.ip, "must be a valid IP address");
        }
      }
      const ports = subset.ports ?? [];
      for (const [portIndex, port] of ports.entries()) {
        checkPortNumber(port.port, ["subsets", index, "ports", portIndex, "port"], report);
        if (ports.length > 1 && !port.name) report.required(["subsets", index, "ports", portIndex, "name"]);
      }
    }
  }),
);
