// Simulated time for the lab shell. Mesh commands (curl, fortio) take virtual time; the shell keeps a running total
// so `time curl …` reports that latency whether or not the shell really waited. just-bash's own `time` reads the
// real clock only, so every timed pipeline is rewritten into `{ __ica_time_start; PIPELINE; __ica_time_end $? [-p]; }`
// before it runs, and the two helper commands read this clock.
import { defineCommand, parse, type Command, type PipelineNode, type ScriptNode, type TransformPlugin } from "just-bash";

const START = "__ica_time_start";
const END = "__ica_time_end";
const PLACEHOLDER = "__ica_time_placeholder";

/** The shell's view of time: real milliseconds, minus real waits done for mesh commands, plus their simulated time. */
export class ShellClock {
  /** Virtual milliseconds taken by mesh commands so far. */
  private simulatedMs = 0;
  /** Real milliseconds spent waiting on behalf of those commands (real-time mode). */
  private waitedMs = 0;
  private readonly marks: number[] = [];

  constructor(private readonly realNow: () => number = () => performance.now()) {}

  /** Records a mesh command that took `simulatedMs` and for which the shell really waited `waitedMs`. */
  record(simulatedMs: number, waitedMs = 0): void {
    this.simulatedMs += simulatedMs;
    this.waitedMs += waitedMs;
  }

  /** Milliseconds as the learner experiences them. */
  now(): number {
    return this.realNow() - this.waitedMs + this.simulatedMs;
  }

  /** Starts timing a pipeline (nested `time` works as a stack). */
  start(): void {
    this.marks.push(this.now());
  }

  /** Elapsed milliseconds since the matching start. */
  stop(): number {
    const started = this.marks.pop();
    return started === undefined ? 0 : Math.max(0, this.now() - started);
  }
}

/** bash's report for `time` (default format) or `time -p` (POSIX). */
export function formatTimeReport(ms: number, posix: boolean): string {
  const seconds = ms / 1000;
  if (posix) return `real ${seconds.toFixed(2)}\nuser 0.00\nsys 0.00\n`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `\nreal\t${minutes}m${rest.toFixed(3)}s\nuser\t0m0.000s\nsys\t0m0.000s\n`;
}

/** The two helper commands the rewritten pipelines call. */
export function timeCommands(clock: ShellClock): Command[] {
  return [
    defineCommand(START, async () => {
      clock.start();
      return { stdout: "", stderr: "", exitCode: 0 };
    }),
    defineCommand(END, async (args) => {
      const elapsed = clock.stop();
      const exitCode = Number(args[0] ?? 0);
      return { stdout: "", stderr: formatTimeReport(elapsed, args[1] === "-p"), exitCode: Number.isInteger(exitCode) ? exitCode : 0 };
    }),
  ];
}

function wrapTimed(pipeline: PipelineNode): PipelineNode {
  const template = parse(`{ ${START}; ${PLACEHOLDER}; ${END} $?${pipeline.timePosix ? " -p" : ""}; }`);
  const group = template.statements[0]?.pipelines[0];
  const groupNode = group?.commands[0];
  if (!group || !groupNode || groupNode.type !== "Group") return pipeline;
  const inner: PipelineNode = { ...pipeline, timed: false, timePosix: false };
  const middle = groupNode.body[1];
  if (middle) middle.pipelines = [inner];
  return { ...group, line: pipeline.line };
}

/** Rewrites every timed pipeline, however deeply nested (loops, functions, command substitutions). */
function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (!node || typeof node !== "object") return node;
  const record = node as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) copy[key] = rewrite(value);
  if (copy.type === "Pipeline" && copy.timed === true) return wrapTimed(copy as unknown as PipelineNode);
  return copy;
}

/** The transform plugin that routes `time` through the shell clock. */
export const simulatedTimePlugin: TransformPlugin = {
  name: "ica-simulated-time",
  transform: ({ ast }) => ({ ast: rewrite(ast) as ScriptNode }),
};
