// Server-side apply, light: merge the applied configuration, drop the fields this manager applied before but no
// longer does, record the manager's field set in metadata.managedFields (FieldsV1), and refuse to change a field
// another applier owns unless forced (then the field changes hands).

import { cloneJson, isPlainObject, jsonEqual, type Json, type JsonObject, type KubeObject } from "../objects";
import { applyMergePatch, strategicMerge } from "../patch";

/** Merge keys of built-in lists, as server-side apply tracks them (`k:{"name":"reviews"}`). */
const listKeys: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  env: "name",
  imagePullSecrets: "name",
  conditions: "type",
};

function listKeyFor(field: string, items: Json[]): string | undefined {
  if (field === "ports") return items.some((item) => isPlainObject(item) && "containerPort" in item) ? "containerPort" : "port";
  return listKeys[field];
}

const identityFields = new Set(["apiVersion", "kind"]);
const serverMetadata = new Set(["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "deletionTimestamp", "selfLink"]);

/** The FieldsV1 set of an applied configuration. */
export function fieldSet(value: JsonObject, builtin: boolean, topLevel = true): JsonObject {
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (topLevel && identityFields.has(key)) continue;
    if (topLevel && key === "metadata" && isPlainObject(item)) {
      const meta: JsonObject = {};
      for (const [metaKey, metaValue] of Object.entries(item)) {
        if (serverMetadata.has(metaKey) || metaKey === "name" || metaKey === "namespace") continue;
        meta[`f:${metaKey}`] = isPlainObject(metaValue) ? fieldSet(metaValue, builtin, false) : {};
      }
      if (Object.keys(meta).length > 0) out["f:metadata"] = meta;
      continue;
    }
    if (isPlainObject(item)) out[`f:${key}`] = fieldSet(item, builtin, false);
    else if (Array.isArray(item) && builtin && listKeyFor(key, item) !== undefined && item.every(isPlainObject)) {
      const listKey = listKeyFor(key, item) ?? "name";
      const entries: JsonObject = {};
      for (const element of item) {
        if (!isPlainObject(element)) continue;
        entries[`k:${JSON.stringify({ [listKey]: element[listKey] ?? null })}`] = { ".": {}, ...fieldSet(element, builtin, false) };
      }
      out[`f:${key}`] = entries;
    } else out[`f:${key}`] = {};
  }
  return out;
}

/** Removes from `target` every field `previous` lists and `next` does not. */
function removeDropped(target: Json | undefined, previous: JsonObject, next: JsonObject): void {
  for (const [path, previousChild] of Object.entries(previous)) {
    if (path === ".") continue;
    const nextChild = next[path];
    if (path.startsWith("f:")) {
      if (!isPlainObject(target)) continue;
      const field = path.slice(2);
      if (nextChild === undefined) delete target[field];
      else if (isPlainObject(previousChild) && isPlainObject(nextChild)) removeDropped(target[field], previousChild, nextChild);
    } else if (path.startsWith("k:") && Array.isArray(target)) {
      const key = JSON.parse(path.slice(2)) as JsonObject;
      const index = target.findIndex((item) => isPlainObject(item) && Object.entries(key).every(([name, value]) => jsonEqual(item[name], value)));
      if (index < 0) continue;
      if (nextChild === undefined) target.splice(index, 1);
      else if (isPlainObject(previousChild) && isPlainObject(nextChild)) removeDropped(target[index], previousChild, nextChild);
    }
  }
}

/** Merges custom resources: maps merge, lists are atomic (replaced), as Istio's CRD schemas declare them. */
function mergeAtomicLists(current: Json | undefined, applied: Json): Json {
  return applyMergePatch(current, stripNulls(applied));
}

function stripNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isPlainObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) if (item !== null) out[key] = stripNulls(item);
  return out;
}

/**
 * Computes the object after `manager` applies `applied` onto `current` (undefined when creating).
 * `time` stamps the managedFields entry.
 */
/** A field another manager owns and the applied configuration would change. */
export interface ApplyConflict {
  manager: string;
  apiVersion: string;
  /** The field as server-side apply prints it: `.spec.hosts`, `.spec.template.spec.containers[name="app"].image`. */
  field: string;
}

/** Thrown when an unforced apply would change fields other managers own. */
export class ApplyConflictError extends Error {
  constructor(readonly conflicts: ApplyConflict[]) {
    const managers = [...new Set(conflicts.map((conflict) => conflict.manager))];
    const lines = managers.map((manager) => {
      const owned = conflicts.filter((conflict) => conflict.manager === manager);
      const using = `conflict${owned.length > 1 ? "s" : ""} with "${manager}" using ${owned[0]?.apiVersion ?? ""}`;
      return owned.length === 1 ? `${using}: ${owned[0]?.field ?? ""}` : `${using}:\n${owned.map((conflict) => `- ${conflict.field}`).join("\n")}`;
    });
    super(`Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? "s" : ""}: ${lines.join("\n")}`);
  }
}

