// The web process's one lifecycle: drivers from ICA_CLUSTER_DRIVERS (kind clusters queued for the runner service
// when ICA_KIND_PROVISIONER=runner), started once with reconciliation and the periodic reaper/pool refill, kept on globalThis so hot reloads in development do not start a second one.
import type { EnvironmentLifecycle } from "@/cluster/lifecycle/lifecycle";
import { buildDrivers, createLifecycle, enabledDriverKinds, queuedDriverKinds, startMaintenance } from "@/cluster/lifecycle/runtime";
import { getPrisma } from "../../../_lib/db";
import { env } from "../../../_lib/env";

const slot = Symbol.for("ica.environmentLifecycle");

export function environmentLifecycle(): EnvironmentLifecycle {
  const holder = globalThis as { [slot]?: EnvironmentLifecycle };
  if (!holder[slot]) {
    const lifecycle = createLifecycle({ prisma: getPrisma(), dataDir: env().ICA_DATA_DIR, drivers: buildDrivers(enabledDriverKinds()), queueOnly: queuedDriverKinds() });
    startMaintenance(lifecycle, { intervalMs: 15_000 });
    holder[slot] = lifecycle;
  }
  return holder[slot];
}
