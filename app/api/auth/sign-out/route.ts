// POST /api/auth/sign-out — end this browser's session.
import { endSession } from "../../../_lib/auth/session";
import { handleRouteError } from "../../../_lib/errors";

export async function POST(): Promise<Response> {
  try {
    await endSession();
    return new Response(null, { status: 204 });
  } catch (error) {
    return handleRouteError(error);
  }
}
