// Reads manifest files and directories the way istioctl analyze gathers them (.yaml, .yml, .json; directories one
// level deep unless recursive) and analyzes them.
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parseManifests } from "./manifests";
import type { SourcedObject } from "./resources";
import { analyzeObjects, type AnalysisResult, type AnalyzeOptions } from "./run";

export const MANIFEST_EXTENSIONS = [".json", ".yaml", ".yml"];

/** The objects of a set of files, the files actually read, and what could not be parsed. */
export interface LoadedManifests {
  objects: SourcedObject[];
  files: string[];
  /** Files skipped for their extension. */
  skipped: string[];
  /** One entry per document that could not be parsed. */
  parseErrors: { file: string; message: string }[];
}

function isManifest(file: string): boolean {
  return MANIFEST_EXTENSIONS.includes(path.extname(file));
}

async function expand(target: string, recursive: boolean, isTopLevel: boolean): Promise<{ files: string[]; skipped: string[] }> {
  const info = await stat(target);
  if (!info.isDirectory()) return isManifest(target) ? { files: [target], skipped: [] } : { files: [], skipped: [target] };
  if (!isTopLevel && !recursive) return { files: [], skipped: [] };
  const entries = (await readdir(target)).sort();
  const result = { files: [] as string[], skipped: [] as string[] };
  for (const entry of entries) {
    const nested = await expand(path.join(target, entry), recursive, false);
    result.files.push(...nested.files);
    result.skipped.push(...nested.skipped);
  }
  return result;
}

/** Reads every manifest under the given files and directories (directories are not descended unless `recursive`). */
export async function loadManifests(paths: readonly string[], options: { recursive?: boolean } = {}): Promise<LoadedManifests> {
  const loaded: LoadedManifests = { objects: [], files: [], skipped: [], parseErrors: [] };
  for (const target of paths) {
    const { files, skipped } = await expand(target, options.recursive ?? false, true);
    loaded.skipped.push(...skipped);
    for (const file of files) {
      const parsed = parseManifests(await readFile(file, "utf8"), file);
      loaded.files.push(file);
      loaded.objects.push(...parsed.objects);
      loaded.parseErrors.push(...parsed.errors.map((message) => ({ file, message })));
    }
  }
  return loaded;
}

/** Analyzes files alone, with istioctl's offline default ingress resources (like `istioctl analyze --use-kube=false`). */
export async function analyzeFiles(paths: readonly string[], options: AnalyzeOptions & { recursive?: boolean } = {}): Promise<AnalysisResult & LoadedManifests> {
  const loaded = await loadManifests(paths, options);
  const { recursive: _recursive, ...analyzeOptions } = options;
  return { ...loaded, ...analyzeObjects(loaded.objects, { offlineDefaults: true, ...analyzeOptions }) };
}
