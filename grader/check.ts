// What a check is: a stable id, declared inputs, zod-typed parameters and a pure analysis of a snapshot into findings.
import type { z } from "zod";
import type { ProbeSpec } from "@/cluster/driver";
import type { MessageCode } from "./messages";
import type { ObjectKind, ProxySelector, Snapshot, StatsSelector } from "./snapshot/snapshot";

export type Severity = "error" | "warning" | "info";

/** The Kubernetes object a finding is about. */
export interface ResourceRef {
  kind: string;
  namespace?: string;
  name: string;
}

/** An excerpt of a proxy's Envoy config that backs a finding. */
export interface EnvoyEvidence {
  proxy: string;
  /** What the excerpt is, e.g. `route "9080" › vhost reviews.default.svc.cluster.local:9080 › route 0`. */
  location: string;
  excerpt: unknown;
}

/** What traffic did, summarised for a finding. */
export interface ProbeEvidence {
  probe: string;
  requests: number;
  /** Counts by label: status codes ("200", "503 UO") or destinations ("v1", "v2"). */
  histogram: Record<string, number>;
  latencyMs?: { p50: number; p90: number; p99: number; max: number };
}

/** One thing the grader found, with the evidence a learner needs to understand it. */
export interface Finding {
  code: MessageCode;
  severity: Severity;
  message: string;
  resource?: ResourceRef;
  /** Field path inside the resource, Kubernetes style: `spec.http[0].route[1].weight`. */
  path?: string;
  expected?: unknown;
  actual?: unknown;
  envoy?: EnvoyEvidence;
  probe?: ProbeEvidence;
  hint?: string;
  docsUrl?: string;
}

/** A probe a check wants run before it analyzes; results are looked up by id. */
export interface ProbeRequest {
  id: string;
  spec: ProbeSpec;
  /** Wait until config has propagated before sending (always true for traffic that exercises new config). */
  afterSync?: boolean;
}

/** Everything a check may read; the snapshot builder fetches exactly this, and a meta-test holds checks to it. */
export interface CheckInputs {
  kinds: ObjectKind[];
  proxies: ProxySelector[];
  probes: ProbeRequest[];
  /** Whether the istioctl-compatible analyzer's messages are needed. */
  analysis?: boolean;
  /** Workloads whose Envoy /stats are read before and after the probes (every running pod with a sidecar that matches). */
  stats?: StatsSelector[];
}

export interface Check<P = unknown> {
  id: string;
  title: string;
  description: string;
  /** Every message code this check can emit (all must be in the catalog). */
  codes: readonly MessageCode[];
  params: z.ZodType<P>;
  inputs(params: P): CheckInputs;
  analyze(snapshot: Snapshot, params: P): Finding[];
}

/** Declares a check; the identity function that gives a check its types. */
export function defineCheck<S extends z.ZodType>(check: Check<z.infer<S>> & { params: S }): Check<z.infer<S>> {
  return check;
}
