// Running a lab against a cluster: apply its setup, solutions and cleanup steps, and grade its objectives.
import { applyObjects, deleteObjects, parseManifests } from "@/cluster/apply";
import type { LabCluster } from "@/cluster/driver";
import { gradeObjective, type ObjectiveResult, type ObjectiveSpec } from "@/grader/grade";
import { stepManifest, type LabFileError } from "./index";
import type { Lab, LabStep } from "./schema";

export type { LabFileError };

/** Applies or deletes each step's manifest, in order; returns kubectl-style output lines. */
export async function runSteps(cluster: LabCluster, lab: Lab, steps: readonly LabStep[]): Promise<string[]> {
  const lines: string[] = [];
  for (const s of steps) {
    const { action, file, text } = stepManifest(lab, s);
    const objects = parseManifests(text, file);
    lines.push(...(action === "apply" ? await applyObjects(cluster.kubeConfig(), objects) : await deleteObjects(cluster.kubeConfig(), objects)));
  }
  return lines;
}

/** An objective's grade, labelled with the objective. */
export interface LabObjectiveResult extends ObjectiveResult {
  objectiveId: string;
}

/** Grades one check on a cluster: in-process by default, or through the grader service. */
export type Grader = (cluster: LabCluster, spec: ObjectiveSpec) => Promise<ObjectiveResult>;

export async function gradeLabObjective(cluster: LabCluster, lab: Lab, objectiveId: string, grade: Grader = gradeObjective): Promise<LabObjectiveResult> {
  const objective = lab.objectives.find((o) => o.id === objectiveId);
  if (!objective) throw new Error(`lab ${lab.id} has no objective "${objectiveId}" (objectives: ${lab.objectives.map((o) => o.id).join(", ")})`);
  const result = await grade(cluster, { check: objective.check, params: objective.params });
  return { objectiveId, ...result };
}
