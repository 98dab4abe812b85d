// Which grader the web app uses: the in-process one by default, the grader service when GRADER_URL is set.
// Embedded clusters are always graded in-process: their proxies live in this process.
import type { LabCluster } from "@/cluster/driver";
import { gradeRemotely } from "@/grader/client";
import { gradeObjective } from "@/grader/grade";
import type { Grader } from "@/labs/runtime";
import { env } from "./env";

export function graderFor(cluster: LabCluster): Grader {
  const { GRADER_URL, GRADER_SECRET } = env();
  if (!GRADER_URL || cluster.driver === "embedded") return gradeObjective;
  if (!GRADER_SECRET) throw new Error("GRADER_URL is set but GRADER_SECRET is not: the grader service needs the shared secret.");
  return (target, spec) => gradeRemotely(GRADER_URL, GRADER_SECRET, target, spec);
}
