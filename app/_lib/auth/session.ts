// The session cookie and the current user, for server components, server actions and route handlers.
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { Role } from "@/prisma/generated/client/enums";
import { getPrisma } from "../db";
import { env } from "../env";
import { AppError } from "../errors";
import { closeSession, openSession, userForToken, type SessionUser } from "./accounts";

export const sessionCookieName = "ica_session";

/** Secure cookies everywhere except plain HTTP to a non-loopback host, where browsers would drop them. */
async function cookieShouldBeSecure(): Promise<boolean> {
  const h = await headers();
  const proto = h.get("x-forwarded-proto") ?? "http";
  const host = (h.get("host") ?? "").replace(/:\d+$/, "");
  return proto === "https" || ["localhost", "127.0.0.1", "[::1]"].includes(host);
}

/** Signs the user in on this browser. */
export async function startSession(userId: string): Promise<void> {
  const { token, expiresAt } = await openSession(getPrisma(), userId, env().SESSION_TTL_HOURS);
  (await cookies()).set(sessionCookieName, token, {
    httpOnly: true,
    secure: await cookieShouldBeSecure(),
    sameSite: "lax",
    path: "/",
    expires: expiresAt,
  });
}

/** Signs the user out on this browser. */
export async function endSession(): Promise<void> {
  const jar = await cookies();
  await closeSession(getPrisma(), jar.get(sessionCookieName)?.value);
  jar.delete(sessionCookieName);
}

/** The signed-in user, or null. */
export async function currentUser(): Promise<SessionUser | null> {
  return userForToken(getPrisma(), (await cookies()).get(sessionCookieName)?.value);
}

/** For pages: the signed-in user, or a redirect to sign-in that comes back here afterwards. */
export async function requireUser(returnTo: string): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(returnTo)}`);
  return user;
}

/** For pages: a user holding one of the roles; others see the 403 page. */
export async function requireRole(returnTo: string, roles: Role[]): Promise<SessionUser> {
  const user = await requireUser(returnTo);
  if (!roles.includes(user.role)) redirect(`/forbidden?from=${encodeURIComponent(returnTo)}`);
  return user;
}

/** For route handlers: the signed-in user (optionally with a role) or a 401/403 AppError. */
export async function apiUser(roles?: Role[]): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw new AppError("unauthorized", "Sign in to use this endpoint.");
  if (roles && !roles.includes(user.role)) throw new AppError("forbidden", "Your role does not allow this.");
  return user;
}
