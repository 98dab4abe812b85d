// Builds a Snapshot through the cluster driver: lists the declared kinds with client-node, waits for config to
// propagate, reads the declared proxies' Envoy config, runs the declared probes and, if asked, the analyzer.
import { ApiException, AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { ClusterUnavailableError, type LabCluster, type PodRef, type ProbeResult } from "@/cluster/driver";
import { analyzeCluster } from "../analyze";
import type { CheckInputs } from "../check";
import { EnvoyConfigView } from "../envoy/config-dump";
import { describeSelector, snapshotFrom, type KubeObject, type ObjectKind, type ProxySelector, type Snapshot, type SnapshotData, type StatsSelector } from "./snapshot";

/** Proxies did not acknowledge the latest config in time: grading them now would judge stale config. */
export class NotSyncedError extends Error {}

/** No running pod with a sidecar matches a selector the check needs. */
export class ProxyNotFoundError extends Error {}

const istioKinds: Partial<Record<ObjectKind, { group: string; plural: string }>> = {
  VirtualService: { group: "networking.istio.io", plural: "virtualservices" },
  DestinationRule: { group: "networking.istio.io", plural: "destinationrules" },
  Gateway: { group: "networking.istio.io", plural: "gateways" },
  ServiceEntry: { group: "networking.istio.io", plural: "serviceentries" },
  Sidecar: { group: "networking.istio.io", plural: "sidecars" },
  PeerAuthentication: { group: "security.istio.io", plural: "peerauthentications" },
  AuthorizationPolicy: { group: "security.istio.io", plural: "authorizationpolicies" },
  RequestAuthentication: { group: "security.istio.io", plural: "requestauthentications" },
};

function plain(items: readonly unknown[], apiVersion: string, kind: string): KubeObject[] {
  return items.map((item) => ({ ...(JSON.parse(JSON.stringify(item)) as KubeObject), apiVersion, kind }));
}

async function listKind(kubeConfig: KubeConfig, kind: ObjectKind): Promise<KubeObject[]> {
  const istio = istioKinds[kind];
  if (istio) {
    const api = kubeConfig.makeApiClient(CustomObjectsApi);
    const list = (await api.listClusterCustomObject({ group: istio.group, version: "v1", plural: istio.plural })) as { items?: unknown[] };
    return plain(list.items ?? [], `${istio.group}/v1`, kind);
  }
  const core = kubeConfig.makeApiClient(CoreV1Api);
  switch (kind) {
    case "Deployment":
      return plain((await kubeConfig.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces()).items, "apps/v1", kind);
    case "Endpoints":
      return plain((await core.listEndpointsForAllNamespaces()).items, "v1", kind);
    case "Namespace":
      return plain((await core.listNamespace()).items, "v1", kind);
    case "Pod":
      return plain((await core.listPodForAllNamespaces()).items, "v1", kind);
    case "Secret":
      return plain((await core.listSecretForAllNamespaces()).items, "v1", kind);
    case "Service":
      return plain((await core.listServiceForAllNamespaces()).items, "v1", kind);
    default:
      throw new Error(`no lister for kind ${kind}`);
  }
}

/** The pod behind a selector: itself, or the first running pod with `app=<app>` that has an istio-proxy container. */
async function resolvePod(kubeConfig: KubeConfig, selector: ProxySelector): Promise<PodRef> {
  if ("pod" in selector) return { namespace: selector.namespace, name: selector.pod };
  const pods = await kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: selector.namespace, labelSelector: `app=${selector.app}` });
  const pod = pods.items
    .filter((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp)
    .filter((p) => (p.spec?.containers ?? []).some((c) => c.name === "istio-proxy") || (p.spec?.initContainers ?? []).some((c) => c.name === "istio-proxy"))
    .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))[0];
  if (!pod?.metadata?.name) throw new ProxyNotFoundError(`no running pod with an Envoy sidecar matches ${describeSelector(selector)}`);
  return { namespace: selector.namespace, name: pod.metadata.name };
}

