// Wiring a lifecycle for a process (web app, CLI): drivers chosen by ICA_CLUSTER_DRIVERS, the sealing key, the
// limits, and the periodic maintenance (reaper and pool refill) with start-up reconciliation.
import type { PrismaClient } from "@/prisma/generated/client/client";
import { z } from "zod";
import type { DriverKind } from "../driver";
import { EmbeddedDriver } from "../embedded/driver";
import { KindDriver } from "../kind/driver";
import { EnvironmentLifecycle, type LifecycleDriver } from "./lifecycle";
import { KubeconfigSealer, loadSealingKey } from "./secrets";
import { readLifecycleSettings } from "./settings";

const driverListSchema = z
  .string()
  .transform((value) => value.split(",").map((item) => item.trim()).filter(Boolean))
  .pipe(z.array(z.enum(["embedded", "kind"])).min(1, "name at least one driver"));

/** Drivers enabled by ICA_CLUSTER_DRIVERS (comma-separated, default "embedded"). */
export function enabledDriverKinds(env: Record<string, string | undefined> = process.env): DriverKind[] {
  const parsed = driverListSchema.safeParse(env.ICA_CLUSTER_DRIVERS?.trim() || "embedded");
  if (!parsed.success) throw new Error(`ICA_CLUSTER_DRIVERS: ${parsed.error.issues[0]?.message} (use "embedded", "kind" or "embedded,kind")`);
  return [...new Set(parsed.data)];
}

/** One driver of each kind asked for; kind reads ICA_KIND_INTERNAL_KUBECONFIG=true to reach clusters on the kind network. */
export function buildDrivers(kinds: DriverKind[], env: Record<string, string | undefined> = process.env): Partial<Record<DriverKind, LifecycleDriver>> {
  const drivers: Partial<Record<DriverKind, LifecycleDriver>> = {};
  for (const kind of kinds) {
    drivers[kind] = kind === "embedded" ? new EmbeddedDriver() : new KindDriver({ internalKubeconfig: env.ICA_KIND_INTERNAL_KUBECONFIG === "true" });
  }
  return drivers;
}

export interface RuntimeOptions {
  prisma: PrismaClient;
  dataDir: string;
  drivers: Partial<Record<DriverKind, LifecycleDriver>>;
  env?: Record<string, string | undefined>;
  /** Drivers another process (the runner) provisions; see LifecycleOptions.queueOnly. */
  queueOnly?: DriverKind[];
}

/** Drivers the runner service provisions for this process: kind when ICA_KIND_PROVISIONER=runner. */
export function queuedDriverKinds(env: Record<string, string | undefined> = process.env): DriverKind[] {
  const value = env.ICA_KIND_PROVISIONER?.trim() || "local";
  if (value !== "local" && value !== "runner") throw new Error(`ICA_KIND_PROVISIONER must be "local" or "runner", got "${value}"`);
  return value === "runner" ? ["kind"] : [];
}

/** A lifecycle with the key and limits from the environment. */
export function createLifecycle(options: RuntimeOptions): EnvironmentLifecycle {
  const env = options.env ?? process.env;
  return new EnvironmentLifecycle({
    prisma: options.prisma,
    drivers: options.drivers,
    sealer: new KubeconfigSealer(loadSealingKey(env, options.dataDir)),
    settings: readLifecycleSettings(env),
    queueOnly: options.queueOnly,
  });
}

/**
 * Reconciles once, then every `intervalMs` picks up queued creations and deletions, reaps expired/idle clusters
 * and tops up the warm pools. Returns a stop function. The timer does not keep the process alive unless `keepAlive`.
 */
export function startMaintenance(lifecycle: EnvironmentLifecycle, options: { intervalMs?: number; keepAlive?: boolean; log?: (message: string) => void } = {}): () => void {
  const log = options.log ?? ((message: string) => console.error(message));
  let running: Promise<void> = (async () => {
    const report = await lifecycle.reconcile();
    const touched = Object.entries(report).filter(([, names]) => (names as string[]).length);
    if (touched.length) log(`clusters reconciled: ${touched.map(([what, names]) => `${what} ${(names as string[]).join(", ")}`).join("; ")}`);
    await lifecycle.provisionQueued();
    await lifecycle.fillPool();
  })().catch((error: unknown) => log(`cluster reconciliation failed: ${(error as Error).message}`));
  const timer = setInterval(() => {
    running = running
      .then(async () => {
        await lifecycle.provisionQueued();
        for (const reaped of await lifecycle.reap()) log(`cluster ${reaped.clusterName} deleted (${reaped.reason})`);
        await lifecycle.fillPool();
      })
      .catch((error: unknown) => log(`cluster maintenance failed: ${(error as Error).message}`));
  }, options.intervalMs ?? 60_000);
  if (!options.keepAlive) timer.unref();
  return () => clearInterval(timer);
}
