// `ica sim serve`: runs a standalone embedded cluster (Istio + Bookinfo) on 127.0.0.1 and writes its kubeconfig.

import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { EmbeddedDriver } from "../../cluster/embedded/driver";
import { UsageError, describeFlags, parseArgs, type FlagSpec } from "../args";
import type { CliCommand, CliIo } from "../index";

const serveFlags: Record<string, FlagSpec> = {
  port: { type: "string", description: "Port to listen on (default: a free port)" },
  "kubeconfig-out": { type: "string", description: "Where to write the kubeconfig (default: ./ica-sim.kubeconfig)" },
};

const simUsage = [
  "Usage: ica sim <subcommand> [flags]",
  "",
  "Subcommands:",
  "  serve   Start an embedded cluster (Istio 1.26 demo profile + Bookinfo) that kubectl can drive",
  "",
  'Run "ica sim serve --help" for its flags.',
].join("\n");

const serveUsage = ["Usage: ica sim serve [--port N] [--kubeconfig-out FILE]", "", "Flags:", describeFlags(serveFlags)].join("\n");

const portSchema = z.coerce.number().int().min(0).max(65535);

/** Resolves when the process is asked to stop (SIGINT or SIGTERM). */
function untilStopped(): Promise<string> {
  return new Promise((resolveSignal) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolveSignal(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

async function serve(args: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseArgs(args, serveFlags);
  if (flags.help) {
    io.out(serveUsage);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  const port = portSchema.safeParse(flags.port ?? "0");
  if (!port.success) throw new UsageError(`--port must be an integer between 0 and 65535, got "${String(flags.port)}"`);
  const kubeconfigPath = resolve(typeof flags["kubeconfig-out"] === "string" ? flags["kubeconfig-out"] : "ica-sim.kubeconfig");

  // A driver cluster: the API plus the mesh, so `kubectl logs` and `kubectl exec … -- curl` reach the pods.
  const driver = new EmbeddedDriver();
  const url = await driver.host.listen(port.data);
  const { id } = await driver.create({ name: "sim" });
  writeFileSync(kubeconfigPath, driver.host.kubeconfig(id), { mode: 0o600 });
  io.out(`Embedded cluster "${id}" (Istio 1.26 demo profile + Bookinfo) is serving at ${url}/clusters/${id}`);
  io.out(`Kubeconfig written to ${kubeconfigPath}`);
  io.out(`Try: kubectl --kubeconfig ${kubeconfigPath} get pods`);
  io.out("Press Ctrl+C to stop.");
  const signal = await untilStopped();
  await driver.close();
  io.out(`Stopped (${signal}).`);
  return 0;
}

export const command: CliCommand = {
  name: "sim",
  summary: "Run an embedded Kubernetes + Istio + Bookinfo cluster for kubectl",
  async run(args, io) {
    const [subcommand, ...rest] = args;
    if (subcommand === undefined || subcommand === "--help" || subcommand === "-h") {
      io.out(simUsage);
      return subcommand === undefined ? 2 : 0;
    }
    if (subcommand === "serve") return serve(rest, io);
    if (subcommand.startsWith("-")) throw new UsageError(`unknown flag: ${subcommand}`);
    throw new UsageError(`unknown subcommand "${subcommand}"`);
  },
};
