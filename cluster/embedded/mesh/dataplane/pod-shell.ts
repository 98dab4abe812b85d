// `sh -c SCRIPT` inside a container with a shell (application images, Istio's proxy image): a throwaway bash (just-bash: loops, pipes, `&` and `wait`, a
// scratch filesystem) whose curl is the pod's own, so `kubectl exec deploy/sleep -- sh -c 'for …; do curl …; done'`
// and the kind driver's probe scripts run here as they do in a real pod.
import { Bash, defineCommand } from "just-bash";
import type { ExecResult } from "@/cluster/driver";

/** `mktemp [-d] [TEMPLATE]`: a new file or directory whose trailing X's are replaced, path printed. */
function mktemp(): ReturnType<typeof defineCommand> {
  let created = 0;
  return defineCommand("mktemp", async (args, ctx) => {
    const directory = args.includes("-d");
    const template = args.find((arg) => !arg.startsWith("-")) ?? "/tmp/tmp.XXXXXXXXXX";
    const xs = /X+$/.exec(template)?.[0].length ?? 0;
    if (xs < 3) return { stdout: "", stderr: `mktemp: too few X's in template '${template}'\n`, exitCode: 1 };
    created += 1;
    const suffix = `${created.toString(36)}${Math.random().toString(36).slice(2)}`.padEnd(xs, "0").slice(0, xs);
    const path = `${template.slice(0, -xs)}${suffix}`;
    if (directory) await ctx.fs.mkdir(path, { recursive: true });
    else await ctx.fs.writeFile(path, "");
    return { stdout: `${path}\n`, stderr: "", exitCode: 0 };
  });
}

/** Runs `sh ARGS…` in a pod; `runInPod` runs the pod's own programs (curl). */
export async function runPodShell(args: readonly string[], runInPod: (argv: string[]) => Promise<ExecResult>): Promise<ExecResult> {
  // Without -c the shell reads commands from standard input, which `kubectl exec` without -i leaves empty.
  if (args[0] !== "-c") return { stdout: "", stderr: "", exitCode: 0 };
  const script = args[1];
  if (script === undefined) return { stdout: "", stderr: "sh: -c: option requires an argument\n", exitCode: 2 };
  const bash = new Bash({
    cwd: "/",
    files: { "/tmp/.keep": "" },
    env: { HOME: "/root", PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
    customCommands: [defineCommand("curl", (curlArgs) => runInPod(["curl", ...curlArgs])), mktemp()],
  });
  const result = await bash.exec(script);
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
}
