// Cohorts: instructors create them and share a join code; learners join with it.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@/prisma/generated/client/client";
import { AppError } from "../errors";

/** A short, unambiguous join code (no 0/O/1/I). */
function newJoinCode(): string {
  const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  return [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join("");
}

export async function createCohort(prisma: PrismaClient, instructorId: string, name: string) {
  return prisma.cohort.create({
    data: { name, joinCode: newJoinCode(), instructorId },
    select: { id: true, name: true, joinCode: true },
  });
}

export async function joinCohort(prisma: PrismaClient, userId: string, joinCode: string) {
  const cohort = await prisma.cohort.findUnique({ where: { joinCode: joinCode.toUpperCase() }, select: { id: true, name: true } });
  if (!cohort) throw new AppError("not_found", "No cohort has this join code. Check it with your instructor.", [
    { path: "joinCode", message: "unknown join code" },
  ]);
  await prisma.cohortMembership.upsert({
    where: { cohortId_userId: { cohortId: cohort.id, userId } },
    create: { cohortId: cohort.id, userId },
    update: {},
  });
  return cohort;
}
