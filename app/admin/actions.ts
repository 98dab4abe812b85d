"use server";
// Admin actions: change a user's role (zod-validated, admin only, never demotes the last admin).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireRole } from "../_lib/auth/session";
import { getPrisma } from "../_lib/db";
import { changeRole } from "../_lib/queries/users";

const changeRoleForm = z.object({ userId: z.string().min(1).max(64), role: z.enum(["LEARNER", "INSTRUCTOR", "ADMIN"]) });

export async function changeRoleAction(form: FormData): Promise<void> {
  await requireRole("/admin", ["ADMIN"]);
  const input = changeRoleForm.parse(Object.fromEntries(form));
  await changeRole(getPrisma(), input.userId, input.role);
  revalidatePath("/admin");
}
