// Every lab proves itself on the embedded mesh (as `ica labs prove` does in CI): objectives fail before their
// solution, near misses fail with their codes, alternative answers pass, solutions pass, cleanup restores setup.
import { afterAll, describe, expect, it } from "vitest";
import { EmbeddedDriver } from "@/cluster/embedded/driver";
import { allLabs } from "@/labs";
import { proveLab } from "@/labs/prove";

const driver = new EmbeddedDriver();
afterAll(() => driver.close());

describe("ica labs prove", () => {
  it.concurrent.each(allLabs().map((lab) => [lab.id, lab] as const))("%s proves itself", async (_, lab) => {
    const proof = await proveLab(lab, driver);
    const failures = proof.steps.filter((s) => !s.ok).map((s) => `${s.objectiveId} · ${s.phase} · ${s.name}: ${s.problem}`);
    expect(failures).toStrictEqual([]);
    // Every objective was seen failing at least once, so no objective passes whatever the learner does.
    for (const objective of lab.objectives) {
      expect(proof.steps.some((s) => s.objectiveId === objective.id && s.status === "fail")).toBe(true);
    }
  }, 180_000);
});
