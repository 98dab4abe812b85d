// The Kubernetes facts the data plane needs (pods, their IPs, images and sidecars; Services for DNS and
// kube-proxy), read from the cluster store and cached per resourceVersion. Istio configuration is never read
// here: routing comes only from the Envoy config each proxy holds.

import type { ClusterStore } from "../../store";
import type { KubeObject } from "../../objects";
import { hashString } from "./random";

export interface WorkloadContainer {
  name: string;
  image: string;
  ports: number[];
}

export interface WorkloadPod {
  namespace: string;
  name: string;
  ip: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccount: string;
  containers: WorkloadContainer[];
  /** Application pods with an injected istio-proxy container. */
  hasSidecar: boolean;
  /** Gateway pods whose only container is istio-proxy ("router" proxies). */
  isRouter: boolean;
  running: boolean;
  /** Canonical service name / revision labels Istio uses in telemetry. */
  canonicalName: string;
  canonicalRevision: string;
  /** Owning workload name (Deployment) for telemetry, e.g. reviews-v2. */
  workloadName: string;
}

export interface ServicePortInfo {
  name?: string;
  port: number;
  targetPort: number;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  clusterIP?: string;
  ports: ServicePortInfo[];
  selector?: Record<string, string>;
}

export type Resolution = { kind: "service"; ip: string; service: ServiceInfo } | { kind: "pod"; ip: string; pod: WorkloadPod } | { kind: "external"; ip: string; host: string };

function record(value: unknown): Record<string, string> {
  if (!value || typeof value !== "object") return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) if (typeof item === "string") out[key] = item;
  return out;
}

function toPod(object: KubeObject): WorkloadPod | undefined {
  const spec = object.spec as { containers?: { name?: string; image?: string; ports?: { containerPort?: number }[] }[]; serviceAccountName?: string } | undefined;
  const status = object.status as { podIP?: string; phase?: string } | undefined;
  if (!spec || !status?.podIP) return undefined;
  const containers = (spec.containers ?? []).map((container) => ({
    name: container.name ?? "",
    image: container.image ?? "",
    ports: (container.ports ?? []).map((port) => port.containerPort ?? 0).filter((port) => port > 0),
  }));
  const labels = record(object.metadata.labels);
  const hasProxy = containers.some((container) => container.name === "istio-proxy");
  const isRouter = hasProxy && containers.length === 1;
  const ownerName = object.metadata.ownerReferences?.find((owner) => owner.controller)?.name;
  const hash = labels["pod-template-hash"];
  const workloadName = ownerName && hash && ownerName.endsWith(`-${hash}`) ? ownerName.slice(0, -hash.length - 1) : (ownerName ?? object.metadata.name);
  return {
    namespace: object.metadata.namespace ?? "default",
    name: object.metadata.name,
    ip: status.podIP,
    labels,
    annotations: record(object.metadata.annotations),
    serviceAccount: spec.serviceAccountName ?? "default",
    containers,
    hasSidecar: hasProxy && !isRouter,
    isRouter,
    running: status.phase === "Running" && object.metadata.deletionTimestamp === undefined,
    canonicalName: labels["service.istio.io/canonical-name"] ?? labels.app ?? workloadName,
    canonicalRevision: labels["service.istio.io/canonical-revision"] ?? labels.version ?? "latest",
    workloadName,
  };
}

function toService(object: KubeObject): ServiceInfo {
  const spec = (object.spec ?? {}) as { clusterIP?: string; ports?: { name?: string; port?: number; targetPort?: number | string }[]; selector?: Record<string, string> };
  return {
    namespace: object.metadata.namespace ?? "default",
    name: object.metadata.name,
    clusterIP: spec.clusterIP && spec.clusterIP !== "None" ? spec.clusterIP : undefined,
    ports: (spec.ports ?? []).map((port) => ({
      name: port.name,
      port: port.port ?? 0,
      targetPort: typeof port.targetPort === "number" ? port.targetPort : (port.port ?? 0),
    })),
    selector: spec.selector,
  };
}

/** A deterministic public IPv4 for a name outside the cluster (what real DNS would have answered). */
export function externalAddress(host: string): string {
  const hash = hashString(host);
  return `${93 + (hash % 60)}.${(hash >>> 8) & 255}.${(hash >>> 16) & 255}.${1 + ((hash >>> 24) % 250)}`;
}

