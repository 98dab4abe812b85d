// Preflight for the kind driver: docker (CLI and daemon), kind and istioctl present at usable versions, and the
// inotify limits many kind clusters need, each failure with a message saying how to fix it.
import { readFile } from "node:fs/promises";
import { CommandNotFoundError, lastLines, type CommandRunner } from "./commands";
import { ISTIO_MINOR, ISTIO_VERSION, KIND_VERSION } from "./config";

export interface PreflightCheck {
  name: "docker" | "docker-daemon" | "kind" | "istioctl" | "inotify";
  /** error: creating a cluster cannot work; warning: it may work for one cluster but not for many. */
  severity: "ok" | "warning" | "error";
  detail: string;
  /** How to fix it, when it is not ok. */
  fix?: string;
}

export interface PreflightReport {
  ok: boolean;
  checks: PreflightCheck[];
}

/** Thrown by the kind driver when preflight found errors; its message lists each problem and its fix. */
export class PreflightError extends Error {
  constructor(readonly report: PreflightReport) {
    super(formatPreflight(report, { problemsOnly: true }));
    this.name = "PreflightError";
  }
}

/** inotify limits kind's known-issues page recommends for several clusters per host. */
export const INOTIFY_MIN_WATCHES = 524_288;
export const INOTIFY_MIN_INSTANCES = 512;

const install = {
  docker: "Install Docker Engine (https://docs.docker.com/engine/install/) and make sure this user can run `docker info` (add it to the docker group, or mount /var/run/docker.sock into the runner container).",
  kind: `Install kind ${KIND_VERSION}: \`curl -Lo /usr/local/bin/kind https://kind.sigs.k8s.io/dl/${KIND_VERSION}/kind-linux-amd64 && chmod +x /usr/local/bin/kind\` (or \`go install sigs.k8s.io/kind@${KIND_VERSION}\`).`,
  istioctl: `Install istioctl ${ISTIO_VERSION}: \`curl -L https://istio.io/downloadIstio | ISTIO_VERSION=${ISTIO_VERSION} sh -\`, then put istio-${ISTIO_VERSION}/bin on PATH.`,
  inotify: `Raise the limits: \`sudo sysctl fs.inotify.max_user_watches=${INOTIFY_MIN_WATCHES} fs.inotify.max_user_instances=${INOTIFY_MIN_INSTANCES}\` and persist them in /etc/sysctl.d/99-kind.conf.`,
};

export interface PreflightOptions {
  /** Reads a /proc file (tests pass a fake). */
  readTextFile?: (path: string) => Promise<string>;
}

async function probeCommand(runner: CommandRunner, program: string, args: string[]): Promise<{ found: boolean; exitCode: number; output: string }> {
  try {
    const result = await runner.run(program, args, { timeoutMs: 20_000 });
    return { found: true, exitCode: result.exitCode, output: `${result.stdout}\n${result.stderr}`.trim() };
  } catch (error) {
    if (error instanceof CommandNotFoundError) return { found: false, exitCode: 127, output: "" };
    throw error;
  }
}

async function checkDocker(runner: CommandRunner): Promise<PreflightCheck[]> {
  const cli = await probeCommand(runner, "docker", ["--version"]);
  if (!cli.found || cli.exitCode !== 0) return [{ name: "docker", severity: "error", detail: "docker is not installed (no `docker` on PATH)", fix: install.docker }];
  const checks: PreflightCheck[] = [{ name: "docker", severity: "ok", detail: lastLines(cli.output, 1) }];
  const daemon = await probeCommand(runner, "docker", ["info", "--format", "{{.ServerVersion}}"]);
  if (daemon.exitCode !== 0) {
    checks.push({
      name: "docker-daemon",
      severity: "error",
      detail: `the Docker daemon is not reachable: ${lastLines(daemon.output, 2) || "docker info failed"}`,
      fix: "Start the daemon (`sudo systemctl start docker`, or open Docker Desktop); in the runner container, mount /var/run/docker.sock.",
    });
  } else {
    checks.push({ name: "docker-daemon", severity: "ok", detail: `Docker Engine ${lastLines(daemon.output, 1)}` });
  }
  return checks;
}

