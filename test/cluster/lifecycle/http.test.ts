// The environments API handlers (what the Next routes call): ownership, validation, lifecycle errors as HTTP
// errors, and the Server-Sent Events progress stream a browser's progress bar reads.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEnvironmentBody, environmentFor, environmentParams, listEnvironments, progressStream, releaseEnvironment, requestEnvironment } from "@/app/api/environments/_lib/handlers";
import { AppError } from "@/app/_lib/errors";
import type { EnvironmentStatus } from "@/cluster/lifecycle/lifecycle";
import type { Database } from "@/prisma/database";
import { sharedDatabase, world, type World } from "./support";

let db: Database;
let w: World;
beforeAll(async () => {
  db = await sharedDatabase();
});
afterAll(() => db.close());
beforeEach(async () => {
  w = await world(db);
});
afterEach(() => w.close());

/** Reads an SSE body to its end: the `status` events' data, and how many keep-alive comments came. */
async function readEvents(stream: ReadableStream<Uint8Array>): Promise<{ statuses: EnvironmentStatus[]; text: string }> {
  const text = await new Response(stream).text();
  const statuses = text
    .split("\n\n")
    .filter((block) => block.startsWith("event: status\n"))
    .map((block) => JSON.parse(block.split("\n")[1]!.replace(/^data: /, "")) as EnvironmentStatus);
  return { statuses, text };
}

describe("environments API", () => {
  it("validates the body and the id", () => {
    expect(createEnvironmentBody.parse({})).toEqual({ driver: "embedded" });
    expect(createEnvironmentBody.safeParse({ driver: "minikube" }).success).toBe(false);
    expect(createEnvironmentBody.safeParse({ driver: "kind", kubeconfig: "x" }).success).toBe(false);
    expect(environmentParams.safeParse({ environmentId: "../etc" }).success).toBe(false);
  });

  it("starts an environment (202), streams its progress to ready, then answers 200 with the same one", async () => {
    const lifecycle = w.lifecycle();
    const learner = { id: await w.user("ada@example.com"), role: "LEARNER" as const };
    const started = await requestEnvironment(lifecycle, learner, { driver: "kind" });
    expect(started.status).toBe(202);
    expect(JSON.stringify(started.environment)).not.toMatch(/kubeconfig|certificate-authority|token/i);

    const { statuses } = await readEvents(progressStream(lifecycle, started.environment.id, new AbortController().signal));
    expect(statuses.at(-1)).toMatchObject({ state: "READY", progressPct: 100 });
    expect(statuses.map((s) => s.progressStep)).toContain("Installing Istio 1.26.2 (demo profile)");
    for (const s of statuses) expect(s).not.toHaveProperty("kubeconfigSealed");

    const again = await requestEnvironment(lifecycle, learner, { driver: "kind" });
    expect(again).toMatchObject({ status: 200, environment: { id: started.environment.id } });
    expect(await listEnvironments(lifecycle, learner)).toHaveLength(1);
  });

  it("ends the stream at once for an environment that is already final, and on client disconnect", async () => {
    const lifecycle = w.lifecycle();
    const learner = { id: await w.user("bo@example.com"), role: "LEARNER" as const };
    const { environment } = await requestEnvironment(lifecycle, learner, { driver: "kind" });
    await lifecycle.settled();
    const done = await readEvents(progressStream(lifecycle, environment.id, new AbortController().signal));
    expect(done.statuses.map((s) => s.state)).toEqual(["READY"]);

    const other = await requestEnvironment(lifecycle, { id: await w.user("cy@example.com"), role: "LEARNER" }, { driver: "kind" });
    const abort = new AbortController();
    const reading = readEvents(progressStream(lifecycle, other.environment.id, abort.signal));
    abort.abort();
    expect((await reading).statuses.length).toBeLessThanOrEqual(1);
    await lifecycle.settled();
  });

  it("hides other learners' environments (404) but shows them to admins", async () => {
    const lifecycle = w.lifecycle();
    const owner = { id: await w.user("dee@example.com"), role: "LEARNER" as const };
    const stranger = { id: await w.user("eve@example.com"), role: "LEARNER" as const };
    const admin = { id: await w.user("root@example.com"), role: "ADMIN" as const };
    const { environment } = await requestEnvironment(lifecycle, owner, { driver: "kind" });
    await lifecycle.settled();
    await expect(environmentFor(lifecycle, stranger, environment.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(releaseEnvironment(lifecycle, stranger, environment.id)).rejects.toBeInstanceOf(AppError);
    expect((await environmentFor(lifecycle, admin, environment.id)).id).toBe(environment.id);
    expect((await releaseEnvironment(lifecycle, owner, environment.id)).state).toBe("EXPIRING");
    await lifecycle.settled();
    expect(await listEnvironments(lifecycle, owner)).toEqual([]);
  });

  it("turns a full server into 409 with the lifecycle's explanation", async () => {
    const lifecycle = w.lifecycle({ maxClusters: 1 });
    await requestEnvironment(lifecycle, { id: await w.user("f1@example.com"), role: "LEARNER" }, { driver: "kind" });
    const refused = requestEnvironment(lifecycle, { id: await w.user("f2@example.com"), role: "LEARNER" }, { driver: "kind" });
    await expect(refused).rejects.toMatchObject({ code: "conflict", status: 409, message: expect.stringContaining("cluster slots") });
    await lifecycle.settled();
  });

  it("sees progress another process (the runner) writes to the database", async () => {
    const web = w.lifecycle({}, undefined, ["kind"]);
    const runner = w.lifecycle();
    const { environment } = await requestEnvironment(web, { id: await w.user("gus@example.com"), role: "LEARNER" }, { driver: "kind" });
    const reading = readEvents(progressStream(web, environment.id, new AbortController().signal, { pollMs: 5 }));
    await runner.provisionQueued();
    await runner.settled();
    const { statuses } = await reading;
    expect(statuses[0]!.state).toBe("REQUESTED");
    expect(statuses.at(-1)!.state).toBe("READY");
  });
});
