// Istio networking objects as istiod holds them after reading: short names resolved, gateways qualified, exportTo parsed.

import type { DestinationRuleSpec, Subset, TrafficPolicy } from "@/cluster/embedded/admission/istio/destination-rule";
import type { GatewaySpec } from "@/cluster/embedded/admission/istio/gateway";
import type { SidecarSpec } from "@/cluster/embedded/admission/istio/sidecar";
import type { HTTPRoute, TCPRoute, TLSRoute, VirtualServiceSpec } from "@/cluster/embedded/admission/istio/virtual-service";
import { cloneJson, type KubeObject } from "@/cluster/embedded/objects";
import { parseExportTo, resolveShortName, type Visibility } from "./hosts";

export const MESH_GATEWAY = "mesh";

/** Identity and ordering data every config object carries. */
export interface ConfigMeta {
  name: string;
  namespace: string;
  creationTimestamp: string;
}

/** Istio's config order: creation time, then name, then namespace. */
export function compareConfigs(a: ConfigMeta, b: ConfigMeta): number {
  if (a.creationTimestamp !== b.creationTimestamp) return a.creationTimestamp < b.creationTimestamp ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;
}

function metaOf(obj: KubeObject): ConfigMeta {
  return { name: obj.metadata.name, namespace: obj.metadata.namespace ?? "default", creationTimestamp: obj.metadata.creationTimestamp };
}

export interface VirtualServiceConfig extends ConfigMeta {
  hosts: string[];
  /** `ns/name` of each bound Gateway, or `mesh`. */
  gateways: string[];
  http: HTTPRoute[];
  tls: TLSRoute[];
  tcp: TCPRoute[];
  visibility: Visibility;
}

/** `name` → `<ns>/name`, `./name` → `<ns>/name`, `mesh` stays. */
export function qualifyGatewayName(name: string, namespace: string): string {
  if (name === MESH_GATEWAY) return name;
  const slash = name.indexOf("/");
  if (slash < 0) return `${namespace}/${name}`;
  const ns = name.slice(0, slash);
  return ns === "." ? `${namespace}/${name.slice(slash + 1)}` : name;
}

export function readVirtualService(obj: KubeObject): VirtualServiceConfig {
  const meta = metaOf(obj);
  const spec = cloneJson((obj.spec ?? {}) as VirtualServiceSpec);
  const resolve = (host: string): string => resolveShortName(host, meta.namespace);
  const http = spec.http ?? [];
  for (const route of http) {
    for (const destination of route.route ?? []) destination.destination.host = resolve(destination.destination.host);
    if (route.mirror) route.mirror.host = resolve(route.mirror.host);
    for (const mirror of route.mirrors ?? []) mirror.destination.host = resolve(mirror.destination.host);
    for (const match of route.match ?? []) {
      if (match.gateways) match.gateways = match.gateways.map((gateway) => qualifyGatewayName(gateway, meta.namespace));
    }
  }
  for (const route of [...(spec.tls ?? []), ...(spec.tcp ?? [])]) {
    for (const destination of route.route ?? []) destination.destination.host = resolve(destination.destination.host);
  }
  const gateways = spec.gateways && spec.gateways.length > 0 ? spec.gateways.map((gateway) => qualifyGatewayName(gateway, meta.namespace)) : [MESH_GATEWAY];
  return {
    ...meta,
    hosts: (spec.hosts ?? []).map(resolve),
    gateways,
    http,
    tls: spec.tls ?? [],
    tcp: spec.tcp ?? [],
    visibility: parseExportTo(spec.exportTo, meta.namespace),
  };
}

export interface DestinationRuleConfig extends ConfigMeta {
  host: string;
  trafficPolicy?: TrafficPolicy;
  subsets: Subset[];
  visibility: Visibility;
  workloadSelector?: Record<string, string>;
}

export function readDestinationRule(obj: KubeObject): DestinationRuleConfig {
  const meta = metaOf(obj);
  const spec = (obj.spec ?? {}) as DestinationRuleSpec;
  const out: DestinationRuleConfig = {
    ...meta,
    host: resolveShortName(spec.host ?? "", meta.namespace),
    subsets: spec.subsets ?? [],
    visibility: parseExportTo(spec.exportTo, meta.namespace),
  };
  if (spec.trafficPolicy) out.trafficPolicy = spec.trafficPolicy;
  if (spec.workloadSelector?.matchLabels) out.workloadSelector = spec.workloadSelector.matchLabels;
  return out;
}

/** Several DestinationRules for one host merged like istiod (§8): oldest first, subsets concatenated, first policy wins. */
export interface MergedDestinationRule {
  host: string;
  /** The oldest rule: its name goes into cluster metadata. */
  primary: DestinationRuleConfig;
  trafficPolicy?: TrafficPolicy;
  subsets: Subset[];
  visibility: Visibility;
}

export function mergeDestinationRules(rules: readonly DestinationRuleConfig[]): MergedDestinationRule | undefined {
  const ordered = [...rules].sort((a, b) => {
    const aSelector = a.workloadSelector ? 0 : 1;
    const bSelector = b.workloadSelector ? 0 : 1;
    return aSelector !== bSelector ? aSelector - bSelector : compareConfigs(a, b);
  });
  const [first] = ordered;
  if (!first) return undefined;
  const merged: MergedDestinationRule = { host: first.host, primary: first, subsets: [], visibility: first.visibility };
  for (const rule of ordered) {
    if (!merged.trafficPolicy && rule.trafficPolicy) merged.trafficPolicy = rule.trafficPolicy;
    for (const subset of rule.subsets) {
      if (!merged.subsets.some((existing) => existing.name === subset.name)) merged.subsets.push(subset);
    }
  }
  return merged;
}

export interface GatewayConfig extends ConfigMeta {
  spec: GatewaySpec;
}

export function readGateway(obj: KubeObject): GatewayConfig {
  return { ...metaOf(obj), spec: (obj.spec ?? {}) as GatewaySpec };
}

export interface SidecarConfig extends ConfigMeta {
  spec: SidecarSpec;
}

export function readSidecar(obj: KubeObject): SidecarConfig {
  return { ...metaOf(obj), spec: (obj.spec ?? {}) as SidecarSpec };
}

/** The `/apis/<group>/<version>/namespaces/<ns>/<kind>/<name>` provenance string Istio writes into metadata. */
export function configPath(kind: "virtual-service" | "destination-rule", meta: ConfigMeta): string {
  return `/apis/networking.istio.io/v1/namespaces/${meta.namespace}/${kind}/${meta.name}`;
}
