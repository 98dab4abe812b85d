// One push's view of the mesh: a snapshot of the cluster's objects turned into istiod's indexes (services, rules, scopes).

import { parse as parseYaml } from "yaml";
import { isPlainObject, type KubeObject } from "@/cluster/embedded/objects";
import type { ClusterStore } from "@/cluster/embedded/store";
import {
  compareConfigs,
  mergeDestinationRules,
  readDestinationRule,
  readGateway,
  readSidecar,
  readVirtualService,
  MESH_GATEWAY,
  type DestinationRuleConfig,
  type GatewayConfig,
  type MergedDestinationRule,
  type SidecarConfig,
  type VirtualServiceConfig,
} from "./config";
import { hostCovers, hostsOverlap, isVisibleTo, isWildcard, parseHostSelector, selectorAllows, type HostSelector } from "./hosts";
import { buildServices, hasSidecar, type MeshService } from "./registry";
import { dependsOnSource } from "./routes";

export type OutboundTrafficPolicyMode = "ALLOW_ANY" | "REGISTRY_ONLY";

/** The objects one push is computed from (frozen store objects, so keeping references is safe). */
export interface ConfigSnapshot {
  pods: readonly KubeObject[];
  services: readonly KubeObject[];
  endpoints: readonly KubeObject[];
  nodes: readonly KubeObject[];
  namespaces: readonly KubeObject[];
  configMaps: readonly KubeObject[];
  virtualServices: readonly KubeObject[];
  destinationRules: readonly KubeObject[];
  gateways: readonly KubeObject[];
  serviceEntries: readonly KubeObject[];
  sidecars: readonly KubeObject[];
}

/** Resources whose changes make istiod push. */
export const WATCHED_RESOURCES: readonly string[] = [
  "pods",
  "services",
  "endpoints",
  "nodes",
  "namespaces",
  "configmaps",
  "networking.istio.io/virtualservices",
  "networking.istio.io/destinationrules",
  "networking.istio.io/gateways",
  "networking.istio.io/serviceentries",
  "networking.istio.io/sidecars",
];

export function takeSnapshot(store: ClusterStore): ConfigSnapshot {
  return {
    pods: store.list("pods"),
    services: store.list("services"),
    endpoints: store.list("endpoints"),
    nodes: store.list("nodes"),
    namespaces: store.list("namespaces"),
    configMaps: store.list("configmaps", ISTIO_SYSTEM),
    virtualServices: store.list("networking.istio.io/virtualservices"),
    destinationRules: store.list("networking.istio.io/destinationrules"),
    gateways: store.list("networking.istio.io/gateways"),
    serviceEntries: store.list("networking.istio.io/serviceentries"),
    sidecars: store.list("networking.istio.io/sidecars"),
  };
}

export const ISTIO_SYSTEM = "istio-system";

/** A pod with an istio-proxy container: a sidecar, or a router for the ingress/egress gateway deployments. */
export interface ProxyInfo {
  namespace: string;
  name: string;
  ip: string;
  type: "sidecar" | "router";
  labels: Readonly<Record<string, string>>;
  serviceAccount: string;
  pod: KubeObject;
}

function proxyOf(pod: KubeObject): ProxyInfo | undefined {
  if (!hasSidecar(pod) || pod.metadata.deletionTimestamp !== undefined) return undefined;
  const status = isPlainObject(pod.status) ? pod.status : {};
  const ip = typeof status.podIP === "string" ? status.podIP : undefined;
  if (!ip) return undefined;
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isPlainObject) : [];
  const proxy = containers.find((container) => container.name === "istio-proxy");
  const args = proxy && Array.isArray(proxy.args) ? proxy.args : [];
  return {
    namespace: pod.metadata.namespace ?? "default",
    name: pod.metadata.name,
    ip,
    type: args[0] === "proxy" && args[1] === "router" ? "router" : "sidecar",
    labels: pod.metadata.labels ?? {},
    serviceAccount: typeof spec.serviceAccountName === "string" ? spec.serviceAccountName : "default",
    pod,
  };
}

/** What a proxy may reach: visible services, mesh-bound VirtualServices and the outbound traffic policy. */
export interface SidecarScope {
  key: string;
  services: MeshService[];
  servicesByHost: ReadonlyMap<string, MeshService>;
  virtualServices: VirtualServiceConfig[];
  outboundPolicy: OutboundTrafficPolicyMode;
  /** True when some visible VirtualService routes by source labels/namespace. */
  sourceDependent: boolean;
}

