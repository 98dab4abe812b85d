// A learner's progress, read from the database: lessons, quiz scores, labs and passed objectives.
import type { PrismaClient } from "@/prisma/generated/client/client";

export interface LearnerProgress {
  learner: { id: string; name: string; email: string };
  lessonsCompleted: string[];
  quizzes: { quizId: string; bestScore: number; maxScore: number; attempts: number }[];
  labs: { labId: string; sessions: number; objectivesPassed: string[] }[];
}

export async function learnerProgress(prisma: PrismaClient, userId: string): Promise<LearnerProgress | null> {
  const learner = await prisma.user.findUnique({ where: { id: userId }, select: { id: true, name: true, email: true } });
  if (!learner) return null;
  const [lessons, attempts, sessions] = await Promise.all([
    prisma.lessonProgress.findMany({ where: { userId, completedAt: { not: null } }, select: { lessonId: true } }),
    prisma.quizAttempt.findMany({ where: { userId, submittedAt: { not: null } }, select: { quizId: true, score: true, maxScore: true } }),
    prisma.labSession.findMany({
      where: { userId },
      select: { labId: true, gradeRuns: { select: { results: { where: { status: "PASS" }, select: { objectiveId: true } } } } },
    }),
  ]);
  const quizzes = new Map<string, LearnerProgress["quizzes"][number]>();
  for (const a of attempts) {
    const q = quizzes.get(a.quizId) ?? { quizId: a.quizId, bestScore: 0, maxScore: a.maxScore, attempts: 0 };
    q.attempts += 1;
    q.bestScore = Math.max(q.bestScore, a.score);
    quizzes.set(a.quizId, q);
  }
  const labs = new Map<string, { labId: string; sessions: number; passed: Set<string> }>();
  for (const s of sessions) {
    const lab = labs.get(s.labId) ?? { labId: s.labId, sessions: 0, passed: new Set<string>() };
    lab.sessions += 1;
    for (const run of s.gradeRuns) for (const r of run.results) lab.passed.add(r.objectiveId);
    labs.set(s.labId, lab);
  }
  return {
    learner,
    lessonsCompleted: lessons.map((l) => l.lessonId).sort(),
    quizzes: [...quizzes.values()],
    labs: [...labs.values()].map((l) => ({ labId: l.labId, sessions: l.sessions, objectivesPassed: [...l.passed].sort() })),
  };
}
