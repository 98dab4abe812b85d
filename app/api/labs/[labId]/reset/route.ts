// POST /api/labs/[labId]/reset — deletes the caller's lab cluster and starts a fresh one (results so far are kept).
import { getPrisma } from "../../../../_lib/db";
import { handleRouteError } from "../../../../_lib/errors";
import { labRequest } from "../../../../_lib/lab-sessions/http";
import { resetLab } from "../../../../_lib/lab-sessions/sessions";

export async function POST(_: Request, context: { params: Promise<{ labId: string }> }): Promise<Response> {
  try {
    const { user, lab } = await labRequest(context.params);
    return Response.json(await resetLab(getPrisma(), user.id, lab));
  } catch (error) {
    return handleRouteError(error);
  }
}
