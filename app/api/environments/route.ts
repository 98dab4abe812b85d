// GET /api/environments — the signed-in learner's live cluster environments (never their kubeconfigs).
// POST /api/environments {driver} — get an environment: the current one, one from the warm pool, or a new one.
import { apiUser } from "../../_lib/auth/session";
import { handleRouteError } from "../../_lib/errors";
import { readJson } from "../../_lib/http";
import { createEnvironmentBody, listEnvironments, requestEnvironment } from "./_lib/handlers";
import { environmentLifecycle } from "./_lib/lifecycle";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  try {
    const user = await apiUser();
    return Response.json({ environments: await listEnvironments(environmentLifecycle(), user) });
  } catch (error) {
    return handleRouteError(error);
  }
}

export async function POST(request: Request): Promise<Response> {
  try {
    const user = await apiUser();
    const body = await readJson(request, createEnvironmentBody, 1024);
    const { status, environment } = await requestEnvironment(environmentLifecycle(), user, body);
    return Response.json({ environment }, { status });
  } catch (error) {
    return handleRouteError(error);
  }
}
