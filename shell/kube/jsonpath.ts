// kubectl's JSONPath templates (`-o jsonpath='{.items[*].metadata.name}'`): literal text, `{path}` expressions with
// fields, ['quoted'] keys, indexes, slices, `*`, `..` recursion and `[?(@.a=="b")]` filters, `{range …}{end}`, and
// `{"\n"}` literals. Missing keys print nothing (kubectl allows missing keys); a bad index is an error.

export class JsonPathError extends Error {}

type Segment =
  | { type: "field"; name: string }
  | { type: "recursive"; name: string }
  | { type: "wildcard" }
  | { type: "index"; index: number }
  | { type: "slice"; start?: number; end?: number; step?: number }
  | { type: "filter"; path: Segment[]; op?: string; value?: string | number | boolean };

type Node = { type: "text"; text: string } | { type: "path"; segments: Segment[] } | { type: "range"; segments: Segment[]; body: Node[] };

function unescapeLiteral(text: string): string {
  return text.replace(/\\(.)/g, (_, ch: string) => (ch === "n" ? "\n" : ch === "t" ? "\t" : ch === "r" ? "\r" : ch));
}

function parseLiteralValue(text: string): string | number | boolean {
  const trimmed = text.trim();
  const quoted = /^(["'])(.*)\1$/.exec(trimmed);
  if (quoted) return quoted[2] ?? "";
  if (trimmed === "true" || trimmed === "false") return trimmed === "true";
  const number = Number(trimmed);
  return Number.isNaN(number) ? trimmed : number;
}

/** Parses `.a.b[0]['c.d'][*]..e[?(@.x=="y")]` into segments. */
function parsePath(expression: string): Segment[] {
  let text = expression.trim();
  if (text.startsWith("$")) text = text.slice(1);
  if (text.startsWith("@")) text = text.slice(1);
  const segments: Segment[] = [];
  let position = 0;
  const readName = (): string => {
    const match = /^(?:\\.|[^.[\]\\])*/.exec(text.slice(position));
    const raw = match?.[0] ?? "";
    position += raw.length;
    return raw.replace(/\\(.)/g, "$1");
  };
  while (position < text.length) {
    const ch = text[position];
    if (ch === ".") {
      if (text[position + 1] === ".") {
        position += 2;
        segments.push({ type: "recursive", name: readName() });
        continue;
      }
      position += 1;
      if (text[position] === "*") {
        position += 1;
        segments.push({ type: "wildcard" });
        continue;
      }
      const name = readName();
      if (name) segments.push({ type: "field", name });
      continue;
    }
    if (ch === "[") {
      let depth = 0;
      let end = position;
      let quote: string | undefined;
      for (; end < text.length; end++) {
        const c = text[end];
        if (quote) {
          if (c === quote) quote = undefined;
          continue;
        }
        if (c === "'" || c === '"') quote = c;
        else if (c === "[") depth += 1;
        else if (c === "]") {
          depth -= 1;
          if (depth === 0) break;
        }
      }
      if (end >= text.length) throw new JsonPathError(`unterminated array notation in ${expression}`);
      const inner = text.slice(position + 1, end).trim();
      position = end + 1;
      if (inner === "*") segments.push({ type: "wildcard" });
      else if (/^(['"]).*\1$/.test(inner)) segments.push({ type: "field", name: inner.slice(1, -1) });
      else if (inner.startsWith("?(") && inner.endsWith(")")) {
        const condition = inner.slice(2, -1).trim();
        const match = /^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(condition);
        if (match) segments.push({ type: "filter", path: parsePath(match[1] ?? "@"), op: match[2], value: parseLiteralValue(match[3] ?? "") });
        else segments.push({ type: "filter", path: parsePath(condition) });
      } else if (inner.includes(":")) {
        const [start, end2, step] = inner.split(":").map((part) => (part.trim() === "" ? undefined : Number(part)));
        segments.push({ type: "slice", start, end: end2, step });
      } else if (/^-?\d+$/.test(inner)) segments.push({ type: "index", index: Number(inner) });
      else throw new JsonPathError(`invalid array index ${inner}`);
      continue;
    }
    const name = readName();
    if (!name) throw new JsonPathError(`unrecognized character in action: ${JSON.stringify(ch)}`);
    segments.push({ type: "field", name });
  }
  return segments;
}

/** Splits a template into text and `{…}` actions, building range bodies. */
function parseTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  const ranges: Extract<Node, { type: "range" }>[] = [];
  let position = 0;
  while (position < template.length) {
    const open = template.indexOf("{", position);
    const current = stack[stack.length - 1] as Node[];
    if (open === -1) {
      current.push({ type: "text", text: template.slice(position) });
      break;
    }
    if (open > position) current.push({ type: "text", text: template.slice(position, open) });
    let close = open + 1;
    let quote: string | undefined;
    for (; close < template.length; close++) {
      const c = template[close];
      if (quote) {
        if (c === "\\") close += 1;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === '"' || c === "'") quote = c;
      else if (c === "}") break;
    }
    if (close >= template.length) throw new JsonPathError(`unclosed action`);
    const action = template.slice(open + 1, close).trim();
    position = close + 1;
    if (action === "end") {
      if (stack.length === 1) throw new JsonPathError("not in range, nothing to end");
      stack.pop();
      ranges.pop();
    } else if (action.startsWith("range ")) {
      const node: Extract<Node, { type: "range" }> = { type: "range", segments: parsePath(action.slice(6)), body: [] };
      current.push(node);
      stack.push(node.body);
      ranges.push(node);
    } else if (/^(["']).*\1$/s.test(action)) {
      current.push({ type: "text", text: unescapeLiteral(action.slice(1, -1)) });
    } else {
      current.push({ type: "path", segments: parsePath(action) });
    }
  }
  if (stack.length > 1) throw new JsonPathError("unexpected EOF; expected {end}");
  return root;
}

function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === "object") return Object.values(value);
  return [];
}

function compare(left: unknown, op: string | undefined, right: string | number | boolean | undefined): boolean {
  if (op === undefined) return left !== undefined && left !== null && left !== false;
  const l = typeof right === "number" && typeof left === "string" ? Number(left) : left;
  switch (op) {
    case "==":
      return l === right;
    case "!=":
      return l !== right;
    case "<":
      return (l as number) < (right as number);
    case ">":
      return (l as number) > (right as number);
    case "<=":
      return (l as number) <= (right as number);
    default:
      return (l as number) >= (right as number);
  }
}

function evaluate(values: unknown[], segments: readonly Segment[]): unknown[] {
  let current = values;
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      switch (segment.type) {
        case "field":
          if (value && typeof value === "object" && !Array.isArray(value) && segment.name in value) next.push((value as Record<string, unknown>)[segment.name]);
          break;
        case "wildcard":
          next.push(...children(value));
          break;
        case "index": {
          if (!Array.isArray(value)) break;
          const index = segment.index < 0 ? value.length + segment.index : segment.index;
          if (index < 0 || index >= value.length) throw new JsonPathError(`array index out of bounds: index ${segment.index}, length ${value.length}`);
          next.push(value[index]);
          break;
        }
        case "slice": {
          if (!Array.isArray(value)) break;
          const length = value.length;
          const norm = (n: number | undefined, fallback: number): number => (n === undefined ? fallback : n < 0 ? Math.max(0, length + n) : Math.min(n, length));
          const step = segment.step ?? 1;
          for (let index = norm(segment.start, 0); index < norm(segment.end, length); index += step) next.push(value[index]);
          break;
        }
        case "recursive": {
          const walk = (node: unknown): void => {
            if (node && typeof node === "object") {
              if (!Array.isArray(node) && segment.name && segment.name in node) next.push((node as Record<string, unknown>)[segment.name]);
              for (const child of children(node)) walk(child);
            }
          };
          walk(value);
          break;
        }
        case "filter":
          for (const item of children(value)) {
            const found = evaluate([item], segment.path);
            if (found.some((candidate) => compare(candidate, segment.op, segment.value))) next.push(item);
          }
          break;
      }
    }
    current = next;
  }
  return current;
}

function printValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function render(nodes: readonly Node[], context: unknown): string {
  let out = "";
  for (const node of nodes) {
    if (node.type === "text") out += node.text;
    else if (node.type === "path") out += evaluate([context], node.segments).map(printValue).join(" ");
    else for (const item of evaluate([context], node.segments)) out += render(node.body, item);
  }
  return out;
}

/** Renders a kubectl JSONPath template against an object (throws JsonPathError with kubectl's wording). */
export function renderJsonPath(template: string, value: unknown): string {
  const nodes = parseTemplate(template);
  return render(nodes, value);
}

/** The raw values one JSONPath expression (`.a.b` or `{.a.b}`) selects in an object, for sorting by a field. */
export function jsonPathValues(expression: string, value: unknown): unknown[] {
  const trimmed = expression.trim();
  const nodes = parseTemplate(trimmed.startsWith("{") ? trimmed : `{${trimmed}}`);
  const [node] = nodes;
  if (nodes.length !== 1 || node?.type !== "path") throw new JsonPathError(`error: invalid sort-by expression "${expression}": give one field path such as .metadata.name`);
  return evaluate([value], node.segments);
}
