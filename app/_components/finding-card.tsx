// One grader finding as a card: code and message, the resource and field path, expected versus actual, the Envoy
// config excerpt, the probe histogram with latency, the hint and the docs link.
import type { Finding } from "@/grader/check";

function pretty(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

const tone = {
  error: { card: "border-red-200 bg-red-50", badge: "bg-red-600 text-white", label: "Problem" },
  warning: { card: "border-amber-200 bg-amber-50", badge: "bg-amber-500 text-white", label: "Warning" },
  info: { card: "border-emerald-200 bg-emerald-50", badge: "bg-emerald-600 text-white", label: "Confirmed" },
} as const;

/** Bars for a probe histogram, largest share first. */
export function Histogram({ histogram, requests }: { histogram: Record<string, number>; requests: number }) {
  const entries = Object.entries(histogram).sort(([, a], [, b]) => b - a);
  const total = Math.max(1, requests);
  return (
    <dl className="space-y-1" data-testid="probe-histogram">
      {entries.map(([label, count]) => {
        const share = (count / total) * 100;
        const failed = label.startsWith("HTTP") || /^[45]\d\d/.test(label);
        return (
          <div key={label} className="grid grid-cols-[6rem_1fr_5.5rem] items-center gap-2 text-xs">
            <dt className="truncate font-mono" title={label}>{label}</dt>
            <dd className="h-3 overflow-hidden rounded bg-slate-200" aria-hidden="true">
              <div className={`h-full ${failed ? "bg-red-500" : "bg-sky-600"}`} style={{ width: `${share}%` }} />
            </dd>
            <dd className="text-right tabular-nums">{count} · {share.toFixed(1)}%</dd>
          </div>
        );
      })}
    </dl>
  );
}

export function FindingCard({ finding }: { finding: Finding }) {
  const t = tone[finding.severity];
  return (
    <li className={`space-y-2 rounded-md border p-3 text-sm ${t.card}`} data-testid="finding" data-code={finding.code}>
      <div className="flex items-center gap-2">
        <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${t.badge}`}>{t.label}</span>
        <span className="rounded bg-white/70 px-1.5 py-0.5 font-mono text-xs text-slate-700">{finding.code}</span>
      </div>
      <p className="break-words text-slate-900">{finding.message}</p>
      {(finding.resource || finding.path) && (
        <p className="text-xs text-slate-700">
          {finding.resource && <span className="font-medium">{finding.resource.kind} {finding.resource.namespace ? `${finding.resource.namespace}/` : ""}{finding.resource.name}</span>}
          {finding.path && <> · field <code className="rounded bg-white/80 px-1 font-mono" data-testid="evidence-path">{finding.path}</code></>}
        </p>
      )}
      {(finding.expected !== undefined || finding.actual !== undefined) && (
        <div className="grid gap-2 sm:grid-cols-2">
          {finding.expected !== undefined && (
            <div>
              <p className="text-xs font-semibold text-slate-600">Expected</p>
              <pre className="mt-1 max-h-40 overflow-auto rounded bg-white p-2 font-mono text-xs" data-testid="evidence-expected">{pretty(finding.expected)}</pre>
            </div>
          )}
          {finding.actual !== undefined && (
            <div>
              <p className="text-xs font-semibold text-slate-600">Actual</p>
              <pre className="mt-1 max-h-40 overflow-auto rounded bg-white p-2 font-mono text-xs" data-testid="evidence-actual">{pretty(finding.actual)}</pre>
            </div>
          )}
        </div>
      )}
      {finding.envoy && (
        <details className="rounded bg-white/80 p-2" data-testid="evidence-envoy">
          <summary className="cursor-pointer text-xs font-semibold text-slate-700">
            Envoy config of {finding.envoy.proxy}: {finding.envoy.location}
          </summary>
          <pre className="mt-2 max-h-60 overflow-auto font-mono text-xs">{pretty(finding.envoy.excerpt)}</pre>
        </details>
      )}
      {finding.probe && (
        <div className="rounded bg-white/80 p-2">
          <p className="mb-1 text-xs font-semibold text-slate-700">
            Traffic: {finding.probe.requests} requests ({finding.probe.probe})
            {finding.probe.latencyMs && ` · latency p50 ${finding.probe.latencyMs.p50} ms, p90 ${finding.probe.latencyMs.p90} ms, max ${finding.probe.latencyMs.max} ms`}
          </p>
          <Histogram histogram={finding.probe.histogram} requests={finding.probe.requests} />
        </div>
      )}
      {finding.hint && <p className="text-xs text-slate-800"><span className="font-semibold">Hint:</span> {finding.hint}</p>}
      {finding.docsUrl && (
        <p className="text-xs">
          <a href={finding.docsUrl} target="_blank" rel="noopener noreferrer" className="text-sky-800 underline">Istio documentation</a>
        </p>
      )}
    </li>
  );
}
