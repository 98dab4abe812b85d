// Lab files are validated at load: every lab in the repo loads, and broken lab files fail with the file and field named.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allLabs, labsDir, LabFileError, loadLab } from "@/labs";
import { labCatalog } from "@/labs/catalog";

const seedDir = path.join(labsDir, "bookinfo-traffic-management");

/** A copy of the seed lab whose lab.yaml has been edited. */
function brokenSeed(edit: (text: string) => string): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "lab-")), "bookinfo-traffic-management");
  cpSync(seedDir, dir, { recursive: true });
  writeFileSync(path.join(dir, "lab.yaml"), edit(readFileSync(path.join(dir, "lab.yaml"), "utf8")));
  return dir;
}

describe("labs", () => {
  it("all load, with unique ids, the seed lab's objectives in order, and each in the public catalog", () => {
    const labs = allLabs();
    expect(new Set(labs.map((l) => l.id)).size).toBe(labs.length);
    const seed = labs.find((l) => l.id === "bookinfo-traffic-management")!;
    expect(seed.objectives.map((o) => o.id)).toStrictEqual(["baseline-v1", "canary-80-20", "ratings-delay-3s", "circuit-breaker-503", "analyze-clean", "cleanup"]);
    for (const lab of labs) {
      expect(lab.task).toMatch(/https:\/\/istio\.io\//);
      expect(lab.objectives.every((o) => o.solution.length > 0 || o.passesBeforeSolution)).toBe(true);
    }
    expect(labCatalog().map((entry) => entry.id).sort()).toStrictEqual(labs.map((l) => l.id).sort());
  });

  it.each([
    ["an unknown check", (t: string) => t.replace("check: virtualservice.route-to-subset", "check: virtualservice.no-such-check"), /objectives\[0\]\.check: no grader check "virtualservice\.no-such-check"/],
    ["parameters the check refuses", (t: string) => t.replace("weights: {v1: 80, v2: 20}", "weights: {v1: -80, v2: 20}"), /objectives\[1\]\.params: weights/],
    ["an objective without a solution", (t: string) => t.replace("    solution:\n      - apply: solutions/baseline-v1.yaml\n", ""), /objectives\.0\.solution: an objective needs a solution/],
    ["a missing manifest", (t: string) => t.replace("solutions/canary-80-20.yaml\n    nearMisses", "solutions/canary-8020.yaml\n    nearMisses"), /references solutions\/canary-8020\.yaml, which does not exist/],
    ["an unknown field", (t: string) => t.replace("minutes: 45", "minutes: 45\nduration: 45"), /Unrecognized key.*duration/],
  ])("refuses %s with the file and field named", (_, edit, message) => {
    const dir = brokenSeed(edit);
    expect(() => loadLab(dir)).toThrow(LabFileError);
    expect(() => loadLab(dir)).toThrow(message);
    expect(() => loadLab(dir)).toThrow(/lab\.yaml/);
  });
});
