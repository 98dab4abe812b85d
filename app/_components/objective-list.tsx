"use client";
// The lab's objective checklist: live status per objective, a Check button each, and the latest result's finding
// cards. Results older than the last change to the cluster are marked so the learner knows to check again.
import type { ObjectiveView } from "../_lib/lab-sessions/types";
import { FindingCard } from "./finding-card";

const badges = {
  pass: { icon: "✓", text: "Passed", className: "bg-emerald-600 text-white" },
  fail: { icon: "✗", text: "Not yet", className: "bg-red-600 text-white" },
  error: { icon: "!", text: "Could not grade", className: "bg-amber-500 text-white" },
  unchecked: { icon: "○", text: "Not checked", className: "bg-slate-200 text-slate-700" },
} as const;

export function ObjectiveList(props: {
  objectives: ObjectiveView[];
  checking: ReadonlySet<string>;
  /** ISO time of the last change the learner made to the cluster. */
  changedAt: string | null;
  disabled: boolean;
  onCheck: (objectiveId: string) => void;
}) {
  const passed = props.objectives.filter((o) => o.status === "pass").length;
  return (
    <section aria-labelledby="objectives-title" className="space-y-3">
      <div className="flex items-baseline justify-between">
        <h2 id="objectives-title" className="text-lg font-semibold">Objectives</h2>
        <p className="text-sm text-slate-600" data-testid="objectives-progress">{passed} of {props.objectives.length} passed</p>
      </div>
      <ol className="space-y-3">
        {props.objectives.map((objective, index) => {
          const badge = badges[objective.status];
          const busy = props.checking.has(objective.id);
          const stale = objective.result && props.changedAt && props.changedAt > objective.result.checkedAt;
          const problems = objective.result?.findings.filter((f) => f.severity !== "info") ?? [];
          const confirmations = objective.result?.findings.filter((f) => f.severity === "info") ?? [];
          return (
            <li
              key={objective.id}
              className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
              data-testid={`objective-${objective.id}`}
              data-status={objective.status}
            >
              <div className="flex flex-wrap items-start gap-3">
                <span className={`inline-flex h-7 min-w-7 items-center justify-center rounded-full px-2 text-sm font-bold ${badge.className}`} aria-hidden="true">
                  {badge.icon}
                </span>
                <div className="min-w-0 flex-1">
                  <h3 className="font-semibold">{index + 1}. {objective.title}</h3>
                  <p className="text-xs font-medium text-slate-600">
                    <span className="sr-only">Status: </span>{badge.text}{stale ? " · you changed the cluster since this check" : ""}
                  </p>
                </div>
                <button
                  type="button"
                  onClick={() => props.onCheck(objective.id)}
                  disabled={busy || props.disabled}
                  aria-describedby={`objective-text-${objective.id}`}
                  data-testid={`check-${objective.id}`}
                  className="rounded border border-sky-700 px-3 py-1 text-sm font-medium text-sky-800 hover:bg-sky-50 disabled:opacity-50"
                >
                  {busy ? "Checking…" : "Check"}
                </button>
              </div>
              <p id={`objective-text-${objective.id}`} className="mt-2 text-sm text-slate-700">{objective.text}</p>
              {objective.result && (
                <div className="mt-3 space-y-2" aria-live="polite">
                  {objective.result.reason && <p className="text-sm text-amber-800">{objective.result.reason}</p>}
                  {objective.status !== "pass" && <p className="text-sm text-slate-800"><span className="font-semibold">Hint:</span> {objective.hint}</p>}
                  <ul className="space-y-2">
                    {problems.map((f, i) => <FindingCard key={`p${i}`} finding={f} />)}
                  </ul>
                  {confirmations.length > 0 && (
                    <details open={objective.status === "pass"} className="rounded border border-emerald-200 bg-emerald-50/40 p-2">
                      <summary className="cursor-pointer text-sm font-medium text-emerald-900">Evidence that holds ({confirmations.length})</summary>
                      <ul className="mt-2 space-y-2">
                        {confirmations.map((f, i) => <FindingCard key={`c${i}`} finding={f} />)}
                      </ul>
                    </details>
                  )}
                  <p className="text-xs text-slate-500">
                    Checked {new Date(objective.result.checkedAt).toLocaleTimeString("en-GB")} in {(objective.result.durationMs / 1000).toFixed(1)} s ·{" "}
                    <a href={objective.docsUrl} target="_blank" rel="noopener noreferrer" className="underline">docs</a>
                  </p>
                </div>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
