// `kubectl get`: server-side Tables (with -o wide, -A, -l, --show-labels, -L, --no-headers, --sort-by), `-o name`,
// `-o yaml|json`, `-o jsonpath=…`, `-o custom-columns=…`; errors and "No resources found" as kubectl prints them.
import { ApiStatusError, qualifiedSingular, type ApiResource, type KubeClient } from "../../kube/client";
import { JsonPathError, jsonPathValues, renderJsonPath } from "../../kube/jsonpath";
import { alignColumns, formatTable, listOf, toKubectlJson, toKubectlYaml, type ApiTable } from "../../kube/print";
import { describeError, Output, UsageProblem, type Invocation } from "../../context";
import { flagValue, flagValues, type ParsedFlags } from "../flags";
import { namespaceOf, parseTargets, type Target } from "./common";

const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; managedFields?: unknown };
}

type OutputMode =
  | { kind: "table"; wide: boolean }
  | { kind: "name" }
  | { kind: "yaml" }
  | { kind: "json" }
  | { kind: "jsonpath"; template: string }
  | { kind: "custom-columns"; columns: { header: string; path: string }[] };

function stripQuotes(text: string): string {
  return /^(['"]).*\1$/s.test(text) ? text.slice(1, -1) : text;
}

/** Reads -o. */
export function outputMode(output: string | undefined): OutputMode {
  if (output === undefined || output === "") return { kind: "table", wide: false };
  if (output === "wide") return { kind: "table", wide: true };
  if (output === "name") return { kind: "name" };
  if (output === "yaml") return { kind: "yaml" };
  if (output === "json") return { kind: "json" };
  const eq = output.indexOf("=");
  const format = eq === -1 ? output : output.slice(0, eq);
  const argument = eq === -1 ? "" : stripQuotes(output.slice(eq + 1));
  if (format === "jsonpath" || format === "jsonpath-as-json") {
    if (!argument) throw new UsageProblem("template format specified but no template given");
    return { kind: "jsonpath", template: argument };
  }
  if (format === "custom-columns") {
    const columns = argument.split(",").map((spec) => {
      const colon = spec.indexOf(":");
      if (colon === -1) throw new UsageProblem(`unexpected custom-columns spec: ${spec}, expected <header>:<json-path-expr>`);
      const path = spec.slice(colon + 1);
      return { header: spec.slice(0, colon), path: path.startsWith("{") ? path : `{${path.startsWith(".") ? path : `.${path}`}}` };
    });
    return { kind: "custom-columns", columns };
  }
  throw new UsageProblem(`unable to match a printer suitable for the output format "${output}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml`);
}

/** An object with its apiVersion and kind set (lists leave them out), managedFields hidden like kubectl. */
function complete(obj: KubeObject, resource: ApiResource, showManaged: boolean): KubeObject {
  const apiVersion = resource.group === "" ? resource.version : `${resource.group}/${resource.version}`;
  const copy: KubeObject = { ...obj, apiVersion: obj.apiVersion ?? apiVersion, kind: obj.kind ?? resource.kind };
  if (!showManaged && copy.metadata?.managedFields !== undefined) {
    const metadata = { ...copy.metadata };
    delete metadata.managedFields;
    copy.metadata = metadata;
  }
  return copy;
}

function noResourcesLine(namespace: string | undefined): string {
  return namespace === undefined ? "No resources found" : `No resources found in ${namespace} namespace.`;
}

function renderObjects(objects: KubeObject[], mode: OutputMode, single: boolean, out: Output): void {
  const value = single && objects.length === 1 ? objects[0] : listOf(objects);
  switch (mode.kind) {
    case "yaml":
      out.write(toKubectlYaml(value));
      return;
    case "json":
      out.write(toKubectlJson(value));
      return;
    case "jsonpath":
      try {
        out.write(renderJsonPath(mode.template, JSON.parse(JSON.stringify(value))));
      } catch (error) {
        if (!(error instanceof JsonPathError)) throw error;
        out.error(`error: error executing jsonpath ${JSON.stringify(mode.template)}: Error executing template: ${error.message}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t${mode.template}\n\tobject given to jsonpath engine was:\n\t\t${JSON.stringify(value)}\n\n`);
      }
      return;
    case "custom-columns": {
      const rows = objects.map((obj) => mode.columns.map((column) => renderJsonPath(column.path, obj) || "<none>"));
      out.write(alignColumns([mode.columns.map((column) => column.header), ...rows]));
      return;
    }
    default:
      return;
  }
}

/** `kubectl get`. */
/** Orders by the value at a JSONPath (`--sort-by`): numbers numerically, everything else as text; missing values first. */
function sortedBy<T>(expression: string, items: readonly T[], objectOf: (item: T) => unknown): T[] {
  const keyed = items.map((item) => ({ item, value: jsonPathValues(expression, objectOf(item))[0] }));
  if (keyed.length > 0 && keyed.every((entry) => entry.value === undefined)) {
    throw new UsageProblem(`couldn't find any field with path "${expression.trim().startsWith("{") ? expression.trim() : `{${expression.trim()}}`}" in the list of objects`);
  }
  const rank = (value: unknown): [number, number | string] =>
    value === undefined || value === null ? [0, ""] : typeof value === "number" ? [1, value] : [2, typeof value === "string" ? value : JSON.stringify(value)];
  return keyed
    .map((entry, index) => ({ ...entry, index, key: rank(entry.value) }))
    .sort((a, b) => a.key[0] - b.key[0] || (a.key[1] < b.key[1] ? -1 : a.key[1] > b.key[1] ? 1 : a.index - b.index))
    .map((entry) => entry.item);
}

export async function kubectlGet(invocation: Invocation, flags: ParsedFlags, positionals: string[]): Promise<Output> {
  const out = new Output();
  const kube: KubeClient = invocation.session.backend.kube;
  if (positionals.length === 0) {
    throw new UsageProblem(`You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.`);
  }
  const mode = outputMode(flagValue(flags, "output"));
  const allNamespaces = flags.booleans.has("all-namespaces");
  const namespace = namespaceOf(invocation, flags);
  const selector = flagValue(flags, "selector");
  const fieldSelector = flagValue(flags, "field-selector");
  const sortBy = flagValue(flags, "sort-by");
  const targets: Target[] = await parseTargets(kube, positionals);
  const multipleTypes = targets.length > 1 || positionals[0]?.split(",").includes("all") === true;
  const byName = targets.some((target) => target.names.length > 0);
  const objects: KubeObject[] = [];
  const tables: { resource: ApiResource; table: ApiTable }[] = [];
  let anyNamespaced = false;
  for (const target of targets) {
    const ns = target.resource.namespaced ? (allNamespaces ? undefined : namespace) : undefined;
    anyNamespaced ||= target.resource.namespaced && !allNamespaces;
    const query = { labelSelector: selector, fieldSelector };
    if (target.names.length > 0) {
      for (const name of target.names) {
        try {
          if (mode.kind === "table") {
            const table = await kube.request<ApiTable>(kube.path(target.resource, ns ?? namespace, name), { accept: TABLE_ACCEPT, query: sortBy ? { includeObject: "Object" } : {} });
            tables.push({ resource: target.resource, table });
          } else {
            const obj = await kube.request<KubeObject>(kube.path(target.resource, target.resource.namespaced ? namespace : undefined, name));
            objects.push(complete(obj, target.resource, flags.booleans.has("show-managed-fields")));
          }
        } catch (error) {
          if (error instanceof ApiStatusError && error.code === 404 && flags.booleans.has("ignore-not-found")) continue;
          if (!(error instanceof ApiStatusError)) throw error;
          out.error(describeError(error));
        }
      }
      continue;
    }
    if (mode.kind === "table") {
      const table = await kube.request<ApiTable>(kube.path(target.resource, ns), { accept: TABLE_ACCEPT, query: { ...query, includeObject: sortBy ? "Object" : "Metadata" } });
      tables.push({ resource: target.resource, table });
    } else {
      const list = await kube.request<{ items?: KubeObject[] }>(kube.path(target.resource, ns), { query });
      for (const item of list.items ?? []) objects.push(complete(item, target.resource, flags.booleans.has("show-managed-fields")));
    }
  }

  if (mode.kind === "table") {
    const shown = tables.filter(({ table }) => (table.rows ?? []).length > 0);
    // Rows of several lookups of one type print as one table.
    const merged: { resource: ApiResource; table: ApiTable }[] = [];
    for (const entry of shown) {
      const previous = merged.find((item) => item.resource === entry.resource);
      if (previous) previous.table = { ...previous.table, rows: [...(previous.table.rows ?? []), ...(entry.table.rows ?? [])] };
      else merged.push({ ...entry });
    }
    if (sortBy) for (const entry of merged) entry.table = { ...entry.table, rows: sortedBy(sortBy, entry.table.rows ?? [], (row) => row.object) };
    merged.forEach(({ resource, table }, index) => {
      if (index > 0) out.write("\n");
      out.write(
        formatTable(table, {
          wide: mode.wide,
          namespaceColumn: allNamespaces && resource.namespaced,
          showLabels: flags.booleans.has("show-labels"),
          noHeaders: flags.booleans.has("no-headers"),
          namePrefix: multipleTypes ? `${qualifiedSingular(resource)}/` : undefined,
          labelColumns: flagValues(flags, "label-columns").flatMap((value) => value.split(",")),
        }),
      );
    });
    if (merged.length === 0 && !byName) out.error(noResourcesLine(anyNamespaced ? namespace : undefined), 0);
    return out;
  }

  if (sortBy) objects.splice(0, objects.length, ...sortedBy(sortBy, objects, (obj) => obj));
  if (mode.kind === "name") {
    for (const obj of objects) {
      const resource = targets.find((target) => target.resource.kind === obj.kind)?.resource;
      out.print(`${resource ? qualifiedSingular(resource) : (obj.kind ?? "").toLowerCase()}/${obj.metadata?.name ?? ""}`);
    }
    if (objects.length === 0 && !byName) out.error(noResourcesLine(anyNamespaced ? namespace : undefined), 0);
    return out;
  }
  const single = byName && targets.length === 1 && (targets[0]?.names.length ?? 0) === 1;
  if (!single || objects.length > 0) renderObjects(objects, mode, single, out);
  return out;
}
