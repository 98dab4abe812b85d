// Learner cluster lifecycle stored in the database, for any driver: requested → provisioning (named steps with
// progress) → ready → expiring → deleted, or failed with a reason; warm pool claims, TTL/idle reaper, caps on
// live clusters and parallel creates, retries with backoff, and start-up reconciliation against the drivers.
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { ClusterEnvironment, PrismaClient } from "@/prisma/generated/client/client";
import type { EnvironmentDriver, EnvironmentState } from "@/prisma/generated/client/enums";
import { ClusterUnavailableError, type ClusterDriver, type DriverKind, type LabCluster, type ProvisionProgress } from "../driver";
import type { KubeconfigSealer } from "./secrets";
import type { LifecycleSettings } from "./settings";

/** What the lifecycle needs from a driver beyond ClusterDriver; each extra is optional. */
export interface LifecycleDriver extends ClusterDriver {
  /** Host checks that throw a readable error when this driver cannot create clusters here. */
  preflight?(): Promise<unknown>;
  /** A LabCluster from a kubeconfig we kept (kind), instead of asking the host again. */
  fromKubeconfig?(name: string, kubeconfigYaml: string): Promise<LabCluster>;
  /** The cluster's state as JSON, to bring it back after a restart (embedded). */
  snapshot?(id: string): unknown;
  restore?(snapshot: unknown): Promise<LabCluster>;
}

/** Everything the browser may see about an environment: never the kubeconfig. */
export interface EnvironmentStatus {
  id: string;
  driver: DriverKind;
  state: EnvironmentState;
  clusterName: string;
  ownerId: string | null;
  progressStep: string | null;
  progressPct: number;
  failureReason: string | null;
  requestedAt: string;
  readyAt: string | null;
  lastUsedAt: string | null;
  expiresAt: string | null;
  deletedAt: string | null;
  failedAt: string | null;
}

export type EnvironmentErrorCode = "capacity" | "not_found" | "driver_unavailable" | "not_ready";

export class EnvironmentError extends Error {
  constructor(
    readonly code: EnvironmentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "EnvironmentError";
  }
}

/** What one reconciliation pass found and did. */
export interface ReconcileReport {
  /** Ready rows whose cluster is still there. */
  adopted: string[];
  /** Ready rows brought back from their snapshot (embedded clusters after a restart). */
  restored: string[];
  /** Rows marked failed: creation interrupted, or the cluster vanished. */
  failed: string[];
  /** Clusters with our prefix and no live row: deleted. */
  orphansDeleted: string[];
  /** Deletions a crash interrupted, finished. */
  deletionsFinished: string[];
}

export interface LifecycleOptions {
  prisma: PrismaClient;
  drivers: Partial<Record<DriverKind, LifecycleDriver>>;
  sealer: KubeconfigSealer;
  settings: LifecycleSettings;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  newClusterName?: () => string;
  /** Where background failures are reported (default console.error). */
  log?: (message: string) => void;
  /**
   * Drivers whose clusters another process (the runner) creates and deletes: here requests only queue rows and
   * read sealed kubeconfigs. The runner picks the queue up with `provisionQueued`.
   */
  queueOnly?: DriverKind[];
}

/** Environments a lab workspace created belong to its lab session (app/_lib/lab-sessions), not to this lifecycle. */
const ownedByLifecycle = { labSessions: { none: {} } } as const;

