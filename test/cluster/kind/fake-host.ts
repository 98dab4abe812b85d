// Test double for a Docker host with kind and istioctl: a recording CommandRunner whose "kind clusters" are
// embedded clusters, so the kind driver's whole flow runs (and can fail on cue) without Docker.
import { readFileSync } from "node:fs";
import { CommandNotFoundError, type CommandOptions, type CommandResult, type CommandRunner } from "@/cluster/kind/commands";
import { KindDriver, type KindDriverOptions } from "@/cluster/kind/driver";
import { runPreflight } from "@/cluster/kind/preflight";
import type { EmbeddedDriver } from "@/cluster/embedded/driver";

export interface RecordedCommand {
  program: string;
  args: string[];
  /** Contents of the files the command was given (--config, -f, --kubeconfig), read when it ran. */
  files: Record<string, string>;
}

/** A scripted failure: the first `times` commands matching `when` get this result instead. */
export interface InjectedFailure {
  when: (command: RecordedCommand) => boolean;
  result: CommandResult;
  times?: number;
}

const fileFlags = new Set(["--config", "-f", "--kubeconfig"]);

export class FakeKindHost implements CommandRunner {
  readonly commands: RecordedCommand[] = [];
  readonly failures: InjectedFailure[] = [];
  /** Programs on PATH. */
  installed = new Set(["docker", "kind", "istioctl"]);
  daemonRunning = true;
  istioctlVersion = "1.26.2";

  constructor(readonly embedded: EmbeddedDriver) {}

  /** Command lines as text, e.g. "kind create cluster --name ica-1 --config <file> --wait 180s". */
  lines(): string[] {
    return this.commands.map((c) => [c.program, ...c.args.map((a, i) => (fileFlags.has(c.args[i - 1] ?? "") ? "<file>" : a))].join(" "));
  }

  /** A kind driver on this host whose clusters are the embedded ones. */
  driver(options: KindDriverOptions = {}): KindDriver {
    return new KindDriver({
      runner: this,
      connect: async (name) => {
        const cluster = await this.embedded.get(name);
        if (!cluster) throw new Error(`no embedded cluster ${name}`);
        return cluster;
      },
      preflight: (runner) => runPreflight(runner, { readTextFile: async (file) => (file.endsWith("max_user_watches") ? "524288" : "512") }),
      sleep: async () => undefined,
      pollMs: 1,
      ...options,
    });
  }

  async run(program: string, args: readonly string[], _options?: CommandOptions): Promise<CommandResult> {
    const files: Record<string, string> = {};
    args.forEach((arg, i) => {
      if (fileFlags.has(args[i - 1] ?? "")) files[args[i - 1]!] = readFileSync(arg, "utf8");
    });
    const command: RecordedCommand = { program, args: [...args], files };
    this.commands.push(command);
    if (!this.installed.has(program)) throw new CommandNotFoundError(program);
    const failure = this.failures.find((f) => (f.times ?? 1) > 0 && f.when(command));
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      return failure.result;
    }
    return this.answer(program, [...args]);
  }

  private flag(args: string[], name: string): string {
    const value = args[args.indexOf(name) + 1];
    if (!value) throw new Error(`fake host: ${name} missing in ${args.join(" ")}`);
    return value;
  }

  private async answer(program: string, args: string[]): Promise<CommandResult> {
    const ok = (stdout = "", stderr = ""): CommandResult => ({ stdout, stderr, exitCode: 0 });
    const joined = args.join(" ");
    if (program === "docker") {
      if (joined === "--version") return ok("Docker version 27.3.1, build ce12230\n");
      if (args[0] === "info") return this.daemonRunning ? ok("27.3.1\n") : { stdout: "", stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n", exitCode: 1 };
    }
    if (program === "kind") {
      if (joined === "version") return ok("kind v0.27.0 go1.23.6 linux/amd64\n");
      if (joined === "get clusters") {
        const names = await this.embedded.list();
        return names.length ? ok(`${names.sort().join("\n")}\n`) : ok("", "No kind clusters found.\n");
      }
      if (joined.startsWith("create cluster")) {
        const name = this.flag(args, "--name");
        if ((await this.embedded.list()).includes(name)) return { stdout: "", stderr: `ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"\n`, exitCode: 1 };
        await this.embedded.create({ name });
        return ok("", `Creating cluster "${name}" ...\n ✓ Ensuring node image (kindest/node:v1.32.2) 🖼\n`);
      }
      if (joined.startsWith("get kubeconfig")) {
        const name = this.flag(args, "--name");
        const cluster = await this.embedded.get(name);
        return cluster ? ok(cluster.kubeconfigYaml()) : { stdout: "", stderr: `ERROR: could not locate any control plane nodes for cluster named '${name}'\n`, exitCode: 1 };
      }
      if (joined.startsWith("delete cluster")) {
        const name = this.flag(args, "--name");
        if ((await this.embedded.list()).includes(name)) await this.embedded.delete(name);
        return ok("", `Deleting cluster "${name}" ...\n`);
      }
    }
    if (program === "istioctl") {
      if (joined === "version --remote=false") return ok(`client version: ${this.istioctlVersion}\n`);
      if (args[0] === "install") return ok("✔ Istio core installed ⛵️\n✔ Istiod installed 🧠\n✔ Egress gateways installed 🛫\n✔ Ingress gateways installed 🛬\n✔ Installation complete\n");
    }
    return { stdout: "", stderr: `fake host: unexpected command ${program} ${joined}\n`, exitCode: 2 };
  }
}
