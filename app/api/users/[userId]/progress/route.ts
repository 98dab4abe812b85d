// GET /api/users/[userId]/progress — a learner's progress, for that learner, their instructors, and admins.
import { z } from "zod";
import { canViewLearner } from "../../../../_lib/auth/access";
import { apiUser } from "../../../../_lib/auth/session";
import { getPrisma } from "../../../../_lib/db";
import { AppError, handleRouteError } from "../../../../_lib/errors";
import { learnerProgress } from "../../../../_lib/queries/progress";

const params = z.object({ userId: z.string().min(1).max(64) });

export async function GET(_: Request, context: { params: Promise<{ userId: string }> }): Promise<Response> {
  try {
    const { userId } = params.parse(await context.params);
    const viewer = await apiUser();
    const prisma = getPrisma();
    if (!(await canViewLearner(prisma, viewer, userId))) {
      throw new AppError("forbidden", "You can only see your own progress, or that of learners in cohorts you teach.");
    }
    const progress = await learnerProgress(prisma, userId);
    if (!progress) throw new AppError("not_found", `No learner with id ${userId}.`);
    return Response.json(progress);
  } catch (error) {
    return handleRouteError(error);
  }
}
