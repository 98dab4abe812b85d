// POST /api/auth/sign-up — create a learner account and sign in (JSON API for scripts and tests).
import { createAccount, signUpInput } from "../../../_lib/auth/accounts";
import { startSession } from "../../../_lib/auth/session";
import { getPrisma } from "../../../_lib/db";
import { handleRouteError } from "../../../_lib/errors";
import { readJson } from "../../../_lib/http";

export async function POST(request: Request): Promise<Response> {
  try {
    const input = await readJson(request, signUpInput, 8 * 1024);
    const user = await createAccount(getPrisma(), input);
    await startSession(user.id);
    return Response.json({ user }, { status: 201 });
  } catch (error) {
    return handleRouteError(error);
  }
}
