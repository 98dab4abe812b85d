// Offline Prisma Migrate: drives the wasm schema engine through our driver adapters (PGlite or PostgreSQL).
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type ErrorRegistry,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine, SchemaFilter, SchemasContainer } from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { z } from "zod";
import {
  createMemoryPglite,
  type DatabaseTarget,
  describePostgresUrl,
  ensurePgliteTemplate,
  explainConnectionFailure,
} from "@/prisma/database";

/** The database a migration command works on (`Database.target` from openDatabase()). */
export type MigrationTarget = DatabaseTarget;

/** Where the schema and the migrations live; defaults to prisma/schema.prisma and prisma/migrations. */
export interface MigrationPaths {
  schemaPath?: string;
  migrationsDir?: string;
}

/** What deployMigrations() did. */
export interface DeployResult {
  /** Migration folder names applied by this call, oldest first (empty when the database was up to date). */
  applied: string[];
}

/** What createMigration() did. */
export interface CreateMigrationResult {
  /** The new folder name (`<YYYYMMDDHHMMSS>_<name>`), or null when the schema had no changes. */
  migrationName: string | null;
  /** Absolute path of the new migration.sql, or null when nothing was created. */
  migrationFile: string | null;
  /** Migrations applied to the target while developing (pending ones and the new one). */
  applied: string[];
}

/** How the database's migration history compares with prisma/migrations. */
export interface MigrationStatus {
  /** Migration folders on disk, oldest first. */
  local: string[];
  /** On disk but not applied to the database. */
  pending: string[];
  /** Recorded in the database but missing on disk. */
  unknownInDatabase: string[];
  /** Recorded as failed in the database. */
  failed: string[];
  /** Applied, but migration.sql changed since. */
  edited: string[];
  /** True when `_prisma_migrations` exists. */
  hasMigrationsTable: boolean;
  /** True when everything on disk is applied and nothing else is recorded. */
  upToDate: boolean;
}

const prismaDir = path.dirname(fileURLToPath(import.meta.url));
const defaultSchemaPath = path.join(prismaDir, "schema.prisma");
const defaultMigrationsDir = path.join(prismaDir, "migrations");
const migrationFileName = "migration.sql";
const lockFileName = "migration_lock.toml";
const noFilter: SchemaFilter = { externalTables: [], externalEnums: [] };

const migrationNameSchema = z
  .string()
  .trim()
  .min(1, "migration name is empty")
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, "migration name may only contain letters, digits, '_' and '-'");

type EngineBindings = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
let engineBindings: Promise<EngineBindings> | undefined;

