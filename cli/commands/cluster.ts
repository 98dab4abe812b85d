// `ica cluster create|list|delete|reconcile`: learner clusters through the same database-backed lifecycle the web
// app uses (kind or embedded driver). Without a --user, `create` pre-warms a cluster for the pool.
import { z } from "zod";
import { KindDriver } from "../../cluster/kind/driver";
import { PreflightError } from "../../cluster/kind/preflight";
import type { DriverKind } from "../../cluster/driver";
import { type EnvironmentLifecycle, type EnvironmentStatus } from "../../cluster/lifecycle/lifecycle";
import { buildDrivers, createLifecycle, enabledDriverKinds, startMaintenance } from "../../cluster/lifecycle/runtime";
import { openDatabase, readDatabaseSettings, type Database } from "../../prisma/database";
import { deployMigrations } from "../../prisma/migrate";
import { describeFlags, parseArgs, UsageError, type FlagSpec } from "../args";
import type { CliCommand, CliIo } from "../index";

const flags: Record<string, FlagSpec> = {
  driver: { type: "string", description: "kind (a real kind cluster with Istio 1.26 + Bookinfo) or embedded (in-process); default embedded" },
  user: { type: "string", description: "create: the learner (e-mail) who owns the cluster; without it the cluster joins the warm pool" },
  all: { type: "boolean", description: "list: include deleted and failed environments" },
  json: { type: "boolean", description: "list: print JSON" },
};

const usage = [
  "Usage: ica cluster <subcommand> [flags]",
  "",
  "Subcommands:",
  "  create [--driver kind|embedded] [--user EMAIL]   Create a learner cluster and wait until it is ready",
  "  list [--driver kind|embedded] [--all] [--json]  Show environments and their state",
  "  delete NAME|ID                                  Delete an environment's cluster",
  "  reconcile [--driver kind|embedded]              Compare clusters with the database: adopt, clean up, delete orphans",
  "  run [--driver kind|embedded]                    The runner: create queued clusters, finish deletions, reap, refill the pool",
  "                                                  (until stopped; default drivers from ICA_CLUSTER_DRIVERS)",
  "",
  "Exit status: 0 done, 1 the cluster could not be created/deleted (the message says why), 2 usage.",
  "",
  "Flags:",
  describeFlags(flags),
].join("\n");

const driverSchema = z.enum(["kind", "embedded"]);

