// GET /api/labs/[labId]/objects — the caller's cluster objects the analyzer reads, so the editor lints in context.
import { getPrisma } from "../../../../_lib/db";
import { handleRouteError } from "../../../../_lib/errors";
import { labRequest } from "../../../../_lib/lab-sessions/http";
import { clusterObjects } from "../../../../_lib/lab-sessions/sessions";

export async function GET(_: Request, context: { params: Promise<{ labId: string }> }): Promise<Response> {
  try {
    const { user, lab } = await labRequest(context.params);
    return Response.json({ objects: await clusterObjects(getPrisma(), user.id, lab) });
  } catch (error) {
    return handleRouteError(error);
  }
}
