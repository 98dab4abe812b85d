// Benchmark of grading: every objective of the seed lab (objects, Envoy config and traffic probes) on the embedded
// mesh, with config already propagated. Target: p95 of a full pass < 300 ms on this 2-core machine.
import { EmbeddedDriver } from "@/cluster/embedded/driver";
import { findLab } from "@/labs";
import { gradeLabObjective, runSteps } from "@/labs/runtime";
import { percentile } from "@/grader/stats/percentiles";

const targetP95Ms = 300;

export async function run(): Promise<void> {
  const lab = findLab("bookinfo-traffic-management")!;
  const driver = new EmbeddedDriver();
  const cluster = await driver.create();
  await runSteps(cluster, lab, lab.setup);
  // The state a learner has before cleaning up: every solution but the last applied.
  for (const objective of lab.objectives.slice(0, -1)) await runSteps(cluster, lab, objective.solution);
  await cluster.mesh.waitForSync(10_000);

  const totals: number[] = [];
  const perObjective = new Map<string, number[]>();
  for (let round = 0; round < 23; round++) {
    const started = performance.now();
    for (const objective of lab.objectives) {
      const t0 = performance.now();
      await gradeLabObjective(cluster, lab, objective.id);
      if (round >= 3) perObjective.set(objective.id, [...(perObjective.get(objective.id) ?? []), performance.now() - t0]);
    }
    if (round >= 3) totals.push(performance.now() - started);
  }
  await driver.close();

  for (const [id, times] of perObjective) console.log(`  ${id.padEnd(22)} median ${percentile(times, 50).toFixed(1)} ms`);
  const p50 = percentile(totals, 50);
  const p95 = percentile(totals, 95);
  console.log(`grade all ${lab.objectives.length} objectives of ${lab.id}: median ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target p95 < ${targetP95Ms} ms, ratio ${(p95 / targetP95Ms).toFixed(2)})`);
}
