// The traffic tools learners type at the prompt: `curl` (run from the sleep pod, or to a port-forwarded
// localhost port), `fortio` (run from the fortio pod), and `jobs` / `kill` / `pkill` for the port-forwards
// (which run "in the background" of the shell).
import type { TimedExecResult } from "../backend";
import { abortableDelay, describeError, Output, passTime, type CommandResult, type Invocation } from "../context";
import { podsBySelector } from "./kubectl/common";

const CURL_SHORT_WITH_VALUE = new Set(["o", "w", "H", "X", "d", "m", "A", "b", "c", "u", "e", "x", "T", "F", "K", "r", "C", "Y", "y", "z", "E", "U", "Q", "t"]);
const CURL_LONG_WITH_VALUE = new Set(["output", "write-out", "header", "request", "data", "data-raw", "data-binary", "data-ascii", "data-urlencode", "max-time", "connect-timeout", "user-agent", "cookie", "cookie-jar", "referer", "user", "resolve", "retry", "cacert", "cert", "key", "proxy", "interface", "retry-delay", "retry-max-time", "http-version", "url"]);

/** The URL argument of a curl command line (the first argument that is not a flag or a flag's value). */
export function curlUrl(args: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg.startsWith("--")) {
      const name = arg.slice(2).split("=")[0] ?? "";
      if (name === "url") return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[index + 1];
      if (CURL_LONG_WITH_VALUE.has(name) && !arg.includes("=")) index += 1;
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let position = 1; position < arg.length; position++) {
        if (CURL_SHORT_WITH_VALUE.has(arg[position] ?? "")) {
          if (position === arg.length - 1) index += 1;
          break;
        }
      }
      continue;
    }
    return arg;
  }
  return undefined;
}

/** Separates curl's body from its -w output when the body goes to a file of the shell (not the pod's). */
const BODY_END = "\u0000ica-curl-body-end\u0000";

/** Takes `-o FILE` out of curl's arguments (the shell writes the file) and marks where the body ends. */
function redirectOutputFile(args: readonly string[]): { args: string[]; file?: string } {
  const rewritten: string[] = [];
  let file: string | undefined;
  let writeOutIndex: number | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--output" || arg.startsWith("--output=")) {
      file = arg === "--output" ? args[++index] : arg.slice("--output=".length);
      continue;
    }
    if (arg === "--write-out" || arg.startsWith("--write-out=")) {
      rewritten.push("--write-out", arg === "--write-out" ? (args[++index] ?? "") : arg.slice("--write-out=".length));
      writeOutIndex = rewritten.length - 1;
      continue;
    }
    if (arg.startsWith("-") && !arg.startsWith("--") && arg.length > 1) {
      let kept = "-";
      let consumed = false;
      for (let position = 1; position < arg.length; position++) {
        const letter = arg[position] ?? "";
        if (!CURL_SHORT_WITH_VALUE.has(letter)) {
          kept += letter;
          continue;
        }
        const inline = arg.slice(position + 1);
        const value = inline !== "" ? inline : args[++index];
        if (letter === "o") file = value;
        else {
          if (kept !== "-") rewritten.push(kept);
          kept = "-";
          rewritten.push(`-${letter}`, value ?? "");
          if (letter === "w") writeOutIndex = rewritten.length - 1;
        }
        consumed = true;
        break;
      }
      if (kept !== "-") rewritten.push(kept);
      if (!consumed && kept === "-") rewritten.push(arg);
      continue;
    }
    rewritten.push(arg);
  }
  if (file === undefined || file === "-" || file === "/dev/null") return { args: [...args] };
  if (writeOutIndex !== undefined) rewritten[writeOutIndex] = `${BODY_END}${rewritten[writeOutIndex] ?? ""}`;
  else rewritten.push("-w", BODY_END);
  return { args: rewritten, file };
}

/** Client pods found per session and app label (looked up again when the pod is gone). */
const clientPods = new WeakMap<object, Map<string, { namespace: string; name: string }>>();

/** The pod a client tool runs in: the first running pod labelled app=<app> in the current namespace, else in default. */
async function clientPod(invocation: Invocation, app: string, fresh: boolean): Promise<{ namespace: string; name: string } | undefined> {
  let cache = clientPods.get(invocation.session);
  if (!cache) {
    cache = new Map();
    clientPods.set(invocation.session, cache);
  }
  const key = `${invocation.session.namespace}/${app}`;
  const cached = cache.get(key);
  if (cached && !fresh) return cached;
  const kube = invocation.session.backend.kube;
  for (const namespace of [...new Set([invocation.session.namespace, "default"])]) {
    const pod = (await podsBySelector(kube, namespace, `app=${app}`))[0];
    if (pod) {
      const found = { namespace, name: pod.metadata.name };
      cache.set(key, found);
      return found;
    }
  }
  cache.delete(key);
  return undefined;
}

/** Runs a tool in the app's client pod, looking the pod up again if the remembered one no longer exists. */
async function execInClientPod(invocation: Invocation, app: string, argv: string[]): Promise<TimedExecResult | undefined> {
  for (const fresh of [false, true]) {
    const pod = await clientPod(invocation, app, fresh);
    if (!pod) return undefined;
    const result = await invocation.session.backend.exec(pod, undefined, argv);
    if (!(result.exitCode === 1 && result.stderr.startsWith("Error from server (NotFound): pods"))) return result;
  }
  return undefined;
}

