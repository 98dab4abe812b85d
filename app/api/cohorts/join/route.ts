// POST /api/cohorts/join — a signed-in learner joins a cohort with its join code.
import { z } from "zod";
import { apiUser } from "../../../_lib/auth/session";
import { getPrisma } from "../../../_lib/db";
import { handleRouteError } from "../../../_lib/errors";
import { readJson } from "../../../_lib/http";
import { joinCohort } from "../../../_lib/queries/cohorts";

const body = z.object({ joinCode: z.string().trim().regex(/^[2-9A-Za-z]{8}$/, "A join code is 8 letters and digits") }).strict();

export async function POST(request: Request): Promise<Response> {
  try {
    const learner = await apiUser();
    const { joinCode } = await readJson(request, body, 1024);
    return Response.json({ cohort: await joinCohort(getPrisma(), learner.id, joinCode) });
  } catch (error) {
    return handleRouteError(error);
  }
}