/** Leaf paths of a FieldsV1 set, as lists of `f:`/`k:` segments. */
function leafPaths(set: JsonObject, prefix: string[] = []): string[][] {
  const paths: string[][] = [];
  for (const [segment, child] of Object.entries(set)) {
    if (segment === ".") continue;
    const path = [...prefix, segment];
    const children = isPlainObject(child) ? Object.keys(child).filter((key) => key !== ".") : [];
    if (children.length === 0) paths.push(path);
    else paths.push(...leafPaths(child as JsonObject, path));
  }
  return paths;
}

function valueAt(value: Json | undefined, path: string[]): Json | undefined {
  let current: Json | undefined = value;
  for (const segment of path) {
    if (segment.startsWith("f:") && isPlainObject(current)) current = current[segment.slice(2)];
    else if (segment.startsWith("k:") && Array.isArray(current)) {
      const key = JSON.parse(segment.slice(2)) as JsonObject;
      current = current.find((item) => isPlainObject(item) && Object.entries(key).every(([name, expected]) => jsonEqual(item[name], expected)));
    } else return undefined;
  }
  return current;
}

function printPath(path: string[]): string {
  return path
    .map((segment) => {
      if (segment.startsWith("f:")) return `.${segment.slice(2)}`;
      const key = JSON.parse(segment.slice(2)) as JsonObject;
      return `[${Object.entries(key)
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(",")}]`;
    })
    .join("");
}

function withoutPaths(set: JsonObject, drop: string[][]): JsonObject {
  const copy = cloneJson(set);
  for (const path of drop) {
    const parents: JsonObject[] = [copy];
    let node: JsonObject | undefined = copy;
    for (const segment of path.slice(0, -1)) {
      const next: Json | undefined = node?.[segment];
      node = isPlainObject(next) ? next : undefined;
      if (node) parents.push(node);
    }
    if (!node) continue;
    delete node[path[path.length - 1] ?? ""];
    for (let depth = parents.length - 1; depth > 0; depth--) {
      const parent = parents[depth];
      if (parent && Object.keys(parent).filter((key) => key !== ".").length === 0) delete parents[depth - 1]?.[path[depth - 1] ?? ""];
    }
  }
  return copy;
}

export function serverSideApply(current: KubeObject | undefined, applied: JsonObject, options: { manager: string; builtin: boolean; apiVersion: string; time: string; force: boolean }): KubeObject {
  const fields = fieldSet(applied, options.builtin);
  const mine = new Set(leafPaths(fields).map((path) => JSON.stringify(path)));
  let others = (current?.metadata.managedFields ?? []).filter((entry) => !(entry.manager === options.manager && entry.operation === "Apply"));
  const conflicts: (ApplyConflict & { path: string[] })[] = [];
  for (const entry of others) {
    if (entry.operation !== "Apply" || !isPlainObject(entry.fieldsV1)) continue;
    for (const path of leafPaths(entry.fieldsV1)) {
      if (!mine.has(JSON.stringify(path)) || jsonEqual(valueAt(applied, path), valueAt(current as unknown as Json, path))) continue;
      conflicts.push({ manager: String(entry.manager), apiVersion: String(entry.apiVersion ?? options.apiVersion), field: printPath(path), path });
    }
  }
  if (conflicts.length > 0 && !options.force) throw new ApplyConflictError(conflicts.map(({ manager, apiVersion, field }) => ({ manager, apiVersion, field })));
  if (conflicts.length > 0) {
    others = others
      .map((entry) => {
        const lost = conflicts.filter((conflict) => conflict.manager === entry.manager).map((conflict) => conflict.path);
        return lost.length > 0 && isPlainObject(entry.fieldsV1) ? { ...entry, fieldsV1: withoutPaths(entry.fieldsV1, lost) } : entry;
      })
      .filter((entry) => !isPlainObject(entry.fieldsV1) || Object.keys(entry.fieldsV1).length > 0);
  }
  let merged: JsonObject;
  if (!current) merged = cloneJson(applied);
  else {
    const base = cloneJson(current) as unknown as JsonObject;
    merged = (options.builtin ? strategicMerge(base, stripNulls(applied)) : mergeAtomicLists(base, applied)) as JsonObject;
    const previousEntry = current.metadata.managedFields?.find((entry) => entry.manager === options.manager && entry.operation === "Apply");
    if (previousEntry && isPlainObject(previousEntry.fieldsV1)) removeDropped(merged, previousEntry.fieldsV1, fields);
  }
  const result = merged as unknown as KubeObject;
  result.metadata = {
    ...result.metadata,
    managedFields: [...others, { manager: options.manager, operation: "Apply", apiVersion: options.apiVersion, time: options.time, fieldsType: "FieldsV1", fieldsV1: fields }],
  };
  return result;
}
