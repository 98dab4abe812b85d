// Labs as the web app loads them: one folder at a time, so a lab being written (or broken) elsewhere never takes
// the others down with it. Each lab is validated by labs/ on first use and cached for the process.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { labsDir, loadLab } from "@/labs/index";
import type { Lab } from "@/labs/schema";

const labIdPattern = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const loaded = new Map<string, Lab>();

/** The lab with this id, or undefined when there is no such folder. Throws LabFileError when its files are broken. */
export function labById(id: string): Lab | undefined {
  if (!labIdPattern.test(id)) return undefined;
  const cached = loaded.get(id);
  if (cached) return cached;
  const dir = path.join(labsDir, id);
  if (!existsSync(path.join(dir, "lab.yaml"))) return undefined;
  const lab = loadLab(dir);
  loaded.set(id, lab);
  return lab;
}

/** Every lab that loads, sorted by id; broken ones are reported on the server log and left out. */
export function loadableLabs(): Lab[] {
  const labs: Lab[] = [];
  for (const entry of readdirSync(labsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !existsSync(path.join(labsDir, entry.name, "lab.yaml"))) continue;
    try {
      const lab = labById(entry.name);
      if (lab) labs.push(lab);
    } catch (error) {
      console.error(`lab ${entry.name} is left out: ${(error as Error).message}`);
    }
  }
  return labs.sort((a, b) => a.id.localeCompare(b.id));
}