function labelsMatch(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

export interface PilotSettings {
  /** Mesh default when neither the istio ConfigMap nor a Sidecar says otherwise. */
  outboundTrafficPolicy: OutboundTrafficPolicyMode;
}

export class PushContext {
  readonly services: MeshService[];
  readonly virtualServices: VirtualServiceConfig[];
  readonly destinationRules: DestinationRuleConfig[];
  readonly gateways: GatewayConfig[];
  readonly sidecars: SidecarConfig[];
  readonly proxies: ProxyInfo[];
  readonly rootNamespace: string;
  readonly meshOutboundPolicy: OutboundTrafficPolicyMode;
  private readonly scopes = new Map<string, SidecarScope>();
  private readonly mergedRules = new Map<string, MergedDestinationRule | null>();

  constructor(
    readonly version: string,
    readonly snapshot: ConfigSnapshot,
    settings: PilotSettings,
  ) {
    this.services = buildServices(snapshot);
    this.virtualServices = snapshot.virtualServices.map((obj) => cachedRead(virtualServiceCache, obj, readVirtualService)).sort(compareConfigs);
    this.destinationRules = snapshot.destinationRules.map((obj) => cachedRead(destinationRuleCache, obj, readDestinationRule)).sort(compareConfigs);
    this.gateways = snapshot.gateways.map(readGateway).sort(compareConfigs);
    this.sidecars = snapshot.sidecars.map(readSidecar).sort(compareConfigs);
    this.proxies = snapshot.pods
      .map(proxyOf)
      .filter((proxy): proxy is ProxyInfo => proxy !== undefined)
      .sort((a, b) => (a.namespace !== b.namespace ? (a.namespace < b.namespace ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const mesh = readMeshConfig(snapshot.configMaps);
    this.rootNamespace = mesh.rootNamespace ?? ISTIO_SYSTEM;
    this.meshOutboundPolicy = mesh.outboundTrafficPolicy ?? settings.outboundTrafficPolicy;
  }

  /** The Sidecar resource that applies to a proxy: selector match in its namespace, then namespace-wide, then root. */
  sidecarFor(proxy: ProxyInfo): SidecarConfig | undefined {
    const local = this.sidecars.filter((sidecar) => sidecar.namespace === proxy.namespace);
    const selected = local.find((sidecar) => sidecar.spec.workloadSelector?.labels && labelsMatch(sidecar.spec.workloadSelector.labels, proxy.labels));
    if (selected) return selected;
    const namespaceWide = local.find((sidecar) => !sidecar.spec.workloadSelector?.labels);
    if (namespaceWide) return namespaceWide;
    return this.sidecars.find((sidecar) => sidecar.namespace === this.rootNamespace && !sidecar.spec.workloadSelector?.labels);
  }

  /** Services, VirtualServices and outbound policy for a proxy, shared by all proxies with the same namespace and Sidecar. */
  scopeFor(proxy: ProxyInfo): SidecarScope {
    const sidecar = proxy.type === "sidecar" ? this.sidecarFor(proxy) : undefined;
    const key = `${proxy.namespace}|${sidecar ? `${sidecar.namespace}/${sidecar.name}` : ""}`;
    const cached = this.scopes.get(key);
    if (cached) return cached;
    const egress = sidecar?.spec.egress;
    const selectors: HostSelector[] | undefined = egress && egress.length > 0 ? egress.flatMap((listener) => listener.hosts.map((entry) => parseHostSelector(entry, proxy.namespace))) : undefined;
    const servicesByHost = new Map<string, MeshService>();
    const services: MeshService[] = [];
    // A hostname defined in several namespaces resolves to the proxy's own namespace first, then the oldest.
    const ordered = [...this.services.filter((service) => service.namespace === proxy.namespace), ...this.services.filter((service) => service.namespace !== proxy.namespace)];
    for (const service of ordered) {
      if (!isVisibleTo(service.visibility, proxy.namespace)) continue;
      if (selectors && !selectorAllows(selectors, service.namespace, service.hostname)) continue;
      if (servicesByHost.has(service.hostname)) continue;
      servicesByHost.set(service.hostname, service);
    }
    for (const service of this.services) if (servicesByHost.get(service.hostname) === service) services.push(service);
    const virtualServices = this.virtualServicesFor(proxy.namespace, MESH_GATEWAY).filter(
      (vs) => !selectors || vs.hosts.some((host) => selectors.some((selector) => (selector.namespace === "*" || selector.namespace === vs.namespace) && hostsOverlap(selector.host, host))),
    );
    const mode = sidecar?.spec.outboundTrafficPolicy?.mode ?? this.meshOutboundPolicy;
    const scope: SidecarScope = {
      key,
      services,
      servicesByHost,
      virtualServices,
      outboundPolicy: mode,
      sourceDependent: virtualServices.some(dependsOnSource),
    };
    this.scopes.set(key, scope);
    return scope;
  }

  /**
   * VirtualServices bound to a gateway (`mesh` or `ns/name`) that a proxy namespace can see, in istiod's order:
   * those exported only to that namespace, then those exported to a namespace list including it, then public ones.
   */
  virtualServicesFor(proxyNamespace: string, gateway: string): VirtualServiceConfig[] {
    const bound = this.virtualServices.filter((vs) => vs.gateways.includes(gateway) && isVisibleTo(vs.visibility, proxyNamespace));
    const privateOnes = bound.filter((vs) => vs.visibility.kind === "namespaces" && vs.visibility.namespaces.size === 1 && vs.namespace === proxyNamespace);
    const exported = bound.filter((vs) => vs.visibility.kind === "namespaces" && !privateOnes.includes(vs));
    const publicOnes = bound.filter((vs) => vs.visibility.kind === "public");
    return [...privateOnes, ...exported, ...publicOnes];
  }

  /**
   * The DestinationRule a proxy uses for a service: rules in the proxy's namespace, then exported rules in the
   * service's namespace, then exported rules in the root namespace; the most specific host wins within a namespace.
   */
  destinationRuleFor(proxy: ProxyInfo, service: MeshService): MergedDestinationRule | undefined {
    const selectorKey = this.destinationRules
      .filter((rule) => rule.workloadSelector && rule.namespace === proxy.namespace && labelsMatch(rule.workloadSelector, proxy.labels))
      .map((rule) => rule.name)
      .join(",");
    const key = `${proxy.namespace}|${selectorKey}|${service.namespace}|${service.hostname}`;
    const cached = this.mergedRules.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const candidates = (namespace: string, local: boolean): MergedDestinationRule | undefined => {
      const rules = this.destinationRules.filter(
        (rule) =>
          rule.namespace === namespace &&
          (local || isVisibleTo(rule.visibility, proxy.namespace)) &&
          (!rule.workloadSelector || (rule.namespace === proxy.namespace && labelsMatch(rule.workloadSelector, proxy.labels))) &&
          hostCovers(rule.host, service.hostname),
      );
      if (rules.length === 0) return undefined;
      // Most specific host: exact before wildcards, longer wildcards before shorter ones.
      const best = rules.reduce((winner, rule) => (specificity(rule.host) > specificity(winner.host) ? rule : winner));
      return mergeDestinationRules(rules.filter((rule) => rule.host === best.host));
    };
    const result =
      candidates(proxy.namespace, true) ??
      (service.namespace !== proxy.namespace ? candidates(service.namespace, false) : undefined) ??
      (this.rootNamespace !== proxy.namespace && this.rootNamespace !== service.namespace ? candidates(this.rootNamespace, false) : undefined);
    this.mergedRules.set(key, result ?? null);
    return result;
  }

  /** Gateways whose selector matches a router's labels. */
  gatewaysFor(proxy: ProxyInfo): GatewayConfig[] {
    return this.gateways.filter((gateway) => gateway.spec.selector && Object.keys(gateway.spec.selector).length > 0 && labelsMatch(gateway.spec.selector, proxy.labels));
  }

  /** Services in the proxy's namespace whose selector picks the pod (what its inbound listeners serve). */
  servicesSelecting(proxy: ProxyInfo): KubeObject[] {
    return this.snapshot.services.filter((service) => {
      if (service.metadata.namespace !== proxy.namespace || !isPlainObject(service.spec)) return false;
      const selector = service.spec.selector;
      if (!isPlainObject(selector) || Object.keys(selector).length === 0) return false;
      return Object.entries(selector).every(([key, value]) => proxy.labels[key] === value);
    });
  }
}

/** Store objects are frozen and replaced on change, so what istiod read from one can be reused by later pushes. */
const virtualServiceCache = new WeakMap<KubeObject, VirtualServiceConfig>();
const destinationRuleCache = new WeakMap<KubeObject, DestinationRuleConfig>();

function cachedRead<T>(cache: WeakMap<KubeObject, T>, obj: KubeObject, read: (obj: KubeObject) => T): T {
  const cached = cache.get(obj);
  if (cached) return cached;
  const value = read(obj);
  cache.set(obj, value);
  return value;
}

function specificity(host: string): number {
  return isWildcard(host) ? host.length : Number.MAX_SAFE_INTEGER;
}

interface MeshSettings {
  rootNamespace?: string;
  outboundTrafficPolicy?: OutboundTrafficPolicyMode;
}

/** Parsed mesh config per (frozen) ConfigMap object, so unchanged pushes skip the YAML parse. */
const meshSettingsCache = new WeakMap<KubeObject, MeshSettings>();

function readMeshConfig(configMaps: readonly KubeObject[]): MeshSettings {
  const configMap = configMaps.find((item) => item.metadata.name === "istio" && item.metadata.namespace === ISTIO_SYSTEM);
  if (!configMap) return {};
  const cached = meshSettingsCache.get(configMap);
  if (cached) return cached;
  const settings = parseMeshSettings(configMap);
  meshSettingsCache.set(configMap, settings);
  return settings;
}

function parseMeshSettings(configMap: KubeObject): MeshSettings {
  const data = isPlainObject(configMap.data) ? configMap.data : undefined;
  const text = data && typeof data.mesh === "string" ? data.mesh : undefined;
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch {
    return {};
  }
  if (!isPlainObject(parsed)) return {};
  const out: MeshSettings = {};
  if (typeof parsed.rootNamespace === "string") out.rootNamespace = parsed.rootNamespace;
  const policy = parsed.outboundTrafficPolicy;
  if (isPlainObject(policy) && (policy.mode === "REGISTRY_ONLY" || policy.mode === "ALLOW_ANY")) out.outboundTrafficPolicy = policy.mode;
  return out;
}
