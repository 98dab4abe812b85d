// Applying and deleting YAML manifests through the Kubernetes API (client-node), for lab setup, `ica grade --apply`
// and solutions: create what is missing, replace what exists, on either driver.
import { ApiException, KubernetesObjectApi, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";

/** A manifest that could not be parsed or applied, with the object it concerns. */
export class ManifestError extends Error {}

/** Parses multi-document YAML (or JSON) into objects; empty documents are skipped, `List` kinds are flattened. */
export function parseManifests(text: string, source = "manifest"): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new ManifestError(`${source}: ${doc.errors[0]!.message}`);
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) throw new ManifestError(`${source}: a document is not a Kubernetes object`);
    const obj = value as KubernetesObject & { items?: KubernetesObject[] };
    if (obj.kind?.endsWith("List") && Array.isArray(obj.items)) objects.push(...obj.items);
    else objects.push(obj);
  }
  for (const obj of objects) {
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) throw new ManifestError(`${source}: every object needs apiVersion, kind and metadata.name`);
  }
  return objects;
}

function describe(obj: KubernetesObject): string {
  return `${obj.kind}/${obj.metadata?.name}`;
}

function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body = typeof error.body === "string" ? error.body : JSON.stringify(error.body);
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/** Creates or replaces each object, in order; returns kubectl-style lines (`virtualservice/reviews created`). */
export async function applyObjects(kubeConfig: KubeConfig, objects: readonly KubernetesObject[], defaultNamespace = "default"): Promise<string[]> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  const lines: string[] = [];
  for (const original of objects) {
    const obj = structuredClone(original);
    obj.metadata = { ...obj.metadata, namespace: obj.metadata?.namespace ?? defaultNamespace };
    const label = `${obj.kind!.toLowerCase()}.${obj.apiVersion!.includes("/") ? obj.apiVersion!.split("/")[0] : ""}`.replace(/\.$/, "");
    try {
      let existing: KubernetesObject | undefined;
      try {
        existing = await api.read({ apiVersion: obj.apiVersion!, kind: obj.kind!, metadata: { name: obj.metadata.name!, namespace: obj.metadata.namespace } });
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 404)) throw error;
      }
      if (!existing) {
        await api.create(obj);
        lines.push(`${label}/${obj.metadata.name} created`);
      } else {
        obj.metadata.resourceVersion = existing.metadata?.resourceVersion;
        await api.replace(obj);
        lines.push(`${label}/${obj.metadata.name} configured`);
      }
    } catch (error) {
      throw new ManifestError(`${describe(obj)}: ${apiMessage(error)}`);
    }
  }
  return lines;
}

/** Deletes each object; missing ones are reported, not errors (like `kubectl delete --ignore-not-found`). */
export async function deleteObjects(kubeConfig: KubeConfig, objects: readonly KubernetesObject[], defaultNamespace = "default"): Promise<string[]> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  const lines: string[] = [];
  for (const obj of objects) {
    const target = { apiVersion: obj.apiVersion!, kind: obj.kind!, metadata: { name: obj.metadata!.name!, namespace: obj.metadata?.namespace ?? defaultNamespace } };
    try {
      await api.delete(target);
      lines.push(`${obj.kind!.toLowerCase()}/${target.metadata.name} deleted`);
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) lines.push(`${obj.kind!.toLowerCase()}/${target.metadata.name} not found`);
      else throw new ManifestError(`${describe(obj)}: ${apiMessage(error)}`);
    }
  }
  return lines;
}
