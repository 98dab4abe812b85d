// Server-side apply, light: merge the applied configuration, drop the fields this manager applied before but no
// longer does, and record the manager's field set in metadata.managedFields (FieldsV1). Conflicts are not raised.

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
export function serverSideApply(current: KubeObject | undefined, applied: JsonObject, options: { manager: string; builtin: boolean; apiVersion: string; time: string }): KubeObject {
  const fields = fieldSet(applied, options.builtin);
  let merged: JsonObject;
  if (!current) merged = cloneJson(applied);
  else {
    const base = cloneJson(current) as unknown as JsonObject;
    merged = (options.builtin ? strategicMerge(base, stripNulls(applied)) : mergeAtomicLists(base, applied)) as JsonObject;
    const previousEntry = current.metadata.managedFields?.find((entry) => entry.manager === options.manager && entry.operation === "Apply");
    if (previousEntry && isPlainObject(previousEntry.fieldsV1)) removeDropped(merged, previousEntry.fieldsV1, fields);
  }
  const result = merged as unknown as KubeObject;
  const others = (current?.metadata.managedFields ?? []).filter((entry) => !(entry.manager === options.manager && entry.operation === "Apply"));
  result.metadata = {
    ...result.metadata,
    managedFields: [...others, { manager: options.manager, operation: "Apply", apiVersion: options.apiVersion, time: options.time, fieldsType: "FieldsV1", fieldsV1: fields }],
  };
  return result;
}
