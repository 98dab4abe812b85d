// The Snapshot: everything a check may look at, gathered before analysis (objects, Envoy config, sync state, probes).
import type { PodRef, ProbeResult, ProxySyncStatus } from "@/cluster/driver";
import type { AnalysisMessage } from "../analyze";
import type { EnvoyConfigView } from "../envoy/config-dump";

/** Kubernetes kinds a check can ask for. */
export const objectKinds = [
  "AuthorizationPolicy",
  "DestinationRule",
  "Deployment",
  "Endpoints",
  "Gateway",
  "Namespace",
  "PeerAuthentication",
  "Pod",
  "RequestAuthentication",
  "Secret",
  "Service",
  "ServiceEntry",
  "Sidecar",
  "VirtualService",
] as const;
export type ObjectKind = (typeof objectKinds)[number];

/** A Kubernetes object as the API returns it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Whose proxy: a pod by name, or the first running pod with label `app=<app>`. */
export type ProxySelector = { namespace: string; pod: string } | { namespace: string; app: string };

export function describeSelector(selector: ProxySelector): string {
  return "pod" in selector ? `${selector.pod}.${selector.namespace}` : `app=${selector.app} in ${selector.namespace}`;
}

/** Every running pod with a sidecar in a namespace whose labels include these (for stats, where each replica counts). */
export interface StatsSelector {
  namespace: string;
  labels: Record<string, string>;
}

/** One proxy's Envoy /stats text right before the check's probes and right after them. */
export interface ProxyStatsSample {
  pod: PodRef;
  before: string;
  after: string;
}

/** A proxy's config as the check sees it, with the pod it came from. */
export interface ProxyEnvoy {
  pod: PodRef;
  config: EnvoyConfigView;
}

export interface Snapshot {
  list(kind: ObjectKind, namespace?: string): readonly KubeObject[];
  get(kind: ObjectKind, namespace: string, name: string): KubeObject | undefined;
  envoy(selector: ProxySelector): ProxyEnvoy | undefined;
  probe(id: string): ProbeResult | undefined;
  analysis(): readonly AnalysisMessage[];
  proxySync(): readonly ProxySyncStatus[];
  /** Stats samples of the pods a declared StatsSelector matched (undefined when it was not declared). */
  stats(selector: StatsSelector): readonly ProxyStatsSample[] | undefined;
}

/** The data a snapshot is made of; builders fill it, tests can write it by hand. */
export interface SnapshotData {
  objects: Partial<Record<ObjectKind, KubeObject[]>>;
  envoy: { selector: ProxySelector; pod: PodRef; config: EnvoyConfigView }[];
  probes: Record<string, ProbeResult>;
  analysis: AnalysisMessage[];
  proxySync: ProxySyncStatus[];
  stats?: { selector: StatsSelector; samples: ProxyStatsSample[] }[];
}

function sameSelector(a: ProxySelector, b: ProxySelector): boolean {
  if (a.namespace !== b.namespace) return false;
  return "pod" in a ? "pod" in b && a.pod === b.pod : "app" in b && a.app === b.app;
}

function sameStatsSelector(a: StatsSelector, b: StatsSelector): boolean {
  const keys = Object.keys(a.labels);
  return a.namespace === b.namespace && keys.length === Object.keys(b.labels).length && keys.every((k) => a.labels[k] === b.labels[k]);
}

/** A read-only Snapshot over gathered data. */
export function snapshotFrom(data: SnapshotData): Snapshot {
  return {
    list: (kind, namespace) => (data.objects[kind] ?? []).filter((o) => namespace === undefined || o.metadata.namespace === namespace),
    get: (kind, namespace, name) => (data.objects[kind] ?? []).find((o) => o.metadata.namespace === namespace && o.metadata.name === name),
    envoy: (selector) => {
      const found = data.envoy.find((e) => sameSelector(e.selector, selector) || ("pod" in selector && e.pod.name === selector.pod && e.pod.namespace === selector.namespace));
      return found && { pod: found.pod, config: found.config };
    },
    probe: (id) => data.probes[id],
    analysis: () => data.analysis,
    proxySync: () => data.proxySync,
    stats: (selector) => data.stats?.find((entry) => sameStatsSelector(entry.selector, selector))?.samples,
  };
}
