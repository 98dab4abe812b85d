// Lesson progress in the database: opened (startedAt) and read (completedAt), one row per learner and lesson.
import type { PrismaClient } from "@/prisma/generated/client/client";

export interface LessonProgressView {
  lessonId: string;
  started: boolean;
  completed: boolean;
}

export async function lessonProgress(prisma: PrismaClient, userId: string, lessonId: string): Promise<LessonProgressView> {
  const row = await prisma.lessonProgress.findUnique({ where: { userId_lessonId: { userId, lessonId } } });
  return { lessonId, started: Boolean(row), completed: Boolean(row?.completedAt) };
}

/** Records that the learner opened a lesson, and marks it read (or unread) when asked. */
export async function recordLessonProgress(prisma: PrismaClient, userId: string, lessonId: string, completed: boolean | undefined): Promise<LessonProgressView> {
  const completedAt = completed === undefined ? undefined : completed ? new Date() : null;
  const row = await prisma.lessonProgress.upsert({
    where: { userId_lessonId: { userId, lessonId } },
    create: { userId, lessonId, completedAt: completedAt ?? null },
    update: completedAt === undefined ? {} : { completedAt },
  });
  return { lessonId, started: true, completed: Boolean(row.completedAt) };
}
