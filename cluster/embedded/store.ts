// Versioned object store of one embedded cluster: a copy-on-write overlay over a shared frozen baseline,
// with resourceVersions, uids, timestamps, generations, watch history and exact JSON snapshot/restore.
//
// Reading: `get(resource, namespace, name)` and `list(resource, namespace?)` return frozen objects — clone
// (`cloneJson`) before editing and write back with `replace`. Writing: `create`, `replace`, `remove`; each
// write that changes something gets the next resourceVersion and is delivered synchronously to every
// `subscribe` listener (the controllers and the watch streams of the API server use this). Resources are
// named by `ResourceId` (see resources.ts): "pods", "apps/deployments", "networking.istio.io/virtualservices".

import { cloneJson, deepFreeze, isPlainObject, jsonEqual, specPart, type KubeObject, type ObjectMeta } from "./objects";
import type { ResourceId } from "./resources";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceId;
  /** The object after the change (for DELETED: the last state, with the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the change, for MODIFIED and DELETED. */
  previous?: KubeObject;
  /** Deletion propagation the deleter asked for (DELETED only). */
  propagation?: DeletionPropagation;
}

export type DeletionPropagation = "Background" | "Foreground" | "Orphan";

/** The frozen state a cluster starts from; many stores share one. */
export interface StoreBaseline {
  readonly objects: ReadonlyMap<ResourceId, ReadonlyMap<string, KubeObject>>;
  readonly resourceVersion: number;
  readonly counters: Readonly<Record<string, number>>;
}

export interface ClusterSnapshot {
  format: "ica.embedded-cluster/v1";
  createdAt: string;
  resourceVersion: string;
  counters: Record<string, number>;
  objects: { resource: ResourceId; object: KubeObject }[];
}

/** Baseline timestamps are written as `@ica-time:<seconds relative to cluster creation>` and resolved per cluster. */
const timeTokenPattern = /^@ica-time:(-?\d+)$/;

export function timeToken(offsetSeconds: number): string {
  return `@ica-time:${offsetSeconds}`;
}

/** RFC 3339 with second precision, as Kubernetes writes timestamps. */
export function formatTimestamp(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Replaces time tokens, copying only the branches that contain one (structural sharing for the rest). */
function resolveTimes<T>(value: T, createdAtMs: number): T {
  if (typeof value === "string") {
    const match = timeTokenPattern.exec(value);
    return (match ? formatTimestamp(createdAtMs + Number(match[1]) * 1000) : value) as T;
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = resolveTimes(item, createdAtMs);
      if (next !== item) changed = true;
      return next;
    });
    return (changed ? Object.freeze(out) : value) as T;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const next = resolveTimes(item, createdAtMs);
      if (next !== item) {
        out ??= { ...value };
        out[key] = next;
      }
    }
    return (out ? Object.freeze(out) : value) as T;
  }
  return value;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

/** Kinds whose metadata.generation tracks spec changes (everything outside the core group). */
function hasGeneration(resource: ResourceId): boolean {
  return resource.includes("/");
}

const historyLimit = 1000;

/** An object to store: server-set metadata (uid, resourceVersion, timestamps) may be absent. */
export interface ObjectInput {
  apiVersion: string;
  kind: string;
  metadata: Partial<ObjectMeta> & { name: string };
  [field: string]: unknown;
}

export class ClusterStore {
  private readonly overlay = new Map<ResourceId, Map<string, KubeObject | null>>();
  private readonly resolved = new WeakMap<KubeObject, KubeObject>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private history: { rv: number; event: StoreEvent }[] = [];
  private historyStart: number;
  private rv: number;
  private readonly counters: Record<string, number>;
  readonly createdAtMs: number;

  private readonly clock: () => string;
  private readonly newUid: () => string;

  /**
   * `clock` produces timestamps for new objects and `newUid` their uids; the baseline builder passes
   * time tokens and seeded uids so every cluster shares one deterministic baseline.
   */
  constructor(
    private readonly base: StoreBaseline,
    createdAtMs: number,
    options: { clock?: () => string; newUid?: () => string } = {},
  ) {
    this.clock = options.clock ?? (() => formatTimestamp(Date.now()));
    this.newUid = options.newUid ?? (() => crypto.randomUUID());
    this.createdAtMs = Math.floor(createdAtMs / 1000) * 1000;
    this.rv = base.resourceVersion;
    this.historyStart = base.resourceVersion;
    this.counters = { ...base.counters };
  }