function driverFlag(value: unknown): DriverKind | undefined {
  if (value === undefined) return undefined;
  const parsed = driverSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--driver must be kind or embedded, got "${String(value)}"`);
  return parsed.data;
}

/** Resolves when the process is asked to stop (SIGINT or SIGTERM). */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

async function withLifecycle<T>(kinds: DriverKind[], run: (lifecycle: EnvironmentLifecycle, db: Database) => Promise<T>): Promise<T> {
  const db = openDatabase();
  try {
    await deployMigrations(db.target);
    const drivers = buildDrivers(kinds);
    const lifecycle = createLifecycle({ prisma: db.prisma, dataDir: readDatabaseSettings().dataDir, drivers });
    try {
      return await run(lifecycle, db);
    } finally {
      await lifecycle.settled();
      for (const driver of Object.values(drivers)) if (driver && "close" in driver && typeof driver.close === "function") await (driver.close as () => Promise<void>)();
    }
  } finally {
    await db.close();
  }
}

function describe(status: EnvironmentStatus): string {
  const detail = status.state === "FAILED" ? status.failureReason : status.state === "READY" ? (status.expiresAt ? `expires ${status.expiresAt}` : "in the warm pool") : `${status.progressPct}% ${status.progressStep ?? ""}`;
  return `${status.clusterName}  ${status.driver}  ${status.state}  ${detail ?? ""}`.trimEnd();
}

async function create(kind: DriverKind, email: string | undefined, io: CliIo): Promise<number> {
  if (kind === "kind") {
    try {
      await new KindDriver().preflight();
    } catch (error) {
      if (!(error instanceof PreflightError)) throw error;
      io.err(error.message);
      return 1;
    }
  }
  return withLifecycle([kind], async (lifecycle, db) => {
    let ownerId: string | null = null;
    if (email) {
      const user = await db.prisma.user.findUnique({ where: { email } });
      if (!user) throw new UsageError(`no user with e-mail ${email}`);
      ownerId = user.id;
    }
    const started = await lifecycle.create(kind, ownerId);
    io.out(`Creating ${started.clusterName} (${kind}${ownerId ? ` for ${email}` : ", warm pool"})`);
    let lastStep = "";
    const stop = lifecycle.subscribe(started.id, (status) => {
      if (status.progressStep && status.progressStep !== lastStep) {
        lastStep = status.progressStep;
        io.err(`  ${String(status.progressPct).padStart(3)}%  ${status.progressStep}`);
      }
    });
    await lifecycle.settled();
    stop();
    const final = (await lifecycle.status(started.id))!;
    if (final.state !== "READY") {
      io.err(`${final.clusterName} failed: ${final.failureReason ?? final.state}`);
      return 1;
    }
    io.out(`${final.clusterName} is ready.`);
    if (kind === "kind") io.out(`kubectl: kind get kubeconfig --name ${final.clusterName} > ${final.clusterName}.kubeconfig`);
    else io.out("Embedded clusters live in the server process: the web app restores this one from its snapshot when it starts.");
    return 0;
  });
}

export const command: CliCommand = {
  name: "cluster",
  summary: "Create, list and delete learner clusters (kind or embedded)",
  async run(args, io) {
    const [subcommand, ...rest] = args;
    if (subcommand === undefined || subcommand === "--help" || subcommand === "-h") {
      io.out(usage);
      return subcommand === undefined ? 2 : 0;
    }
    const { flags: given, positionals } = parseArgs(rest, flags);
    if (given.help) {
      io.out(usage);
      return 0;
    }
    const kind = driverFlag(given.driver);
    switch (subcommand) {
      case "create":
        if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`);
        return create(kind ?? "embedded", given.user as string | undefined, io);
      case "list":
        return withLifecycle([], async (lifecycle) => {
          const rows = (await lifecycle.list({ includeFinished: given.all === true })).filter((row) => !kind || row.driver === kind);
          if (given.json) io.out(JSON.stringify(rows, null, 2));
          else if (rows.length === 0) io.out("No environments.");
          else for (const row of rows) io.out(describe(row));
          return 0;
        });
      case "delete": {
        const [target] = positionals;
        if (!target || positionals.length > 1) throw new UsageError("delete takes one cluster name or environment id");
        return withLifecycle(kind ? [kind] : ["embedded", "kind"], async (lifecycle) => {
          const found = await lifecycle.find(target);
          if (!found) throw new UsageError(`no environment named ${target}`);
          await lifecycle.release(found.id);
          await lifecycle.settled();
          const final = (await lifecycle.status(found.id))!;
          io.out(describe(final));
          return final.state === "DELETED" || final.state === "FAILED" ? 0 : 1;
        });
      }
      case "reconcile":
        return withLifecycle(kind ? [kind] : ["embedded"], async (lifecycle) => {
          const report = await lifecycle.reconcile();
          for (const [what, names] of Object.entries(report)) io.out(`${what}: ${(names as string[]).join(", ") || "-"}`);
          return 0;
        });
      case "run": {
        const kinds = kind ? [kind] : enabledDriverKinds();
        if (kinds.includes("kind")) {
          try {
            await new KindDriver().preflight();
          } catch (error) {
            if (!(error instanceof PreflightError)) throw error;
            io.err(error.message);
            return 1;
          }
        }
        return withLifecycle(kinds, async (lifecycle) => {
          io.out(`Cluster runner started for ${kinds.join(", ")}; Ctrl+C stops it.`);
          const stop = startMaintenance(lifecycle, { intervalMs: 5_000, keepAlive: true, log: (message) => io.err(message) });
          const signal = await untilStopped();
          stop();
          io.out(`Stopping (${signal}) after the work in progress.`);
          return 0;
        });
      }
      default:
        throw new UsageError(`unknown subcommand "${subcommand}"`);
    }
  },
};
