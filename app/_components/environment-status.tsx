// Where the learner's cluster stands: a progress bar with the current step while it is prepared, then ready (or
// failed, with the reason).
import type { EnvironmentView } from "../_lib/lab-sessions/types";

export function EnvironmentStatus({ environment }: { environment: EnvironmentView | null }) {
  const state = environment?.state ?? "REQUESTED";
  const percent = environment?.progressPct ?? 0;
  const driver = environment?.driver === "KIND" ? "kind cluster" : "embedded mesh";
  if (state === "READY") {
    return (
      <p className="flex items-center gap-2 text-sm text-emerald-800" data-testid="environment-status" data-state="READY">
        <span className="h-2.5 w-2.5 rounded-full bg-emerald-500" aria-hidden="true" />
        Environment ready · {driver} with Istio 1.26 and Bookinfo
      </p>
    );
  }
  if (state === "FAILED") {
    return (
      <p role="alert" className="text-sm text-red-700" data-testid="environment-status" data-state="FAILED">
        Environment failed: {environment?.failureReason ?? "unknown reason"}. Use “Reset lab” to start a new one.
      </p>
    );
  }
  return (
    <div className="w-full max-w-md space-y-1" data-testid="environment-status" data-state={state}>
      <p className="text-sm text-slate-700">{environment?.progressStep ?? "Preparing your environment"}…</p>
      <div role="progressbar" aria-label="Preparing your lab environment" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="h-2 overflow-hidden rounded bg-slate-200">
        <div className="h-full bg-sky-600 transition-all duration-300" style={{ width: `${Math.max(5, percent)}%` }} />
      </div>
    </div>
  );
}
