// `ica grade`: grades a lab's objectives on a fresh embedded cluster (after the lab's setup and any --apply
// manifests) or on an existing cluster; exit 0 all pass, 1 any fail, 2 could not grade.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { applyObjects, parseManifests } from "../../cluster/apply";
import { EmbeddedDriver } from "../../cluster/embedded/driver";
import type { LabCluster } from "../../cluster/driver";
import type { Finding } from "../../grader/check";
import { findLab } from "../../labs";
import { gradeLabObjective, runSteps, type LabObjectiveResult } from "../../labs/runtime";
import { describeFlags, parseArgs, UsageError, type FlagSpec } from "../args";
import { clusterFromKubeconfigFile } from "../../cluster/remote";
import type { CliCommand, CliIo } from "../index";

const flags: Record<string, FlagSpec> = {
  lab: { type: "string", description: "The lab to grade (e.g. bookinfo-traffic-management)" },
  objective: { type: "list", description: "Grade only this objective (repeatable; default: all, in order)" },
  embedded: { type: "boolean", description: "Grade on a fresh in-process cluster: the lab's setup, then each --apply" },
  apply: { type: "list", description: "With --embedded: a manifest file or directory to apply, as kubectl apply -f (repeatable, in order)" },
  kubeconfig: { type: "string", description: "Grade the cluster this kubeconfig points at" },
  json: { type: "boolean", description: "Print the results as JSON" },
};

const usage = [
  "Usage: ica grade --lab LAB_ID [--objective ID]... (--embedded [--apply PATH]... | --kubeconfig FILE) [--json]",
  "",
  "Exit status: 0 every graded objective passes, 1 any fails, 2 it could not grade.",
  "",
  "Flags:",
  describeFlags(flags),
].join("\n");

/** Files of a manifest path: the file itself, or a directory's .yaml/.yml/.json files in name order. */
function manifestFiles(target: string): string[] {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`--apply ${target}: no such file or directory`);
  if (!stat.isDirectory()) return [target];
  return readdirSync(target)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => path.join(target, f));
}

const symbol = { pass: "✔", fail: "✘", error: "?" } as const;

function describeFinding(f: Finding): string[] {
  const lines = [`    ${f.severity === "error" ? "✘" : "·"} [${f.code}] ${f.message}`];
  if (f.resource) lines.push(`        resource: ${f.resource.kind} ${f.resource.namespace ?? ""}/${f.resource.name}${f.path ? ` at ${f.path}` : ""}`);
  if (f.expected !== undefined && f.severity === "error") lines.push(`        expected: ${JSON.stringify(f.expected)}`);
  if (f.actual !== undefined && f.severity === "error") lines.push(`        actual:   ${JSON.stringify(f.actual)}`);
  if (f.envoy) lines.push(`        envoy: ${f.envoy.proxy} ${f.envoy.location}`);
  if (f.probe) lines.push(`        traffic: ${f.probe.requests} requests ${JSON.stringify(f.probe.histogram)}${f.probe.latencyMs ? ` p50 ${f.probe.latencyMs.p50} ms` : ""}`);
  if (f.hint && f.severity === "error") lines.push(`        hint: ${f.hint}`);
  return lines;
}

function printResults(io: CliIo, results: LabObjectiveResult[]): void {
  for (const r of results) {
    io.out(`${symbol[r.status]} ${r.objectiveId}: ${r.status.toUpperCase()} (${r.durationMs} ms)`);
    for (const f of r.findings) for (const line of describeFinding(f)) io.out(line);
  }
  const count = (s: string) => results.filter((r) => r.status === s).length;
  io.out(`\n${count("pass")} passed, ${count("fail")} failed${count("error") ? `, ${count("error")} could not be graded` : ""}`);
}

export const command: CliCommand = {
  name: "grade",
  summary: "Grade a lab's objectives on an embedded or existing cluster",
  async run(args, io) {
    const { flags: given } = parseArgs(args, flags);
    if (given.help) {
      io.out(usage);
      return 0;
    }
    const labId = given.lab as string | undefined;
    if (!labId) throw new UsageError("--lab is required");
    const embedded = given.embedded === true;
    const kubeconfig = given.kubeconfig as string | undefined;
    if (embedded === Boolean(kubeconfig)) throw new UsageError("give exactly one of --embedded or --kubeconfig");
    const applies = (given.apply as string[] | undefined) ?? [];
    if (applies.length && !embedded) throw new UsageError("--apply goes with --embedded");
    const lab = findLab(labId);
    if (!lab) throw new UsageError(`no lab "${labId}"`);
    const objectiveIds = (given.objective as string[] | undefined) ?? lab.objectives.map((o) => o.id);
    for (const id of objectiveIds) if (!lab.objectives.some((o) => o.id === id)) throw new UsageError(`lab ${lab.id} has no objective "${id}" (objectives: ${lab.objectives.map((o) => o.id).join(", ")})`);

    let cluster: LabCluster;
    let driver: EmbeddedDriver | undefined;
    if (embedded) {
      driver = new EmbeddedDriver();
      cluster = await driver.create();
      await runSteps(cluster, lab, lab.setup);
      for (const target of applies) {
        for (const file of manifestFiles(target)) {
          for (const line of await applyObjects(cluster.kubeConfig(), parseManifests(readFileSync(file, "utf8"), file))) if (!given.json) io.err(line);
        }
      }
    } else {
      cluster = clusterFromKubeconfigFile(kubeconfig!);
    }
    try {
      const results: LabObjectiveResult[] = [];
      for (const id of objectiveIds) results.push(await gradeLabObjective(cluster, lab, id));
      if (given.json) io.out(JSON.stringify({ lab: lab.id, results }, null, 2));
      else printResults(io, results);
      if (results.some((r) => r.status === "error")) return 2;
      return results.some((r) => r.status === "fail") ? 1 : 0;
    } finally {
      await driver?.close();
    }
  },
};
