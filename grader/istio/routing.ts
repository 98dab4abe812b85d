// Reading Istio routing intent from a snapshot the way istiod does: host resolution, which VirtualService applies to
// sidecars of a namespace, which subsets DestinationRules define, and the traffic policy in effect after merging.
import type {
  DestinationRuleSpec,
  HTTPRoute,
  Subset,
  TrafficPolicy,
  VirtualServiceSpec,
} from "@/cluster/embedded/admission";
import { parseDurationMs } from "@/cluster/embedded/admission/primitives";
import { hostsMatch, toFqdn } from "../analyze/hosts";
import type { KubeObject, Snapshot } from "../snapshot/snapshot";

export { toFqdn };

/** Milliseconds of an Istio duration (`3s`, `3000ms`), or undefined when it is not one. */
export function durationMs(text: unknown): number | undefined {
  return typeof text === "string" ? (parseDurationMs(text) ?? undefined) : undefined;
}

function exportTo(obj: KubeObject): string[] {
  const value = obj.spec?.exportTo;
  return Array.isArray(value) ? (value as string[]) : [];
}

/** Whether an object's exportTo lets sidecars in `namespace` see it. */
export function visibleIn(obj: KubeObject, namespace: string): boolean {
  const targets = exportTo(obj);
  if (targets.length === 0 || targets.includes("*")) return true;
  const own = obj.metadata.namespace ?? "default";
  return targets.some((t) => (t === "." ? own === namespace : t === namespace));
}

/** Oldest first, then by name: the order istiod uses when several objects claim the same host. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? "";
  const tb = b.metadata.creationTimestamp ?? "";
  return ta === tb ? `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`) : ta.localeCompare(tb);
}

export function vsSpec(vs: KubeObject): VirtualServiceSpec {
  return (vs.spec ?? {}) as VirtualServiceSpec;
}

export function drSpec(dr: KubeObject): DestinationRuleSpec {
  return (dr.spec ?? {}) as DestinationRuleSpec;
}

/** True when a VirtualService applies to sidecars (no gateways, or the reserved `mesh`). */
export function appliesToMesh(vs: KubeObject): boolean {
  const gateways = vsSpec(vs).gateways ?? [];
  return gateways.length === 0 || gateways.includes("mesh");
}

/** VirtualServices that route `fqdn` for sidecars in `namespace`, in the order istiod would honour them. */
export function meshVirtualServices(snapshot: Snapshot, fqdn: string, namespace: string): KubeObject[] {
  return snapshot
    .list("VirtualService")
    .filter((vs) => appliesToMesh(vs) && visibleIn(vs, namespace))
    .filter((vs) => (vsSpec(vs).hosts ?? []).some((h) => hostsMatch(toFqdn(vs.metadata.namespace ?? "default", h), fqdn)))
    .sort(byCreation);
}

/** VirtualServices of any binding whose hosts include `fqdn`. */
export function virtualServicesForHost(snapshot: Snapshot, fqdn: string): KubeObject[] {
  return snapshot
    .list("VirtualService")
    .filter((vs) => (vsSpec(vs).hosts ?? []).some((h) => hostsMatch(toFqdn(vs.metadata.namespace ?? "default", h), fqdn)))
    .sort(byCreation);
}

/** DestinationRules for `fqdn` visible from `namespace`, oldest first (the merge order). */
export function destinationRulesFor(snapshot: Snapshot, fqdn: string, namespace: string): KubeObject[] {
  return snapshot
    .list("DestinationRule")
    .filter((dr) => visibleIn(dr, namespace))
    .filter((dr) => typeof drSpec(dr).host === "string" && toFqdn(dr.metadata.namespace ?? "default", drSpec(dr).host!) === fqdn)
    .sort(byCreation);
}

/** The subsets defined for a host after merging its DestinationRules (first definition of a name wins). */
export function definedSubsets(snapshot: Snapshot, fqdn: string, namespace: string): Map<string, { rule: KubeObject; subset: Subset }> {
  const subsets = new Map<string, { rule: KubeObject; subset: Subset }>();
  for (const rule of destinationRulesFor(snapshot, fqdn, namespace)) {
    for (const subset of drSpec(rule).subsets ?? []) if (!subsets.has(subset.name)) subsets.set(subset.name, { rule, subset });
  }
  return subsets;
}

/** The top-level traffic policy in effect: the oldest rule that has one wins, later ones are ignored (Istio 1.26). */
export function effectiveTrafficPolicy(snapshot: Snapshot, fqdn: string, namespace: string): { rule: KubeObject; policy: TrafficPolicy } | undefined {
  for (const rule of destinationRulesFor(snapshot, fqdn, namespace)) {
    const policy = drSpec(rule).trafficPolicy;
    if (policy) return { rule, policy };
  }
  return undefined;
}

/** True when an HTTP route matches every request (no match block, or a match that is only `prefix: /`). */
export function matchesEveryRequest(route: HTTPRoute): boolean {
  const matches = route.match ?? [];
  if (matches.length === 0) return true;
  return matches.some((m) => {
    const keys = Object.keys(m).filter((k) => k !== "name");
    if (keys.length === 0) return true;
    return keys.length === 1 && m.uri !== undefined && "prefix" in m.uri && m.uri.prefix === "/";
  });
}

/** The index of the route a request without special headers takes (the first catch-all), or -1. */
export function defaultRouteIndex(spec: VirtualServiceSpec): number {
  return (spec.http ?? []).findIndex(matchesEveryRequest);
}

/** A route's destinations resolved to FQDNs, with the share of traffic each receives (weights normalised). */
export function routeShares(route: HTTPRoute, vsNamespace: string): { index: number; fqdn: string; subset?: string; share: number }[] {
  const destinations = route.route ?? [];
  const weights = destinations.map((d) => (destinations.length === 1 ? 100 : (d.weight ?? 0)));
  const total = weights.reduce((a, b) => a + b, 0);
  return destinations.map((d, index) => ({
    index,
    fqdn: toFqdn(vsNamespace, d.destination.host),
    subset: d.destination.subset,
    share: total > 0 ? weights[index]! / total : 0,
  }));
}

/** A readable summary of shares: `{ v1: 80, v2: 20 }` (percent, one decimal). */
export function sharesBySubset(shares: { subset?: string; share: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of shares) {
    const key = s.subset ?? "(no subset)";
    out[key] = Math.round(((out[key] ?? 0) + s.share * 100) * 10) / 10;
  }
  return out;
}
