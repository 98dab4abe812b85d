// POST /api/labs/[labId]/apply — applies the editor's YAML to the caller's lab cluster (create or replace).
import { z } from "zod";
import { getPrisma } from "../../../../_lib/db";
import { handleRouteError } from "../../../../_lib/errors";
import { readJson } from "../../../../_lib/http";
import { labRequest } from "../../../../_lib/lab-sessions/http";
import { applyYaml, maxScriptBytes } from "../../../../_lib/lab-sessions/sessions";

const body = z.object({ yaml: z.string().min(1, "The editor is empty").max(maxScriptBytes) }).strict();

export async function POST(request: Request, context: { params: Promise<{ labId: string }> }): Promise<Response> {
  try {
    const { user, lab } = await labRequest(context.params);
    const { yaml } = await readJson(request, body, maxScriptBytes + 1024);
    const result = await applyYaml(getPrisma(), user.id, lab, yaml);
    return Response.json(result, { status: result.ok ? 200 : 422 });
  } catch (error) {
    return handleRouteError(error);
  }
}
