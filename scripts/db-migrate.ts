// Command line for offline migrations: deploy (default), dev --name <name>, diff, status.
import { parseArgs } from "node:util";
import { z } from "zod";
import { type Database, describePostgresUrl, openDatabase, pgliteDataDir, readDatabaseSettings } from "@/prisma/database";
import {
  closeIdleShadowDatabases,
  createMigration,
  deployMigrations,
  diffMigrationsToSchema,
  migrationStatus,
} from "@/prisma/migrate";

const usage = `Usage: tsx scripts/db-migrate.ts [command] [options]

Commands:
  deploy              apply pending migrations from prisma/migrations (default)
  dev --name <name>   create prisma/migrations/<timestamp>_<name> from schema changes and apply it
  diff                print the SQL that prisma/migrations lacks to match prisma/schema.prisma
                      (replayed on a throwaway in-memory PGlite; exit code 2 when they differ)
  status              compare the database's migration history with prisma/migrations
                      (exit code 1 when something is pending, failed or unknown)

Database: PGlite in \${ICA_DATA_DIR:-./data}/pglite, or the PostgreSQL server in DATABASE_URL when set.`;

const commandSchema = z.enum(["deploy", "dev", "diff", "status"]);

function describeDatabase(database: Database): string {
  if (database.target.kind === "postgres") return `PostgreSQL at ${describePostgresUrl(database.target.databaseUrl)}`;
  return `PGlite in ${pgliteDataDir(readDatabaseSettings().dataDir)}`;
}

async function withDatabase<T>(run: (database: Database) => Promise<T>, options: { memory?: boolean } = {}): Promise<T> {
  const database = openDatabase(options);
  try {
    return await run(database);
  } finally {
    await database.close();
    await closeIdleShadowDatabases();
  }
}

function listNames(names: string[]): string {
  return names.map((name) => `  - ${name}`).join("\n");
}

async function deploy(): Promise<number> {
  return withDatabase(async (database) => {
    const { applied } = await deployMigrations(database.target);
    if (applied.length === 0) console.log(`No pending migrations: ${describeDatabase(database)} is up to date.`);
    else console.log(`Applied ${applied.length} migration(s) to ${describeDatabase(database)}:\n${listNames(applied)}`);
    return 0;
  });
}

async function dev(name: string | undefined): Promise<number> {
  if (!name) throw new Error("dev needs a migration name: dev --name <name>");
  return withDatabase(async (database) => {
    const result = await createMigration(database.target, name);
    const previously = result.applied.filter((applied) => applied !== result.migrationName);
    if (previously.length > 0) console.log(`Applied pending migration(s) first:\n${listNames(previously)}`);
    if (result.migrationName === null) {
      console.log("prisma/schema.prisma has no changes since the last migration: nothing created.");
    } else {
      console.log(`Created ${result.migrationFile} and applied it to ${describeDatabase(database)}.`);
    }
    return 0;
  });
}

async function diff(): Promise<number> {
  return withDatabase(
    async (database) => {
      const sql = await diffMigrationsToSchema(database.target);
      if (sql === "") {
        console.log("prisma/migrations matches prisma/schema.prisma.");
        return 0;
      }
      console.log(sql);
      console.error("\nprisma/schema.prisma has changes no migration covers: run `npm run db:migrate:dev -- --name <name>`.");
      return 2;
    },
    { memory: true },
  );
}

async function status(): Promise<number> {
  return withDatabase(async (database) => {
    const report = await migrationStatus(database.target);
    console.log(`${describeDatabase(database)}: ${report.local.length} migration(s) in prisma/migrations`);
    for (const name of report.local) {
      const state = report.failed.includes(name) ? "failed" : report.pending.includes(name) ? "pending" : "applied";
      console.log(`  ${state.padEnd(8)} ${name}${report.edited.includes(name) ? " (edited after it was applied)" : ""}`);
    }
    for (const name of report.unknownInDatabase) console.log(`  unknown  ${name} (in the database, not in prisma/migrations)`);
    console.log(report.upToDate ? "Database schema is up to date." : "Database schema is NOT up to date: run `npm run db:migrate`.");
    return report.upToDate ? 0 : 1;
  });
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: "string", short: "n" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const parsedCommand = commandSchema.safeParse(positionals[0] ?? "deploy");
  if (!parsedCommand.success || positionals.length > 1) {
    console.error(`Unknown command: ${positionals.join(" ")}\n\n${usage}`);
    return 64;
  }
  switch (parsedCommand.data) {
    case "deploy":
      return deploy();
    case "dev":
      return dev(values.name);
    case "diff":
      return diff();
    case "status":
      return status();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`db-migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
