// EmbeddedCluster: one learner cluster — a store over the shared fresh-cluster baseline plus its controllers.

import type { ExecResult, PodRef } from "../driver";
import { freshClusterManifests } from "./bookinfo";
import { Controllers, prepareObject, type ControllerContext } from "./controllers";
import { cloneJson, type KubeObject } from "./objects";
import { resourceById, type ResourceId } from "./resources";
import { ClusterStore, timeToken, type ClusterSnapshot, type StoreBaseline } from "./store";

/** Small deterministic PRNG (mulberry32) so the shared baseline is identical in every process. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  const text = hex.join("");
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

const emptyBaseline: StoreBaseline = { objects: new Map(), resourceVersion: 0, counters: {} };

function buildFreshBaseline(): StoreBaseline {
  let offsetSeconds = 0;
  const random = seededRandom(0x1ca);
  const store = new ClusterStore(emptyBaseline, 0, { clock: () => timeToken(offsetSeconds), newUid: () => seededUuid(random) });
  const context: ControllerContext = { store, random };
  const controllers = new Controllers(context);
  for (const phase of freshClusterManifests()) {
    offsetSeconds = phase.offsetSeconds;
    for (const { resource, object } of phase.objects) {
      const draft = cloneJson(object) as unknown as KubeObject;
      if (resourceById(resource).builtin) prepareObject(context, resource, draft);
      store.create(resource, draft);
      controllers.settle();
    }
  }
  return store.toBaseline();
}

let freshBaseline: StoreBaseline | undefined;

/** The frozen fresh-cluster state, built on first use and shared by every cluster in the process. */
export function sharedBaseline(): StoreBaseline {
  freshBaseline ??= buildFreshBaseline();
  return freshBaseline;
}

/** What runs inside the pods: the mesh attaches it so the API server can serve `pods/log` and `pods/exec`. */
export interface PodRuntime {
  /** A container's log text (`tail`: only the last lines). */
  logs(pod: PodRef, container: string, options: { tail?: number }): string;
  /** Runs a command in a container, as `kubectl exec` does. */
  exec(pod: PodRef, container: string, argv: string[]): Promise<ExecResult>;
}

export class EmbeddedCluster {
  readonly controllers: Controllers;
  readonly context: ControllerContext;
  /** Set while a mesh runs this cluster's pods. */
  podRuntime: PodRuntime | undefined;

  private constructor(readonly store: ClusterStore) {
    this.context = { store, random: Math.random };
    this.controllers = new Controllers(this.context);
  }

  /** A fresh cluster (Istio + Bookinfo running), sharing the baseline: no objects are copied. */
  static create(createdAtMs: number = Date.now()): EmbeddedCluster {
    return new EmbeddedCluster(new ClusterStore(sharedBaseline(), createdAtMs));
  }

  /** Rebuilds a cluster from `snapshot()` output. */
  static restore(snapshot: ClusterSnapshot): EmbeddedCluster {
    return new EmbeddedCluster(ClusterStore.restore(sharedBaseline(), snapshot));
  }

  snapshot(): ClusterSnapshot {
    return this.store.snapshot();
  }

  /** Lets the controllers react to every write made so far (the API server calls this before answering). */
  settle(): void {
    this.controllers.settle();
  }
}
