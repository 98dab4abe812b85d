// The service registry istiod builds: Kubernetes Services (with endpoints from Endpoints + Pods) and ServiceEntries.

import type { ServiceEntrySpec } from "@/cluster/embedded/admission/istio/service-entry";
import { isPlainObject, type KubeObject } from "@/cluster/embedded/objects";
import { DNS_DOMAIN, parseExportTo, resolveShortName, type Visibility } from "./hosts";

export type PortProtocol = "HTTP" | "HTTP2" | "GRPC" | "GRPC-Web" | "HTTPS" | "TLS" | "TCP" | "UDP" | "Mongo" | "Redis" | "MySQL" | "Thrift" | "UNSUPPORTED";

export interface ServicePort {
  name: string;
  port: number;
  protocol: PortProtocol;
}

export type Resolution = "ClientSideLB" | "DNSLB" | "DNSRoundRobinLB" | "Passthrough";

/** One address of a service backend, with the labels subsets select on. */
export interface ServiceEndpoint {
  address: string;
  /** Port per service port name. */
  ports: ReadonlyMap<string, number>;
  labels: Readonly<Record<string, string>>;
  ready: boolean;
  /** Pod (Kubernetes) or ServiceEntry name, for the endpoint's istio.workload metadata. */
  workloadName: string;
  namespace: string;
  serviceAccount?: string;
  /** The backend runs a sidecar (so traffic to it is mutual TLS). */
  sidecar: boolean;
  locality: string;
  weight: number;
}

export interface MeshService {
  hostname: string;
  namespace: string;
  /** Kubernetes Service name, or ServiceEntry name. */
  name: string;
  registry: "Kubernetes" | "External";
  /** Cluster IP(s) or ServiceEntry addresses. */
  addresses: string[];
  ports: ServicePort[];
  resolution: Resolution;
  meshExternal: boolean;
  visibility: Visibility;
  creationTimestamp: string;
  endpoints: ServiceEndpoint[];
}

const protocolPrefixes: readonly [string, PortProtocol][] = [
  ["grpc-web", "GRPC-Web"],
  ["http2", "HTTP2"],
  ["http", "HTTP"],
  ["https", "HTTPS"],
  ["grpc", "GRPC"],
  ["tcp", "TCP"],
  ["tls", "TLS"],
  ["udp", "UDP"],
  ["mongo", "Mongo"],
  ["redis", "Redis"],
  ["mysql", "MySQL"],
  ["thrift", "Thrift"],
];

function exactProtocol(text: string): PortProtocol | undefined {
  const lower = text.toLowerCase();
  return protocolPrefixes.find(([prefix]) => prefix === lower)?.[1];
}

/** Istio's port-name protocol selection: appProtocol, then `<protocol>[-suffix]` names; otherwise detection. */
export function protocolOfServicePort(name: string | undefined, appProtocol: string | undefined, transport: string | undefined): PortProtocol {
  if (transport === "UDP") return "UDP";
  if (appProtocol) {
    const byApp = exactProtocol(appProtocol) ?? (appProtocol === "kubernetes.io/h2c" ? "HTTP2" : undefined);
    if (byApp) return byApp;
  }
  if (!name) return "UNSUPPORTED";
  const lower = name.toLowerCase();
  const dash = lower.indexOf("-");
  const prefix = dash < 0 ? lower : lower.slice(0, dash);
  if (lower.startsWith("grpc-web")) return "GRPC-Web";
  return exactProtocol(prefix) ?? "UNSUPPORTED";
}

/** ServiceEntry ports carry the protocol explicitly. */
export function protocolByName(protocol: string | undefined): PortProtocol {
  return (protocol && exactProtocol(protocol)) || "UNSUPPORTED";
}

/** HTTP-family protocols get HTTP listeners and RDS; unsupported ones are sniffed, which for HTTP traffic is the same. */
export function isHttpLike(protocol: PortProtocol): boolean {
  return protocol === "HTTP" || protocol === "HTTP2" || protocol === "GRPC" || protocol === "GRPC-Web" || protocol === "UNSUPPORTED";
}

export function isHttp2(protocol: PortProtocol): boolean {
  return protocol === "HTTP2" || protocol === "GRPC" || protocol === "GRPC-Web";
}

function asRecord(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? (value as Record<string, unknown>) : {};
}

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isPlainObject).map((item) => item as Record<string, unknown>) : [];
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The Deployment (or other controller) name a pod belongs to, as Istio's `workload` metadata names it. */
export function workloadNameOf(pod: KubeObject): string {
  const owner = pod.metadata.ownerReferences?.find((ref) => ref.controller === true);
  if (!owner) return pod.metadata.name;
  const hash = pod.metadata.labels?.["pod-template-hash"];
  if (owner.kind === "ReplicaSet" && hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -(hash.length + 1));
  return owner.name;
}

