// Every check against its fixtures on the embedded mesh: pass fixtures pass (equivalent answers, no false positives),
// fail fixtures fail with exactly the expected error codes, and each check reads only the inputs it declares.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EmbeddedDriver } from "@/cluster/embedded/driver";
import { checks } from "@/grader/checks";
import { buildSnapshot } from "@/grader/snapshot/build";
import { recordingSnapshot } from "@/grader/snapshot/recording";
import { clusterWith } from "../support/embedded";

const checksDir = path.resolve(import.meta.dirname, "../../grader/checks");
const baseManifest = path.join(checksDir, "__fixtures__/base.yaml");
const driver = new EmbeddedDriver();
afterAll(() => driver.close());

interface FixtureCase {
  checkId: string;
  file: string;
  expectPass: boolean;
  expectedCodes: string[];
  /** Codes a fail fixture may also raise, for traffic verdicts that depend on a random sample (`# may: CODES`). */
  mayCodes: string[];
  params: unknown;
}

function fixturesOf(checkId: string): FixtureCase[] {
  const [area, name] = checkId.split(".") as [string, string];
  const dir = path.join(checksDir, area, "__fixtures__", name);
  const params = JSON.parse(readFileSync(path.join(dir, "params.json"), "utf8")) as unknown;
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const text = readFileSync(path.join(dir, f), "utf8");
      const expected = /^# expect: (.+)$/m.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
      const may = /^# may: (.+)$/m.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
      return { checkId, file: path.join(dir, f), expectPass: f.startsWith("pass-"), expectedCodes: expected.sort(), mayCodes: may, params };
    });
}

const cases = checks.flatMap((check) => fixturesOf(check.id));

describe("fixtures", () => {
  it("every check ships at least one passing and one failing fixture", () => {
    for (const check of checks) {
      const own = cases.filter((c) => c.checkId === check.id);
      expect(own.some((c) => c.expectPass), `${check.id} has no pass-*.yaml`).toBe(true);
      expect(own.some((c) => !c.expectPass && c.expectedCodes.length > 0), `${check.id} has no fail-*.yaml with "# expect:"`).toBe(true);
    }
  });
});

describe.each(checks.map((c) => c.id))("%s", (checkId) => {
  const check = checks.find((c) => c.id === checkId)!;
  it.each(cases.filter((c) => c.checkId === checkId).map((c) => [path.basename(c.file), c] as const))("%s", async (_, fixture) => {
    const cluster = await clusterWith(driver, [{ file: baseManifest }, { file: fixture.file }]);
    try {
      const params = check.params.parse(fixture.params);
      const inputs = check.inputs(params);
      const { snapshot, reads } = recordingSnapshot(await buildSnapshot(cluster, inputs));
      const findings = check.analyze(snapshot, params);
      const errors = [...new Set(findings.filter((f) => f.severity === "error").map((f) => f.code))].sort();

      if (fixture.expectPass) expect(errors, JSON.stringify(findings.filter((f) => f.severity === "error"), null, 1)).toStrictEqual([]);
      else expect(errors.filter((code) => !fixture.mayCodes.includes(code)), JSON.stringify(findings, null, 1).slice(0, 4000)).toStrictEqual(fixture.expectedCodes);

      // Every finding explains itself, and only with codes the check declares.
      for (const finding of findings) {
        expect(check.codes).toContain(finding.code);
        expect(finding.message.length).toBeGreaterThan(10);
      }
      // The check read nothing it did not declare.
      for (const kind of reads.kinds) expect(inputs.kinds).toContain(kind);
      for (const proxy of reads.proxies) expect(inputs.proxies).toContainEqual(proxy);
      for (const probe of reads.probes) expect(inputs.probes.map((p) => p.id)).toContain(probe);
      if (reads.analysis) expect(inputs.analysis).toBe(true);
      for (const selector of reads.stats) expect(inputs.stats ?? []).toContainEqual(selector);
    } finally {
      await driver.delete(cluster.id);
    }
  });
});
