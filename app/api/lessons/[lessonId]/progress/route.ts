// GET /api/lessons/[lessonId]/progress — whether the caller is signed in and has read the lesson (lesson pages are
// static, so they ask here). POST {completed?} — records the visit and marks the lesson read or unread.
import { z } from "zod";
import { findLesson } from "@/content/course";
import { apiUser, currentUser } from "../../../../_lib/auth/session";
import { getPrisma } from "../../../../_lib/db";
import { AppError, handleRouteError } from "../../../../_lib/errors";
import { readJson } from "../../../../_lib/http";
import { lessonProgress, recordLessonProgress } from "../../../../lessons/_lib/progress";

const params = z.object({ lessonId: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "not a lesson id").max(80) });
const body = z.object({ completed: z.boolean().optional() }).strict();

type Context = { params: Promise<{ lessonId: string }> };

async function lessonFrom(context: Context): Promise<string> {
  const { lessonId } = params.parse(await context.params);
  if (!findLesson(lessonId)) throw new AppError("not_found", `There is no lesson "${lessonId}".`);
  return lessonId;
}

export async function GET(_: Request, context: Context): Promise<Response> {
  try {
    const lessonId = await lessonFrom(context);
    const user = await currentUser();
    if (!user) return Response.json({ signedIn: false, lessonId, started: false, completed: false });
    return Response.json({ signedIn: true, ...(await lessonProgress(getPrisma(), user.id, lessonId)) });
  } catch (error) {
    return handleRouteError(error);
  }
}

export async function POST(request: Request, context: Context): Promise<Response> {
  try {
    const user = await apiUser();
    const lessonId = await lessonFrom(context);
    const { completed } = await readJson(request, body, 1024);
    return Response.json({ signedIn: true, ...(await recordLessonProgress(getPrisma(), user.id, lessonId, completed)) });
  } catch (error) {
    return handleRouteError(error);
  }
}
