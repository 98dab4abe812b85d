// `kubectl apply|create|delete -f FILE|DIR|-`: manifests from the shell's files or stdin (heredocs), client-side
// apply with the last-applied-configuration annotation and a three-way merge patch (created / configured /
// unchanged), and kubectl's wording for every failure.
import { parseAllDocuments } from "yaml";
import { ApiStatusError, apiVersionOf, qualifiedSingular, type ApiResource, type KubeClient } from "../../kube/client";
import { describeError, Output, readShellFile, UsageProblem, type Invocation } from "../../context";
import { flagValue, flagValues, type ParsedFlags } from "../flags";
import { namespaceOf } from "./common";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Manifest {
  /** Where it came from, as kubectl names it in errors ("STDIN" or the path given). */
  source: string;
  object: JsonObject & { apiVersion?: string; kind?: string; metadata?: JsonObject };
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && deepEqual(a[key], b[key]));
  }
  return false;
}

/** Fields `modified` sets that `current` lacks or holds differently. */
function additionsAndChanges(current: unknown, modified: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(modified)) {
    const live = isObject(current) ? current[key] : undefined;
    if (isObject(value) && isObject(live)) {
      const nested = additionsAndChanges(live, value);
      if (Object.keys(nested).length) patch[key] = nested;
    } else if (!deepEqual(value, live)) patch[key] = value;
  }
  return patch;
}

/** Fields the previous apply set that the new manifest drops (null deletes them in a merge patch). */
function deletions(original: JsonObject, modified: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(original)) {
    if (!(key in modified)) patch[key] = null;
    else if (isObject(value) && isObject(modified[key])) {
      const nested = deletions(value, modified[key] as JsonObject);
      if (Object.keys(nested).length) patch[key] = nested;
    }
  }
  return patch;
}

function mergeInto(target: JsonObject, source: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    target[key] = isObject(existing) && isObject(value) ? mergeInto({ ...existing }, value) : value;
  }
  return target;
}

/** kubectl's three-way JSON merge patch: make `current` match `modified`, removing what `original` set and `modified` dropped. */
export function threeWayMergePatch(original: JsonObject | undefined, modified: JsonObject, current: JsonObject): JsonObject {
  return mergeInto(additionsAndChanges(current, modified), original ? deletions(original, modified) : {});
}

async function listManifestFiles(invocation: Invocation, path: string, recursive: boolean): Promise<string[]> {
  const absolute = invocation.fs.resolvePath(invocation.cwd, path);
  const entries = (await invocation.fs.readdir(absolute)).sort();
  const files: string[] = [];
  for (const entry of entries) {
    const child = `${path.replace(/\/$/, "")}/${entry}`;
    const stat = await invocation.fs.stat(invocation.fs.resolvePath(invocation.cwd, child));
    if (stat.isDirectory) {
      if (recursive) files.push(...(await listManifestFiles(invocation, child, recursive)));
    } else if (MANIFEST_EXTENSIONS.some((extension) => entry.endsWith(extension))) files.push(child);
  }
  return files;
}

function parseDocuments(text: string, source: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      throw new UsageProblem(`error parsing ${source}: error converting YAML to JSON: yaml: ${line !== undefined ? `line ${line}: ` : ""}${error.message.split("\n")[0] ?? ""}`);
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) continue;
    if (!isObject(value)) throw new UsageProblem(`error validating "${source}": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false`);
    const items = typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items) ? value.items.filter(isObject) : [value];
    for (const item of items) {
      const missing = [item.apiVersion ? undefined : "apiVersion not set", item.kind ? undefined : "kind not set"].filter(Boolean);
      if (missing.length) throw new UsageProblem(`error validating "${source}": error validating data: [${missing.join(", ")}]; if you choose to ignore these errors, turn validation off with --validate=false`);
      manifests.push({ source, object: item as Manifest["object"] });
    }
  }
  return manifests;
}

