// The three Kubernetes patch flavours: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch.

import { cloneJson, isPlainObject, jsonEqual, type Json, type JsonObject } from "./objects";

/** A patch that cannot be applied; the API answers it with a 4xx Status. */
export class PatchError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 409 | 422 = 422,
  ) {
    super(message);
  }
}

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const result: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

function decodePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`invalid JSON pointer "${pointer}"`, 400);
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`invalid array index "${token}"`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) throw new PatchError(`array index ${index} out of bounds`);
  return index;
}

function getAt(doc: Json, tokens: string[], pointer: string): Json {
  let current: Json = doc;
  for (const token of tokens) {
    if (Array.isArray(current)) current = current[arrayIndex(token, current.length, false)] as Json;
    else if (isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, token)) current = current[token] as Json;
    else throw new PatchError(`doc is missing path: "${pointer}"`);
  }
  return current;
}

function parentOf(doc: Json, tokens: string[], pointer: string): { parent: Json; last: string } {
  if (tokens.length === 0) throw new PatchError(`cannot operate on the document root at "${pointer}"`);
  const parent = getAt(doc, tokens.slice(0, -1), pointer);
  return { parent, last: tokens[tokens.length - 1] ?? "" };
}

function addAt(doc: Json, pointer: string, value: Json): Json {
  const tokens = decodePointer(pointer);
  if (tokens.length === 0) return cloneJson(value);
  const { parent, last } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, cloneJson(value));
  else if (isPlainObject(parent)) parent[last] = cloneJson(value);
  else throw new PatchError(`doc is missing path: "${pointer}"`);
  return doc;
}

function removeAt(doc: Json, pointer: string): Json {
  const tokens = decodePointer(pointer);
  const { parent, last } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else if (isPlainObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) delete parent[last];
  else throw new PatchError(`unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

/** RFC 6902 operations: add, remove, replace, move, copy, test. */
export function applyJsonPatch(target: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw new PatchError("json patch must be an array of operations", 400);
  let doc = cloneJson(target);
  for (const operation of operations) {
    if (!isPlainObject(operation) || typeof operation.op !== "string" || typeof operation.path !== "string") {
      throw new PatchError("each json patch operation needs string op and path", 400);
    }
    const path = operation.path;
    const hasValue = Object.prototype.hasOwnProperty.call(operation, "value");
    switch (operation.op) {
      case "add":
        if (!hasValue) throw new PatchError(`add operation does not apply: doc is missing value`, 400);
        doc = addAt(doc, path, operation.value as Json);
        break;
      case "remove":
        doc = removeAt(doc, path);
        break;
      case "replace": {
        if (!hasValue) throw new PatchError(`replace operation does not apply: doc is missing value`, 400);
        getAt(doc, decodePointer(path), path);
        doc = removeAt(doc, path);
        doc = addAt(doc, path, operation.value as Json);
        break;
      }
      case "move":
      case "copy": {
        if (typeof operation.from !== "string") throw new PatchError(`${operation.op} operation needs from`, 400);
        const value = cloneJson(getAt(doc, decodePointer(operation.from), operation.from));
        if (operation.op === "move") doc = removeAt(doc, operation.from);
        doc = addAt(doc, path, value);
        break;
      }
      case "test": {
        const actual = getAt(doc, decodePointer(path), path);
        if (!jsonEqual(actual, operation.value)) throw new PatchError(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${operation.op}`, 400);
    }
  }
  return doc;
}

/**
 * Merge keys of built-in list fields (the `patchMergeKey` tags of the Kubernetes Go types).
 * `ports` depends on context: container ports merge on containerPort, Service ports on port.
 */
const mergeKeys: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  env: "name",
  imagePullSecrets: "name",
  secrets: "name",
  conditions: "type",
  ownerReferences: "uid",
  hostAliases: "ip",
  readinessGates: "conditionType",
  topologySpreadConstraints: "topologyKey",
  resourceClaims: "name",
  schedulingGates: "name",
};

/** Primitive lists whose patch strategy is "merge" (set union) rather than replace. */
const mergedPrimitiveLists = new Set(["finalizers"]);

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  if (field === "ports") {
    return items.some((item) => isPlainObject(item) && "containerPort" in item) ? "containerPort" : "port";
  }
  return mergeKeys[field];
}

function directiveOf(value: Json): string | undefined {
  return isPlainObject(value) && typeof value.$patch === "string" ? value.$patch : undefined;
}

