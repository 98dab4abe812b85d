// POST /api/auth/sign-in — check credentials and set the session cookie.
import { authenticate, signInInput } from "../../../_lib/auth/accounts";
import { startSession } from "../../../_lib/auth/session";
import { getPrisma } from "../../../_lib/db";
import { handleRouteError } from "../../../_lib/errors";
import { readJson } from "../../../_lib/http";

export async function POST(request: Request): Promise<Response> {
  try {
    const input = await readJson(request, signInInput, 8 * 1024);
    const user = await authenticate(getPrisma(), input);
    await startSession(user.id);
    return Response.json({ user });
  } catch (error) {
    return handleRouteError(error);
  }
}