export function hasSidecar(pod: KubeObject): boolean {
  return asArray(asRecord(pod.spec).containers).some((container) => container.name === "istio-proxy");
}

function localityOf(nodeLabels: Readonly<Record<string, string>> | undefined): string {
  const region = nodeLabels?.["topology.kubernetes.io/region"] ?? "";
  const zone = nodeLabels?.["topology.kubernetes.io/zone"] ?? "";
  return region || zone ? `${region}/${zone}` : "";
}

function kubernetesService(service: KubeObject, endpoints: KubeObject | undefined, podsByName: ReadonlyMap<string, KubeObject>, nodeLabels: ReadonlyMap<string, Record<string, string> | undefined>): MeshService | undefined {
  const spec = asRecord(service.spec);
  const namespace = service.metadata.namespace ?? "default";
  const hostname = `${service.metadata.name}.${namespace}.svc.${DNS_DOMAIN}`;
  const ports: ServicePort[] = [];
  for (const port of asArray(spec.ports)) {
    const protocol = protocolOfServicePort(stringOf(port.name), stringOf(port.appProtocol), stringOf(port.protocol));
    if (protocol === "UDP" || typeof port.port !== "number") continue;
    if (ports.some((existing) => existing.port === port.port)) continue;
    ports.push({ name: stringOf(port.name) ?? "", port: port.port, protocol });
  }
  const clusterIP = stringOf(spec.clusterIP);
  const externalName = stringOf(spec.externalName);
  const headless = clusterIP === "None";
  const annotation = service.metadata.annotations?.["networking.istio.io/exportTo"];
  const exportTo = annotation ? annotation.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "") : undefined;
  const result: MeshService = {
    hostname,
    namespace,
    name: service.metadata.name,
    registry: "Kubernetes",
    addresses: clusterIP && !headless ? [clusterIP] : [],
    ports,
    resolution: spec.type === "ExternalName" ? "DNSLB" : headless ? "Passthrough" : "ClientSideLB",
    meshExternal: spec.type === "ExternalName",
    visibility: parseExportTo(exportTo, namespace),
    creationTimestamp: service.metadata.creationTimestamp,
    endpoints: [],
  };
  if (spec.type === "ExternalName" && externalName) {
    result.endpoints.push({
      address: externalName,
      ports: new Map(ports.map((port) => [port.name, port.port])),
      labels: {},
      ready: true,
      workloadName: service.metadata.name,
      namespace,
      sidecar: false,
      locality: "",
      weight: 1,
    });
    return result;
  }
  for (const subset of asArray(endpoints?.subsets)) {
    const portByName = new Map<string, number>();
    for (const port of asArray(subset.ports)) {
      if (typeof port.port === "number") portByName.set(stringOf(port.name) ?? "", port.port);
    }
    const add = (address: Record<string, unknown>, ready: boolean): void => {
      const ip = stringOf(address.ip);
      if (!ip) return;
      const targetName = stringOf(asRecord(address.targetRef).name);
      const pod = targetName ? podsByName.get(targetName) : undefined;
      const podSpec = asRecord(pod?.spec);
      result.endpoints.push({
        address: ip,
        ports: portByName,
        labels: pod?.metadata.labels ?? {},
        ready,
        workloadName: pod ? workloadNameOf(pod) : (targetName ?? ip),
        namespace,
        serviceAccount: stringOf(podSpec.serviceAccountName) ?? (pod ? "default" : undefined),
        sidecar: pod ? hasSidecar(pod) : false,
        locality: localityOf(nodeLabels.get(stringOf(address.nodeName) ?? "")),
        weight: 1,
      });
    };
    for (const address of asArray(subset.addresses)) add(address, true);
    for (const address of asArray(subset.notReadyAddresses)) add(address, false);
  }
  result.endpoints.sort((a, b) => compareIp(a.address, b.address));
  return result;
}

