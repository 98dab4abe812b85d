// What an application container can do in the simulated mesh: answer requests, spend service time, call other
// services through its pod's sidecar (with its own client timeout), and write to its container log.

import type { HttpRequest, HttpResponse } from "../http";
import type { SeededRandom } from "../random";
import type { SimClock } from "../sim-clock";
import type { WorkloadContainer, WorkloadPod } from "../workloads";

export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client library's timeout in ms (Python requests `timeout=3.0` → 3000); undefined = wait forever. */
  timeoutMs?: number;
}

export type FetchError = "timeout" | "resolve" | "refused" | "reset";

export type FetchOutcome = { ok: true; response: HttpResponse; latencyMs: number } | { ok: false; error: FetchError; message: string; latencyMs: number };

export interface AppContext {
  readonly pod: WorkloadPod;
  readonly container: WorkloadContainer;
  readonly clock: SimClock;
  readonly random: SeededRandom;
  /** An HTTP call from this pod; it leaves through the pod's sidecar when there is one. */
  fetch(url: string, init?: FetchInit): Promise<FetchOutcome>;
  /** Appends a line to this container's log (`kubectl logs <pod> -c <container>`). */
  log(line: string): void;
}

export interface App {
  /** Ports the process listens on (requests to other ports are refused). */
  readonly ports: readonly number[];
  handle(request: HttpRequest, context: AppContext): Promise<HttpResponse>;
}

/** Spends application processing time: `base` ± `spread` ms of virtual time. */
export function work(context: AppContext, base: number, spread: number): Promise<void> {
  return context.clock.sleep(context.random.jitter(base, spread));
}