async function checkKind(runner: CommandRunner): Promise<PreflightCheck> {
  const kind = await probeCommand(runner, "kind", ["version"]);
  if (!kind.found || kind.exitCode !== 0) return { name: "kind", severity: "error", detail: "kind is not installed (no `kind` on PATH)", fix: install.kind };
  const version = /v\d+\.\d+\.\d+/.exec(kind.output)?.[0];
  if (version && version !== KIND_VERSION) {
    return { name: "kind", severity: "warning", detail: `kind ${version} found; clusters pin the node image from kind ${KIND_VERSION}`, fix: install.kind };
  }
  return { name: "kind", severity: "ok", detail: lastLines(kind.output, 1) };
}

async function checkIstioctl(runner: CommandRunner): Promise<PreflightCheck> {
  const istioctl = await probeCommand(runner, "istioctl", ["version", "--remote=false"]);
  if (!istioctl.found || istioctl.exitCode !== 0) return { name: "istioctl", severity: "error", detail: "istioctl is not installed (no `istioctl` on PATH)", fix: install.istioctl };
  const version = /\d+\.\d+\.\d+/.exec(istioctl.output)?.[0];
  if (!version?.startsWith(`${ISTIO_MINOR}.`)) {
    return { name: "istioctl", severity: "error", detail: `istioctl ${version ?? "(unknown version)"} would install that Istio release; the labs need ${ISTIO_MINOR}.x`, fix: install.istioctl };
  }
  return { name: "istioctl", severity: "ok", detail: `istioctl ${version}` };
}

async function checkInotify(readTextFile: (path: string) => Promise<string>): Promise<PreflightCheck> {
  try {
    const watches = Number((await readTextFile("/proc/sys/fs/inotify/max_user_watches")).trim());
    const instances = Number((await readTextFile("/proc/sys/fs/inotify/max_user_instances")).trim());
    if (watches < INOTIFY_MIN_WATCHES || instances < INOTIFY_MIN_INSTANCES) {
      return { name: "inotify", severity: "warning", detail: `fs.inotify.max_user_watches=${watches}, max_user_instances=${instances}: later clusters fail with "too many open files"`, fix: install.inotify };
    }
    return { name: "inotify", severity: "ok", detail: `fs.inotify.max_user_watches=${watches}, max_user_instances=${instances}` };
  } catch {
    return { name: "inotify", severity: "warning", detail: "cannot read the inotify limits (not Linux?)", fix: install.inotify };
  }
}

/** Runs every check (all of them, so one run lists every problem). */
export async function runPreflight(runner: CommandRunner, options: PreflightOptions = {}): Promise<PreflightReport> {
  const readTextFile = options.readTextFile ?? ((path: string) => readFile(path, "utf8"));
  const checks = [...(await checkDocker(runner)), await checkKind(runner), await checkIstioctl(runner), await checkInotify(readTextFile)];
  return { ok: !checks.some((check) => check.severity === "error"), checks };
}

/** The report as text: one line per check, with the fix under each problem. */
export function formatPreflight(report: PreflightReport, options: { problemsOnly?: boolean } = {}): string {
  const lines: string[] = [];
  const problems = report.checks.filter((check) => check.severity !== "ok");
  if (options.problemsOnly) lines.push(`the kind driver cannot create clusters on this machine (${problems.filter((c) => c.severity === "error").length} missing):`);
  for (const check of options.problemsOnly ? problems : report.checks) {
    const mark = check.severity === "ok" ? "✔" : check.severity === "warning" ? "!" : "✘";
    lines.push(`  ${mark} ${check.name}: ${check.detail}`);
    if (check.fix && check.severity !== "ok") lines.push(`      fix: ${check.fix}`);
  }
  return lines.join("\n");
}