  /** The cluster's latest resourceVersion, as list responses report it. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** A timestamp for "now" in this cluster. */
  now(): string {
    return this.clock();
  }

  /** Hands out the next value of a named counter (pod IPs, cluster IPs, node ports), starting at `first`. */
  allocate(counter: string, first: number): number {
    const next = Math.max(this.counters[counter] ?? first, first);
    this.counters[counter] = next + 1;
    return next;
  }

  private materialize(obj: KubeObject): KubeObject {
    const cached = this.resolved.get(obj);
    if (cached) return cached;
    const result = resolveTimes(obj, this.createdAtMs);
    this.resolved.set(obj, result);
    return result;
  }

  get(resource: ResourceId, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = objectKey(namespace, name);
    const layer = this.overlay.get(resource);
    if (layer?.has(key)) return layer.get(key) ?? undefined;
    const baseObject = this.base.objects.get(resource)?.get(key);
    return baseObject ? this.materialize(baseObject) : undefined;
  }

  /** Objects of one resource, in one namespace or all, ordered by namespace then name like etcd keys. */
  list(resource: ResourceId, namespace?: string): KubeObject[] {
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    const entries = new Map<string, KubeObject>();
    const layer = this.overlay.get(resource);
    for (const [key, obj] of this.base.objects.get(resource) ?? []) {
      if (prefix !== undefined && !key.startsWith(prefix)) continue;
      if (layer?.has(key)) continue;
      entries.set(key, this.materialize(obj));
    }
    for (const [key, obj] of layer ?? []) {
      if (obj === null || (prefix !== undefined && !key.startsWith(prefix))) continue;
      entries.set(key, obj);
    }
    return [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, obj]) => obj);
  }

  /** Every resource id that currently holds at least one object. */
  resourcesInUse(): ResourceId[] {
    const ids = new Set<ResourceId>([...this.base.objects.keys(), ...this.overlay.keys()]);
    return [...ids].filter((id) => this.list(id).length > 0).sort();
  }

  private put(resource: ResourceId, key: string, obj: KubeObject | null): void {
    let layer = this.overlay.get(resource);
    if (!layer) {
      layer = new Map();
      this.overlay.set(resource, layer);
    }
    if (obj === null && !this.base.objects.get(resource)?.has(key)) layer.delete(key);
    else layer.set(key, obj);
  }

  private emit(event: StoreEvent): void {
    this.history.push({ rv: this.rv, event });
    if (this.history.length > historyLimit) {
      const dropped = this.history.splice(0, this.history.length - historyLimit);
      this.historyStart = dropped[dropped.length - 1]?.rv ?? this.historyStart;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // One failing subscriber must not keep the change from the others (controllers, watch streams).
        console.error(`cluster store: a ${event.type} listener for ${event.resource} failed:`, error);
      }
    }
  }

  /** Stores a new object: fills uid, resourceVersion, creationTimestamp (and generation outside the core group). */
  create(resource: ResourceId, input: ObjectInput): KubeObject {
    const key = objectKey(input.metadata.namespace, input.metadata.name);
    if (this.get(resource, input.metadata.namespace, input.metadata.name)) throw new Error(`${resource} ${key} already exists`);
    this.rv += 1;
    const draft = cloneJson(input) as KubeObject;
    const metadata: ObjectMeta = {
      ...draft.metadata,
      uid: this.newUid(),
      resourceVersion: String(this.rv),
      creationTimestamp: this.clock(),
    };
    if (hasGeneration(resource)) metadata.generation = 1;
    else delete metadata.generation;
    draft.metadata = metadata;
    const stored = deepFreeze(draft);
    this.put(resource, key, stored);
    this.emit({ type: "ADDED", resource, object: stored });
    return stored;
  }

  /**
   * Replaces an existing object. Identity fields (uid, creationTimestamp) are kept; a write that changes
   * nothing returns the current object without a new resourceVersion, as the Kubernetes API does.
   */
  replace(resource: ResourceId, input: KubeObject): KubeObject {
    const { namespace, name } = input.metadata;
    const current = this.get(resource, namespace, name);
    if (!current) throw new Error(`${resource} ${objectKey(namespace, name)} does not exist`);
    const draft = cloneJson(input);
    draft.metadata = {
      ...draft.metadata,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      resourceVersion: current.metadata.resourceVersion,
    };
    if (current.metadata.generation !== undefined) draft.metadata.generation = current.metadata.generation;
    if (jsonEqual(draft, current)) return current;
    if (current.metadata.generation !== undefined && !jsonEqual(specPart(draft), specPart(current))) {
      draft.metadata.generation = current.metadata.generation + 1;
    }
    this.rv += 1;
    draft.metadata.resourceVersion = String(this.rv);
    const stored = deepFreeze(draft);
    this.put(resource, objectKey(namespace, name), stored);
    this.emit({ type: "MODIFIED", resource, object: stored, previous: current });
    return stored;
  }

  /** Deletes an object; returns its final state, or undefined when it did not exist. */
  remove(resource: ResourceId, namespace: string | undefined, name: string, propagation: DeletionPropagation = "Background"): KubeObject | undefined {
    const current = this.get(resource, namespace, name);
    if (!current) return undefined;
    this.rv += 1;
    const final = deepFreeze({ ...current, metadata: { ...current.metadata, resourceVersion: String(this.rv) } });
    this.put(resource, objectKey(namespace, name), null);
    this.emit({ type: "DELETED", resource, object: final, previous: current, propagation });
    return final;
  }

  /** Delivers every later change synchronously; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes after `resourceVersion`, or "expired" when history no longer reaches back that far (HTTP 410). */
  eventsSince(resourceVersion: number): StoreEvent[] | "expired" {
    if (resourceVersion < this.historyStart) return "expired";
    return this.history.filter((entry) => entry.rv > resourceVersion).map((entry) => entry.event);
  }

  /** The whole state as JSON-ready data; `ClusterStore.restore` rebuilds an identical store. */
  snapshot(): ClusterSnapshot {
    const objects: ClusterSnapshot["objects"] = [];
    for (const resource of this.resourcesInUse()) {
      for (const object of this.list(resource)) objects.push({ resource, object: cloneJson(object) });
    }
    return {
      format: "ica.embedded-cluster/v1",
      createdAt: formatTimestamp(this.createdAtMs),
      resourceVersion: this.resourceVersion,
      counters: { ...this.counters },
      objects,
    };
  }

  /** Rebuilds a store from a snapshot; objects equal to the baseline stay shared with it. */
  static restore(base: StoreBaseline, snapshot: ClusterSnapshot): ClusterStore {
    const store = new ClusterStore(base, Date.parse(snapshot.createdAt));
    const seen = new Set<string>();
    for (const { resource, object } of snapshot.objects) {
      const key = objectKey(object.metadata.namespace, object.metadata.name);
      seen.add(`${resource}|${key}`);
      const baseObject = base.objects.get(resource)?.get(key);
      if (baseObject && jsonEqual(store.materialize(baseObject), object)) continue;
      store.put(resource, key, deepFreeze(cloneJson(object)));
    }
    for (const [resource, objects] of base.objects) {
      for (const key of objects.keys()) if (!seen.has(`${resource}|${key}`)) store.put(resource, key, null);
    }
    store.rv = Number(snapshot.resourceVersion);
    store.historyStart = store.rv;
    Object.assign(store.counters, snapshot.counters);
    return store;
  }

  /** Freezes the state of a store that was built from an empty baseline into a baseline other stores can share. */
  toBaseline(): StoreBaseline {
    if (this.base.objects.size > 0) throw new Error("toBaseline needs a store built from an empty baseline");
    const objects = new Map<ResourceId, Map<string, KubeObject>>();
    for (const [resource, layer] of this.overlay) {
      const target = new Map<string, KubeObject>();
      for (const [key, obj] of layer) if (obj) target.set(key, obj);
      objects.set(resource, target);
    }
    return deepFreeze({ objects, resourceVersion: this.rv, counters: { ...this.counters } });
  }
}
