// Operating limits for learner clusters, read from the environment with zod: warm pool sizes, TTL and idle
// timeout, caps on live clusters and on parallel creates, and provisioning retries.
import { z } from "zod";

const positiveInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const settingsSchema = z.object({
  ICA_POOL_EMBEDDED: positiveInt(0),
  ICA_POOL_KIND: positiveInt(0),
  ICA_CLUSTER_TTL_MINUTES: z.coerce.number().int().min(1).default(240),
  ICA_CLUSTER_IDLE_MINUTES: z.coerce.number().int().min(1).default(60),
  ICA_MAX_CLUSTERS: z.coerce.number().int().min(1).default(8),
  ICA_MAX_PARALLEL_CREATES: z.coerce.number().int().min(1).default(2),
  ICA_PROVISION_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(2),
  ICA_PROVISION_BACKOFF_SECONDS: z.coerce.number().min(0).default(15),
});

export interface LifecycleSettings {
  /** Ready clusters kept unclaimed per driver, so a learner gets one in seconds. */
  poolSize: { embedded: number; kind: number };
  /** A claimed cluster is deleted this long after it was handed out… */
  ttlMs: number;
  /** …or after this long without use, whichever comes first. */
  idleMs: number;
  /** Live clusters (all drivers, pool included) this host may run. */
  maxClusters: number;
  /** Clusters being created at the same time (kind creation is CPU- and I/O-heavy). */
  maxParallelCreates: number;
  /** Tries per cluster, with exponential backoff starting at backoffMs. */
  provisionAttempts: number;
  backoffMs: number;
}

/** Settings from environment variables (blank ones take the default); throws naming each bad variable. */
export function readLifecycleSettings(env: Record<string, string | undefined> = process.env): LifecycleSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) throw new Error(`Invalid cluster settings: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  const s = parsed.data;
  return {
    poolSize: { embedded: s.ICA_POOL_EMBEDDED, kind: s.ICA_POOL_KIND },
    ttlMs: s.ICA_CLUSTER_TTL_MINUTES * 60_000,
    idleMs: s.ICA_CLUSTER_IDLE_MINUTES * 60_000,
    maxClusters: s.ICA_MAX_CLUSTERS,
    maxParallelCreates: s.ICA_MAX_PARALLEL_CREATES,
    provisionAttempts: s.ICA_PROVISION_ATTEMPTS,
    backoffMs: s.ICA_PROVISION_BACKOFF_SECONDS * 1000,
  };
}
