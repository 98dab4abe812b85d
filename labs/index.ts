// Loads every lab under labs/: parses lab.yaml with zod, checks each objective's check id and parameters against
// the grader, and checks that every referenced file exists. A broken lab fails loudly with its path.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { findCheck } from "@/grader/checks";
import { labSchema, type Lab, type LabStep } from "./schema";

/** The labs folder: next to this file, or under the working directory when bundled (Next.js). */
export const labsDir = [import.meta.dirname, path.join(process.cwd(), "labs")].find(
  (dir): dir is string => typeof dir === "string" && existsSync(path.join(dir, "schema.ts")),
) ?? path.join(process.cwd(), "labs");

/** A lab file that does not validate: the message names the file and the field. */
export class LabFileError extends Error {}

function stepFile(s: LabStep): string {
  return "apply" in s ? s.apply : s.delete;
}

/** Loads and validates one lab folder. */
export function loadLab(dir: string): Lab {
  const file = path.join(dir, "lab.yaml");
  const where = path.relative(process.cwd(), file);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new LabFileError(`${where}: ${(error as Error).message}`);
  }
  const parsed = labSchema.safeParse(raw);
  if (!parsed.success) {
    throw new LabFileError(`${where}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const lab = parsed.data;
  if (lab.id !== path.basename(dir)) throw new LabFileError(`${where}: id "${lab.id}" must equal the folder name "${path.basename(dir)}"`);
  lab.objectives.forEach((objective, i) => {
    const check = findCheck(objective.check);
    if (!check) throw new LabFileError(`${where}: objectives[${i}].check: no grader check "${objective.check}"`);
    const params = check.params.safeParse(objective.params);
    if (!params.success) {
      throw new LabFileError(`${where}: objectives[${i}].params: ${params.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
    }
  });
  const steps = [...lab.setup, ...lab.cleanup, ...lab.objectives.flatMap((o) => [...o.solution, ...o.nearMisses.flatMap((n) => [...n.steps, ...n.undo]), ...o.alternatives.flatMap((a) => [...a.steps, ...a.undo])])];
  for (const s of steps) {
    if (!existsSync(path.join(dir, stepFile(s)))) throw new LabFileError(`${where}: references ${stepFile(s)}, which does not exist`);
  }
  const taskFile = path.join(dir, "task.md");
  if (!existsSync(taskFile)) throw new LabFileError(`${where}: task.md is missing`);
  return { ...lab, task: readFileSync(taskFile, "utf8"), dir };
}

let cache: Lab[] | undefined;

/** Every lab, sorted by id (loaded once per process). */
export function allLabs(): Lab[] {
  cache ??= readdirSync(labsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(labsDir, entry.name, "lab.yaml")))
    .map((entry) => loadLab(path.join(labsDir, entry.name)))
    .sort((a, b) => a.id.localeCompare(b.id));
  return cache;
}

export function findLab(id: string): Lab | undefined {
  return allLabs().find((lab) => lab.id === id);
}

/** The manifest text of a step's file. */
export function stepManifest(lab: Lab, s: LabStep): { action: "apply" | "delete"; file: string; text: string } {
  const file = stepFile(s);
  return { action: "apply" in s ? "apply" : "delete", file: path.join(lab.dir, file), text: readFileSync(path.join(lab.dir, file), "utf8") };
}
