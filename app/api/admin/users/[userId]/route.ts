// PATCH /api/admin/users/[userId] — change a user's role (admins only).
import { z } from "zod";
import { apiUser } from "../../../../_lib/auth/session";
import { getPrisma } from "../../../../_lib/db";
import { handleRouteError } from "../../../../_lib/errors";
import { readJson } from "../../../../_lib/http";
import { changeRole } from "../../../../_lib/queries/users";

const body = z.object({ role: z.enum(["LEARNER", "INSTRUCTOR", "ADMIN"]) }).strict();

export async function PATCH(request: Request, context: { params: Promise<{ userId: string }> }): Promise<Response> {
  try {
    await apiUser(["ADMIN"]);
    const { userId } = await context.params;
    const { role } = await readJson(request, body, 1024);
    return Response.json({ user: await changeRole(getPrisma(), userId, role) });
  } catch (error) {
    return handleRouteError(error);
  }
}
