// The lab format: a lab is a folder under labs/ with lab.yaml (validated here), task.md, and manifests for setup,
// solutions, near misses and cleanup. Objectives reference grader checks by id with parameters.
import { z } from "zod";
import { examDomains } from "@/content/exam-domains";

const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "use lowercase words joined by '-'");
/** A path inside the lab folder. */
const labPath = z.string().regex(/^(?!\/)(?!.*\.\.)[\w./-]+$/, "a relative path inside the lab folder");

/** One change to the cluster: apply or delete the objects of a manifest file. */
export const step = z.union([
  z.object({ apply: labPath }).strict(),
  z.object({ delete: labPath }).strict(),
]);
export type LabStep = z.infer<typeof step>;

export const objective = z
  .object({
    id,
    title: z.string().min(5),
    /** What "done" means and how it is checked, in the learner's words. */
    text: z.string().min(20),
    check: z.string().regex(/^[a-z]+\.[a-z0-9-]+$/),
    params: z.record(z.string(), z.unknown()),
    hint: z.string().min(10),
    docsUrl: z.url(),
    weight: z.number().int().min(1).max(100).default(1),
    /** What a correct answer applies (in order); `ica labs prove` uses it. */
    solution: z.array(step).default([]),
    /** Commands a learner would type for the solution (shown after the lab, and run by prove when a shell exists). */
    solutionCommands: z.array(z.string()).default([]),
    /**
     * Wrong answers that must fail, each undone by its own `undo` steps. Objectives that already pass before their
     * solution (such as "analyze is clean") prove themselves this way.
     */
    nearMisses: z
      .array(z.object({ name: z.string().min(3), steps: z.array(step).min(1), undo: z.array(step).min(1), expectCodes: z.array(z.string().regex(/^ICA\d{4}$/)).min(1) }).strict())
      .default([]),
    /** Other correct answers that must pass too (equivalent hosts, orders, units), each with its `undo`. */
    alternatives: z.array(z.object({ name: z.string().min(3), steps: z.array(step).min(1), undo: z.array(step).min(1) }).strict()).default([]),
    /** True for objectives that hold before their solution (only allowed with at least one near miss). */
    passesBeforeSolution: z.boolean().default(false),
  })
  .strict()
  .refine((o) => !o.passesBeforeSolution || o.nearMisses.length > 0, { message: "an objective that passes before its solution needs a near miss that fails", path: ["nearMisses"] })
  .refine((o) => o.passesBeforeSolution || o.solution.length > 0, { message: "an objective needs a solution", path: ["solution"] });
export type LabObjective = z.infer<typeof objective>;

export const labSchema = z
  .object({
    id,
    title: z.string().min(5).max(120),
    domain: z.enum(examDomains.map((d) => d.id) as [string, ...string[]]),
    minutes: z.number().int().min(5).max(180),
    summary: z.string().min(20).max(400),
    environment: z.object({ drivers: z.array(z.enum(["embedded", "kind"])).min(1) }).strict().default({ drivers: ["embedded", "kind"] }),
    docsUrl: z.url(),
    setup: z.array(step).default([]),
    objectives: z.array(objective).min(1),
    cleanup: z.array(step).default([]),
  })
  .strict()
  .refine((lab) => new Set(lab.objectives.map((o) => o.id)).size === lab.objectives.length, { message: "objective ids must be unique", path: ["objectives"] });

export type LabDefinition = z.infer<typeof labSchema>;

/** A loaded lab: its definition, task text, and where its files are. */
export interface Lab extends LabDefinition {
  task: string;
  dir: string;
}
