// Opening the database: settings validation, engine choice, the shared client, and PGlite persistence on disk.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  closeSharedDatabase,
  ensurePgliteTemplate,
  explainConnectionFailure,
  getDatabase,
  getPrisma,
  openDatabase,
  readDatabaseSettings,
} from "@/prisma/database";
import { deployMigrations } from "@/prisma/migrate";

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ica-data-"));
  tempDirs.push(dir);
  return dir;
}

beforeAll(async () => {
  await ensurePgliteTemplate();
});

afterEach(async () => {
  await closeSharedDatabase();
  vi.unstubAllEnvs();
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("database settings", () => {
  it("defaults to PGlite under ./data when DATABASE_URL is unset or empty", () => {
    expect(readDatabaseSettings({})).toEqual({ databaseUrl: undefined, dataDir: "./data" });
    expect(readDatabaseSettings({ DATABASE_URL: "", ICA_DATA_DIR: "/srv/ica" })).toEqual({ databaseUrl: undefined, dataDir: "/srv/ica" });
  });

  it("accepts postgres:// and postgresql:// URLs", () => {
    expect(readDatabaseSettings({ DATABASE_URL: "postgres://u:p@db:5432/ica" }).databaseUrl).toBe("postgres://u:p@db:5432/ica");
    expect(readDatabaseSettings({ DATABASE_URL: "postgresql://db/ica" }).databaseUrl).toBe("postgresql://db/ica");
  });

  it("rejects other URLs with a message naming DATABASE_URL", () => {
    expect(() => readDatabaseSettings({ DATABASE_URL: "mysql://db/ica" })).toThrow(/DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//);
    expect(() => openDatabase({ databaseUrl: "file:./dev.db" })).toThrow(/postgres:\/\//);
  });

  it("explains connection failures with the server, the cause and what to check, without the password", () => {
    const refused = explainConnectionFailure("postgresql://ica:s3cret@db.internal:6543/lab", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
    expect(refused.message).toMatch(/^Cannot connect to PostgreSQL at db\.internal:6543\/lab: connect ECONNREFUSED\. Hint: .*PostgreSQL is running/);
    expect(refused.message).not.toContain("s3cret");
    const badPassword = explainConnectionFailure("postgres://ica:x@db/lab", Object.assign(new Error("password authentication failed"), { code: "28P01" }));
    expect(badPassword.message).toMatch(/db:5432\/lab.*password was rejected/);
  });
});

describe("openDatabase", () => {
  it("uses adapter-pg for a DATABASE_URL and PGlite otherwise", async () => {
    const postgres = openDatabase({ databaseUrl: "postgresql://ica@127.0.0.1:1/ica" });
    expect(postgres.kind).toBe("postgres");
    expect(postgres.target).toEqual({ kind: "postgres", databaseUrl: "postgresql://ica@127.0.0.1:1/ica" });
    await postgres.close();

    vi.stubEnv("DATABASE_URL", "postgresql://ica@127.0.0.1:1/ica");
    const memory = openDatabase({ memory: true });
    expect(memory.kind).toBe("pglite");
    await memory.close();
  });

  it("keeps PGlite data in <dataDir>/pglite across close and reopen, one open at a time", async () => {
    const dataDir = tempDir();
    const first = openDatabase({ dataDir });
    expect(first.kind).toBe("pglite");
    await deployMigrations(first.target);
    await first.prisma.user.create({ data: { email: "persist@example.com", name: "Pat", passwordHash: "x", role: "INSTRUCTOR" } });
    expect(() => openDatabase({ dataDir })).toThrow(/is open in this process already.*one process per data dir/);
    await first.close();
    await first.close();
    expect(fs.existsSync(path.join(dataDir, "pglite", "PG_VERSION"))).toBe(true);

    const reopened = openDatabase({ dataDir });
    try {
      const user = await reopened.prisma.user.findUnique({ where: { email: "persist@example.com" } });
      expect(user).toMatchObject({ name: "Pat", role: "INSTRUCTOR" });
      expect((await deployMigrations(reopened.target)).applied).toEqual([]);
    } finally {
      await reopened.close();
    }
    expect(fs.existsSync(path.join(dataDir, "pglite.lock"))).toBe(false);
  });
});

describe("one process per PGlite data dir", () => {
  it("names another live process holding the data dir, and takes over a lock left by a dead one", async () => {
    const dataDir = tempDir();
    const lockFile = path.join(dataDir, "pglite.lock");
    fs.writeFileSync(lockFile, `${process.ppid}\n`);
    expect(() => openDatabase({ dataDir })).toThrow(`open in process ${process.ppid}`);

    const finished = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    fs.writeFileSync(lockFile, `${finished.stdout}\n`);
    const database = openDatabase({ dataDir });
    expect(fs.readFileSync(lockFile, "utf8").trim()).toBe(String(process.pid));
    await database.close();
  });
});

describe("getPrisma", () => {
  it("returns one shared client per process, on the data dir from ICA_DATA_DIR", async () => {
    const dataDir = tempDir();
    vi.stubEnv("DATABASE_URL", "");
    vi.stubEnv("ICA_DATA_DIR", dataDir);
    const prisma = getPrisma();
    expect(getPrisma()).toBe(prisma);
    expect(getDatabase().kind).toBe("pglite");
    await deployMigrations(getDatabase().target);
    await prisma.user.create({ data: { email: "shared@example.com", name: "Sam", passwordHash: "x" } });
    expect(fs.existsSync(path.join(dataDir, "pglite", "PG_VERSION"))).toBe(true);

    await closeSharedDatabase();
    const reopened = getPrisma();
    expect(reopened).not.toBe(prisma);
    expect(await reopened.user.count({ where: { email: "shared@example.com" } })).toBe(1);
  });
});
