// Accounts and sessions over the database, independent of Next.js so they can be tested directly.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { PrismaClient, User } from "@/prisma/generated/client/client";
import { AppError } from "../errors";
import { hashPassword, verifyPassword } from "./password";

export const signUpInput = z.object({
  name: z.string().trim().min(1, "Enter your name").max(100, "Use at most 100 characters"),
  email: z.email("Enter a valid email address").max(254).transform((e) => e.toLowerCase()),
  password: z.string().min(10, "Use at least 10 characters").max(200, "Use at most 200 characters"),
});
export type SignUpInput = z.infer<typeof signUpInput>;

export const signInInput = z.object({
  email: z.email("Enter a valid email address").max(254).transform((e) => e.toLowerCase()),
  password: z.string().min(1, "Enter your password").max(200),
});
export type SignInInput = z.infer<typeof signInInput>;

/** What the app may know about the signed-in user (never the password hash). */
export type SessionUser = Pick<User, "id" | "email" | "name" | "role">;

const publicFields = { id: true, email: true, name: true, role: true } as const;

function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Creates a learner account; a taken email is a 409 that says so. */
export async function createAccount(prisma: PrismaClient, input: SignUpInput, role: User["role"] = "LEARNER") {
  const existing = await prisma.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw new AppError("conflict", "An account with this email already exists. Sign in instead.", [
    { path: "email", message: "already registered" },
  ]);
  return prisma.user.create({
    data: { email: input.email, name: input.name, passwordHash: await hashPassword(input.password), role },
    select: publicFields,
  });
}

/** Checks credentials; the same message for unknown email and wrong password. */
export async function authenticate(prisma: PrismaClient, input: SignInInput): Promise<SessionUser> {
  const user = await prisma.user.findUnique({ where: { email: input.email } });
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : false;
  if (!user || !ok) throw new AppError("unauthorized", "Email or password is incorrect.");
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** Opens a session and returns the random token for the cookie (only its hash is stored). */
export async function openSession(prisma: PrismaClient, userId: string, ttlHours: number) {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await prisma.session.create({ data: { tokenHash: tokenHash(token), userId, expiresAt } });
  return { token, expiresAt };
}

/** The user behind a session token, or null when the token is unknown or expired. */
export async function userForToken(prisma: PrismaClient, token: string | undefined): Promise<SessionUser | null> {
  if (!token || token.length > 128) return null;
  const session = await prisma.session.findUnique({
    where: { tokenHash: tokenHash(token) },
    include: { user: { select: publicFields } },
  });
  if (!session) return null;
  if (session.expiresAt.getTime() <= Date.now()) {
    await prisma.session.delete({ where: { id: session.id } }).catch(() => undefined);
    return null;
  }
  return session.user;
}

/** Ends a session; unknown tokens are ignored. */
export async function closeSession(prisma: PrismaClient, token: string | undefined): Promise<void> {
  if (!token) return;
  await prisma.session.deleteMany({ where: { tokenHash: tokenHash(token) } });
}

/** Ensures an admin exists: uses the given credentials, or generates a password to print once. */
export async function ensureAdmin(
  prisma: PrismaClient,
  options: { email?: string; password?: string },
): Promise<{ created: false } | { created: true; email: string; password: string; generated: boolean }> {
  const admins = await prisma.user.count({ where: { role: "ADMIN" } });
  if (admins > 0) return { created: false };
  const email = (options.email ?? "admin@ica.local").toLowerCase();
  const generated = !options.password;
  const password = options.password ?? randomBytes(12).toString("base64url");
  const existing = await prisma.user.findUnique({ where: { email } });
  if (existing) {
    await prisma.user.update({ where: { id: existing.id }, data: { role: "ADMIN", passwordHash: await hashPassword(password) } });
  } else {
    await prisma.user.create({ data: { email, name: "Administrator", role: "ADMIN", passwordHash: await hashPassword(password) } });
  }
  return { created: true, email, password, generated };
}
