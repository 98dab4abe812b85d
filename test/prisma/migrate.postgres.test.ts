// Migrations, queries and the drift check on a real PostgreSQL server through adapter-pg.
import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "@/prisma/database";
import { deployMigrations, diffMigrationsToSchema } from "@/prisma/migrate";
import { postgresAvailable, startPostgres } from "@/scripts/postgres.mjs";
import { defineDataLayerSuite } from "./data-layer-suite";

const externalServer = process.env.TEST_DATABASE_URL;
const serverAvailable = Boolean(externalServer) || postgresAvailable();
if (!serverAvailable) {
  console.warn("PostgreSQL tests skipped: no TEST_DATABASE_URL and no server binaries under /usr/lib/postgresql/*/bin");
}

let serverUrl = "";
let stopServer: (() => Promise<void>) | undefined;
let admin: pg.Client | undefined;
const createdDatabases: string[] = [];

/** A new empty database on the test server, so every suite (and test that needs one) starts clean. */
async function createDatabase(): Promise<string> {
  const name = `ica_test_${process.pid}_${createdDatabases.length + 1}`;
  await admin!.query(`CREATE DATABASE "${name}"`);
  createdDatabases.push(name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

beforeAll(async () => {
  if (!serverAvailable) return;
  if (externalServer) {
    serverUrl = externalServer;
  } else {
    const cluster = await startPostgres();
    serverUrl = cluster.url;
    stopServer = cluster.stop;
  }
  admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
});

afterAll(async () => {
  for (const name of createdDatabases) await admin?.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin?.end();
  await stopServer?.();
});

describe.skipIf(!serverAvailable)("PostgreSQL server", () => {
  defineDataLayerSuite({
    label: "PostgreSQL",
    openFreshDatabase: async () => openDatabase({ databaseUrl: await createDatabase() }),
  });

  describe("shadow database", () => {
    let database: Database;
    beforeAll(async () => {
      database = openDatabase({ databaseUrl: await createDatabase() });
      await deployMigrations(database.target);
    });
    afterAll(async () => database?.close());

    it("needs CREATEDB, and says so when the role lacks it", async () => {
      const role = `ica_app_${process.pid}`;
      const url = new URL(await createDatabase());
      const databaseName = url.pathname.slice(1);
      url.username = role;
      await admin!.query(`CREATE ROLE "${role}" LOGIN`);
      try {
        await admin!.query(`ALTER DATABASE "${databaseName}" OWNER TO "${role}"`);
        const target = { kind: "postgres" as const, databaseUrl: url.toString() };
        expect((await deployMigrations(target)).applied.length).toBeGreaterThan(0);
        await expect(diffMigrationsToSchema(target)).rejects.toThrow(/permission denied to create database.*needs CREATEDB/);
      } finally {
        await admin!.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
        await admin!.query(`DROP ROLE "${role}"`);
      }
    });

    it("is dropped after the drift check, leaving no prisma_migrate_shadow_db_* behind", async () => {
      expect(await diffMigrationsToSchema(database.target)).toBe("");
      const { rows } = await admin!.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'");
      expect(rows).toEqual([]);
    });
  });
});

describe("unreachable PostgreSQL", () => {
  it("deploy names the host and port and says what to check", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const target = { kind: "postgres" as const, databaseUrl: `postgresql://ica:secret@127.0.0.1:${port}/ica` };
    const failure = deployMigrations(target);
    await expect(failure).rejects.toThrow(`Cannot connect to PostgreSQL at 127.0.0.1:${port}/ica`);
    await expect(failure).rejects.toThrow(/ECONNREFUSED.*check that PostgreSQL is running/);
    await expect(failure).rejects.not.toThrow(/secret/);
  });
});
