// Proves a lab on a fresh cluster: after setup every objective fails (with a reason) until its solution is applied,
// each near miss fails with its expected codes, each alternative answer passes, the solution passes, and cleanup
// brings the cluster back to the baseline it had before setup.
import { CustomObjectsApi } from "@kubernetes/client-node";
import type { ClusterDriver, LabCluster } from "@/cluster/driver";
import { gradeLabObjective, runSteps } from "./runtime";
import type { Lab } from "./schema";

export interface ProofStep {
  objectiveId: string;
  phase: "before-solution" | "near-miss" | "alternative" | "solution" | "cleanup";
  name: string;
  expected: "pass" | "fail";
  status: "pass" | "fail" | "error";
  errorCodes: string[];
  ok: boolean;
  /** Why a step did not go as expected. */
  problem?: string;
}

export interface LabProof {
  labId: string;
  ok: boolean;
  steps: ProofStep[];
  durationMs: number;
}

const istioPlurals = ["virtualservices", "destinationrules", "gateways", "serviceentries", "sidecars"];

/** The Istio networking objects of a cluster, as a comparable fingerprint (kind/ns/name → spec JSON). */
async function istioState(cluster: LabCluster): Promise<string> {
  const api = cluster.kubeConfig().makeApiClient(CustomObjectsApi);
  const entries: string[] = [];
  for (const plural of istioPlurals) {
    const list = (await api.listClusterCustomObject({ group: "networking.istio.io", version: "v1", plural })) as { items?: { metadata: { namespace?: string; name: string }; spec?: unknown }[] };
    for (const item of list.items ?? []) entries.push(`${plural}/${item.metadata.namespace}/${item.metadata.name} ${JSON.stringify(item.spec)}`);
  }
  return entries.sort().join("\n");
}

/** The lines that differ between two states, or "" when they are the same. */
function diffStates(before: string, after: string): string {
  const a = new Set(before.split("\n").filter(Boolean));
  const b = new Set(after.split("\n").filter(Boolean));
  const added = [...b].filter((line) => !a.has(line)).map((line) => `+ ${line.split(" ")[0]}`);
  const removed = [...a].filter((line) => !b.has(line)).map((line) => `- ${line.split(" ")[0]}`);
  return [...added, ...removed].join(", ");
}

export async function proveLab(lab: Lab, driver: ClusterDriver): Promise<LabProof> {
  const started = Date.now();
  const steps: ProofStep[] = [];
  const cluster = await driver.create();
  const record = async (objectiveId: string, phase: ProofStep["phase"], name: string, expected: "pass" | "fail", expectCodes: string[] = []) => {
    const result = await gradeLabObjective(cluster, lab, objectiveId);
    const errorCodes = [...new Set(result.findings.filter((f) => f.severity === "error").map((f) => f.code))].sort();
    const missing = expectCodes.filter((c) => !(errorCodes as string[]).includes(c));
    const ok = result.status === expected && missing.length === 0;
    steps.push({
      objectiveId,
      phase,
      name,
      expected,
      status: result.status,
      errorCodes,
      ok,
      problem: ok ? undefined : result.status === "error" ? `could not grade: ${result.reason}` : missing.length ? `expected codes ${missing.join(", ")} missing` : `expected ${expected}, got ${result.status}`,
    });
  };
  try {
    const baseline = await istioState(cluster);
    await runSteps(cluster, lab, lab.setup);
    for (const objective of lab.objectives) {
      await record(objective.id, "before-solution", "before the solution", objective.passesBeforeSolution ? "pass" : "fail");
      for (const miss of objective.nearMisses) {
        await runSteps(cluster, lab, miss.steps);
        await record(objective.id, "near-miss", miss.name, "fail", miss.expectCodes);
        await runSteps(cluster, lab, miss.undo);
      }
      for (const alternative of objective.alternatives) {
        await runSteps(cluster, lab, alternative.steps);
        await record(objective.id, "alternative", alternative.name, "pass");
        await runSteps(cluster, lab, alternative.undo);
      }
      await runSteps(cluster, lab, objective.solution);
      await record(objective.id, "solution", "the solution", "pass");
    }
    await runSteps(cluster, lab, lab.cleanup);
    const leftovers = diffStates(baseline, await istioState(cluster));
    steps.push({ objectiveId: "(lab)", phase: "cleanup", name: "cleanup restores the baseline from before setup", expected: "pass", status: leftovers ? "fail" : "pass", errorCodes: [], ok: !leftovers, problem: leftovers ? `Istio objects differ from the baseline: ${leftovers}` : undefined });
  } finally {
    await driver.delete(cluster.id);
  }
  return { labId: lab.id, ok: steps.every((s) => s.ok), steps, durationMs: Date.now() - started };
}
