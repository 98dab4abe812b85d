// Who may see whose learning data: the learner, an admin, or an instructor teaching a cohort the learner is in.
import type { PrismaClient } from "@/prisma/generated/client/client";
import type { SessionUser } from "./accounts";

export async function canViewLearner(prisma: PrismaClient, viewer: SessionUser, learnerId: string): Promise<boolean> {
  if (viewer.id === learnerId || viewer.role === "ADMIN") return true;
  if (viewer.role !== "INSTRUCTOR") return false;
  const shared = await prisma.cohortMembership.count({
    where: { userId: learnerId, cohort: { instructorId: viewer.id } },
  });
  return shared > 0;
}
