// GET /api/me — the signed-in user.
import { apiUser } from "../../_lib/auth/session";
import { handleRouteError } from "../../_lib/errors";

export async function GET(): Promise<Response> {
  try {
    return Response.json({ user: await apiUser() });
  } catch (error) {
    return handleRouteError(error);
  }
}