const toDriverKind: Record<EnvironmentDriver, DriverKind> = { EMBEDDED: "embedded", KIND: "kind" };
const toDbDriver: Record<DriverKind, EnvironmentDriver> = { embedded: "EMBEDDED", kind: "KIND" };
const liveStates: EnvironmentState[] = ["REQUESTED", "PROVISIONING", "READY", "EXPIRING"];
const activeStates: EnvironmentState[] = ["REQUESTED", "PROVISIONING", "READY"];

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/** The browser-safe view of a row. */
export function environmentStatus(row: ClusterEnvironment): EnvironmentStatus {
  return {
    id: row.id,
    driver: toDriverKind[row.driver],
    state: row.state,
    clusterName: row.clusterName,
    ownerId: row.userId,
    progressStep: row.progressStep,
    progressPct: row.progressPct,
    failureReason: row.failureReason,
    requestedAt: row.requestedAt.toISOString(),
    readyAt: iso(row.readyAt),
    lastUsedAt: iso(row.lastUsedAt),
    expiresAt: iso(row.expiresAt),
    deletedAt: iso(row.deletedAt),
    failedAt: iso(row.failedAt),
  };
}

/** Whether an environment will not change any more (the SSE stream ends there). */
export function isFinalState(state: EnvironmentState): boolean {
  return state === "READY" || state === "DELETED" || state === "FAILED";
}

/** At most `limit` tasks at a time; the rest wait in order. */
class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    return () => {
      this.active--;
      this.waiting.shift()?.();
    };
  }
  get busy(): boolean {
    return this.active >= this.limit;
  }
}

export class EnvironmentLifecycle {
  private readonly prisma: PrismaClient;
  private readonly drivers: Partial<Record<DriverKind, LifecycleDriver>>;
  private readonly sealer: KubeconfigSealer;
  readonly settings: LifecycleSettings;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly newClusterName: () => string;
  private readonly log: (message: string) => void;
  private readonly events = new EventEmitter();
  private readonly createSlots: Slots;
  /** Environments this process is creating right now (reconciliation leaves them alone). */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly deleting = new Set<string>();
  private readonly queueOnly: Set<DriverKind>;

  constructor(options: LifecycleOptions) {
    this.prisma = options.prisma;
    this.drivers = options.drivers;
    this.sealer = options.sealer;
    this.settings = options.settings;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.newClusterName = options.newClusterName ?? (() => `ica-${randomBytes(4).toString("hex")}`);
    this.log = options.log ?? ((message) => console.error(message));
    this.createSlots = new Slots(options.settings.maxParallelCreates);
    this.queueOnly = new Set(options.queueOnly ?? []);
    this.events.setMaxListeners(0);
  }

  /** Drivers this lifecycle can use. */
  enabledDrivers(): DriverKind[] {
    return (Object.keys(this.drivers) as DriverKind[]).filter((kind) => this.drivers[kind]);
  }

  /** Drivers whose clusters this process creates and deletes itself. */
  private provisionedDrivers(): DriverKind[] {
    return this.enabledDrivers().filter((kind) => !this.queueOnly.has(kind));
  }

  private driver(kind: DriverKind): LifecycleDriver {
    const driver = this.drivers[kind];
    if (!driver) throw new EnvironmentError("driver_unavailable", `The ${kind} driver is not enabled on this server.`);
    return driver;
  }

