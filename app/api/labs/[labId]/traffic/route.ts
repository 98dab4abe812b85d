// POST /api/labs/[labId]/traffic — sends product-page requests in the caller's cluster and returns which reviews
// version served them, for the service graph.
import { z } from "zod";
import { getPrisma } from "../../../../_lib/db";
import { handleRouteError } from "../../../../_lib/errors";
import { readJson } from "../../../../_lib/http";
import { labRequest } from "../../../../_lib/lab-sessions/http";
import { sampleTraffic } from "../../../../_lib/lab-sessions/sessions";

const body = z.object({ requests: z.number().int().min(10).max(500).default(100) }).strict();

export async function POST(request: Request, context: { params: Promise<{ labId: string }> }): Promise<Response> {
  try {
    const { user, lab } = await labRequest(context.params);
    const { requests } = await readJson(request, body, 1024);
    return Response.json(await sampleTraffic(getPrisma(), user.id, lab, requests));
  } catch (error) {
    return handleRouteError(error);
  }
}