/** Orders IPv4 addresses numerically (other addresses after them, by text). */
function compareIp(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  if (left.length === 4 && right.length === 4 && left.every(Number.isFinite) && right.every(Number.isFinite)) {
    for (let index = 0; index < 4; index += 1) {
      const difference = (left[index] ?? 0) - (right[index] ?? 0);
      if (difference !== 0) return difference;
    }
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function serviceEntryServices(entry: KubeObject, pods: readonly KubeObject[]): MeshService[] {
  const spec = (entry.spec ?? {}) as ServiceEntrySpec;
  const namespace = entry.metadata.namespace ?? "default";
  const ports: ServicePort[] = (spec.ports ?? []).map((port) => ({ name: port.name, port: port.number, protocol: protocolByName(port.protocol) }));
  const resolution: Resolution =
    spec.resolution === "DNS" ? "DNSLB" : spec.resolution === "DNS_ROUND_ROBIN" ? "DNSRoundRobinLB" : spec.resolution === "STATIC" ? "ClientSideLB" : "Passthrough";
  const visibility = parseExportTo(spec.exportTo, namespace);
  const endpoints: ServiceEndpoint[] = [];
  for (const [index, workload] of (spec.endpoints ?? []).entries()) {
    if (!workload.address) continue;
    const portMap = new Map<string, number>();
    for (const port of ports) portMap.set(port.name, workload.ports?.[port.name] ?? port.port);
    endpoints.push({
      address: workload.address,
      ports: portMap,
      labels: workload.labels ?? {},
      ready: true,
      workloadName: `${entry.metadata.name}-${index}`,
      namespace,
      serviceAccount: workload.serviceAccount,
      sidecar: false,
      locality: workload.locality ?? "",
      weight: workload.weight ?? 1,
    });
  }
  const selector = spec.workloadSelector?.labels;
  if (selector) {
    for (const pod of pods) {
      if (pod.metadata.namespace !== namespace) continue;
      const labels = pod.metadata.labels ?? {};
      if (!Object.entries(selector).every(([key, value]) => labels[key] === value)) continue;
      const ip = stringOf(asRecord(pod.status).podIP);
      if (!ip) continue;
      endpoints.push({
        address: ip,
        ports: new Map(ports.map((port) => [port.name, port.port])),
        labels,
        ready: isPodReady(pod),
        workloadName: workloadNameOf(pod),
        namespace,
        serviceAccount: stringOf(asRecord(pod.spec).serviceAccountName) ?? "default",
        sidecar: hasSidecar(pod),
        locality: "",
        weight: 1,
      });
    }
  }
  if (resolution === "DNSLB" || resolution === "DNSRoundRobinLB") {
    // DNS resolution without endpoints resolves the host names themselves.
    if (endpoints.length === 0) {
      return spec.hosts.map((host) => ({
        ...base(host),
        endpoints: [{ address: host, ports: new Map(ports.map((port) => [port.name, port.port])), labels: {}, ready: true, workloadName: entry.metadata.name, namespace, sidecar: false, locality: "", weight: 1 }],
      }));
    }
  }
  return spec.hosts.map((host) => ({ ...base(host), endpoints }));

  function base(host: string): MeshService {
    return {
      hostname: resolveShortName(host, namespace),
      namespace,
      name: entry.metadata.name,
      registry: "External",
      addresses: (spec.addresses ?? []).filter((address) => !address.includes("/")),
      ports,
      resolution,
      meshExternal: spec.location !== "MESH_INTERNAL",
      visibility,
      creationTimestamp: entry.metadata.creationTimestamp,
      endpoints: [],
    };
  }
}

export function isPodReady(pod: KubeObject): boolean {
  return asArray(asRecord(pod.status).conditions).some((condition) => condition.type === "Ready" && condition.status === "True");
}

/** Every service of the mesh, Kubernetes first then ServiceEntries, each group in creation order then hostname. */
export function buildServices(input: {
  services: readonly KubeObject[];
  endpoints: readonly KubeObject[];
  pods: readonly KubeObject[];
  nodes: readonly KubeObject[];
  serviceEntries: readonly KubeObject[];
}): MeshService[] {
  const podsByNamespace = new Map<string, Map<string, KubeObject>>();
  for (const pod of input.pods) {
    const namespace = pod.metadata.namespace ?? "default";
    let byName = podsByNamespace.get(namespace);
    if (!byName) {
      byName = new Map();
      podsByNamespace.set(namespace, byName);
    }
    byName.set(pod.metadata.name, pod);
  }
  const endpointsByKey = new Map(input.endpoints.map((item) => [`${item.metadata.namespace}/${item.metadata.name}`, item]));
  const nodeLabels = new Map(input.nodes.map((node) => [node.metadata.name, node.metadata.labels]));
  const out: MeshService[] = [];
  for (const service of input.services) {
    const namespace = service.metadata.namespace ?? "default";
    const built = kubernetesService(service, endpointsByKey.get(`${namespace}/${service.metadata.name}`), podsByNamespace.get(namespace) ?? new Map(), nodeLabels);
    if (built) out.push(built);
  }
  const byCreation = (a: MeshService, b: MeshService): number =>
    a.creationTimestamp < b.creationTimestamp ? -1 : a.creationTimestamp > b.creationTimestamp ? 1 : a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0;
  const external = input.serviceEntries.flatMap((entry) => serviceEntryServices(entry, input.pods));
  return [...out.sort(byCreation), ...external.sort(byCreation)];
}
