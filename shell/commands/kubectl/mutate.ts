// `kubectl delete TYPE NAME|--all|-l`, `patch` (strategic, merge, json), `label` / `annotate`, `scale`, with the
// confirmation lines kubectl prints ("deleted", "patched", "patched (no change)", "labeled", "scaled").
import { parse as parseYaml } from "yaml";
import { ApiStatusError, apiVersionOf, qualifiedSingular, type ApiResource, type KubeClient } from "../../kube/client";
import { describeError, Output, readShellFile, UsageProblem, type Invocation } from "../../context";
import { flagValue, type ParsedFlags } from "../flags";
import { namespaceOf, parseTargets, type Target } from "./common";

interface Meta {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; managedFields?: unknown; generation?: number };
}

/** Names a target selects: the given names, or every object (--all / -l). */
async function selectNames(kube: KubeClient, target: Target, namespace: string | undefined, flags: ParsedFlags): Promise<string[]> {
  if (target.names.length > 0) return target.names;
  const selector = flagValue(flags, "selector");
  if (!flags.booleans.has("all") && selector === undefined) throw new UsageProblem("resource(s) were provided, but no name was specified");
  const list = await kube.request<{ items?: Meta[] }>(kube.path(target.resource, namespace), { query: { labelSelector: selector } });
  return (list.items ?? []).map((item) => item.metadata?.name ?? "").filter(Boolean);
}

function scopeOf(resource: ApiResource, namespace: string): string | undefined {
  return resource.namespaced ? namespace : undefined;
}