/** Loads the wasm schema engine once per process (Node 20 cannot import .wasm, so it is instantiated here). */
function loadSchemaEngine(): Promise<EngineBindings> {
  engineBindings ??= (async () => {
    const bindings = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const bindingsFile = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasmBytes = await fs.readFile(path.join(path.dirname(bindingsFile), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(wasmBytes, { "./schema_engine_bg.js": withUnrefTimers(bindings) });
    bindings.__wbg_set_wasm(instance.exports);
    const start = instance.exports.__wbindgen_start;
    if (typeof start === "function") start();
    return bindings;
  })();
  return engineBindings;
}

/**
 * The engine arms ~10 s timers (idle connections) through its setTimeout import, which would keep a CLI
 * process alive after its work is done; those timers are unref'd so they only fire while the process lives.
 */
function withUnrefTimers(bindings: EngineBindings): WebAssembly.ModuleImports {
  const imports: WebAssembly.ModuleImports = { ...bindings };
  for (const [name, value] of Object.entries(bindings)) {
    if (!name.startsWith("__wbg_setTimeout_") || typeof value !== "function") continue;
    const arm = value as (...args: unknown[]) => unknown;
    imports[name] = (...args: unknown[]) => {
      const timer = arm(...args);
      if (timer instanceof Object && "unref" in timer && typeof timer.unref === "function") timer.unref();
      return timer;
    };
  }
  return imports;
}

/** Reads the migrations folder the way the Prisma CLI hands it to the engine. */
async function readMigrationsList(migrationsDir: string): Promise<MigrationList> {
  const baseDir = path.resolve(migrationsDir);
  const lockContent = await fs.readFile(path.join(baseDir, lockFileName), "utf8").catch(() => null);
  const entries = await fs.readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrationDirectories = await Promise.all(
    folders.map(async (folder) => ({
      path: folder,
      migrationFile: {
        path: migrationFileName,
        content: await fs
          .readFile(path.join(baseDir, folder, migrationFileName), "utf8")
          .then((value) => ({ tag: "ok" as const, value }))
          .catch((error: unknown) => ({ tag: "error" as const, value: error instanceof Error ? error.message : String(error) })),
      },
    })),
  );
  return { baseDir, lockfile: { path: lockFileName, content: lockContent }, shadowDbInitScript: "", migrationDirectories };
}

async function readSchemas(schemaPath: string): Promise<SchemasContainer> {
  const absolute = path.resolve(schemaPath);
  return { files: [{ path: absolute, content: await fs.readFile(absolute, "utf8") }] };
}

/** Converts a PGlite/pg error into the shape Prisma's engine understands, so SQL failures are reported. */
function toDriverAdapterError(error: unknown): unknown {
  const fields = z
    .object({
      code: z.string(),
      message: z.string(),
      severity: z.string().optional(),
      detail: z.string().optional(),
      column: z.string().optional(),
      hint: z.string().optional(),
    })
    .safeParse(error);
  if (!fields.success) return error;
  const { code, message, severity, detail, column, hint } = fields.data;
  return new DriverAdapterError({ kind: "postgres", code, message, severity: severity ?? "ERROR", detail, column, hint });
}

/**
 * pglite-prisma-adapter's executeScript does not await PGlite's exec, so a failing migration script would be
 * recorded as applied. This connection runs scripts to completion and reports their errors.
 */
function awaitScripts(adapter: SqlDriverAdapter, pglite: PGlite): SqlDriverAdapter {
  adapter.executeScript = async (script: string) => {
    try {
      await pglite.exec(script);
    } catch (error) {
      throw toDriverAdapterError(error);
    }
  };
  return adapter;
}

/** Drops every schema migrations may have created and recreates an empty `public`. */
const emptyShadowSql = `
DO $$
DECLARE schema_name text;
BEGIN
  FOR schema_name IN
    SELECT nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%'
  LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', schema_name);
  END LOOP;
END $$;
CREATE SCHEMA public;
`;
const idleShadowLifetimeMs = 5_000;
const idleShadows: Array<{ pglite: PGlite; expiry: NodeJS.Timeout }> = [];

/**
 * A shadow database for a PGlite target. Starting an in-memory PGlite costs about a second and emptying a
 * used one tens of milliseconds, so emptied shadows wait a few seconds for the next command (dev runs two
 * engine steps that each want one; test suites run many).
 */
async function acquireShadowPglite(): Promise<PGlite> {
  const idle = idleShadows.pop();
  if (idle) {
    clearTimeout(idle.expiry);
    return idle.pglite;
  }
  await ensurePgliteTemplate();
  return createMemoryPglite();
}

async function releaseShadowPglite(shadow: PGlite): Promise<void> {
  try {
    await shadow.exec(emptyShadowSql);
  } catch {
    await shadow.close().catch(() => undefined);
    return;
  }
  const entry = {
    pglite: shadow,
    expiry: setTimeout(() => {
      idleShadows.splice(idleShadows.indexOf(entry), 1);
      void shadow.close().catch(() => undefined);
    }, idleShadowLifetimeMs),
  };
  entry.expiry.unref();
  idleShadows.push(entry);
}

/** Closes the shadow PGlites kept for reuse (a CLI calls this before exiting; they also expire by themselves). */
export async function closeIdleShadowDatabases(): Promise<void> {
  const idle = idleShadows.splice(0);
  for (const entry of idle) clearTimeout(entry.expiry);
  await Promise.all(idle.map((entry) => entry.pglite.close().catch(() => undefined)));
}

/** Migration-aware factory over an open PGlite; the shadow database is a separate in-memory PGlite. */
class PGliteMigrationFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres";
  readonly adapterName = "pglite-prisma-adapter";
  private readonly shadowsInUse = new Set<PGlite>();

  constructor(private readonly pglite: PGlite) {}

  async connect(): Promise<SqlDriverAdapter> {
    return awaitScripts(await new PrismaPGlite(this.pglite).connect(), this.pglite);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadow = await acquireShadowPglite();
    this.shadowsInUse.add(shadow);
    const adapter = awaitScripts(await new PrismaPGlite(shadow).connect(), shadow);
    adapter.dispose = () => this.release(shadow);
    return adapter;
  }

  private async release(shadow: PGlite): Promise<void> {
    if (this.shadowsInUse.delete(shadow)) await releaseShadowPglite(shadow);
  }

  async close(): Promise<void> {
    await Promise.all([...this.shadowsInUse].map((shadow) => this.release(shadow)));
  }
}

const pgCharOid = 18;
const pgTextOid = 25;

/** adapter-pg cannot decode pg_catalog's `"char"` columns (OID 18), which the engine reads; report them as text. */
function reportCharColumnsAsText(client: pg.PoolClient): void {
  const relabel = (result: unknown): unknown => {
    for (const single of Array.isArray(result) ? result : [result]) {
      const fields = (single as { fields?: Array<{ dataTypeID: number }> } | undefined)?.fields ?? [];
      for (const field of fields) if (field.dataTypeID === pgCharOid) field.dataTypeID = pgTextOid;
    }
    return result;
  };
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const callback = args.at(-1);
    if (typeof callback === "function") {
      args[args.length - 1] = (error: unknown, result: unknown) => callback(error, relabel(result));
      return query(...args);
    }
    const outcome = query(...args);
    return outcome instanceof Promise ? outcome.then(relabel) : outcome;
  };
}

