// Accounts, sessions, admin bootstrap and access rules against a real (in-memory PGlite) database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authenticate,
  closeSession,
  createAccount,
  ensureAdmin,
  openSession,
  signUpInput,
  userForToken,
} from "@/app/_lib/auth/accounts";
import { canViewLearner } from "@/app/_lib/auth/access";
import { AppError } from "@/app/_lib/errors";
import { changeRole } from "@/app/_lib/queries/users";
import type { Database } from "@/prisma/database";
import { migratedMemoryDatabase } from "../support/database";

let db: Database;
beforeAll(async () => {
  db = await migratedMemoryDatabase();
});
afterAll(async () => {
  await db.close();
});

const alice = { name: "Alice", email: "Alice@Example.com", password: "correct horse battery" };

describe("accounts", () => {
  it("stores a memory-hard hash, never the password, and lower-cases the email", async () => {
    const user = await createAccount(db.prisma, signUpInput.parse(alice));
    expect(user).toMatchObject({ email: "alice@example.com", role: "LEARNER" });
    const row = await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.passwordHash).not.toContain(alice.password);
  });

  it("refuses a second account with the same email as a 409 naming the field", async () => {
    const error = await createAccount(db.prisma, signUpInput.parse({ ...alice, email: "alice@example.com" })).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error.status).toBe(409);
    expect(error.fields).toEqual([{ path: "email", message: "already registered" }]);
    expect(await db.prisma.user.count({ where: { email: "alice@example.com" } })).toBe(1);
  });

  it("authenticates the right password and rejects a wrong one with the same message as an unknown email", async () => {
    await expect(authenticate(db.prisma, { email: "alice@example.com", password: alice.password })).resolves.toMatchObject({ name: "Alice" });
    const wrong = await authenticate(db.prisma, { email: "alice@example.com", password: "nope" }).catch((e) => e);
    const unknown = await authenticate(db.prisma, { email: "bob@example.com", password: "nope" }).catch((e) => e);
    expect(wrong.status).toBe(401);
    expect(unknown.message).toBe(wrong.message);
  });

  it("validates sign-up input with a message per field", () => {
    const result = signUpInput.safeParse({ name: "", email: "not-an-email", password: "short" });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join("."));
    expect(paths.sort()).toEqual(["email", "name", "password"]);
  });
});

describe("sessions", () => {
  it("resolves a token to its user until it is closed", async () => {
    const user = await authenticate(db.prisma, { email: "alice@example.com", password: alice.password });
    const { token } = await openSession(db.prisma, user.id, 1);
    expect((await userForToken(db.prisma, token))?.id).toBe(user.id);
    await closeSession(db.prisma, token);
    expect(await userForToken(db.prisma, token)).toBeNull();
  });

  it("treats expired and unknown tokens as signed out and deletes the expired session", async () => {
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: "alice@example.com" } });
    const { token } = await openSession(db.prisma, user.id, 1);
    await db.prisma.session.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await userForToken(db.prisma, token)).toBeNull();
    expect(await db.prisma.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await userForToken(db.prisma, "made-up-token")).toBeNull();
  });
});

describe("admin bootstrap", () => {
  it("creates one admin with a generated password, then does nothing on later starts", async () => {
    const first = await ensureAdmin(db.prisma, {});
    expect(first).toMatchObject({ created: true, email: "admin@ica.local", generated: true });
    if (!first.created) throw new Error("expected an admin to be created");
    await expect(authenticate(db.prisma, { email: first.email, password: first.password })).resolves.toMatchObject({ role: "ADMIN" });
    expect(await ensureAdmin(db.prisma, {})).toEqual({ created: false });
  });

  it("never demotes the last admin", async () => {
    const admin = await db.prisma.user.findFirstOrThrow({ where: { role: "ADMIN" } });
    await expect(changeRole(db.prisma, admin.id, "LEARNER")).rejects.toMatchObject({ code: "conflict" });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).role).toBe("ADMIN");
  });
});

describe("who may see a learner's data", () => {
  it("allows the learner, admins and the learner's instructors; refuses other learners and other instructors", async () => {
    const make = (name: string, role: "LEARNER" | "INSTRUCTOR") =>
      createAccount(db.prisma, signUpInput.parse({ name, email: `${name}@example.com`, password: "long enough pw" }), role);
    const [learner, other, teacher, stranger] = await Promise.all([
      make("learner", "LEARNER"),
      make("other", "LEARNER"),
      make("teacher", "INSTRUCTOR"),
      make("stranger", "INSTRUCTOR"),
    ]);
    const admin = await db.prisma.user.findFirstOrThrow({ where: { role: "ADMIN" } });
    await db.prisma.cohort.create({
      data: { name: "Spring", joinCode: "SPRING1", instructorId: teacher.id, memberships: { create: { userId: learner.id } } },
    });
    expect(await canViewLearner(db.prisma, learner, learner.id)).toBe(true);
    expect(await canViewLearner(db.prisma, { ...admin }, learner.id)).toBe(true);
    expect(await canViewLearner(db.prisma, teacher, learner.id)).toBe(true);
    expect(await canViewLearner(db.prisma, other, learner.id)).toBe(false);
    expect(await canViewLearner(db.prisma, stranger, learner.id)).toBe(false);
  });
});