/** `kubectl delete TYPE NAME…` (the -f form lives with the manifests). */
export async function kubectlDelete(invocation: Invocation, flags: ParsedFlags, positionals: string[]): Promise<Output> {
  const out = new Output();
  const kube = invocation.session.backend.kube;
  if (positionals.length === 0) throw new UsageProblem("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
  const namespace = namespaceOf(invocation, flags);
  let deleted = 0;
  for (const target of await parseTargets(kube, positionals)) {
    const scope = scopeOf(target.resource, namespace);
    for (const name of await selectNames(kube, target, scope, flags)) {
      try {
        await kube.request(kube.path(target.resource, scope, name), { method: "DELETE" });
        out.print(`${qualifiedSingular(target.resource)} "${name}" deleted`);
        deleted += 1;
      } catch (error) {
        if (error instanceof ApiStatusError && error.code === 404 && flags.booleans.has("ignore-not-found")) continue;
        out.error(describeError(error));
      }
    }
  }
  if (deleted === 0 && out.exitCode === 0 && (flags.booleans.has("all") || flagValue(flags, "selector") !== undefined)) out.error(`No resources found`, 0);
  return out;
}

function comparable(obj: Meta): unknown {
  const copy = structuredClone(obj) as Meta;
  if (copy.metadata) {
    delete copy.metadata.resourceVersion;
    delete copy.metadata.managedFields;
    delete copy.metadata.generation;
  }
  return JSON.stringify(copy);
}

const PATCH_TYPES: Record<string, string> = {
  strategic: "application/strategic-merge-patch+json",
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
};

/** `kubectl patch TYPE NAME --type merge|json|strategic -p PATCH`. */
export async function kubectlPatch(invocation: Invocation, flags: ParsedFlags, positionals: string[]): Promise<Output> {
  const out = new Output();
  const kube = invocation.session.backend.kube;
  const type = flagValue(flags, "type") ?? "strategic";
  const contentType = PATCH_TYPES[type];
  if (!contentType) throw new UsageProblem(`--type must be one of [json merge strategic], not "${type}"`);
  const patchFile = flagValue(flags, "patch-file");
  const patchText = flagValue(flags, "patch") ?? (patchFile !== undefined ? await readShellFile(invocation, patchFile) : undefined);
  if (patchText === undefined) throw new UsageProblem("must specify -p to patch");
  let patch: unknown;
  try {
    patch = parseYaml(patchText);
  } catch (error) {
    throw new UsageProblem(`unable to parse "${patchText}": ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  if (type === "json" && !Array.isArray(patch)) throw new UsageProblem(`unable to parse "${patchText}": json: cannot unmarshal object into Go value of type jsonpatch.Patch`);
  if (type !== "json" && (patch === null || typeof patch !== "object" || Array.isArray(patch))) throw new UsageProblem(`unable to parse "${patchText}": json: cannot unmarshal array into Go value of type map[string]interface {}`);
  const targets = await parseTargets(kube, positionals);
  const target = targets[0];
  if (!target || target.names.length === 0) throw new UsageProblem("resource name may not be empty");
  const namespace = namespaceOf(invocation, flags);
  const scope = scopeOf(target.resource, namespace);
  for (const name of target.names) {
    try {
      const before = await kube.request<Meta>(kube.path(target.resource, scope, name));
      const after = await kube.request<Meta>(kube.path(target.resource, scope, name), { method: "PATCH", body: patch, contentType });
      out.print(`${qualifiedSingular(target.resource)}/${name} patched${comparable(before) === comparable(after) ? " (no change)" : ""}`);
    } catch (error) {
      if (error instanceof ApiStatusError && error.code === 415) {
        out.error(`error: ${contentType} is not supported by ${apiVersionOf(target.resource)}, Kind=${target.resource.kind}: ${error.message}`);
      } else out.error(describeError(error));
    }
  }
  return out;
}

/** `kubectl label` and `kubectl annotate`: `key=value` sets, `key-` removes. */
export async function kubectlLabel(invocation: Invocation, flags: ParsedFlags, positionals: string[], field: "labels" | "annotations"): Promise<Output> {
  const out = new Output();
  const kube = invocation.session.backend.kube;
  const changes = positionals.filter((arg) => /^[^=\s/]*(\/[^=\s]+)?=.*$|^[^=\s]+-$/.test(arg) && !arg.startsWith("-"));
  const resourceArgs = positionals.filter((arg) => !changes.includes(arg));
  if (changes.length === 0) throw new UsageProblem(`at least one ${field === "labels" ? "label" : "annotation"} update is required`);
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const change of changes) {
    if (change.endsWith("-") && !change.includes("=")) remove.push(change.slice(0, -1));
    else {
      const eq = change.indexOf("=");
      set[change.slice(0, eq)] = change.slice(eq + 1);
    }
  }
  const namespace = namespaceOf(invocation, flags);
  const verb = field === "labels" ? "labeled" : "annotated";
  for (const target of await parseTargets(kube, resourceArgs)) {
    const scope = scopeOf(target.resource, namespace);
    for (const name of await selectNames(kube, target, scope, flags)) {
      try {
        const current = await kube.request<Meta>(kube.path(target.resource, scope, name));
        const existing = current.metadata?.[field] ?? {};
        if (!flags.booleans.has("overwrite")) {
          const clash = Object.keys(set).find((key) => key in existing && existing[key] !== set[key]);
          if (clash) {
            out.error(`error: '${clash}' already has a value (${existing[clash]}), and --overwrite is false`);
            continue;
          }
        }
        const patchValue: Record<string, string | null> = { ...set };
        for (const key of remove) patchValue[key] = null;
        const unchanged = Object.entries(set).every(([key, value]) => existing[key] === value) && remove.every((key) => !(key in existing));
        if (!unchanged) await kube.request(kube.path(target.resource, scope, name), { method: "PATCH", body: { metadata: { [field]: patchValue } }, contentType: "application/merge-patch+json" });
        out.print(`${qualifiedSingular(target.resource)}/${name} ${unchanged ? `not ${verb}` : verb}`);
      } catch (error) {
        out.error(describeError(error));
      }
    }
  }
  return out;
}

/** `kubectl scale TYPE NAME --replicas=N`. */
export async function kubectlScale(invocation: Invocation, flags: ParsedFlags, positionals: string[]): Promise<Output> {
  const out = new Output();
  const kube = invocation.session.backend.kube;
  const replicasText = flagValue(flags, "replicas");
  if (replicasText === undefined) throw new UsageProblem("required flag(s) \"replicas\" not set");
  const replicas = Number(replicasText);
  if (!Number.isInteger(replicas) || replicas < 0) throw new UsageProblem(`invalid argument "${replicasText}" for "--replicas" flag: strconv.ParseInt: parsing "${replicasText}": invalid syntax`);
  const namespace = namespaceOf(invocation, flags);
  for (const target of await parseTargets(kube, positionals)) {
    const scope = scopeOf(target.resource, namespace);
    for (const name of await selectNames(kube, target, scope, flags)) {
      try {
        await kube.request(kube.path(target.resource, scope, name), { method: "PATCH", body: { spec: { replicas } }, contentType: "application/merge-patch+json" });
        out.print(`${qualifiedSingular(target.resource)}/${name} scaled`);
      } catch (error) {
        out.error(describeError(error));
      }
    }
  }
  return out;
}
