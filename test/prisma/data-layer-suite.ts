// The data-layer behaviours every database engine must show (PGlite and PostgreSQL run the same suite).
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/prisma/database";
import { Prisma } from "@/prisma/generated/client/client";
import { createMigration, deployMigrations, diffMigrationsToSchema, migrationStatus } from "@/prisma/migrate";

const repoPrismaDir = path.resolve(import.meta.dirname, "../../prisma");
const schemaPath = path.join(repoPrismaDir, "schema.prisma");
const migrationsDir = path.join(repoPrismaDir, "migrations");

/** The migration folders committed in prisma/migrations, oldest first. */
export function committedMigrations(): string[] {
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function sha256OfMigration(name: string): string {
  return createHash("sha256").update(fs.readFileSync(path.join(migrationsDir, name, "migration.sql"))).digest("hex");
}

/** A scratch copy of prisma/ (schema + migrations) the test may change; removed after the suite. */
function scratchPrismaDir(): { schemaPath: string; migrationsDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ica-prisma-"));
  fs.copyFileSync(schemaPath, path.join(dir, "schema.prisma"));
  fs.cpSync(migrationsDir, path.join(dir, "migrations"), { recursive: true });
  return { schemaPath: path.join(dir, "schema.prisma"), migrationsDir: path.join(dir, "migrations") };
}

/** Adds `nickname String?` to the User model of a schema file. */
function addNicknameToUser(file: string): void {
  const schema = fs.readFileSync(file, "utf8");
  const changed = schema.replace(/(model User \{\n)/, "$1  nickname String?\n");
  expect(changed).not.toBe(schema);
  fs.writeFileSync(file, changed);
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  finished_at: Date | null;
  applied_steps_count: number;
}

export interface DataLayerSuiteOptions {
  /** Engine name for the test titles. */
  label: string;
  /** Opens a new, empty database (each call a separate one). */
  openFreshDatabase(): Promise<Database>;
}

export function defineDataLayerSuite({ label, openFreshDatabase }: DataLayerSuiteOptions): void {
  describe(`data layer on ${label}`, () => {
    let database: Database;
    let firstDeploy: string[];
    const scratchDirs: string[] = [];
    const extraDatabases: Database[] = [];

    async function extraDatabase(): Promise<Database> {
      const extra = await openFreshDatabase();
      extraDatabases.push(extra);
      return extra;
    }

    function scratch(): { schemaPath: string; migrationsDir: string } {
      const paths = scratchPrismaDir();
      scratchDirs.push(path.dirname(paths.schemaPath));
      return paths;
    }

    beforeAll(async () => {
      database = await openFreshDatabase();
      firstDeploy = (await deployMigrations(database.target)).applied;
    });

    afterAll(async () => {
      await Promise.all([database, ...extraDatabases].map((opened) => opened?.close()));
      for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("deploy applies every committed migration and records it the way prisma migrate deploy does", async () => {
      const committed = committedMigrations();
      expect(committed.length).toBeGreaterThan(0);
      expect(firstDeploy).toEqual(committed);
      const rows = await database.prisma.$queryRaw<MigrationRow[]>`
        SELECT id, checksum, migration_name, logs, rolled_back_at, started_at, finished_at, applied_steps_count
        FROM _prisma_migrations ORDER BY migration_name`;
      expect(rows.map((row) => row.migration_name)).toEqual(committed);
      for (const row of rows) {
        expect(row.checksum).toBe(sha256OfMigration(row.migration_name));
        expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(row.logs).toBeNull();
        expect(row.rolled_back_at).toBeNull();
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
        expect(row.applied_steps_count).toBe(1);
      }
    });

    it("a second deploy applies nothing and status reports the database up to date", async () => {
      expect((await deployMigrations(database.target)).applied).toEqual([]);
      const status = await migrationStatus(database.target);
      expect(status).toMatchObject({ pending: [], failed: [], edited: [], unknownInDatabase: [], upToDate: true });
      expect(status.local).toEqual(committedMigrations());
    });

    it("stores a lab session's grade runs with JSON evidence and reads them back through relations", async () => {
      const evidence = {
        resource: { kind: "VirtualService", namespace: "default", name: "reviews" },
        routes: [{ destination: { host: "reviews", subset: "v2" }, weight: 80 }, { destination: { host: "reviews", subset: "v3" }, weight: 20 }],
        matched: true,
        note: "unicode ✓ and \"quotes\"",
      };
      const user = await database.prisma.user.create({
        data: {
          email: "grader@example.com",
          name: "Grace",
          passwordHash: "scrypt$abc",
          labSessions: {
            create: {
              labId: "traffic-shifting",
              environment: { create: { driver: "EMBEDDED", clusterName: `lab-${label}-1` } },
              gradeRuns: {
                create: {
                  durationMs: 42,
                  results: {
                    create: [
                      { objectiveId: "weights-80-20", status: "PASS", evidence },
                      { objectiveId: "subset-defined", status: "FAIL", evidence: { missing: ["v3"] } },
                    ],
                  },
                },
              },
            },
          },
        },
      });
      const loaded = await database.prisma.user.findUniqueOrThrow({
        where: { id: user.id },
        include: { labSessions: { include: { environment: true, gradeRuns: { include: { results: { orderBy: { objectiveId: "desc" } } } } } } },
      });
      const session = loaded.labSessions[0]!;
      expect(session.state).toBe("ACTIVE");
      expect(session.environment).toMatchObject({ driver: "EMBEDDED", state: "REQUESTED", userId: null });
      const results = session.gradeRuns[0]!.results;
      expect(results.map((result) => [result.objectiveId, result.status])).toEqual([
        ["weights-80-20", "PASS"],
        ["subset-defined", "FAIL"],
      ]);
      expect(results[0]!.evidence).toEqual(evidence);
      const jsonMatch = await database.prisma.objectiveResult.findMany({
        where: { evidence: { path: ["resource", "name"], equals: "reviews" } },
      });
      expect(jsonMatch.map((result) => result.objectiveId)).toEqual(["weights-80-20"]);

      await database.prisma.user.delete({ where: { id: user.id } });
      expect(await database.prisma.labSession.count({ where: { userId: user.id } })).toBe(0);
      expect(await database.prisma.objectiveResult.count({ where: { objectiveId: "weights-80-20" } })).toBe(0);
      expect(await database.prisma.clusterEnvironment.count({ where: { clusterName: `lab-${label}-1` } })).toBe(1);
    });

    it("stores quiz answers as string arrays and keeps one answer per question", async () => {
      const user = await database.prisma.user.create({
        data: { email: "quiz@example.com", name: "Quinn", passwordHash: "scrypt$def" },
      });
      const attempt = await database.prisma.quizAttempt.create({
        data: {
          userId: user.id,
          quizId: "traffic-management",
          score: 1,
          maxScore: 2,
          answers: {
            create: [
              { questionId: "q1", choiceIds: ["b", "d"], correct: true },
              { questionId: "q2", choiceIds: [], correct: false },
            ],
          },
        },
        include: { answers: { orderBy: { questionId: "asc" } } },
      });
      expect(attempt.answers.map((answer) => answer.choiceIds)).toEqual([["b", "d"], []]);
      const withChoice = await database.prisma.quizAnswer.findMany({ where: { choiceIds: { has: "d" } } });
      expect(withChoice.map((answer) => answer.questionId)).toEqual(["q1"]);
      await expect(
        database.prisma.quizAnswer.create({ data: { attemptId: attempt.id, questionId: "q1", choiceIds: ["a"], correct: false } }),
      ).rejects.toMatchObject({ code: "P2002" });
    });

    it("rejects a second account with the same email as Prisma error P2002", async () => {
      await database.prisma.user.create({ data: { email: "twice@example.com", name: "First", passwordHash: "x" } });
      const duplicate = database.prisma.user.create({ data: { email: "twice@example.com", name: "Second", passwordHash: "y" } });
      await expect(duplicate).rejects.toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
      await expect(duplicate).rejects.toMatchObject({ code: "P2002" });
      expect(await database.prisma.user.count({ where: { email: "twice@example.com" } })).toBe(1);
    });

    it("drift check: prisma/migrations produce exactly prisma/schema.prisma", async () => {
      expect(await diffMigrationsToSchema(database.target)).toBe("");
    });

    it("drift check fails when the schema gains a field no migration adds", async () => {
      const paths = scratch();
      addNicknameToUser(paths.schemaPath);
      const sql = await diffMigrationsToSchema(database.target, paths);
      expect(sql).toMatch(/ALTER TABLE "User" ADD COLUMN\s+"nickname" TEXT/);
    });

    it("dev creates a timestamped migration for a schema change, applies it, and the drift check passes again", async () => {
      const paths = scratch();
      addNicknameToUser(paths.schemaPath);
      fs.rmSync(path.join(paths.migrationsDir, "migration_lock.toml"));
      const target = (await extraDatabase()).target;
      const result = await createMigration(target, "add_nickname", paths);
      expect(result.migrationName).toMatch(/^\d{14}_add_nickname$/);
      expect(result.applied).toEqual([...committedMigrations(), result.migrationName]);
      expect(fs.readFileSync(result.migrationFile!, "utf8")).toMatch(/ADD COLUMN\s+"nickname" TEXT/);
      expect(fs.readFileSync(path.join(paths.migrationsDir, "migration_lock.toml"), "utf8")).toMatch(/^provider = "postgresql"$/m);
      expect(await diffMigrationsToSchema(target, paths)).toBe("");
    });

    it("a failing migration stops deploy with the database's error and is reported as failed", async () => {
      const paths = scratch();
      const broken = path.join(paths.migrationsDir, "29991231000000_broken");
      fs.mkdirSync(broken);
      fs.writeFileSync(path.join(broken, "migration.sql"), 'ALTER TABLE "NoSuchTable" ADD COLUMN "x" INTEGER;\n');
      const target = (await extraDatabase()).target;
      await expect(deployMigrations(target, paths)).rejects.toThrow(/^Migration failed on .* in 29991231000000_broken: .*NoSuchTable[^\n]*$/);
      const status = await migrationStatus(target, paths);
      expect(status.failed).toEqual(["29991231000000_broken"]);
      expect(status.upToDate).toBe(false);
    });
  });
}
