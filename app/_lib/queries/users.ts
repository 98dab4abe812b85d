// User administration shared by the admin page and the admin API.
import type { PrismaClient } from "@/prisma/generated/client/client";
import type { Role } from "@/prisma/generated/client/enums";
import { AppError } from "../errors";

/** Sets a user's role; refuses to demote the last admin so the platform always keeps one. */
export async function changeRole(prisma: PrismaClient, userId: string, role: Role) {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { role: true } });
  if (!user) throw new AppError("not_found", `No user with id ${userId}.`);
  if (user.role === "ADMIN" && role !== "ADMIN" && (await prisma.user.count({ where: { role: "ADMIN" } })) === 1) {
    throw new AppError("conflict", "This is the last admin; promote another user before changing this role.");
  }
  return prisma.user.update({ where: { id: userId }, data: { role }, select: { id: true, email: true, role: true } });
}
