// Opens the platform database: embedded PGlite by default, a PostgreSQL server when DATABASE_URL is set.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { z } from "zod";
import { PrismaClient } from "@/prisma/generated/client/client";

/** Which engine stores the data. */
export type DatabaseKind = "pglite" | "postgres";

/** What migrations (and other admin tools) need to reach the same database the client uses. */
export type DatabaseTarget =
  | { kind: "pglite"; pglite: PGlite }
  | { kind: "postgres"; databaseUrl: string };

/** An open database: the Prisma client, the engine behind it, and how to release it. */
export interface Database {
  prisma: PrismaClient;
  kind: DatabaseKind;
  /** Hand this to deployMigrations()/createMigration() from prisma/migrate.ts. */
  target: DatabaseTarget;
  /** Disconnects Prisma and shuts the engine down (PGlite flushes its data dir). */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// or postgresql:// URL; overrides DATABASE_URL. */
  databaseUrl?: string;
  /** Folder holding the `pglite` data dir; overrides ICA_DATA_DIR (default ./data). */
  dataDir?: string;
  /** Throwaway in-memory PGlite (tests); ignores DATABASE_URL and the data dir. */
  memory?: boolean;
}

const postgresUrlSchema = z
  .string()
  .trim()
  .regex(/^postgres(ql)?:\/\/.+/, "must start with postgres:// or postgresql://")
  .refine((value) => URL.canParse(value), "is not a valid URL");

const databaseEnvSchema = z.object({
  DATABASE_URL: z.preprocess((value) => (value === "" ? undefined : value), postgresUrlSchema.optional()),
  ICA_DATA_DIR: z.preprocess((value) => (value === "" ? undefined : value), z.string().optional()),
});

/** The database settings of the environment, validated. */
export interface DatabaseSettings {
  databaseUrl: string | undefined;
  dataDir: string;
}

/** Validates DATABASE_URL and ICA_DATA_DIR; throws a readable error naming the bad variable. */
export function readDatabaseSettings(env: Record<string, string | undefined> = process.env): DatabaseSettings {
  const parsed = databaseEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ");
    throw new Error(`Invalid database settings: ${problems}`);
  }
  return { databaseUrl: parsed.data.DATABASE_URL, dataDir: parsed.data.ICA_DATA_DIR ?? "./data" };
}

/** The PGlite data directory inside a data folder. */
export function pgliteDataDir(dataDir: string): string {
  return path.resolve(dataDir, "pglite");
}

/** host:port/database of a PostgreSQL URL without its credentials, for messages. */
export function describePostgresUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const host = url.hostname || url.searchParams.get("host") || "localhost";
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || "(default database)";
  return `${host}:${url.port || "5432"}/${database}`;
}

const connectionFailureHints: Record<string, string> = {
  ECONNREFUSED: "nothing is listening there; check that PostgreSQL is running and that the host and port in DATABASE_URL are right",
  ENOTFOUND: "the host name does not resolve: check the host in DATABASE_URL",
  EAI_AGAIN: "the host name does not resolve: check the host in DATABASE_URL",
  ETIMEDOUT: "the connection timed out: check the host, port and any firewall between here and the server",
  "28P01": "the password was rejected: check the user and password in DATABASE_URL",
  "28000": "the server refused this user (pg_hba.conf): check the user in DATABASE_URL and the server's access rules",
  "3D000": "the database does not exist: create it (createdb) or fix the database name in DATABASE_URL",
};

/** Turns a low-level connection error into a message saying which server failed and what to check. */
export function explainConnectionFailure(databaseUrl: string, error: unknown): Error {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  const hint = (code ? connectionFailureHints[code] : undefined) ?? "check DATABASE_URL (host, port, user, password, database)";
  return new Error(`Cannot connect to PostgreSQL at ${describePostgresUrl(databaseUrl)}: ${detail}. Hint: ${hint}.`, {
    cause: error,
  });
}

const globalForTemplate = globalThis as typeof globalThis & { __icaPgliteTemplate?: Blob };

/** node_modules/.cache/ica-pglite/empty-cluster-<pglite version>.tar (uncompressed: loads faster), or undefined when it cannot be placed. */
function templateCacheFile(): string | undefined {
  try {
    const nodeModules = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "node_modules");
    const packageJson = fs.readFileSync(path.join(nodeModules, "@electric-sql", "pglite", "package.json"), "utf8");
    const version = z.object({ version: z.string() }).parse(JSON.parse(packageJson)).version;
    return path.join(nodeModules, ".cache", "ica-pglite", `empty-cluster-${version}.tar`);
  } catch {
    return undefined;
  }
}

/**
 * A fresh in-memory PGlite. Running initdb inside wasm takes several seconds, so once
 * ensurePgliteTemplate() has cached an empty cluster, new instances start from that dump in about a second.
 */
export function createMemoryPglite(): PGlite {
  const template = (globalForTemplate.__icaPgliteTemplate ??= readCachedTemplateSync());
  return template ? new PGlite({ loadDataDir: template }) : new PGlite();
}

