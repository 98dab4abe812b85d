// Live lint for the lab's YAML editor (runs in the browser): YAML syntax errors at their position, then the
// istioctl-compatible analyzer over the editor's objects laid over the learner's cluster, reporting only messages
// about the editor's objects, each on the line of the field it names.
import { parseAllDocuments } from "yaml";
import { analyzeObjects, parseManifests, type KubeObject, type SourcedObject } from "@/grader/analyze/core";

export const editorFileName = "editor.yaml";

export interface LintDiagnostic {
  /** Character offsets in the editor text. */
  from: number;
  to: number;
  /** 1-based line. */
  line: number;
  severity: "error" | "warning" | "info";
  /** `IST0101`, or `YAML` for syntax problems. */
  code: string;
  message: string;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return starts;
}

function lineRange(starts: readonly number[], text: string, line: number): { from: number; to: number } {
  const index = Math.min(Math.max(line, 1), starts.length) - 1;
  const from = starts[index]!;
  const next = starts[index + 1];
  const to = next === undefined ? text.length : next - 1;
  const indent = /^\s*/.exec(text.slice(from, to))?.[0].length ?? 0;
  return { from: Math.min(from + indent, to), to };
}

function lineOf(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

function identity(object: { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }, defaultNamespace: string): string {
  return `${String(object.kind)}|${String(object.metadata?.namespace ?? defaultNamespace)}|${String(object.metadata?.name)}`;
}

const levels: Record<string, LintDiagnostic["severity"]> = { Error: "error", Warning: "warning", Info: "info" };

/**
 * Lints the editor text. `clusterObjects` are the learner's current objects (what the editor's objects will be
 * applied next to); an editor object replaces the cluster object of the same kind, namespace and name.
 */
export function lintManifest(text: string, clusterObjects: readonly KubeObject[], namespace = "default"): LintDiagnostic[] {
  const starts = lineStarts(text);
  const diagnostics: LintDiagnostic[] = [];
  for (const doc of parseAllDocuments(text)) {
    for (const error of doc.errors) {
      const offset = Math.min(error.pos[0], text.length);
      const line = lineOf(starts, offset);
      const range = lineRange(starts, text, line);
      diagnostics.push({ ...range, line, severity: "error", code: "YAML", message: error.message.split("\n")[0]! });
    }
  }
  if (diagnostics.length) return diagnostics;

  const parsed = parseManifests(text, editorFileName);
  const editorObjects: SourcedObject[] = [];
  for (const sourced of parsed.objects) {
    const object = sourced.object as KubeObject;
    const line = sourced.source?.line ?? 1;
    if (!object.apiVersion || !object.kind || !object.metadata?.name) {
      diagnostics.push({ ...lineRange(starts, text, line), line, severity: "error", code: "YAML", message: "Every object needs apiVersion, kind and metadata.name." });
      continue;
    }
    editorObjects.push(sourced);
  }
  const replaced = new Set(editorObjects.map((s) => identity(s.object as KubeObject, namespace)));
  const context = clusterObjects.filter((o) => !replaced.has(identity(o, namespace)));
  const result = analyzeObjects([...context, ...editorObjects], { namespace, istioVersion: "1.26" });
  for (const message of result.messages) {
    if (message.origin?.file !== editorFileName) continue;
    const line = message.origin.line ?? 1;
    diagnostics.push({ ...lineRange(starts, text, line), line, severity: levels[message.level] ?? "info", code: message.code, message: `${message.code} ${message.text}` });
  }
  return diagnostics;
}
