// `ica shell`: runs commands in the lab shell (kubectl, istioctl, curl, fortio, bash) and prints what a learner
// would see — on a fresh embedded cluster with manifests applied in order, or on an existing cluster's kubeconfig.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { applyObjects, parseManifests } from "@/cluster/apply";
import type { LabCluster } from "@/cluster/driver";
import { EmbeddedDriver } from "@/cluster/embedded/driver";
import { clusterFromKubeconfigFile } from "@/cluster/remote";
import { createLabShell } from "@/shell";
import { UsageError } from "../args";
import type { CliCommand, CliIo } from "../index";

export const usage = `Usage: ica shell (--embedded [--apply PATH]... | --kubeconfig FILE) -c 'COMMANDS'

Run COMMANDS in the lab shell and print what a learner would see. The shell has bash syntax (pipes, loops,
heredocs, grep, wc, seq, time…) with kubectl, istioctl, curl (from the sleep pod) and fortio (from the fortio pod).
Single requests wait their latency in real time, as in the web terminal.

Options:
      --embedded          start a fresh in-process cluster (Istio and Bookinfo installed)
      --apply PATH        with --embedded: apply a manifest file or directory first (repeatable, in order)
      --kubeconfig FILE   use an existing cluster: kind, \`ica sim serve\`, or any cluster running Istio
  -c, --command TEXT      the commands to run
  -h, --help              show this help`;

const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];

function manifestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .map((entry) => join(path, entry))
    .filter((entry) => statSync(entry).isDirectory() || MANIFEST_EXTENSIONS.some((extension) => entry.endsWith(extension)))
    .flatMap(manifestFiles);
}

function writeBlock(text: string, print: (text: string) => void): void {
  if (text) print(text.endsWith("\n") ? text.slice(0, -1) : text);
}

async function runShell(argv: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        embedded: { type: "boolean" },
        apply: { type: "string", multiple: true },
        kubeconfig: { type: "string" },
        command: { type: "string", short: "c" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    io.out(usage);
    return 0;
  }
  if (!values.embedded && values.kubeconfig === undefined) throw new UsageError("choose --embedded or --kubeconfig FILE");
  if (values.embedded && values.kubeconfig !== undefined) throw new UsageError("--embedded and --kubeconfig cannot be used together");
  if (!values.embedded && (values.apply?.length ?? 0) > 0) throw new UsageError("--apply needs --embedded");
  if (values.command === undefined) throw new UsageError("give the commands to run with -c 'COMMANDS'");

  let cluster: LabCluster;
  let driver: EmbeddedDriver | undefined;
  if (values.embedded) {
    driver = new EmbeddedDriver();
    const embedded = await driver.create();
    cluster = embedded;
    try {
      for (const path of values.apply ?? []) {
        for (const file of manifestFiles(path)) {
          await applyObjects(embedded.kubeConfig(), parseManifests(readFileSync(file, "utf8"), file));
        }
      }
    } catch (error) {
      await driver.close();
      io.err(`Error: cannot apply ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    // The lab is set up: every proxy has its config before the learner's first command.
    embedded.mesh.pilot.syncNow();
  } else {
    try {
      cluster = clusterFromKubeconfigFile(values.kubeconfig as string);
    } catch (error) {
      io.err(`Error: cannot load kubeconfig ${values.kubeconfig}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  }
  try {
    const shell = createLabShell(cluster, { realTime: true });
    const result = await shell.run(values.command);
    writeBlock(result.stdout, io.out);
    writeBlock(result.stderr, io.err);
    return result.exitCode;
  } finally {
    await driver?.close();
  }
}

export const command: CliCommand = {
  name: "shell",
  summary: "Run commands in the lab shell (kubectl, istioctl, curl, fortio) on an embedded or existing cluster",
  run: runShell,
};