/**
 * Makes sure an empty-cluster dump is cached in node_modules/.cache/ica-pglite (once per machine and
 * PGlite version), so later createMemoryPglite() calls and brand-new data dirs skip initdb.
 */
export async function ensurePgliteTemplate(): Promise<void> {
  if ((globalForTemplate.__icaPgliteTemplate ??= readCachedTemplateSync())) return;
  const pristine = new PGlite();
  try {
    await pristine.waitReady;
    const dump = await pristine.dumpDataDir("none");
    globalForTemplate.__icaPgliteTemplate = dump;
    await writeCachedTemplate(dump);
  } finally {
    await pristine.close();
  }
}

/** The cached empty cluster, read synchronously so a brand-new data dir skips initdb. */
function readCachedTemplateSync(): Blob | undefined {
  const file = templateCacheFile();
  if (!file || !fs.existsSync(file)) return undefined;
  return new Blob([fs.readFileSync(file)], { type: "application/x-tar" });
}

async function writeCachedTemplate(dump: Blob): Promise<void> {
  const file = templateCacheFile();
  if (!file) return;
  const partial = `${file}.${process.pid}.partial`;
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await fs.promises.rename(partial, file);
  } catch {
    // A read-only tree only loses the speed-up.
    await fs.promises.rm(partial, { force: true });
  }
}

/**
 * Opens a database from explicit options, falling back to the environment: PGlite in
 * `<dataDir>/pglite` without DATABASE_URL, PostgreSQL through adapter-pg with it.
 */
export function openDatabase(options: OpenDatabaseOptions = {}): Database {
  if (options.memory) return openPglite(createMemoryPglite());
  const settings = readDatabaseSettings();
  const databaseUrl = options.databaseUrl === undefined ? settings.databaseUrl : postgresUrlSchema.parse(options.databaseUrl);
  if (databaseUrl) return openPostgres(databaseUrl);
  const dataDir = pgliteDataDir(options.dataDir ?? settings.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const releaseLock = lockPgliteDataDir(dataDir);
  try {
    const isNewCluster = !fs.existsSync(path.join(dataDir, "PG_VERSION"));
    const template = isNewCluster ? (globalForTemplate.__icaPgliteTemplate ??= readCachedTemplateSync()) : undefined;
    return openPglite(template ? new PGlite(dataDir, { loadDataDir: template }) : new PGlite(dataDir), releaseLock);
  } catch (error) {
    releaseLock();
    throw error;
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite has no locking of its own, and two instances on one data dir corrupt it. `<dataDir>.lock` holds
 * the pid of the process that has it open; a lock left by a process that no longer runs is taken over.
 * Returns the function that releases the lock.
 */
function lockPgliteDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: "wx" });
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        const holder = fs.existsSync(lockFile) ? fs.readFileSync(lockFile, "utf8").trim() : undefined;
        if (holder === String(process.pid)) fs.rmSync(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(fs.readFileSync(lockFile, "utf8"), 10);
    if (Number.isInteger(holder) && processIsAlive(holder)) {
      const who = holder === process.pid ? "this process already (use getPrisma()/getDatabase() to share it)" : `process ${holder}`;
      throw new Error(
        `The PGlite database in ${dataDir} is open in ${who}; PGlite allows one process per data dir. ` +
          `Stop that process, or use PostgreSQL (DATABASE_URL) to share a database. If no such process exists, delete ${lockFile}.`,
      );
    }
    fs.rmSync(lockFile, { force: true });
  }
  throw new Error(`Could not lock the PGlite data dir ${dataDir} (${lockFile} keeps reappearing)`);
}

function openPglite(pglite: PGlite, releaseLock?: () => void): Database {
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: "pglite",
    target: { kind: "pglite", pglite },
    async close() {
      try {
        await prisma.$disconnect();
        if (!pglite.closed) await pglite.close();
      } finally {
        releaseLock?.();
      }
    },
  };
}

function openPostgres(databaseUrl: string): Database {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  return {
    prisma,
    kind: "postgres",
    target: { kind: "postgres", databaseUrl },
    async close() {
      await prisma.$disconnect();
    },
  };
}

const globalForDatabase = globalThis as typeof globalThis & { __icaDatabase?: Database };

/** The process-wide database (one PGlite per data dir per process), kept across Next dev reloads. */
export function getDatabase(): Database {
  globalForDatabase.__icaDatabase ??= openDatabase();
  return globalForDatabase.__icaDatabase;
}

/** The process-wide Prisma client. */
export function getPrisma(): PrismaClient {
  return getDatabase().prisma;
}

/** Closes the process-wide database if it was opened (for shutdown hooks and CLI commands). */
export async function closeSharedDatabase(): Promise<void> {
  const database = globalForDatabase.__icaDatabase;
  globalForDatabase.__icaDatabase = undefined;
  await database?.close();
}