/** `curl …` typed at the prompt. */
export async function runCurl(invocation: Invocation, args: string[]): Promise<CommandResult> {
  const out = new Output();
  try {
    const redirected = redirectOutputFile(args);
    const url = curlUrl(args);
    const local = url ? /^(?:https?:\/\/)?(localhost|127\.0\.0\.1|\[::1\])(?::(\d+))?/i.exec(url) : null;
    if (local) {
      const port = Number(local[2] ?? (url?.toLowerCase().startsWith("https") ? 443 : 80));
      const forward = invocation.session.forwards.get(port);
      if (!forward) {
        out.error(`curl: (7) Failed to connect to ${local[1]} port ${port} after 0 ms: Couldn't connect to server`, 7);
        return out.result();
      }
      const result = await invocation.session.backend.forwardCurl({ pod: forward.pod, port: forward.podPort }, redirected.args);
      await passTime(invocation, result);
      return saveBody(invocation, redirected.file, result);
    }
    const result = await execInClientPod(invocation, "sleep", ["curl", ...redirected.args]);
    if (!result) {
      out.error(`curl: (6) Could not resolve host: ${url ?? ""}\n(the lab shell sends curl from the "sleep" pod, and none is running)`, 6);
      return out.result();
    }
    await passTime(invocation, result);
    return saveBody(invocation, redirected.file, result);
  } catch (error) {
    out.error(describeError(error));
    return out.result();
  }
}

/** Writes the body part of curl's output to the shell file given with -o; the rest (the -w text) stays on stdout. */
async function saveBody(invocation: Invocation, file: string | undefined, result: CommandResult): Promise<CommandResult> {
  const marker = result.stdout.indexOf(BODY_END);
  if (file === undefined || marker === -1) return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
  if (result.exitCode === 0) await invocation.fs.writeFile(invocation.fs.resolvePath(invocation.cwd, file), result.stdout.slice(0, marker));
  return { stdout: result.stdout.slice(marker + BODY_END.length), stderr: result.stderr, exitCode: result.exitCode };
}

/** `fortio load|curl …` typed at the prompt (runs in the fortio pod). */
export async function runFortio(invocation: Invocation, args: string[]): Promise<CommandResult> {
  const out = new Output();
  try {
    const result = await execInClientPod(invocation, "fortio", ["fortio", ...args]);
    if (!result) {
      out.error(`fortio: no fortio pod is running (deploy samples/httpbin/sample-client/fortio-deploy.yaml first)`, 127);
      return out.result();
    }
    await passTime(invocation, result);
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
  } catch (error) {
    out.error(describeError(error));
    return out.result();
  }
}

/** `jobs`: the running port-forwards. */
export function runJobs(invocation: Invocation): CommandResult {
  const out = new Output();
  [...invocation.session.forwards.values()].forEach((forward, index, all) => {
    out.print(`[${index + 1}]${index === all.length - 1 ? "+" : "-"}  Running                 ${forward.description} &`);
  });
  return out.result();
}

/** `kill %N|PID…` and `pkill [-f] PATTERN`: stop port-forwards (the only background jobs the shell has). */
export function runKill(invocation: Invocation, args: string[], byPattern: boolean): CommandResult {
  const out = new Output();
  const forwards = [...invocation.session.forwards.values()];
  const targets = args.filter((arg) => !arg.startsWith("-"));
  if (targets.length === 0) {
    out.error(byPattern ? "pkill: no matching criteria specified" : "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]", 2);
    return out.result();
  }
  let stopped = 0;
  for (const target of targets) {
    let chosen: typeof forwards;
    if (byPattern) chosen = forwards.filter((forward) => forward.description.includes(target) || "kubectl port-forward".includes(target));
    else if (/^%\d+$/.test(target)) chosen = forwards.filter((_, index) => index + 1 === Number(target.slice(1)));
    // `kill $!` and `kill %%` stop the most recent background job.
    else if (target === "%%" || target === "%+" || /^\d+$/.test(target)) chosen = forwards.slice(-1);
    else chosen = [];
    if (!byPattern && chosen.length === 0) out.error(`bash: kill: ${target}: no such job`);
    for (const forward of chosen) {
      if (invocation.session.forwards.delete(forward.localPort)) stopped += 1;
    }
  }
  if (byPattern && stopped === 0) out.exitCode = 1;
  return out.result();
}

const SLEEP_UNITS: Record<string, number> = { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `sleep N[smhd]…`: real sleep in real-time mode; in batch mode simulated time passes and the mesh settles. */
export async function runSleep(invocation: Invocation, args: string[]): Promise<CommandResult> {
  const out = new Output();
  if (args.length === 0) {
    out.error("sleep: missing operand\nTry 'sleep --help' for more information.");
    return out.result();
  }
  let ms = 0;
  for (const arg of args) {
    const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
    if (!match) {
      out.error(`sleep: invalid time interval '${arg}'\nTry 'sleep --help' for more information.`);
      return out.result();
    }
    ms += Number(match[1]) * (SLEEP_UNITS[match[2] ?? ""] ?? 1000);
  }
  const { session } = invocation;
  if (session.realTime) await abortableDelay(ms, invocation.signal);
  else {
    await session.backend.settle(ms);
    session.clock.record(ms);
  }
  return out.result();
}
