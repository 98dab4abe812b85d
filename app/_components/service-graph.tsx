"use client";
// Bookinfo as a service graph (React Flow): the client, productpage, details, the three reviews versions and ratings,
// with the productpage → reviews edges labelled by the share of requests each version served in the last probe.
import { Background, MarkerType, Position, ReactFlow, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import type { TrafficView } from "../_lib/lab-sessions/types";

const versions = [
  { id: "v1", note: "no stars", color: "#64748b" },
  { id: "v2", note: "black stars", color: "#0f172a" },
  { id: "v3", note: "red stars", color: "#dc2626" },
] as const;

function box(id: string, label: string, x: number, y: number, options: { color?: string; dim?: boolean; source?: boolean; target?: boolean } = {}): Node {
  return {
    id,
    position: { x, y },
    data: { label },
    sourcePosition: Position.Right,
    targetPosition: Position.Left,
    type: options.source === false ? "output" : options.target === false ? "input" : "default",
    style: {
      width: 128,
      fontSize: 12,
      borderRadius: 8,
      border: `2px solid ${options.color ?? "#0369a1"}`,
      opacity: options.dim ? 0.45 : 1,
      background: "#fff",
    },
  };
}

export function ServiceGraph(props: { traffic: TrafficView | null; onSample: () => void; sampling: boolean; disabled: boolean }) {
  const { traffic } = props;
  const served = useMemo(() => {
    const counts = Object.fromEntries(versions.map((v) => [v.id, traffic?.histogram[v.id] ?? 0])) as Record<string, number>;
    const failures = Object.entries(traffic?.histogram ?? {}).filter(([label]) => !/^v\d+$/.test(label));
    const ok = versions.reduce((sum, v) => sum + counts[v.id]!, 0);
    return { counts, failures, ok };
  }, [traffic]);

  const { nodes, edges } = useMemo(() => {
    const share = (v: string) => (served.ok ? (served.counts[v]! / served.ok) * 100 : 0);
    const nodes: Node[] = [
      box("client", "sleep (client)", 0, 150, { color: "#6d28d9", target: false }),
      box("productpage", "productpage v1", 165, 150),
      box("details", "details v1", 335, 20, { source: false }),
      ...versions.map((v, i) => box(`reviews-${v.id}`, `reviews ${v.id} · ${v.note}`, 335, 100 + i * 80, { color: v.color, dim: traffic !== null && served.counts[v.id] === 0 })),
      box("ratings", "ratings v1", 505, 220, { source: false }),
    ];
    const edge = (source: string, target: string, label?: string, weight = 1, active = true): Edge => ({
      id: `${source}-${target}`,
      source,
      target,
      label,
      animated: active && weight > 0,
      markerEnd: { type: MarkerType.ArrowClosed },
      style: { strokeWidth: 1 + weight * 5, stroke: active ? "#0369a1" : "#cbd5e1" },
      labelStyle: { fontSize: 12, fontWeight: 600 },
      labelBgStyle: { fill: "#f0f9ff" },
    });
    const edges: Edge[] = [
      edge("client", "productpage", traffic ? `${traffic.requests} req` : undefined, 0.3),
      edge("productpage", "details", undefined, 0.3),
      ...versions.map((v) => edge("productpage", `reviews-${v.id}`, traffic ? `${share(v.id).toFixed(0)}%` : undefined, share(v.id) / 100, !traffic || served.counts[v.id]! > 0)),
      edge("reviews-v2", "ratings", undefined, 0.2, !traffic || served.counts.v2! > 0),
      edge("reviews-v3", "ratings", undefined, 0.2, !traffic || served.counts.v3! > 0),
    ];
    return { nodes, edges };
  }, [served, traffic]);

  return (
    <section aria-labelledby="graph-title" className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2">
        <h2 id="graph-title" className="mr-auto font-semibold">Service graph</h2>
        <button
          type="button"
          onClick={props.onSample}
          disabled={props.sampling || props.disabled}
          className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-50"
        >
          {props.sampling ? "Sending…" : "Send 100 requests"}
        </button>
      </header>
      <div className="h-80" role="img" aria-label="Bookinfo service graph with the observed traffic split to reviews versions">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          fitView
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          zoomOnScroll={false}
          panOnDrag={false}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={16} color="#e2e8f0" />
        </ReactFlow>
      </div>
      <div className="border-t border-slate-200 px-4 py-2 text-xs text-slate-600" data-testid="traffic-split">
        {traffic ? (
          <p>
            {traffic.source === "check" ? "Observed by the last check" : "Observed by your last sample"}: {traffic.requests} product-page requests ·{" "}
            {versions.map((v) => `${v.id} ${served.counts[v.id]}`).join(" · ")}
            {served.failures.length > 0 && ` · failed: ${served.failures.map(([label, n]) => `${label} × ${n}`).join(", ")}`}
          </p>
        ) : (
          <p>No traffic observed yet: send requests, or check an objective that probes traffic.</p>
        )}
      </div>
    </section>
  );
}
