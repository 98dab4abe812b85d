// State one learner's shell keeps between commands (namespace, port-forwards, simulated clock) and the helpers
// every command uses to build kubectl-style output and errors.
import type { IFileSystem } from "just-bash";
import { ClusterUnavailableError, type PodRef } from "@/cluster/driver";
import type { ShellBackend, TimedExecResult } from "./backend";
import { ApiStatusError, ApiUnreachableError } from "./kube/client";
import type { ShellClock } from "./time";

/** An active `kubectl port-forward`: local port → pod port. */
export interface PortForward {
  localPort: number;
  pod: PodRef;
  podPort: number;
  /** What the learner typed (`svc/productpage`), for `jobs`. */
  description: string;
}

export interface ShellSession {
  readonly backend: ShellBackend;
  readonly clock: ShellClock;
  /** Interactive requests wait their simulated latency for real (capped). */
  readonly realTime: boolean;
  readonly realTimeCapMs: number;
  /** Namespace used when -n is not given (`kubectl config set-context --current --namespace`). */
  namespace: string;
  readonly forwards: Map<number, PortForward>;
}

/** One command invocation inside the shell. */
export interface Invocation {
  session: ShellSession;
  fs: IFileSystem;
  cwd: string;
  stdin: string;
  signal?: AbortSignal;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Collects a command's output. */
export class Output {
  private readonly out: string[] = [];
  private readonly err: string[] = [];
  exitCode = 0;

  print(text: string): void {
    if (text) this.out.push(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** Writes text as-is (no newline added). */
  write(text: string): void {
    this.out.push(text);
  }

  error(text: string, exitCode = 1): void {
    if (text) this.err.push(text.endsWith("\n") ? text : `${text}\n`);
    if (exitCode !== 0) this.exitCode = exitCode;
  }

  writeErr(text: string): void {
    this.err.push(text);
  }

  result(): CommandResult {
    return { stdout: this.out.join(""), stderr: this.err.join(""), exitCode: this.exitCode };
  }
}

/** A mistake in the command line, reported as kubectl/istioctl report usage errors. */
export class UsageProblem extends Error {}

/** How kubectl words a failure. */
export function describeError(error: unknown): string {
  if (error instanceof ApiStatusError) {
    if (error.reason === "Invalid") {
      const match = /^([A-Za-z]+)(?:\.[a-z0-9.-]+)? "([^"]*)" is invalid: ([\s\S]*)$/.exec(error.message);
      if (match) return `The ${match[1]} "${match[2]}" is invalid: ${match[3]}`;
    }
    return `Error from server (${error.reason}): ${error.message}`;
  }
  if (error instanceof ApiUnreachableError) return error.message;
  if (error instanceof ClusterUnavailableError) return `error: ${error.message}`;
  if (error instanceof UsageProblem) return `error: ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

/** Waits `ms` of real time, returning early when the signal aborts. */
export function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Accounts a mesh command's simulated time and, in real-time mode, waits it out (interactive requests only). */
export async function passTime(invocation: Invocation, result: TimedExecResult): Promise<void> {
  const { session } = invocation;
  let waited = 0;
  if (session.realTime && result.interactive && result.elapsedMs > 0) {
    const started = performance.now();
    await abortableDelay(Math.min(result.elapsedMs, session.realTimeCapMs), invocation.signal);
    waited = performance.now() - started;
  }
  session.clock.record(result.elapsedMs, waited);
}

/** Reads a text file of the shell's virtual filesystem relative to the working directory. */
export async function readShellFile(invocation: Invocation, path: string): Promise<string> {
  return invocation.fs.readFile(invocation.fs.resolvePath(invocation.cwd, path));
}
