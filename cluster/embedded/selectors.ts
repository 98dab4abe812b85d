// Label and field selectors: parsing the query-string syntax and matching objects, as the Kubernetes API does.

import { isPlainObject, readPath, type KubeObject } from "./objects";

export type LabelRequirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

export type LabelSelector = LabelRequirement[];

export class SelectorError extends Error {}

const labelKeyPattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(key: string): string {
  if (!labelKeyPattern.test(key)) throw new SelectorError(`invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (value.length > 63 || !labelValuePattern.test(value)) throw new SelectorError(`invalid label value: "${value}"`);
  return value;
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (char === "," && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

/** Parses `app=reviews,version!=v1,env in (a,b),!legacy` into requirements. */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements: LabelSelector = [];
  for (const part of splitTopLevel(text)) {
    const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (setMatch) {
      const values = (setMatch[3] ?? "").split(",").map((value) => checkValue(value.trim()));
      requirements.push({ key: checkKey(setMatch[1] ?? ""), op: setMatch[2] as "in" | "notin", values });
      continue;
    }
    const opMatch = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (opMatch) {
      requirements.push({ key: checkKey(opMatch[1] ?? ""), op: opMatch[2] === "!=" ? "!=" : "=", value: checkValue((opMatch[3] ?? "").trim()) });
      continue;
    }
    if (part.startsWith("!")) {
      requirements.push({ key: checkKey(part.slice(1).trim()), op: "!exists" });
      continue;
    }
    requirements.push({ key: checkKey(part), op: "exists" });
  }
  return requirements;
}

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const present = labels ?? {};
  return selector.every((req) => {
    const has = Object.prototype.hasOwnProperty.call(present, req.key);
    const value = present[req.key];
    switch (req.op) {
      case "=":
        return has && value === req.value;
      case "!=":
        return !has || value !== req.value;
      case "in":
        return has && req.values.includes(value ?? "");
      case "notin":
        return !has || !req.values.includes(value ?? "");
      case "exists":
        return has;
      case "!exists":
        return !has;
    }
  });
}

/** Converts a `metav1.LabelSelector` object (matchLabels + matchExpressions) into requirements. */
export function fromSelectorObject(selector: unknown): LabelSelector {
  if (!isPlainObject(selector)) return [];
  const requirements: LabelSelector = [];
  const matchLabels = selector.matchLabels;
  if (isPlainObject(matchLabels)) {
    for (const [key, value] of Object.entries(matchLabels)) requirements.push({ key, op: "=", value: String(value) });
  }
  const expressions = selector.matchExpressions;
  if (Array.isArray(expressions)) {
    for (const expression of expressions) {
      if (!isPlainObject(expression)) continue;
      const key = String(expression.key ?? "");
      const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
      switch (expression.operator) {
        case "In":
          requirements.push({ key, op: "in", values });
          break;
        case "NotIn":
          requirements.push({ key, op: "notin", values });
          break;
        case "Exists":
          requirements.push({ key, op: "exists" });
          break;
        case "DoesNotExist":
          requirements.push({ key, op: "!exists" });
          break;
      }
    }
  }
  return requirements;
}

/** A plain map selector (Service `spec.selector`) as requirements. */
export function fromLabelMap(map: unknown): LabelSelector {
  if (!isPlainObject(map)) return [];
  return Object.entries(map).map(([key, value]) => ({ key, op: "=" as const, value: String(value) }));
}

/** Renders requirements back to the text form kubectl shows (`app=reviews,version=v1`). */
export function formatSelector(selector: LabelSelector): string {
  return selector
    .map((req) => {
      switch (req.op) {
        case "=":
        case "!=":
          return `${req.key}${req.op}${req.value}`;
        case "in":
        case "notin":
          return `${req.key} ${req.op} (${req.values.join(",")})`;
        case "exists":
          return req.key;
        case "!exists":
          return `!${req.key}`;
      }
    })
    .join(",");
}

export interface FieldRequirement {
  path: string;
  negate: boolean;
  value: string;
}

/** Parses `metadata.name=ratings,status.phase!=Running`. */
export function parseFieldSelector(text: string): FieldRequirement[] {
  return splitTopLevel(text).map((part) => {
    const match = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!match) throw new SelectorError(`invalid field selector: '${part}'`);
    return { path: match[1] ?? "", negate: match[2] === "!=", value: (match[3] ?? "").trim() };
  });
}

/** Field values compare as strings; a missing field reads as "". */
export function matchesFields(requirements: FieldRequirement[], obj: KubeObject): boolean {
  return requirements.every((req) => {
    const raw = readPath(obj, req.path);
    const actual = raw === undefined || raw === null ? "" : String(raw);
    return req.negate ? actual !== req.value : actual === req.value;
  });
}