/**
 * Migration-aware factory over a PostgreSQL server through adapter-pg, with the fixes the engine needs:
 * `"char"` columns decoded as text, a shadow database that really is a separate database, dropped
 * WITH (FORCE) after use, and every pool closed when the command ends.
 */
class PostgresMigrationFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres";
  readonly adapterName = "@prisma/adapter-pg";
  private readonly pools = new Set<pg.Pool>();

  private constructor(private readonly databaseUrl: string) {}

  /** Checks the server answers first, so an unreachable DATABASE_URL gets a message naming the host. */
  static async open(databaseUrl: string): Promise<PostgresMigrationFactory> {
    const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
    try {
      await probe.connect();
    } catch (error) {
      throw explainConnectionFailure(databaseUrl, error);
    } finally {
      await probe.end().catch(() => undefined);
    }
    return new PostgresMigrationFactory(databaseUrl);
  }

  private createPool(connectionString: string): pg.Pool {
    const pool = new pg.Pool({ connectionString, allowExitOnIdle: true });
    pool.on("connect", reportCharColumnsAsText);
    this.pools.add(pool);
    return pool;
  }

  private async endPool(pool: pg.Pool): Promise<void> {
    if (!this.pools.delete(pool)) return;
    await pool.end();
  }

  async connect(): Promise<SqlDriverAdapter> {
    const pool = this.createPool(this.databaseUrl);
    const adapter = await new PrismaPg(pool).connect();
    const release = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await release();
      await this.endPool(pool);
    };
    return adapter;
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadowName = `prisma_migrate_shadow_db_${randomUUID()}`;
    const admin = this.createPool(this.databaseUrl);
    try {
      await admin.query(`CREATE DATABASE "${shadowName}"`);
    } catch (error) {
      await this.endPool(admin);
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot create the shadow database that dev and diff replay migrations on (${reason}); the role in DATABASE_URL needs CREATEDB`, { cause: error });
    }
    const shadowUrl = new URL(this.databaseUrl);
    shadowUrl.pathname = `/${shadowName}`;
    const pool = this.createPool(shadowUrl.toString());
    const adapter = await new PrismaPg(pool).connect();
    adapter.dispose = async () => {
      await this.endPool(pool);
      await admin.query(`DROP DATABASE IF EXISTS "${shadowName}" WITH (FORCE)`);
      await this.endPool(admin);
    };
    return adapter;
  }

  async close(): Promise<void> {
    const pools = [...this.pools];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
  }
}

/**
 * The engine's errors end in a span trace ("   0: sql_schema_connector::…"); keep the message and the
 * migration it names, and leave the full text on `cause`.
 */
function engineFailure(error: unknown, target: MigrationTarget, adapterErrors: ErrorRegistry): Error {
  const messageOf = (value: unknown) => (value instanceof Error ? value.message : String(value));
  // Errors thrown inside our adapters reach the engine only as "External error id#N".
  const raw = messageOf(error).replace(/External error id#(\d+)/g, (reference, id: string) => {
    const record = adapterErrors.consumeError(Number(id));
    return record ? messageOf(record.error) : reference;
  });
  const lines = raw.split("\n");
  const traceStart = lines.findIndex((line) => /^\s+\d+: /.test(line));
  const message = (traceStart === -1 ? lines : lines.slice(0, traceStart))
    .map((line) => line.trim())
    .filter((line) => line !== "" && line !== "external connector error")
    .join(" ");
  const migration = /migration_name="([^"]+)"/.exec(raw)?.[1];
  const where = target.kind === "postgres" ? `PostgreSQL at ${describePostgresUrl(target.databaseUrl)}` : "PGlite";
  return new Error(`Migration failed on ${where}${migration ? ` in ${migration}` : ""}: ${message || raw}`, { cause: error });
}

interface EngineSession {
  engine: SchemaEngine;
  schemas: SchemasContainer;
  migrationsDir: string;
  migrations(): Promise<MigrationList>;
}

async function withSchemaEngine<T>(
  target: MigrationTarget,
  paths: MigrationPaths,
  run: (session: EngineSession) => Promise<T>,
): Promise<T> {
  const migrationsDir = path.resolve(paths.migrationsDir ?? defaultMigrationsDir);
  const schemas = await readSchemas(paths.schemaPath ?? defaultSchemaPath);
  const bindings = await loadSchemaEngine();
  const factory =
    target.kind === "pglite" ? new PGliteMigrationFactory(target.pglite) : await PostgresMigrationFactory.open(target.databaseUrl);
  const boundFactory = bindMigrationAwareSqlAdapterFactory(factory);
  let engine: SchemaEngine | undefined;
  try {
    const datamodels = schemas.files.map((file): [string, string] => [file.path, file.content]);
    engine = await bindings.SchemaEngine.new({ datamodels }, () => undefined, boundFactory);
    const session: EngineSession = { engine, schemas, migrationsDir, migrations: () => readMigrationsList(migrationsDir) };
    return await run(session);
  } catch (error) {
    throw engineFailure(error, target, boundFactory.errorRegistry);
  } finally {
    engine?.free();
    await factory.close();
  }
}

/** Applies the pending migrations in order and records them in `_prisma_migrations` (like `prisma migrate deploy`). */
export async function deployMigrations(target: MigrationTarget, paths: MigrationPaths = {}): Promise<DeployResult> {
  return withSchemaEngine(target, paths, async ({ engine, migrations }) => {
    const output = await engine.applyMigrations({ migrationsList: await migrations(), filters: noFilter });
    return { applied: output.appliedMigrationNames };
  });
}

/**
 * Development flow of `prisma migrate dev --name <name>`: applies pending migrations, refuses when the
 * database drifted, writes `<YYYYMMDDHHMMSS>_<name>/migration.sql` (+ migration_lock.toml) for the schema
 * changes, then applies it.
 */
export async function createMigration(
  target: MigrationTarget,
  name: string,
  paths: MigrationPaths = {},
): Promise<CreateMigrationResult> {
  const migrationName = migrationNameSchema.parse(name);
  return withSchemaEngine(target, paths, async ({ engine, schemas, migrationsDir, migrations }) => {
    const applied = (await engine.applyMigrations({ migrationsList: await migrations(), filters: noFilter }))
      .appliedMigrationNames;
    const diagnostic = await engine.devDiagnostic({ migrationsList: await migrations(), filters: noFilter });
    if (diagnostic.action.tag === "reset") {
      throw new Error(`the database must be reset before a new migration can be created: ${diagnostic.action.reason}`);
    }
    const created = await engine.createMigration({
      draft: false,
      migrationName,
      migrationsList: await migrations(),
      schema: schemas,
      filters: noFilter,
    });
    if (created.migrationScript === null) return { migrationName: null, migrationFile: null, applied };
    const folder = path.join(migrationsDir, created.generatedMigrationName);
    await fs.mkdir(folder, { recursive: true });
    const migrationFile = path.join(folder, `migration.${created.extension}`);
    await fs.writeFile(migrationFile, created.migrationScript, "utf8");
    await fs.writeFile(path.join(migrationsDir, lockFileName), lockFileContent(created.connectorType), "utf8");
    const appliedNew = (await engine.applyMigrations({ migrationsList: await migrations(), filters: noFilter }))
      .appliedMigrationNames;
    return { migrationName: created.generatedMigrationName, migrationFile, applied: [...applied, ...appliedNew] };
  });
}

function lockFileContent(provider: string): string {
  return [
    "# Please do not edit this file manually",
    "# It should be added in your version-control system (e.g., Git)",
    `provider = "${provider}"`,
    "",
  ].join("\n");
}

/**
 * SQL that would bring the database produced by prisma/migrations up to prisma/schema.prisma
 * (replayed on a shadow database). Empty when the migrations and the schema agree.
 */
export async function diffMigrationsToSchema(target: MigrationTarget, paths: MigrationPaths = {}): Promise<string> {
  return withSchemaEngine(target, paths, async ({ engine, schemas, migrations }) => {
    const result = await engine.diff({
      from: { tag: "migrations", ...(await migrations()) },
      to: { tag: "schemaDatamodel", ...schemas },
      script: true,
      exitCode: null,
      filters: noFilter,
    });
    return meaningfulSql(result.stdout ?? "");
  });
}

/** Drops the engine's "empty migration" comment so an in-sync diff is the empty string. */
function meaningfulSql(script: string): string {
  const statements = script
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.trim().startsWith("--"));
  return statements.length === 0 ? "" : script.trim();
}

/** Compares the database's `_prisma_migrations` with the migration folders (like `prisma migrate status`). */
export async function migrationStatus(target: MigrationTarget, paths: MigrationPaths = {}): Promise<MigrationStatus> {
  return withSchemaEngine(target, paths, async ({ engine, migrations }) => {
    const list = await migrations();
    const diagnosis = await engine.diagnoseMigrationHistory({
      migrationsList: list,
      optInToShadowDatabase: false,
      filters: noFilter,
    });
    const history = diagnosis.history;
    const pending =
      history?.diagnostic === "databaseIsBehind" || history?.diagnostic === "historiesDiverge"
        ? history.unappliedMigrationNames
        : [];
    const unknownInDatabase =
      history?.diagnostic === "migrationsDirectoryIsBehind" || history?.diagnostic === "historiesDiverge"
        ? history.unpersistedMigrationNames
        : [];
    return {
      local: list.migrationDirectories.map((directory) => directory.path),
      pending,
      unknownInDatabase,
      failed: diagnosis.failedMigrationNames,
      edited: diagnosis.editedMigrationNames,
      hasMigrationsTable: diagnosis.hasMigrationsTable,
      upToDate: history === null && diagnosis.failedMigrationNames.length === 0,
    };
  });
}
