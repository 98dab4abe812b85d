// One learner's progress, for an instructor who teaches them (or an admin).
import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { ProgressSummary } from "../../../_components/progress-summary";
import { canViewLearner } from "../../../_lib/auth/access";
import { requireRole } from "../../../_lib/auth/session";
import { getPrisma } from "../../../_lib/db";
import { learnerProgress } from "../../../_lib/queries/progress";

export const metadata: Metadata = { title: "Learner progress" };

export default async function LearnerProgressPage({ params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  const here = `/instructor/learners/${encodeURIComponent(userId)}`;
  const viewer = await requireRole(here, ["INSTRUCTOR", "ADMIN"]);
  const prisma = getPrisma();
  if (!(await canViewLearner(prisma, viewer, userId))) redirect(`/forbidden?from=${encodeURIComponent(here)}`);
  const progress = await learnerProgress(prisma, userId);
  if (!progress) notFound();
  return (
    <div className="space-y-6">
      <h1 className="text-3xl font-bold">{progress.learner.name}</h1>
      <ProgressSummary progress={progress} />
    </div>
  );
}
