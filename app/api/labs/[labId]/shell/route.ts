// POST /api/labs/[labId]/shell — runs a script (one line, or several with heredocs) in the caller's lab shell.
import { z } from "zod";
import { getPrisma } from "../../../../_lib/db";
import { handleRouteError } from "../../../../_lib/errors";
import { readJson } from "../../../../_lib/http";
import { labRequest } from "../../../../_lib/lab-sessions/http";
import { maxScriptBytes, runInShell } from "../../../../_lib/lab-sessions/sessions";

const body = z.object({ script: z.string().min(1, "Type a command").max(maxScriptBytes) }).strict();

export async function POST(request: Request, context: { params: Promise<{ labId: string }> }): Promise<Response> {
  try {
    const { user, lab } = await labRequest(context.params);
    const { script } = await readJson(request, body, maxScriptBytes + 1024);
    return Response.json(await runInShell(getPrisma(), user.id, lab, script));
  } catch (error) {
    return handleRouteError(error);
  }
}
