// Running the host tools the kind driver needs (docker, kind, istioctl) behind one small interface, so tests can
// swap in a recording fake and production spawns real processes.
import { spawn } from "node:child_process";

/** What a finished command printed and how it exited. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface CommandOptions {
  /** Text written to the command's stdin. */
  input?: string;
  /** Kill the command after this long (default: no limit). */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** Runs one program with arguments (never through a shell). */
export interface CommandRunner {
  run(program: string, args: readonly string[], options?: CommandOptions): Promise<CommandResult>;
}

/** The program is not installed (spawn ENOENT): preflight turns this into an install hint. */
export class CommandNotFoundError extends Error {
  constructor(readonly program: string) {
    super(`${program} is not installed or not on PATH`);
    this.name = "CommandNotFoundError";
  }
}

/** A command exited non-zero; the message carries its last stderr lines. */
export class CommandFailedError extends Error {
  constructor(
    readonly program: string,
    readonly args: readonly string[],
    readonly result: CommandResult,
  ) {
    super(`${program} ${args.join(" ")} exited with ${result.exitCode}: ${lastLines(result.stderr || result.stdout, 6) || "(no output)"}`);
    this.name = "CommandFailedError";
  }
}

/** The last `count` non-empty lines of a text, for error messages. */
export function lastLines(text: string, count: number): string {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter(Boolean)
    .slice(-count)
    .join("\n");
}

/** Runs a command and throws CommandFailedError unless it exits 0. */
export async function runChecked(runner: CommandRunner, program: string, args: readonly string[], options?: CommandOptions): Promise<CommandResult> {
  const result = await runner.run(program, args, options);
  if (result.exitCode !== 0) throw new CommandFailedError(program, args, result);
  return result;
}

/** Spawns real processes. */
export class ProcessCommandRunner implements CommandRunner {
  run(program: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(program, [...args], { env: { ...process.env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          child.kill("SIGTERM");
        }, options.timeoutMs);
      }
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(error.code === "ENOENT" ? new CommandNotFoundError(program) : error);
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        const err = Buffer.concat(stderr).toString("utf8");
        resolve({
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: timedOut ? `${err}\n${program} timed out after ${options.timeoutMs} ms` : err,
          exitCode: code ?? (signal ? 128 : 1),
        });
      });
      child.stdin.on("error", () => undefined);
      child.stdin.end(options.input ?? "");
    });
  }
}
