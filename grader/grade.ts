// Grading one objective: find its check, validate parameters, build the snapshot it declares, analyze, and decide
// pass / fail / error. "Could not grade" (cluster down, config not propagated, grader bug) is never "fail".
import type { LabCluster } from "@/cluster/driver";
import { ClusterUnavailableError } from "@/cluster/driver";
import type { Finding } from "./check";
import { findCheck } from "./checks";
import { buildSnapshot, NotSyncedError, ProxyNotFoundError, type BuildOptions } from "./snapshot/build";

/** What a lab objective asks the grader: a check id and its parameters. */
export interface ObjectiveSpec {
  check: string;
  params: unknown;
}

export type GradeStatus = "pass" | "fail" | "error";

export interface ObjectiveResult {
  checkId: string;
  status: GradeStatus;
  /** For status error: why the grader could not decide. */
  reason?: string;
  findings: Finding[];
  durationMs: number;
}

function couldNotGrade(checkId: string, started: number, code: Finding["code"], reason: string): ObjectiveResult {
  return {
    checkId,
    status: "error",
    reason,
    findings: [{ code, severity: "error", message: reason, hint: "This is not a judgement of your work: fix the environment (or wait a moment) and check again." }],
    durationMs: Date.now() - started,
  };
}

export async function gradeObjective(cluster: LabCluster, spec: ObjectiveSpec, options: BuildOptions = {}): Promise<ObjectiveResult> {
  const started = Date.now();
  const check = findCheck(spec.check);
  if (!check) return couldNotGrade(spec.check, started, "ICA0005", `The grader has no check "${spec.check}".`);
  const parsed = check.params.safeParse(spec.params);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(params)"}: ${i.message}`).join("; ");
    return couldNotGrade(check.id, started, "ICA0005", `The objective's parameters do not fit ${check.id}: ${problems}`);
  }
  let findings: Finding[];
  try {
    const snapshot = await buildSnapshot(cluster, check.inputs(parsed.data), options);
    findings = check.analyze(snapshot, parsed.data);
  } catch (error) {
    if (error instanceof ClusterUnavailableError) return couldNotGrade(check.id, started, "ICA0002", `The cluster could not be reached: ${error.message}`);
    if (error instanceof NotSyncedError) return couldNotGrade(check.id, started, "ICA0003", `Configuration has not reached the proxies yet: ${error.message}`);
    if (error instanceof ProxyNotFoundError) return couldNotGrade(check.id, started, "ICA0004", `A workload the check needs is missing: ${error.message}`);
    console.error(`grader: ${check.id} failed`, error);
    return couldNotGrade(check.id, started, "ICA0001", `The grader hit an internal error while running ${check.id}.`);
  }
  const status: GradeStatus = findings.some((f) => f.severity === "error") ? "fail" : "pass";
  return { checkId: check.id, status, findings, durationMs: Date.now() - started };
}
