// Shared edges of the lab API: the lab named in the URL (validated, 404 when unknown) and the signed-in caller.
import { z } from "zod";
import { labById } from "./labs";
import type { Lab } from "@/labs/schema";
import { apiUser } from "../auth/session";
import type { SessionUser } from "../auth/accounts";
import { AppError } from "../errors";

const labParams = z.object({ labId: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "not a lab id").max(80) });

/** The caller (any signed-in role; every lab call acts on the caller's own session) and the lab in the URL. */
export async function labRequest(params: Promise<{ labId: string }>): Promise<{ user: SessionUser; lab: Lab }> {
  const { labId } = labParams.parse(await params);
  const user = await apiUser();
  const lab = labById(labId);
  if (!lab) throw new AppError("not_found", `There is no lab "${labId}".`);
  return { user, lab };
}
