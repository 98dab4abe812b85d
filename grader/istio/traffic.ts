// Reading probe results: which version served a request, what the Bookinfo page showed, and histograms for evidence.
import type { ProbeResponse, ProbeResult } from "@/cluster/driver";
import type { ProbeEvidence } from "../check";
import { latencySummary } from "../stats/percentiles";
import type { Snapshot } from "../snapshot/snapshot";

/** How to tell which version of the host served a probe response. */
export type ServedBy =
  /** The probe called the host directly: the serving pod is the response's upstream pod. */
  | "upstream-pod"
  /** The probe loaded Bookinfo's product page: the reviews pod is named in "Reviews served by: <pod>". */
  | "productpage-reviews";

/** What a Bookinfo product page showed. */
export interface ProductPageView {
  reviewsPod?: string;
  stars: "none" | "black" | "red";
  reviewsUnavailable: boolean;
  ratingsUnavailable: boolean;
}

export function readProductPage(body: string): ProductPageView {
  const pod = /Reviews served by:\s*(?:<[^>]+>\s*)*([a-z0-9][a-z0-9.-]*)/i.exec(body)?.[1];
  const filled = body.includes('id="glyphicon glyphicon-star"') || /glyphicon-star(?!-empty)/.test(body);
  const color = (/gap-x-1 text-(black|red)-500/.exec(body) ?? /<font color="(black|red)"/.exec(body))?.[1];
  const stars: ProductPageView["stars"] = !filled ? "none" : color === "red" ? "red" : "black";
  return {
    reviewsPod: pod,
    stars,
    reviewsUnavailable: body.includes("Sorry, product reviews are currently unavailable for this book."),
    ratingsUnavailable: body.includes("Ratings service is currently unavailable"),
  };
}

/** The `version` label of a pod, read from the snapshot, else guessed from a Deployment-style name (`reviews-v2-…`). */
export function versionOfPod(snapshot: Snapshot, namespace: string, podName: string): string | undefined {
  const pod = snapshot.get("Pod", namespace, podName);
  const label = pod?.metadata.labels?.version;
  if (label) return label;
  return /-(v\d+)-[a-z0-9]+-[a-z0-9]+$/.exec(podName)?.[1];
}

/** The version that served one response, or undefined when the response does not say. */
export function servedVersion(snapshot: Snapshot, namespace: string, response: ProbeResponse, servedBy: ServedBy): string | undefined {
  const pod = servedBy === "upstream-pod" ? response.upstreamPod : readProductPage(response.body).reviewsPod;
  if (!pod) return undefined;
  const [name, podNamespace] = pod.includes(".") ? (pod.split(".") as [string, string]) : [pod, namespace];
  return versionOfPod(snapshot, podNamespace, name);
}

/** Counts per label, with a stable key order. */
export function countBy<T>(items: readonly T[], label: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const key = label(item);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** `200`, or `503 UO` when Envoy flagged the response. */
export function statusLabel(response: ProbeResponse): string {
  return response.flags && response.flags !== "-" ? `${response.status} ${response.flags}` : String(response.status);
}

/** Probe evidence for a finding: a histogram plus latency percentiles. */
export function probeEvidence(id: string, result: ProbeResult, histogram: Record<string, number>): ProbeEvidence {
  const latency = latencySummary(result.responses.map((r) => r.latencyMs));
  return {
    probe: id,
    requests: result.responses.length,
    histogram,
    latencyMs: { p50: round(latency.p50), p90: round(latency.p90), p99: round(latency.p99), max: round(latency.max) },
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
