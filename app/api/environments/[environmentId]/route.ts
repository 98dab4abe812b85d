// GET /api/environments/[environmentId] — one environment's state and progress (owner or admin).
// DELETE /api/environments/[environmentId] — give the cluster back; it is deleted in the background.
import { apiUser } from "../../../_lib/auth/session";
import { handleRouteError } from "../../../_lib/errors";
import { environmentFor, environmentParams, releaseEnvironment } from "../_lib/handlers";
import { environmentLifecycle } from "../_lib/lifecycle";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ environmentId: string }> };

export async function GET(_: Request, context: Context): Promise<Response> {
  try {
    const { environmentId } = environmentParams.parse(await context.params);
    const user = await apiUser();
    return Response.json({ environment: await environmentFor(environmentLifecycle(), user, environmentId) });
  } catch (error) {
    return handleRouteError(error);
  }
}

export async function DELETE(_: Request, context: Context): Promise<Response> {
  try {
    const { environmentId } = environmentParams.parse(await context.params);
    const user = await apiUser();
    return Response.json({ environment: await releaseEnvironment(environmentLifecycle(), user, environmentId) }, { status: 202 });
  } catch (error) {
    return handleRouteError(error);
  }
}