/** Snapshot of pods and Services at one resourceVersion. */
export class WorkloadDirectory {
  private version = "";
  private podsByKey = new Map<string, WorkloadPod>();
  private podsByIp = new Map<string, WorkloadPod>();
  private servicesByFqdn = new Map<string, ServiceInfo>();
  private servicesByIp = new Map<string, ServiceInfo>();
  /** DNS answers by the asking pod's namespace, then hostname. */
  private resolutions = new Map<string, Map<string, Resolution | undefined>>();

  constructor(private readonly store: ClusterStore) {}

  private refresh(): void {
    const version = this.store.resourceVersion;
    if (version === this.version) return;
    this.version = version;
    this.podsByKey = new Map();
    this.podsByIp = new Map();
    for (const object of this.store.list("pods")) {
      const pod = toPod(object);
      if (!pod) continue;
      this.podsByKey.set(`${pod.namespace}/${pod.name}`, pod);
      const existing = this.podsByIp.get(pod.ip);
      if (!existing || (!existing.running && pod.running)) this.podsByIp.set(pod.ip, pod);
    }
    this.servicesByFqdn = new Map();
    this.servicesByIp = new Map();
    this.resolutions = new Map();
    for (const object of this.store.list("services")) {
      const service = toService(object);
      this.servicesByFqdn.set(`${service.name}.${service.namespace}.svc.cluster.local`, service);
      if (service.clusterIP) this.servicesByIp.set(service.clusterIP, service);
    }
  }

  pod(namespace: string, name: string): WorkloadPod | undefined {
    this.refresh();
    return this.podsByKey.get(`${namespace}/${name}`);
  }

  podByIp(ip: string): WorkloadPod | undefined {
    this.refresh();
    return this.podsByIp.get(ip);
  }

  pods(): WorkloadPod[] {
    this.refresh();
    return [...this.podsByKey.values()];
  }

  serviceByIp(ip: string): ServiceInfo | undefined {
    this.refresh();
    return this.servicesByIp.get(ip);
  }

  /** Ready endpoint pods of a Service port (what kube-proxy balances over when no sidecar intercepts). */
  endpointPods(service: ServiceInfo): WorkloadPod[] {
    this.refresh();
    const selector = service.selector;
    if (!selector || Object.keys(selector).length === 0) return [];
    return [...this.podsByKey.values()].filter((pod) => pod.namespace === service.namespace && pod.running && Object.entries(selector).every(([key, value]) => pod.labels[key] === value));
  }

  /** Resolves a hostname the way a pod in `fromNamespace` would (search path `<ns>.svc.cluster.local`, …). */
  resolve(hostname: string, fromNamespace: string): Resolution | undefined {
    this.refresh();
    let byHost = this.resolutions.get(fromNamespace);
    if (!byHost) {
      byHost = new Map();
      this.resolutions.set(fromNamespace, byHost);
    }
    let resolution = byHost.get(hostname);
    if (resolution === undefined && !byHost.has(hostname)) {
      resolution = this.lookup(hostname, fromNamespace);
      byHost.set(hostname, resolution);
    }
    return resolution;
  }

  private lookup(hostname: string, fromNamespace: string): Resolution | undefined {
    const host = hostname.toLowerCase().replace(/\.$/, "");
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) {
      const pod = this.podsByIp.get(host);
      if (pod) return { kind: "pod", ip: host, pod };
      const service = this.servicesByIp.get(host);
      if (service) return { kind: "service", ip: host, service };
      return { kind: "external", ip: host, host };
    }
    const candidates = [host, `${host}.${fromNamespace}.svc.cluster.local`, `${host}.svc.cluster.local`, `${host}.cluster.local`];
    for (const candidate of candidates) {
      const service = this.servicesByFqdn.get(candidate);
      if (!service) continue;
      if (service.clusterIP) return { kind: "service", ip: service.clusterIP, service };
      const pod = this.endpointPods(service)[0];
      return pod ? { kind: "pod", ip: pod.ip, pod } : undefined;
    }
    if (!host.includes(".") || host.endsWith(".cluster.local") || host.endsWith(".svc")) return undefined;
    return { kind: "external", ip: externalAddress(host), host };
  }
}
