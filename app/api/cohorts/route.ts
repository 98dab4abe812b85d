// POST /api/cohorts — an instructor creates a cohort and gets its join code.
import { z } from "zod";
import { apiUser } from "../../_lib/auth/session";
import { getPrisma } from "../../_lib/db";
import { handleRouteError } from "../../_lib/errors";
import { readJson } from "../../_lib/http";
import { createCohort } from "../../_lib/queries/cohorts";

const body = z.object({ name: z.string().trim().min(1, "Name the cohort").max(100) }).strict();

export async function POST(request: Request): Promise<Response> {
  try {
    const instructor = await apiUser(["INSTRUCTOR", "ADMIN"]);
    const { name } = await readJson(request, body, 2048);
    return Response.json({ cohort: await createCohort(getPrisma(), instructor.id, name) }, { status: 201 });
  } catch (error) {
    return handleRouteError(error);
  }
}
