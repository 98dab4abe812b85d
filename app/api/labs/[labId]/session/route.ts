// GET /api/labs/[labId]/session — the caller's lab session (environment, objectives, traffic), or 404 before start.
// POST — opens the caller's session for the lab and starts preparing its cluster; poll GET for progress.
import { getPrisma } from "../../../../_lib/db";
import { AppError, handleRouteError } from "../../../../_lib/errors";
import { labRequest } from "../../../../_lib/lab-sessions/http";
import { labStatus, startLabSession } from "../../../../_lib/lab-sessions/sessions";

type Context = { params: Promise<{ labId: string }> };

export async function GET(_: Request, context: Context): Promise<Response> {
  try {
    const { user, lab } = await labRequest(context.params);
    const view = await labStatus(getPrisma(), user.id, lab);
    if (!view) throw new AppError("not_found", "You have not started this lab yet.");
    return Response.json(view);
  } catch (error) {
    return handleRouteError(error);
  }
}

export async function POST(_: Request, context: Context): Promise<Response> {
  try {
    const { user, lab } = await labRequest(context.params);
    return Response.json(await startLabSession(getPrisma(), user.id, lab), { status: 201 });
  } catch (error) {
    return handleRouteError(error);
  }
}
