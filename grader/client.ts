// Calling the grader service over HTTP (when the web app is given GRADER_URL), with the same result type as in-process grading.
import type { LabCluster } from "@/cluster/driver";
import type { ObjectiveResult, ObjectiveSpec } from "./grade";

/** Grades through a remote grader service; network failures become status "error", never "fail". */
export async function gradeRemotely(baseUrl: string, secret: string, cluster: LabCluster, spec: ObjectiveSpec): Promise<ObjectiveResult> {
  const started = Date.now();
  try {
    const response = await fetch(new URL("/grade", baseUrl), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
      body: JSON.stringify({ check: spec.check, params: spec.params, kubeconfig: cluster.kubeconfigYaml() }),
      signal: AbortSignal.timeout(120_000),
    });
    const body = (await response.json()) as ObjectiveResult | { error: { message: string } };
    if (!response.ok || "error" in body) throw new Error("error" in body ? body.error.message : `HTTP ${response.status}`);
    return body;
  } catch (error) {
    const reason = `The grader service at ${baseUrl} could not grade: ${(error as Error).message}`;
    return { checkId: spec.check, status: "error", reason, findings: [{ code: "ICA0002", severity: "error", message: reason }], durationMs: Date.now() - started };
  }
}
