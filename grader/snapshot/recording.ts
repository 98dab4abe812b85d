// A Snapshot wrapper that records what a check read, so meta-tests can hold every check to its declared inputs.
import type { ObjectKind, ProxySelector, Snapshot, StatsSelector } from "./snapshot";

export interface SnapshotReads {
  kinds: Set<ObjectKind>;
  proxies: ProxySelector[];
  probes: Set<string>;
  analysis: boolean;
  stats: StatsSelector[];
}

export function recordingSnapshot(inner: Snapshot): { snapshot: Snapshot; reads: SnapshotReads } {
  const reads: SnapshotReads = { kinds: new Set(), proxies: [], probes: new Set(), analysis: false, stats: [] };
  const snapshot: Snapshot = {
    list: (kind, namespace) => (reads.kinds.add(kind), inner.list(kind, namespace)),
    get: (kind, namespace, name) => (reads.kinds.add(kind), inner.get(kind, namespace, name)),
    envoy: (selector) => (reads.proxies.push(selector), inner.envoy(selector)),
    probe: (id) => (reads.probes.add(id), inner.probe(id)),
    analysis: () => ((reads.analysis = true), inner.analysis()),
    proxySync: () => inner.proxySync(),
    stats: (selector) => (reads.stats.push(selector), inner.stats(selector)),
  };
  return { snapshot, reads };
}
