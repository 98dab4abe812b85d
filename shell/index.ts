// The lab shell: one sandboxed bash session per learner (just-bash: pipes, loops, heredocs, grep, wc, seq, time,
// a virtual filesystem, never the host) with kubectl, istioctl, curl and fortio wired to a LabCluster. Files, the
// working directory and shell variables persist between runs; runs of one shell are serialised.
import { Bash, decodeBytesToUtf8, defineCommand, type IFileSystem } from "just-bash";
import type { LabCluster } from "@/cluster/driver";
import { shellBackendFor, type ShellBackend } from "./backend";
import { runCurl, runFortio, runJobs, runKill, runSleep } from "./commands/clients";
import { runIstioctl } from "./commands/istioctl";
import { runKubectl } from "./commands/kubectl";
import type { CommandResult, Invocation, PortForward, ShellSession } from "./context";
import { ShellClock, simulatedTimePlugin, timeCommands } from "./time";

export type { ShellBackend } from "./backend";
export { shellBackendFor } from "./backend";

export interface LabShellOptions {
  /** Interactive requests (a single curl) wait their simulated latency for real, capped; `sleep` really sleeps. Default false (batch). */
  realTime?: boolean;
  /** Longest real wait for one interactive request (ms). Default 15 000. */
  realTimeCapMs?: number;
  /** Files to place in the virtual filesystem (absolute paths, or relative to the home directory). */
  files?: Record<string, string>;
  /** Starting namespace for kubectl/istioctl (default: the kubeconfig context's, else "default"). */
  namespace?: string;
  /** Extra shell variables. */
  env?: Record<string, string>;
  /** Longest run of one script, wall clock (ms). Default 10 minutes. */
  maxExecutionTimeMs?: number;
}

export interface ShellRunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface LabShell {
  /** Runs a script (one line or many); resolves when it ends or the signal aborts it. */
  run(script: string, options?: { signal?: AbortSignal }): Promise<ShellRunResult>;
  /** The shell's virtual filesystem. */
  readonly fs: IFileSystem;
  /** Current working directory. */
  readonly cwd: string;
  /** Current default namespace. */
  readonly namespace: string;
  /** Active port-forwards by local port. */
  readonly forwards: ReadonlyMap<number, PortForward>;
  readonly backend: ShellBackend;
}

const HOME = "/home/learner";
/** Variables bash manages itself; they are not carried from one run to the next. */
const VOLATILE = new Set(["PWD", "OLDPWD", "SHELLOPTS", "BASHOPTS", "OPTIND", "PPID", "BASHPID", "RANDOM", "LINENO", "SECONDS", "_"]);

export function createLabShell(cluster: LabCluster, options: LabShellOptions = {}): LabShell {
  const backend = shellBackendFor(cluster);
  const clock = new ShellClock();
  const session: ShellSession = {
    backend,
    clock,
    realTime: options.realTime ?? false,
    realTimeCapMs: options.realTimeCapMs ?? 15_000,
    namespace: options.namespace ?? backend.kube.defaultNamespace,
    forwards: new Map(),
  };
  let currentSignal: AbortSignal | undefined;

  const tool = (name: string, handler: (invocation: Invocation, args: string[]) => Promise<CommandResult> | CommandResult) =>
    defineCommand(name, async (args, ctx) => {
      const invocation: Invocation = { session, fs: ctx.fs, cwd: ctx.cwd, stdin: decodeBytesToUtf8(ctx.stdin), signal: ctx.signal ?? currentSignal };
      return handler(invocation, args);
    });

  const files: Record<string, string> = {};
  for (const [path, content] of Object.entries(options.files ?? {})) files[path.startsWith("/") ? path : `${HOME}/${path}`] = content;

  const bash = new Bash({
    cwd: HOME,
    files: { [`${HOME}/.bash_history`]: "", ...files },
    env: { HOME, USER: "learner", HOSTNAME: "ica-lab", ...(options.env ?? {}) },
    executionLimits: { maxExecutionTimeMs: options.maxExecutionTimeMs ?? 600_000 },
    customCommands: [
      tool("kubectl", runKubectl),
      tool("istioctl", runIstioctl),
      tool("curl", runCurl),
      tool("fortio", runFortio),
      tool("jobs", (invocation) => runJobs(invocation)),
      tool("kill", (invocation, args) => runKill(invocation, args, false)),
      tool("pkill", (invocation, args) => runKill(invocation, args, true)),
      tool("sleep", (invocation, args) => runSleep(invocation, args)),
      ...timeCommands(clock),
    ],
  });
  bash.registerTransformPlugin(simulatedTimePlugin);

  let cwd = HOME;
  let variables: Record<string, string> = {};
  let queue: Promise<unknown> = Promise.resolve();

  async function runNow(script: string, signal: AbortSignal | undefined): Promise<ShellRunResult> {
    currentSignal = signal;
    try {
      const result = await bash.exec(script, { cwd, env: variables, signal });
      cwd = result.env.PWD ?? cwd;
      variables = Object.fromEntries(Object.entries(result.env).filter(([key]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !VOLATILE.has(key)));
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
    } finally {
      currentSignal = undefined;
    }
  }

  return {
    run(script, runOptions = {}) {
      const next = queue.then(() => runNow(script, runOptions.signal));
      queue = next.catch(() => undefined);
      return next;
    },
    get fs() {
      return bash.fs;
    },
    get cwd() {
      return cwd;
    },
    get namespace() {
      return session.namespace;
    },
    forwards: session.forwards,
    backend,
  };
}
