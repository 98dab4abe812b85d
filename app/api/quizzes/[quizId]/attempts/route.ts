// POST /api/quizzes/[quizId]/attempts — grades and saves the caller's answers, returning every explanation.
// GET — the caller's earlier attempts at this quiz.
import { z } from "zod";
import { findQuiz } from "@/content/course";
import { apiUser } from "../../../../_lib/auth/session";
import { getPrisma } from "../../../../_lib/db";
import { AppError, handleRouteError } from "../../../../_lib/errors";
import { readJson } from "../../../../_lib/http";
import { attemptsOf, submitAttempt } from "../../../../quizzes/_lib/attempts";

const params = z.object({ quizId: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "not a quiz id").max(80) });
const body = z
  .object({
    answers: z
      .array(z.object({ questionId: z.string().min(1).max(80), choiceIds: z.array(z.string().regex(/^[a-z]$/, "choice ids are single letters")).max(6) }).strict())
      .max(100),
  })
  .strict();

type Context = { params: Promise<{ quizId: string }> };

async function quizFrom(context: Context) {
  const { quizId } = params.parse(await context.params);
  const quiz = findQuiz(quizId);
  if (!quiz) throw new AppError("not_found", `There is no quiz "${quizId}".`);
  return quiz;
}

export async function POST(request: Request, context: Context): Promise<Response> {
  try {
    const user = await apiUser();
    const quiz = await quizFrom(context);
    const { answers } = await readJson(request, body, 16 * 1024);
    return Response.json(await submitAttempt(getPrisma(), user.id, quiz, answers), { status: 201 });
  } catch (error) {
    return handleRouteError(error);
  }
}

export async function GET(_: Request, context: Context): Promise<Response> {
  try {
    const user = await apiUser();
    const quiz = await quizFrom(context);
    return Response.json({ attempts: await attemptsOf(getPrisma(), user.id, quiz.id) });
  } catch (error) {
    return handleRouteError(error);
  }
}
