// Live mode: lists the kinds the analyzers read from a cluster (all namespaces) and analyzes them, with any files
// overlaid on top, like `istioctl analyze` with a kubeconfig.
import { ApiException, CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { KINDS, KIND_NAMES, type KindName, type KubeObject, type SourcedObject } from "./resources";
import { analyzeObjects, type AnalysisResult, type AnalyzeOptions } from "./run";

/** Served versions tried for Istio kinds, newest first. */
const ISTIO_VERSIONS = ["v1", "v1beta1", "v1alpha3"];

/** List items come without apiVersion/kind, and client models carry Dates: normalise to plain API JSON. */
function plainItems(items: readonly unknown[], apiVersion: string, kind: string): KubeObject[] {
  return items.map((item) => ({ ...(JSON.parse(JSON.stringify(item)) as Record<string, unknown>), apiVersion, kind }) as KubeObject);
}

function isNotServed(error: unknown): boolean {
  return error instanceof ApiException && (error.code === 404 || error.code === 403);
}

async function listIstioKind(api: CustomObjectsApi, kind: KindName): Promise<KubeObject[]> {
  const { group, plural } = KINDS[kind];
  for (const version of ISTIO_VERSIONS) {
    try {
      const list = (await api.listClusterCustomObject({ group, version, plural })) as { items?: unknown[] };
      return plainItems(list.items ?? [], `${group}/${version}`, kind);
    } catch (error) {
      // A kind whose CRD (or version) is not installed is simply absent, as istioctl treats it.
      if (!isNotServed(error)) throw error;
    }
  }
  return [];
}

async function listCoreKind(api: CoreV1Api, kind: KindName): Promise<KubeObject[]> {
  try {
    switch (kind) {
      case "Service":
        return plainItems((await api.listServiceForAllNamespaces()).items, "v1", kind);
      case "Pod":
        return plainItems((await api.listPodForAllNamespaces()).items, "v1", kind);
      case "Namespace":
        return plainItems((await api.listNamespace()).items, "v1", kind);
      case "Secret":
        return plainItems((await api.listSecretForAllNamespaces()).items, "v1", kind);
      default:
        return [];
    }
  } catch (error) {
    if (isNotServed(error)) return [];
    throw error;
  }
}

/** Every object of every kind the analyzers read, from all namespaces of the cluster. */
export async function listClusterObjects(kubeConfig: KubeConfig): Promise<KubeObject[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const lists = await Promise.all(KIND_NAMES.map((kind) => (KINDS[kind].istio ? listIstioKind(custom, kind) : listCoreKind(core, kind))));
  return lists.flat();
}

/** The namespace of the kubeconfig's current context, if it sets one. */
export function contextNamespace(kubeConfig: KubeConfig): string | undefined {
  return kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || undefined;
}

/** Analyzes a live cluster with `overlay` objects (e.g. parsed -f files) replacing or adding to what it holds. */
export async function analyzeCluster(kubeConfig: KubeConfig, overlay: readonly SourcedObject[] = [], options: Omit<AnalyzeOptions, "offlineDefaults"> = {}): Promise<AnalysisResult> {
  const live = await listClusterObjects(kubeConfig);
  return analyzeObjects([...live, ...overlay], { ...options, offlineDefaults: false });
}