/** Reads every -f source (files, directories, `-` for stdin) into manifests, in order. */
export async function readManifests(invocation: Invocation, flags: ParsedFlags): Promise<Manifest[]> {
  const sources = flagValues(flags, "filename");
  if (sources.length === 0) throw new UsageProblem("must specify one of -f and -k");
  const manifests: Manifest[] = [];
  for (const source of sources) {
    if (source === "-") {
      manifests.push(...parseDocuments(invocation.stdin, "STDIN"));
      continue;
    }
    if (/^https?:\/\//i.test(source)) throw new UsageProblem(`unable to read URL "${source}", server reported: the lab shell has no Internet access; copy the manifest into a file or a heredoc`);
    const absolute = invocation.fs.resolvePath(invocation.cwd, source);
    if (!(await invocation.fs.exists(absolute))) throw new UsageProblem(`the path "${source}" does not exist`);
    const stat = await invocation.fs.stat(absolute);
    const files = stat.isDirectory ? await listManifestFiles(invocation, source, flags.booleans.has("recursive")) : [source];
    for (const file of files) manifests.push(...parseDocuments(await readShellFile(invocation, file), file));
  }
  if (manifests.length === 0) throw new UsageProblem("no objects passed to apply");
  return manifests;
}

interface Located {
  resource: ApiResource;
  namespace: string | undefined;
  name: string;
  label: string;
}

/** Finds the resource type and namespace of a manifest, or explains why not. */
async function locate(kube: KubeClient, manifest: Manifest, flagNamespace: string | undefined, defaultNamespace: string): Promise<Located> {
  const { object } = manifest;
  const name = typeof object.metadata?.name === "string" ? object.metadata.name : "";
  const objectNamespace = typeof object.metadata?.namespace === "string" ? object.metadata.namespace : undefined;
  const resource = await kube.resourceFor(String(object.apiVersion), String(object.kind));
  if (!resource) {
    throw new UsageProblem(`resource mapping not found for name: "${name}" namespace: "${objectNamespace ?? ""}" from "${manifest.source}": no matches for kind "${object.kind}" in version "${object.apiVersion}"\nensure CRDs are installed first`);
  }
  if (!name) throw new UsageProblem(`error when retrieving current configuration of:\nResource: "${resource.group}/${resource.version}, Resource=${resource.plural}", GroupVersionKind: "${apiVersionOf(resource)}, Kind=${resource.kind}"\nName: "", Namespace: "${objectNamespace ?? defaultNamespace}"\nfrom server for: "${manifest.source}": resource name may not be empty`);
  if (resource.namespaced && flagNamespace !== undefined && objectNamespace !== undefined && flagNamespace !== objectNamespace) {
    throw new UsageProblem(`the namespace from the provided object "${objectNamespace}" does not match the namespace "${flagNamespace}". You must pass '--namespace=${objectNamespace}' to perform this operation.`);
  }
  const namespace = resource.namespaced ? (objectNamespace ?? defaultNamespace) : undefined;
  return { resource, namespace, name, label: `${qualifiedSingular(resource)}/${name}` };
}

function withNamespace(object: Manifest["object"], namespace: string | undefined): JsonObject {
  const copy = structuredClone(object) as JsonObject;
  const metadata = isObject(copy.metadata) ? copy.metadata : {};
  if (namespace !== undefined) metadata.namespace = namespace;
  copy.metadata = metadata;
  return copy;
}

function dryRunOf(flags: ParsedFlags): "client" | "server" | undefined {
  const value = flagValue(flags, "dry-run");
  if (value === undefined || value === "none") return undefined;
  if (value === "client" || value === "server") return value;
  throw new UsageProblem(`Invalid dry-run value (${value}). Must be "none", "server", or "client".`);
}

function errorWhen(action: string, source: string, error: unknown): string {
  if (error instanceof ApiStatusError && error.reason !== "Invalid") return `Error from server (${error.reason}): error when ${action} "${source}": ${error.message}`;
  return describeError(error);
}

/** `kubectl apply -f`. */
export async function kubectlApply(invocation: Invocation, flags: ParsedFlags): Promise<Output> {
  const out = new Output();
  const kube = invocation.session.backend.kube;
  const manifests = await readManifests(invocation, flags);
  const dryRun = dryRunOf(flags);
  const suffix = dryRun ? ` (${dryRun} dry run)` : "";
  const query = { dryRun: dryRun === "server" ? "All" : undefined, fieldManager: "kubectl-client-side-apply" };
  for (const manifest of manifests) {
    let located: Located;
    try {
      located = await locate(kube, manifest, flagValue(flags, "namespace"), namespaceOf(invocation, flags));
    } catch (error) {
      out.error(describeError(error));
      continue;
    }
    const modified = withNamespace(manifest.object, located.namespace);
    const annotations = isObject((modified.metadata as JsonObject).annotations) ? ((modified.metadata as JsonObject).annotations as JsonObject) : {};
    const lastApplied = JSON.stringify(withNamespace(manifest.object, located.namespace));
    (modified.metadata as JsonObject).annotations = { ...annotations, [LAST_APPLIED]: `${lastApplied}\n` };
    let current: JsonObject | undefined;
    try {
      current = await kube.request<JsonObject>(kube.path(located.resource, located.namespace, located.name));
    } catch (error) {
      if (!(error instanceof ApiStatusError && error.code === 404)) {
        out.error(describeError(error));
        continue;
      }
    }
    if (!current) {
      if (dryRun === "client") {
        out.print(`${located.label} created${suffix}`);
        continue;
      }
      try {
        await kube.request(kube.path(located.resource, located.namespace), { method: "POST", body: modified, query });
        out.print(`${located.label} created${suffix}`);
      } catch (error) {
        out.error(errorWhen("creating", manifest.source, error));
      }
      continue;
    }
    const currentAnnotations = isObject(current.metadata) && isObject(current.metadata.annotations) ? current.metadata.annotations : {};
    const previous = currentAnnotations[LAST_APPLIED];
    let original: JsonObject | undefined;
    if (typeof previous === "string") {
      try {
        original = JSON.parse(previous) as JsonObject;
      } catch {
        original = undefined;
      }
    } else {
      out.error(`Warning: resource ${located.resource.plural}/${located.name} is missing the ${LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.`, 0);
    }
    const patch = threeWayMergePatch(original, modified, current);
    if (Object.keys(patch).length === 0) {
      out.print(`${located.label} unchanged${suffix}`);
      continue;
    }
    if (dryRun === "client") {
      out.print(`${located.label} configured${suffix}`);
      continue;
    }
    try {
      await kube.request(kube.path(located.resource, located.namespace, located.name), { method: "PATCH", body: patch, contentType: "application/merge-patch+json", query });
      out.print(`${located.label} configured${suffix}`);
    } catch (error) {
      if (error instanceof ApiStatusError && error.reason !== "Invalid") {
        out.error(
          `Error from server (${error.reason}): error when applying patch:\n${JSON.stringify(patch)}\n\nto:\nResource: "${located.resource.group}/${located.resource.version}, Resource=${located.resource.plural}", GroupVersionKind: "${apiVersionOf(located.resource)}, Kind=${located.resource.kind}"\nName: "${located.name}", Namespace: "${located.namespace ?? ""}"\nfor: "${manifest.source}": error when patching "${manifest.source}": ${error.message}`,
        );
      } else out.error(describeError(error));
    }
  }
  return out;
}

/** `kubectl create -f`. */
export async function kubectlCreateFromFiles(invocation: Invocation, flags: ParsedFlags): Promise<Output> {
  const out = new Output();
  const kube = invocation.session.backend.kube;
  const manifests = await readManifests(invocation, flags);
  const dryRun = dryRunOf(flags);
  for (const manifest of manifests) {
    try {
      const located = await locate(kube, manifest, flagValue(flags, "namespace"), namespaceOf(invocation, flags));
      if (dryRun !== "client") {
        await kube.request(kube.path(located.resource, located.namespace), { method: "POST", body: withNamespace(manifest.object, located.namespace), query: { dryRun: dryRun === "server" ? "All" : undefined } });
      }
      out.print(`${located.label} created${dryRun ? ` (${dryRun} dry run)` : ""}`);
    } catch (error) {
      out.error(errorWhen("creating", manifest.source, error));
    }
  }
  return out;
}

/** `kubectl delete -f`. */
export async function kubectlDeleteFromFiles(invocation: Invocation, flags: ParsedFlags): Promise<Output> {
  const out = new Output();
  const kube = invocation.session.backend.kube;
  const manifests = await readManifests(invocation, flags);
  for (const manifest of manifests) {
    try {
      const located = await locate(kube, manifest, flagValue(flags, "namespace"), namespaceOf(invocation, flags));
      try {
        await kube.request(kube.path(located.resource, located.namespace, located.name), { method: "DELETE" });
        out.print(`${qualifiedSingular(located.resource)} "${located.name}" deleted`);
      } catch (error) {
        if (error instanceof ApiStatusError && error.code === 404 && flags.booleans.has("ignore-not-found")) continue;
        throw error;
      }
    } catch (error) {
      out.error(errorWhen("deleting", manifest.source, error));
    }
  }
  return out;
}
