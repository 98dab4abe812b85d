// The process-wide home of learner clusters: one EmbeddedDriver, the live clusters with their lab shells, and the
// preparations in flight. Kept on globalThis so every route bundle of the Next server shares one registry, and it
// carries the toolkit (apply, grade, shell) of the module graph that created it so classes always match.
import { applyObjects, ManifestError, parseManifests } from "@/cluster/apply";
import { EmbeddedDriver, type EmbeddedLabCluster } from "@/cluster/embedded/driver";
import { listClusterObjects } from "@/grader/analyze/live";
import { readProductPage } from "@/grader/istio/traffic";
import { gradeLabObjective, runSteps } from "@/labs/runtime";
import { createLabShell, type LabShell } from "@/shell";

/** What traffic did the last time we looked: requests per reviews version (and failures). */
export interface TrafficSample {
  source: "check" | "probe";
  at: string;
  requests: number;
  /** `v1`, `v2`, `v3`, or `HTTP 503 UO`-style labels for failures. */
  histogram: Record<string, number>;
}

/** A learner cluster that is running in this process. */
export interface LiveEnvironment {
  environmentId: string;
  cluster: EmbeddedLabCluster;
  shell: LabShell;
  /** Serialises everything that touches this cluster (apply, shell, grade, snapshot). */
  queue: Promise<unknown>;
  /** JSON of the last snapshot written to the database, to skip identical writes. */
  savedSnapshot?: string;
  lastTraffic?: TrafficSample;
}

const toolkit = { applyObjects, parseManifests, ManifestError, runSteps, gradeLabObjective, listClusterObjects, createLabShell, readProductPage };

export interface LabRegistry {
  driver: EmbeddedDriver;
  live: Map<string, LiveEnvironment>;
  preparing: Map<string, Promise<LiveEnvironment>>;
  toolkit: typeof toolkit;
}

const key = Symbol.for("ica.lab-sessions.registry");
type GlobalWithRegistry = typeof globalThis & { [key]?: LabRegistry };

/** The registry of this process (created on first use). */
export function labRegistry(): LabRegistry {
  const global = globalThis as GlobalWithRegistry;
  global[key] ??= { driver: new EmbeddedDriver(), live: new Map(), preparing: new Map(), toolkit };
  return global[key];
}

/** Runs `task` after every earlier task on the same environment has finished. */
export function serialised<T>(live: LiveEnvironment, task: () => Promise<T>): Promise<T> {
  const next = live.queue.then(task);
  live.queue = next.catch(() => undefined);
  return next;
}
