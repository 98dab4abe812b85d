// The environments API without Next: request/list/read/release with ownership checks, errors as AppErrors, and
// the Server-Sent Events stream of an environment's progress (status events until it is ready, deleted or failed).
import { z } from "zod";
import type { EnvironmentLifecycle, EnvironmentStatus } from "@/cluster/lifecycle/lifecycle";
import { EnvironmentError, isFinalState } from "@/cluster/lifecycle/lifecycle";
import { AppError } from "../../../_lib/errors";

/** Who is asking: the signed-in user. */
export interface Requester {
  id: string;
  role: "LEARNER" | "INSTRUCTOR" | "ADMIN";
}

export const createEnvironmentBody = z.object({ driver: z.enum(["embedded", "kind"]).default("embedded") }).strict();
export const environmentParams = z.object({ environmentId: z.string().regex(/^[a-z0-9]{8,40}$/, "not an environment id") });

/** Lifecycle errors as HTTP errors the browser can show. */
export function asAppError(error: unknown): unknown {
  if (!(error instanceof EnvironmentError)) return error;
  return new AppError(error.code === "not_found" ? "not_found" : "conflict", error.message);
}

/** POST: the learner's environment (existing, claimed from the pool, or being created). 201 when new work started. */
export async function requestEnvironment(lifecycle: EnvironmentLifecycle, user: Requester, body: z.infer<typeof createEnvironmentBody>): Promise<{ status: number; environment: EnvironmentStatus }> {
  try {
    const environment = await lifecycle.request(user.id, body.driver);
    return { status: environment.state === "READY" ? 200 : 202, environment };
  } catch (error) {
    throw asAppError(error);
  }
}

/** GET list: the user's live environments. */
export function listEnvironments(lifecycle: EnvironmentLifecycle, user: Requester): Promise<EnvironmentStatus[]> {
  return lifecycle.list({ userId: user.id });
}

/** One environment, only for its owner (or an admin); others get 404 so ids reveal nothing. */
export async function environmentFor(lifecycle: EnvironmentLifecycle, user: Requester, id: string): Promise<EnvironmentStatus> {
  const environment = await lifecycle.status(id);
  if (!environment || (environment.ownerId !== user.id && user.role !== "ADMIN")) throw new AppError("not_found", `No environment ${id}.`);
  return environment;
}

/** DELETE: gives the cluster back (deleted in the background). */
export async function releaseEnvironment(lifecycle: EnvironmentLifecycle, user: Requester, id: string): Promise<EnvironmentStatus> {
  await environmentFor(lifecycle, user, id);
  try {
    return await lifecycle.release(id);
  } catch (error) {
    throw asAppError(error);
  }
}

function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The SSE body for one environment: a `status` event now and after every change (in-process events, plus a database
 * poll for changes the runner makes), `: keep-alive` comments while nothing happens, and the end of the stream once
 * the state is final. Subscribes before reading, so no change is lost.
 */
export function progressStream(lifecycle: EnvironmentLifecycle, id: string, signal: AbortSignal, options: { heartbeatMs?: number; pollMs?: number } = {}): ReadableStream<Uint8Array> {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const encoder = new TextEncoder();
  let cleanup = (): void => undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let lastSent = "";
      const close = (): void => {
        if (closed) return;
        closed = true;
        cleanup();
        controller.close();
      };
      const send = (status: EnvironmentStatus): void => {
        if (closed) return;
        const text = sseEvent("status", status);
        if (text !== lastSent) controller.enqueue(encoder.encode(text));
        lastSent = text;
        if (isFinalState(status.state)) close();
      };
      const unsubscribe = lifecycle.subscribe(id, send);
      const heartbeat = setInterval(() => !closed && controller.enqueue(encoder.encode(": keep-alive\n\n")), heartbeatMs);
      // Changes made by another process (the runner) arrive through the database, not as in-process events.
      const poll = setInterval(() => {
        lifecycle
          .status(id)
          .then((status) => status && send(status))
          .catch(() => undefined);
      }, options.pollMs ?? 1_000);
      heartbeat.unref?.();
      poll.unref?.();
      const onAbort = (): void => close();
      signal.addEventListener("abort", onAbort);
      cleanup = () => {
        unsubscribe();
        clearInterval(heartbeat);
        clearInterval(poll);
        signal.removeEventListener("abort", onAbort);
      };
      lifecycle
        .status(id)
        .then((status) => (status ? send(status) : close()))
        .catch(() => close());
    },
    cancel() {
      cleanup();
    },
  });
}

export const sseHeaders = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;
