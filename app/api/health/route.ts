// GET /api/health — liveness plus a database round trip, for docker-compose healthchecks.
import { getPrisma } from "../../_lib/db";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  try {
    await getPrisma().user.count();
    return Response.json({ status: "ok" });
  } catch {
    return Response.json({ status: "unavailable", reason: "database not reachable" }, { status: 503 });
  }
}
