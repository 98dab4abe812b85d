// GET /api/environments/[environmentId]/events — Server-Sent Events: a `status` event (state, step, percent) on
// every change until the environment is ready, deleted or failed; the browser's progress bar listens to it.
import { apiUser } from "../../../../_lib/auth/session";
import { handleRouteError } from "../../../../_lib/errors";
import { environmentFor, environmentParams, progressStream, sseHeaders } from "../../_lib/handlers";
import { environmentLifecycle } from "../../_lib/lifecycle";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ environmentId: string }> }): Promise<Response> {
  try {
    const { environmentId } = environmentParams.parse(await context.params);
    const user = await apiUser();
    const lifecycle = environmentLifecycle();
    await environmentFor(lifecycle, user, environmentId);
    return new Response(progressStream(lifecycle, environmentId, request.signal), { headers: sseHeaders });
  } catch (error) {
    return handleRouteError(error);
  }
}
