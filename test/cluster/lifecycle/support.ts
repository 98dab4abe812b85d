// Test wiring for the lifecycle: a migrated in-memory database, a fake Docker host whose kind clusters are
// embedded ones, a controllable clock, and a lifecycle over them.
import { randomBytes } from "node:crypto";
import { EmbeddedDriver } from "@/cluster/embedded/driver";
import { EnvironmentLifecycle, type LifecycleDriver } from "@/cluster/lifecycle/lifecycle";
import { KubeconfigSealer } from "@/cluster/lifecycle/secrets";
import type { LifecycleSettings } from "@/cluster/lifecycle/settings";
import type { DriverKind } from "@/cluster/driver";
import type { Database } from "@/prisma/database";
import { migratedMemoryDatabase } from "@/test/support/database";
import { FakeKindHost } from "../kind/fake-host";

export const baseSettings: LifecycleSettings = {
  poolSize: { embedded: 0, kind: 0 },
  ttlMs: 4 * 60 * 60_000,
  idleMs: 60 * 60_000,
  maxClusters: 8,
  maxParallelCreates: 2,
  provisionAttempts: 2,
  backoffMs: 1000,
};

export class TestClock {
  constructor(public current = new Date("2026-03-02T09:00:00Z")) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface World {
  db: Database;
  embedded: EmbeddedDriver;
  host: FakeKindHost;
  clock: TestClock;
  sealer: KubeconfigSealer;
  sleeps: number[];
  lifecycle(settings?: Partial<LifecycleSettings>, drivers?: Partial<Record<DriverKind, LifecycleDriver>>, queueOnly?: DriverKind[]): EnvironmentLifecycle;
  user(email: string): Promise<string>;
  close(): Promise<void>;
}

let names = 0;

/** One migrated database per test file (migrating takes seconds); `world(db)` empties it for each test. */
export function sharedDatabase(): Promise<Database> {
  return migratedMemoryDatabase();
}

export async function world(db: Database): Promise<World> {
  await db.prisma.clusterEnvironment.deleteMany();
  await db.prisma.user.deleteMany();
  const embedded = new EmbeddedDriver();
  const host = new FakeKindHost(embedded);
  const clock = new TestClock();
  const sealer = new KubeconfigSealer(randomBytes(32));
  const sleeps: number[] = [];
  const made: EnvironmentLifecycle[] = [];
  return {
    db,
    embedded,
    host,
    clock,
    sealer,
    sleeps,
    lifecycle(settings = {}, drivers, queueOnly) {
      const lifecycle = new EnvironmentLifecycle({
        prisma: db.prisma,
        drivers: drivers ?? { kind: host.driver() },
        sealer,
        settings: { ...baseSettings, ...settings },
        now: clock.now,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        newClusterName: () => `ica-t${++names}`,
        log: () => undefined,
        queueOnly,
      });
      made.push(lifecycle);
      return lifecycle;
    },
    async user(email) {
      return (await db.prisma.user.create({ data: { email, name: email.split("@")[0]!, passwordHash: "not-used" } })).id;
    },
    async close() {
      for (const lifecycle of made) await lifecycle.settled();
      await embedded.close();
    },
  };
}
