// Quiz attempts in the database: grade a submission against the quiz file, store the attempt with every answer,
// and list a learner's earlier attempts.
import { AnswerError, gradeQuiz, type QuizGrade, type SubmittedAnswer } from "@/content/quizzes";
import type { Quiz } from "@/content/course";
import type { PrismaClient } from "@/prisma/generated/client/client";
import { AppError } from "../../_lib/errors";

export interface AttemptSummary {
  id: string;
  score: number;
  maxScore: number;
  submittedAt: string;
}

/** Grades and stores one attempt; answers that do not fit the quiz are a 422 naming the field. */
export async function submitAttempt(prisma: PrismaClient, userId: string, quiz: Quiz, answers: SubmittedAnswer[]): Promise<QuizGrade & { attemptId: string }> {
  let grade: QuizGrade;
  try {
    grade = gradeQuiz(quiz, answers);
  } catch (error) {
    if (error instanceof AnswerError) throw new AppError("invalid_input", error.message, [{ path: error.path, message: error.message }]);
    throw error;
  }
  const attempt = await prisma.quizAttempt.create({
    data: {
      userId,
      quizId: quiz.id,
      score: grade.score,
      maxScore: grade.maxScore,
      submittedAt: new Date(),
      answers: { create: grade.results.map((r) => ({ questionId: r.questionId, choiceIds: r.selected, correct: r.correct })) },
    },
  });
  return { ...grade, attemptId: attempt.id };
}

/** A learner's submitted attempts at a quiz, newest first. */
export async function attemptsOf(prisma: PrismaClient, userId: string, quizId: string): Promise<AttemptSummary[]> {
  const rows = await prisma.quizAttempt.findMany({
    where: { userId, quizId, submittedAt: { not: null } },
    orderBy: { submittedAt: "desc" },
    select: { id: true, score: true, maxScore: true, submittedAt: true },
    take: 20,
  });
  return rows.map((r) => ({ id: r.id, score: r.score, maxScore: r.maxScore, submittedAt: r.submittedAt!.toISOString() }));
}