  private track<T>(task: Promise<T>): void {
    const tracked = task.catch((error: unknown) => this.log(`cluster lifecycle: ${(error as Error).stack ?? String(error)}`));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  /** Resolves once every background create, refill and delete started so far has finished. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  // --- reading --------------------------------------------------------------------------------------------------

  async status(id: string): Promise<EnvironmentStatus | undefined> {
    const row = await this.prisma.clusterEnvironment.findUnique({ where: { id } });
    return row ? environmentStatus(row) : undefined;
  }

  /** A user's environments (newest first); all when userId is undefined. */
  async list(filter: { userId?: string; includeFinished?: boolean } = {}): Promise<EnvironmentStatus[]> {
    const rows = await this.prisma.clusterEnvironment.findMany({
      where: { ...(filter.userId !== undefined ? { userId: filter.userId } : {}), ...(filter.includeFinished ? {} : { state: { in: liveStates } }) },
      orderBy: { requestedAt: "desc" },
    });
    return rows.map(environmentStatus);
  }

  /** Calls `listener` with the environment's status after every change; returns the unsubscribe function. */
  subscribe(id: string, listener: (status: EnvironmentStatus) => void): () => void {
    this.events.on(id, listener);
    return () => this.events.off(id, listener);
  }

  private async update(id: string, data: Parameters<PrismaClient["clusterEnvironment"]["update"]>[0]["data"]): Promise<ClusterEnvironment> {
    const row = await this.prisma.clusterEnvironment.update({ where: { id }, data });
    this.events.emit(id, environmentStatus(row));
    return row;
  }

  // --- requesting and claiming ------------------------------------------------------------------------------------

  /**
   * The learner's environment on a driver: the one they already have, else a ready one claimed from the warm
   * pool, else a new one being created (watch its progress with `subscribe`).
   */
  async request(userId: string, kind: DriverKind): Promise<EnvironmentStatus> {
    const driver = this.driver(kind);
    const existing = await this.prisma.clusterEnvironment.findFirst({ where: { userId, driver: toDbDriver[kind], state: { in: activeStates } }, orderBy: { requestedAt: "desc" } });
    if (existing) return environmentStatus(existing);

    const claimed = await this.claimFromPool(userId, kind);
    if (claimed) {
      this.track(this.fillPool(kind));
      return claimed;
    }
    return this.create(kind, userId, driver);
  }

  /**
   * Starts a new environment after the driver's host checks: owned by `ownerId`, or (null) a warm-pool cluster
   * that the next learner claims. Operators use this to pre-warm clusters (`ica cluster create`).
   */
  async create(kind: DriverKind, ownerId: string | null, driver = this.driver(kind)): Promise<EnvironmentStatus> {
    if (driver.preflight && !this.queueOnly.has(kind)) {
      try {
        await driver.preflight();
      } catch (error) {
        throw new EnvironmentError("driver_unavailable", (error as Error).message);
      }
    }
    return environmentStatus(await this.createRow(kind, ownerId));
  }

  /** An environment by id or by cluster name. */
  async find(idOrName: string): Promise<EnvironmentStatus | undefined> {
    const row = await this.prisma.clusterEnvironment.findFirst({ where: { OR: [{ id: idOrName }, { clusterName: idOrName }] } });
    return row ? environmentStatus(row) : undefined;
  }

  private async claimFromPool(userId: string, kind: DriverKind): Promise<EnvironmentStatus | undefined> {
    for (;;) {
      const candidate = await this.prisma.clusterEnvironment.findFirst({ where: { userId: null, driver: toDbDriver[kind], state: "READY" }, orderBy: { readyAt: "asc" } });
      if (!candidate) return undefined;
      const now = this.now();
      const taken = await this.prisma.clusterEnvironment.updateMany({
        where: { id: candidate.id, userId: null, state: "READY" },
        data: { userId, lastUsedAt: now, expiresAt: new Date(now.getTime() + this.settings.ttlMs) },
      });
      if (taken.count === 1) {
        const status = (await this.status(candidate.id))!;
        this.events.emit(candidate.id, status);
        return status;
      }
    }
  }

  /** A new row (capacity permitting) and its creation in the background. */
  private async createRow(kind: DriverKind, userId: string | null): Promise<ClusterEnvironment> {
    const live = await this.prisma.clusterEnvironment.count({ where: { state: { in: liveStates } } });
    if (live >= this.settings.maxClusters) {
      throw new EnvironmentError("capacity", `All ${this.settings.maxClusters} cluster slots on this server are in use; try again in a few minutes.`);
    }
    const row = await this.prisma.clusterEnvironment.create({
      data: { driver: toDbDriver[kind], userId, clusterName: this.newClusterName(), state: "REQUESTED", progressStep: "Waiting for a free creation slot", progressPct: 0, requestedAt: this.now() },
    });
    if (!this.queueOnly.has(kind)) this.startProvisioning(row.id);
    return row;
  }

  private startProvisioning(id: string): void {
    const task = this.provision(id);
    this.inFlight.set(id, task);
    this.track(task.finally(() => this.inFlight.delete(id)));
  }

  /**
   * Picks up queued work for the drivers this process provisions: requested environments nobody is creating
   * (queued by the web app, or left waiting by a restart) and deletions nobody is finishing. Returns what it started.
   */
  async provisionQueued(): Promise<{ creating: string[]; deleting: string[] }> {
    const kinds = this.provisionedDrivers().map((kind) => toDbDriver[kind]);
    const rows = await this.prisma.clusterEnvironment.findMany({ where: { driver: { in: kinds }, state: { in: ["REQUESTED", "EXPIRING"] } }, orderBy: { requestedAt: "asc" } });
    const started = { creating: [] as string[], deleting: [] as string[] };
    for (const row of rows) {
      if (this.inFlight.has(row.id) || this.deleting.has(row.id)) continue;
      if (row.state === "REQUESTED") {
        this.startProvisioning(row.id);
        started.creating.push(row.clusterName);
      } else {
        this.track(this.finishDelete(row.id));
        started.deleting.push(row.clusterName);
      }
    }
    return started;
  }

  /** Tops the warm pool of each driver (or one) up to its configured size, within the cluster cap. */
  async fillPool(only?: DriverKind): Promise<string[]> {
    const started: string[] = [];
    for (const kind of only ? [only] : this.provisionedDrivers()) {
      if (this.queueOnly.has(kind)) continue;
      const size = this.settings.poolSize[kind];
      if (!size) continue;
      const pooled = await this.prisma.clusterEnvironment.count({ where: { userId: null, driver: toDbDriver[kind], state: { in: activeStates } } });
      for (let i = pooled; i < size; i++) {
        try {
          started.push((await this.createRow(kind, null)).id);
        } catch (error) {
          if (error instanceof EnvironmentError && error.code === "capacity") break;
          throw error;
        }
      }
    }
    return started;
  }

  // --- provisioning -----------------------------------------------------------------------------------------------

  private async provision(id: string): Promise<void> {
    const release = await this.createSlots.acquire();
    try {
      const row = await this.prisma.clusterEnvironment.findUniqueOrThrow({ where: { id } });
      if (row.state === "EXPIRING") {
        await this.update(id, { state: "DELETED", deletedAt: this.now(), progressStep: "Deleted" });
        return;
      }
      if (row.state !== "REQUESTED") return;
      const kind = toDriverKind[row.driver];
      const driver = this.driver(kind);
      await this.update(id, { state: "PROVISIONING", progressStep: "Starting", progressPct: 0 });
      let lastError: unknown;
      for (let attempt = 1; attempt <= this.settings.provisionAttempts; attempt++) {
        if (attempt > 1) {
          const wait = this.settings.backoffMs * 2 ** (attempt - 2);
          await this.update(id, { progressStep: `Retrying (attempt ${attempt} of ${this.settings.provisionAttempts}) after: ${(lastError as Error).message}`.slice(0, 500), progressPct: 0 });
          await this.sleep(wait);
        }
        if ((await this.prisma.clusterEnvironment.findUniqueOrThrow({ where: { id } })).state === "EXPIRING") break;
        let progress: Promise<unknown> = Promise.resolve();
        const onProgress = (p: ProvisionProgress): void => {
          progress = progress.then(() => this.update(id, { progressStep: p.step, progressPct: Math.min(99, Math.round(p.percent)) }));
        };
        try {
          const cluster = await driver.create({ name: row.clusterName, onProgress });
          await progress;
          await this.markReady(id, kind, cluster);
          return;
        } catch (error) {
          await progress.catch(() => undefined);
          lastError = error;
          await driver.delete(row.clusterName).catch(() => undefined);
        }
      }
      const current = await this.prisma.clusterEnvironment.findUniqueOrThrow({ where: { id } });
      if (current.state === "EXPIRING") {
        await this.update(id, { state: "DELETED", deletedAt: this.now(), progressStep: "Deleted", kubeconfigSealed: null });
        return;
      }
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      await this.update(id, { state: "FAILED", failedAt: this.now(), failureReason: reason.slice(0, 2000), progressStep: current.progressStep });
    } finally {
      release();
    }
  }

  private async markReady(id: string, kind: DriverKind, cluster: LabCluster): Promise<void> {
    const driver = this.driver(kind);
    const row = await this.prisma.clusterEnvironment.findUniqueOrThrow({ where: { id } });
    if (row.state === "EXPIRING") {
      await driver.delete(row.clusterName).catch(() => undefined);
      await this.update(id, { state: "DELETED", deletedAt: this.now(), progressStep: "Deleted" });
      return;
    }
    const now = this.now();
    const snapshot = driver.snapshot ? (JSON.parse(JSON.stringify(driver.snapshot(row.clusterName))) as object) : undefined;
    await this.update(id, {
      state: "READY",
      progressStep: "Ready",
      progressPct: 100,
      readyAt: now,
      lastUsedAt: now,
      expiresAt: row.userId ? new Date(now.getTime() + this.settings.ttlMs) : null,
      kubeconfigSealed: this.sealer.seal(cluster.kubeconfigYaml()),
      ...(snapshot ? { snapshot } : {}),
    });
  }

  // --- using ------------------------------------------------------------------------------------------------------

  /** Records activity (the idle reaper counts from the last use). */
  async touch(id: string): Promise<void> {
    await this.prisma.clusterEnvironment.updateMany({ where: { id, state: "READY" }, data: { lastUsedAt: this.now() } });
  }

  /** The LabCluster of a ready environment, for the grader and the lab shell (server side only). */
  async connect(id: string): Promise<LabCluster> {
    const row = await this.prisma.clusterEnvironment.findUnique({ where: { id } });
    if (!row) throw new EnvironmentError("not_found", `No environment ${id}.`);
    if (row.state !== "READY") throw new EnvironmentError("not_ready", `Environment ${row.clusterName} is ${row.state.toLowerCase()}, not ready.`);
    const driver = this.driver(toDriverKind[row.driver]);
    await this.touch(id);
    if (driver.fromKubeconfig && row.kubeconfigSealed) return driver.fromKubeconfig(row.clusterName, this.sealer.open(row.kubeconfigSealed));
    const cluster = await driver.get(row.clusterName);
    if (!cluster) throw new ClusterUnavailableError(`cluster ${row.clusterName} is gone`);
    return cluster;
  }

  // --- deleting ---------------------------------------------------------------------------------------------------

  /** Deletes an environment's cluster (a creation in progress is deleted as soon as it finishes). */
  async release(id: string): Promise<EnvironmentStatus> {
    const row = await this.prisma.clusterEnvironment.findUnique({ where: { id } });
    if (!row) throw new EnvironmentError("not_found", `No environment ${id}.`);
    if (row.state === "DELETED" || row.state === "FAILED" || row.state === "EXPIRING") return environmentStatus(row);
    if (row.state === "REQUESTED" && !this.inFlight.has(id)) {
      return environmentStatus(await this.update(id, { state: "DELETED", deletedAt: this.now(), progressStep: "Deleted" }));
    }
    const expiring = await this.update(id, { state: "EXPIRING", progressStep: "Deleting the cluster" });
    if (row.state === "READY" && !this.queueOnly.has(toDriverKind[row.driver])) this.track(this.finishDelete(id));
    return environmentStatus(expiring);
  }

  private async finishDelete(id: string): Promise<void> {
    if (this.deleting.has(id)) return;
    this.deleting.add(id);
    try {
      const row = await this.prisma.clusterEnvironment.findUniqueOrThrow({ where: { id } });
      await this.driver(toDriverKind[row.driver]).delete(row.clusterName);
      await this.update(id, { state: "DELETED", deletedAt: this.now(), progressStep: "Deleted", kubeconfigSealed: null });
    } finally {
      this.deleting.delete(id);
    }
  }

  /** Deletes claimed clusters past their TTL or idle longer than the idle timeout; returns what it reaped and why. */
  async reap(): Promise<{ id: string; clusterName: string; reason: "expired" | "idle" }[]> {
    const now = this.now();
    const idleSince = new Date(now.getTime() - this.settings.idleMs);
    const rows = await this.prisma.clusterEnvironment.findMany({
      where: {
        state: "READY",
        userId: { not: null },
        driver: { in: this.provisionedDrivers().map((kind) => toDbDriver[kind]) },
        ...ownedByLifecycle,
        OR: [{ expiresAt: { lte: now } }, { lastUsedAt: { lte: idleSince } }],
      },
    });
    const reaped: { id: string; clusterName: string; reason: "expired" | "idle" }[] = [];
    for (const row of rows) {
      const reason = row.expiresAt && row.expiresAt <= now ? "expired" : "idle";
      await this.update(row.id, { state: "EXPIRING", progressStep: reason === "expired" ? "Time is up: deleting the cluster" : "Idle too long: deleting the cluster" });
      await this.finishDelete(row.id);
      reaped.push({ id: row.id, clusterName: row.clusterName, reason });
    }
    return reaped;
  }

  // --- reconciliation ---------------------------------------------------------------------------------------------

  /**
   * Start-up pass (also safe to run periodically): compares each driver's clusters with the database. Creations a
   * crash interrupted are cleaned up and marked failed (requested ones still queued are left for provisionQueued); ready rows are adopted (or restored from their snapshot);
   * interrupted deletions are finished; clusters with our prefix that no live row claims are deleted.
   */
  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { adopted: [], restored: [], failed: [], orphansDeleted: [], deletionsFinished: [] };
    for (const kind of this.provisionedDrivers()) {
      const driver = this.driver(kind);
      const existing = new Set(await driver.list());
      const rows = await this.prisma.clusterEnvironment.findMany({ where: { driver: toDbDriver[kind], state: { in: liveStates }, ...ownedByLifecycle } });
      const claimed = new Set<string>();
      for (const row of rows) {
        claimed.add(row.clusterName);
        if (this.inFlight.has(row.id) || this.deleting.has(row.id) || row.state === "REQUESTED") continue;
        if (row.state === "PROVISIONING") {
          if (existing.has(row.clusterName)) await driver.delete(row.clusterName);
          await this.update(row.id, { state: "FAILED", failedAt: this.now(), failureReason: `Creation was interrupted (the server stopped during "${row.progressStep ?? "start"}"); request a new environment.` });
          report.failed.push(row.clusterName);
        } else if (row.state === "EXPIRING") {
          if (existing.has(row.clusterName)) await driver.delete(row.clusterName);
          await this.update(row.id, { state: "DELETED", deletedAt: this.now(), progressStep: "Deleted", kubeconfigSealed: null });
          report.deletionsFinished.push(row.clusterName);
        } else if (existing.has(row.clusterName)) {
          report.adopted.push(row.clusterName);
        } else if (driver.restore && row.snapshot) {
          const cluster = await driver.restore(row.snapshot);
          await this.update(row.id, { kubeconfigSealed: this.sealer.seal(cluster.kubeconfigYaml()) });
          report.restored.push(row.clusterName);
        } else {
          await this.update(row.id, { state: "FAILED", failedAt: this.now(), failureReason: "The cluster no longer exists (deleted outside the platform, or its host restarted)." });
          report.failed.push(row.clusterName);
        }
      }
      for (const name of existing) {
        if (claimed.has(name)) continue;
        await driver.delete(name);
        report.orphansDeleted.push(name);
      }
    }
    return report;
  }
}