/** Every running pod with an Envoy sidecar whose labels include the selector's (sorted by name). */
async function podsForStats(kubeConfig: KubeConfig, selector: StatsSelector): Promise<PodRef[]> {
  const labelSelector = Object.entries(selector.labels).map(([k, v]) => `${k}=${v}`).join(",");
  const pods = await kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: selector.namespace, labelSelector: labelSelector || undefined });
  return pods.items
    .filter((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp && p.metadata?.name)
    .filter((p) => (p.spec?.containers ?? []).some((c) => c.name === "istio-proxy") || (p.spec?.initContainers ?? []).some((c) => c.name === "istio-proxy"))
    .map((p) => ({ namespace: selector.namespace, name: p.metadata!.name! }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Waits (bounded) until no proxy reports STALE for any xDS type. */
export async function waitForSynced(cluster: LabCluster, timeoutMs: number, pollMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await cluster.proxyStatus();
    // Only STALE means config is in flight; NOT SENT (e.g. a gateway with no routes) is a settled state.
    const stale = rows.filter((r) => [r.cds, r.lds, r.eds, r.rds].some((s) => s === "STALE"));
    if (stale.length === 0) return;
    if (Date.now() >= deadline) {
      throw new NotSyncedError(`${stale.length} proxies still STALE after ${timeoutMs} ms: ${stale.slice(0, 3).map((r) => `${r.proxy.name}.${r.proxy.namespace}`).join(", ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export interface BuildOptions {
  /** How long to wait for proxies to sync before giving up with "could not grade". */
  syncTimeoutMs?: number;
}

/** Gathers exactly the inputs a check declared. Errors reaching the cluster become ClusterUnavailableError. */
export async function buildSnapshot(cluster: LabCluster, inputs: CheckInputs, options: BuildOptions = {}): Promise<Snapshot> {
  const kubeConfig = cluster.kubeConfig();
  const data: SnapshotData = { objects: {}, envoy: [], probes: {}, analysis: [], proxySync: [] };
  try {
    for (const kind of new Set(inputs.kinds)) data.objects[kind] = await listKind(kubeConfig, kind);
    if (inputs.proxies.length || inputs.probes.some((p) => p.afterSync !== false)) {
      await waitForSynced(cluster, options.syncTimeoutMs ?? 15_000);
      data.proxySync = await cluster.proxyStatus();
    }
    for (const selector of inputs.proxies) {
      const pod = await resolvePod(kubeConfig, selector);
      data.envoy.push({ selector, pod, config: new EnvoyConfigView(await cluster.configDump(pod, { includeEds: true })) });
    }
    // Stats are read around the probes, so a check can tell what its own traffic did.
    const statsBefore: { selector: StatsSelector; pods: { pod: PodRef; before: string }[] }[] = [];
    for (const selector of inputs.stats ?? []) {
      const pods = await podsForStats(kubeConfig, selector);
      statsBefore.push({ selector, pods: await Promise.all(pods.map(async (pod) => ({ pod, before: await cluster.proxyStats(pod) }))) });
    }
    for (const request of inputs.probes) {
      const from = await resolvePod(kubeConfig, request.spec.from);
      const result: ProbeResult = await cluster.probe({ ...request.spec, from: { namespace: from.namespace, pod: from.name } });
      data.probes[request.id] = result;
    }
    if (statsBefore.length) {
      data.stats = await Promise.all(statsBefore.map(async ({ selector, pods }) => ({ selector, samples: await Promise.all(pods.map(async ({ pod, before }) => ({ pod, before, after: await cluster.proxyStats(pod) }))) })));
    }
    // Analyze as the cluster's own istioctl (1.26) would, so checks newer releases added do not flag the samples.
    if (inputs.analysis) data.analysis = (await analyzeCluster(kubeConfig, [], { istioVersion: "1.26" })).messages;
  } catch (error) {
    if (error instanceof NotSyncedError || error instanceof ProxyNotFoundError || error instanceof ClusterUnavailableError) throw error;
    if (error instanceof ApiException || (error instanceof Error && /fetch failed|ECONNREFUSED|ECONNRESET|socket hang up/i.test(`${error.message} ${String((error as { cause?: unknown }).cause)}`))) {
      throw new ClusterUnavailableError(`the cluster's API did not answer: ${error instanceof ApiException ? `HTTP ${error.code}` : error.message}`, error);
    }
    throw error;
  }
  return snapshotFrom(data);
}
