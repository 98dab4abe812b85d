// Pilot benchmark: time to build every proxy's config for one push of Bookinfo (run: npx tsx test/cluster/embedded/mesh/pilot/bench.ts).
import { pathToFileURL } from "node:url";
import { EmbeddedCluster } from "@/cluster/embedded/cluster";
import { Pilot } from "@/cluster/embedded/mesh/pilot";
import { bookinfoMesh, destinationRuleAll, reviews8020, virtualServiceAllV1 } from "./fixtures";

export interface PilotBenchResult {
  proxies: number;
  /** Median milliseconds for one push: snapshot, indexes, and the full config of every proxy. */
  pushMs: number;
  /** Median milliseconds to serve proxyConfig() for every proxy from the cache. */
  cachedLookupMs: number;
  /** Median milliseconds for a push after a VirtualService edit (clusters reused from the previous push). */
  virtualServiceEditMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function benchPilot(rounds = 30): PilotBenchResult {
  const mesh = bookinfoMesh();
  mesh.apply(destinationRuleAll);
  mesh.apply(virtualServiceAllV1);
  mesh.apply(reviews8020);
  mesh.sync();
  const pods = mesh.pilot.proxyStatus().map((row) => row.proxy);
  const pushTimes: number[] = [];
  const lookupTimes: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    const pilot = new Pilot(mesh.cluster.store, { scheduler: mesh.scheduler });
    for (const pod of pods) pilot.proxyConfig(pod);
    pushTimes.push(performance.now() - started);
    const lookupStart = performance.now();
    for (const pod of pods) pilot.proxyConfig(pod);
    lookupTimes.push(performance.now() - lookupStart);
    pilot.dispose();
  }
  const editTimes: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    mesh.apply(reviews8020.replace("weight: 80", `weight: ${80 - (round % 2)}`));
    const started = performance.now();
    mesh.sync();
    editTimes.push(performance.now() - started);
  }
  return { proxies: pods.length, pushMs: median(pushTimes), cachedLookupMs: median(lookupTimes), virtualServiceEditMs: median(editTimes) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  EmbeddedCluster.create();
  const result = benchPilot();
  console.log(
    `pilot: ${result.proxies} proxies, full push ${result.pushMs.toFixed(2)} ms, push after a VirtualService edit ${result.virtualServiceEditMs.toFixed(2)} ms, cached proxyConfig for all ${result.cachedLookupMs.toFixed(3)} ms`,
  );
}
