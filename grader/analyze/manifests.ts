// Multi-document YAML/JSON manifests to objects with their file position and the line of every field, split into
// documents the way istioctl's file source does (a document starts at its first non-blank line, comments included).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import type { SourcedObject } from "./resources";

/** The objects read from one manifest text, and the documents that could not be read. */
export interface ParsedManifests {
  objects: SourcedObject[];
  errors: string[];
}

interface Chunk {
  /** 1-based line of the chunk's first line. */
  startLine: number;
  text: string;
}

/** A `---` line (anything after the dashes must be whitespace) separates documents. */
function isSeparator(line: string): boolean {
  return line.startsWith("---") && line.slice(3).trim() === "";
}

function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let startLine = 0;
  let lines: string[] = [];
  const flush = () => {
    if (lines.length > 0) chunks.push({ startLine, text: lines.join("\n") });
    lines = [];
  };
  text.split("\n").forEach((line, index) => {
    if (isSeparator(line)) {
      flush();
      return;
    }
    if (lines.length === 0) {
      if (line.trim() === "") return;
      startLine = index + 1;
    }
    lines.push(line);
  });
  flush();
  return chunks;
}

/** Records the line of every field under `node`, keyed by paths like `spec.http[0].route[0].destination.host`. */
function collectFieldLines(node: Node, prefix: string, lineOf: (node: Node) => number, out: Map<string, number>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : null;
      if (key === null) continue;
      const path = prefix ? `${prefix}.${key}` : key;
      const value = pair.value as Node | null;
      if (value && (isMap(value) || isSeq(value))) {
        out.set(path, lineOf(pair.key as Node));
        collectFieldLines(value, path, lineOf, out);
      } else {
        out.set(path, lineOf((value ?? pair.key) as Node));
      }
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const path = `${prefix}[${index}]`;
      const value = item as Node | null;
      if (!value) return;
      out.set(path, lineOf(value));
      if (isMap(value) || isSeq(value)) collectFieldLines(value, path, lineOf, out);
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a (multi-document) YAML or JSON manifest; `List` documents are expanded into their items. */
export function parseManifests(text: string, fileName: string): ParsedManifests {
  const objects: SourcedObject[] = [];
  const errors: string[] = [];
  splitDocuments(text).forEach((chunk, index) => {
    const lineCounter = new LineCounter();
    const document = parseDocument(chunk.text, { lineCounter, uniqueKeys: false });
    if (document.errors.length > 0) {
      errors.push(`error processing ${fileName}[${index}]: ${document.errors[0]?.message ?? "invalid YAML"}`);
      return;
    }
    const root = document.contents as Node | null;
    if (!root) return;
    const lineOf = (node: Node) => (node.range ? lineCounter.linePos(node.range[0]).line + chunk.startLine - 1 : chunk.startLine);
    const value: unknown = document.toJS();
    if (!isObject(value)) {
      errors.push(`error processing ${fileName}[${index}]: document is not an object`);
      return;
    }
    if (typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items) && isMap(root)) {
      const itemsNode = root.get("items", true) as Node | undefined;
      value.items.forEach((item, itemIndex) => {
        const itemNode = isSeq(itemsNode) ? (itemsNode.items[itemIndex] as Node | undefined) : undefined;
        const fieldLines = new Map<string, number>();
        if (itemNode) collectFieldLines(itemNode, "", lineOf, fieldLines);
        objects.push({ object: item, source: { file: fileName, line: itemNode ? lineOf(itemNode) : chunk.startLine, fieldLines } });
      });
      return;
    }
    const fieldLines = new Map<string, number>();
    collectFieldLines(root, "", lineOf, fieldLines);
    objects.push({ object: value, source: { file: fileName, line: chunk.startLine, fieldLines } });
  });
  return { objects, errors };
}
