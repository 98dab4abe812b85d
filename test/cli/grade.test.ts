// `ica grade` as lab authors script it: exit 0 when every objective passes, 1 on a wrong answer (with the reason),
// 2 for usage errors, JSON on request.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const lab = path.join(root, "labs/bookinfo-traffic-management");

function ica(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(root, "bin/ica.mjs"), ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("ica grade", () => {
  it("passes a correct answer applied with --apply (a directory works too) and exits 0", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "answer-"));
    writeFileSync(path.join(dir, "10-delay.yaml"), "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ratings}\nspec:\n  hosts: [ratings.default.svc.cluster.local]\n  http:\n  - fault:\n      delay: {fixedDelay: 3000ms, percentage: {value: 100}}\n    route:\n    - destination: {host: ratings}\n");
    const run = ica("grade", "--lab", "bookinfo-traffic-management", "--objective", "ratings-delay-3s", "--embedded", "--apply", dir);
    expect(run.stdout).toContain("✔ ratings-delay-3s: PASS");
    expect(run.stdout).toContain("1 passed, 0 failed");
    expect(run.code).toBe(0);
  });

  it("fails a near miss with the specific reason and exits 1", () => {
    const run = ica("grade", "--lab", "bookinfo-traffic-management", "--objective", "baseline-v1", "--embedded", "--apply", path.join(lab, "near-misses/baseline-wrong-subset.yaml"));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("✘ baseline-v1: FAIL");
    expect(run.stdout).toContain("[ICA0302] Route 0 sends 100% of its requests to subset v2 of reviews.default.svc.cluster.local, not to subset v1.");
    expect(run.stdout).toContain("resource: VirtualService default/reviews at spec.http[0].route[0].destination.subset");
  });

  it("prints JSON with --json and grades several objectives in order", () => {
    const run = ica("grade", "--lab", "bookinfo-traffic-management", "--objective", "analyze-clean", "--objective", "cleanup", "--embedded", "--json");
    const body = JSON.parse(run.stdout) as { results: { objectiveId: string; status: string }[] };
    expect(body.results.map((r) => [r.objectiveId, r.status])).toStrictEqual([["analyze-clean", "pass"], ["cleanup", "pass"]]);
    expect(run.code).toBe(0);
  });

  it("exits 2 with a clear message for usage errors", () => {
    const unknown = ica("grade", "--lab", "bookinfo-traffic-management", "--objective", "nope", "--embedded");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no objective "nope"');
    expect(ica("grade", "--lab", "bookinfo-traffic-management").stderr).toContain("give exactly one of --embedded or --kubeconfig");
  });
});
