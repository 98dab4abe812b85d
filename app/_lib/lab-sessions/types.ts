// What the lab workspace receives from the server: the session's environment, each objective's latest result with
// its evidence, and the traffic split last observed. Plain JSON types, shared by route handlers and the browser.
import type { Finding } from "@/grader/check";

export type ObjectiveStatus = "pass" | "fail" | "error" | "unchecked";

export interface EnvironmentView {
  state: "REQUESTED" | "PROVISIONING" | "READY" | "EXPIRING" | "DELETED" | "FAILED";
  driver: "EMBEDDED" | "KIND";
  progressStep: string | null;
  progressPct: number;
  failureReason: string | null;
}

/** One objective's latest grade: status, why (for errors), and the findings with their evidence. */
export interface ObjectiveResultView {
  objectiveId: string;
  status: Exclude<ObjectiveStatus, "unchecked">;
  checkedAt: string;
  durationMs: number;
  reason?: string;
  findings: Finding[];
}

export interface ObjectiveView {
  id: string;
  title: string;
  text: string;
  hint: string;
  docsUrl: string;
  weight: number;
  status: ObjectiveStatus;
  result?: ObjectiveResultView;
}

export interface TrafficView {
  source: "check" | "probe";
  at: string;
  requests: number;
  histogram: Record<string, number>;
}

export interface LabSessionView {
  labId: string;
  sessionId: string;
  startedAt: string;
  environment: EnvironmentView;
  objectives: ObjectiveView[];
  traffic: TrafficView | null;
}

export interface ShellResultView {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ApplyResultView {
  ok: boolean;
  output: string[];
  error?: string;
}
