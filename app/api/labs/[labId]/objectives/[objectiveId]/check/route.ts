// POST /api/labs/[labId]/objectives/[objectiveId]/check — grades one objective on the caller's cluster and stores it.
import { z } from "zod";
import { getPrisma } from "../../../../../../_lib/db";
import { handleRouteError } from "../../../../../../_lib/errors";
import { labRequest } from "../../../../../../_lib/lab-sessions/http";
import { checkObjective } from "../../../../../../_lib/lab-sessions/sessions";

const params = z.object({ labId: z.string(), objectiveId: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "not an objective id").max(80) });

export async function POST(_: Request, context: { params: Promise<{ labId: string; objectiveId: string }> }): Promise<Response> {
  try {
    const { objectiveId, labId } = params.parse(await context.params);
    const { user, lab } = await labRequest(Promise.resolve({ labId }));
    return Response.json(await checkObjective(getPrisma(), user.id, lab, objectiveId));
  } catch (error) {
    return handleRouteError(error);
  }
}