function mergeKeyedList(original: Json[], patch: Json[], key: string, field: string): Json[] {
  if (patch.some((item) => directiveOf(item) === "replace")) {
    return patch.filter((item) => directiveOf(item) !== "replace").map((item) => stripDirectives(item));
  }
  // Items are found by key through a map (not a scan) so that huge lists cost linear time.
  const slots: (Json | undefined)[] = original.map((item) => cloneJson(item));
  const positions = new Map<string, number>();
  slots.forEach((item, index) => {
    if (isPlainObject(item)) positions.set(identity(item[key]), index);
  });
  for (const item of patch) {
    if (!isPlainObject(item)) {
      throw new PatchError(`strategic merge patch: ${field} items must be objects with merge key ${key}`, 400);
    }
    const id = identity(item[key]);
    const position = positions.get(id);
    if (directiveOf(item) === "delete") {
      if (position !== undefined) {
        slots[position] = undefined;
        positions.delete(id);
      }
      continue;
    }
    if (position !== undefined) slots[position] = strategicMerge(slots[position], item);
    else {
      positions.set(id, slots.length);
      slots.push(stripDirectives(item));
    }
  }
  return slots.filter((item): item is Json => item !== undefined);
}

/** A string identity for a JSON value (merge keys, primitive list members). */
function identity(value: Json | undefined): string {
  return JSON.stringify(value ?? null);
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isPlainObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === "$patch" || key === "$retainKeys" || key.startsWith("$setElementOrder/") || key.startsWith("$deleteFromPrimitiveList/")) continue;
    out[key] = stripDirectives(item);
  }
  return out;
}

function orderBy(list: Json[], order: Json[], key: string | undefined): Json[] {
  const idOf = (item: Json): string => identity(key !== undefined && isPlainObject(item) ? (item[key] ?? null) : item);
  const byId = new Map<string, number[]>();
  list.forEach((item, index) => {
    const id = idOf(item);
    byId.set(id, [...(byId.get(id) ?? []), index]);
  });
  const used = new Set<number>();
  const ordered: Json[] = [];
  for (const entry of order) {
    const index = byId.get(idOf(entry))?.find((candidate) => !used.has(candidate));
    if (index === undefined) continue;
    used.add(index);
    ordered.push(list[index] as Json);
  }
  list.forEach((item, index) => {
    if (!used.has(index)) ordered.push(item);
  });
  return ordered;
}

/**
 * Strategic merge patch for built-in kinds: maps merge, lists with a merge key merge item by item,
 * and the `$patch`, `$setElementOrder/…`, `$deleteFromPrimitiveList/…` and `$retainKeys` directives are honoured.
 */
export function strategicMerge(original: Json | undefined, patch: Json): Json {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const directive = directiveOf(patch);
  if (directive === "replace") return stripDirectives(patch);
  if (directive === "delete") return {};
  const result: JsonObject = isPlainObject(original) ? { ...original } : {};
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys" || key.startsWith("$setElementOrder/")) continue;
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const field = key.slice("$deleteFromPrimitiveList/".length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        const dropped = new Set(value.map(identity));
        result[field] = current.filter((item) => !dropped.has(identity(item)));
      }
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    if (Array.isArray(value)) {
      const currentList = Array.isArray(current) ? current : [];
      const mergeKey = mergeKeyFor(key, [...value, ...currentList]);
      if (mergeKey !== undefined && value.every((item) => isPlainObject(item))) {
        result[key] = mergeKeyedList(currentList, value, mergeKey, key);
      } else if (mergedPrimitiveLists.has(key)) {
        const union = [...currentList];
        const seen = new Set(currentList.map(identity));
        for (const item of value) {
          if (seen.has(identity(item))) continue;
          seen.add(identity(item));
          union.push(cloneJson(item));
        }
        result[key] = union;
      } else {
        result[key] = stripDirectives(value);
      }
      continue;
    }
    if (isPlainObject(value)) {
      if (directiveOf(value) === "delete") {
        delete result[key];
        continue;
      }
      result[key] = strategicMerge(current, value);
      continue;
    }
    result[key] = value;
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith("$setElementOrder/") || !Array.isArray(order)) continue;
    const field = key.slice("$setElementOrder/".length);
    const list = result[field];
    if (Array.isArray(list)) result[field] = orderBy(list, order, mergeKeyFor(field, [...order, ...list]));
  }
  return result;
}
