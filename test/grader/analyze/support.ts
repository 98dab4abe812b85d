// Shared helpers for the analyzer tests: read testdata, run analyzers, and reduce messages to (code, origin) pairs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { analyzeObjects, friendlyName, parseManifests, type AnalysisMessage, type AnalyzeOptions, type Analyzer } from "@/grader/analyze";

export const TESTDATA = path.join(import.meta.dirname, "testdata");

/** Objects of testdata files, positioned in those files. */
export function testdataObjects(...files: string[]) {
  return files.flatMap((file) => parseManifests(readFileSync(path.join(TESTDATA, file), "utf8"), file).objects);
}

/** Objects of an inline manifest. */
export function inlineObjects(yaml: string, fileName = "inline.yaml") {
  const parsed = parseManifests(yaml, fileName);
  if (parsed.errors.length > 0) throw new Error(parsed.errors.join("\n"));
  return parsed.objects;
}

/** Sorts `[code, origin]` pairs so two lists compare regardless of order. */
export function sortPairs(pairs: readonly [string, string][]): [string, string][] {
  return [...pairs].sort((a, b) => (a.join(" ") < b.join(" ") ? -1 : a.join(" ") > b.join(" ") ? 1 : 0));
}

/** `[code, "Kind ns/name"]` pairs, sorted, for comparing against istio's expected tables. */
export function codesAndOrigins(messages: readonly AnalysisMessage[]): [string, string][] {
  return sortPairs(messages.map((message): [string, string] => [message.code, message.origin ? friendlyName(message.origin) : ""]));
}

/** Runs one analyzer the way istio's test harness does: offline defaults added, namespaces as written. */
export function runOne(analyzer: Analyzer, objects: ReturnType<typeof testdataObjects>, options: AnalyzeOptions = {}) {
  return analyzeObjects(objects, { offlineDefaults: true, analyzers: [analyzer], ...options }).messages;
}
