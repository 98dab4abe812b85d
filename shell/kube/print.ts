// Output formats kubectl uses: tab-aligned tables (Go tabwriter: min width 6, padding 3), Kubernetes Tables from
// the API (`kubectl get`), and `-o yaml|json` with sorted keys as kubectl's Go encoders write them.
import { stringify } from "yaml";

/** Aligns rows like Go's tabwriter: each column as wide as its widest cell plus `padding`, the last column unpadded. */
export function alignColumns(rows: readonly (readonly string[])[], options: { padding?: number; minWidth?: number } = {}): string {
  const padding = options.padding ?? 3;
  const minWidth = options.minWidth ?? 6;
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      if (index === row.length - 1) return;
      widths[index] = Math.max(widths[index] ?? 0, Math.max(minWidth, [...cell].length + padding));
    });
  }
  return rows
    .map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell + " ".repeat((widths[index] ?? 0) - [...cell].length))).join(""))
    .map((line) => `${line}\n`)
    .join("");
}

/** A `meta.k8s.io/v1` Table as the API returns it. */
export interface ApiTable {
  columnDefinitions?: { name: string; priority?: number }[] | null;
  rows?: { cells: unknown[]; object?: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } } }[];
}

export interface TableOptions {
  wide?: boolean;
  /** Adds a leading NAMESPACE column (`-A`). */
  namespaceColumn?: boolean;
  showLabels?: boolean;
  noHeaders?: boolean;
  /** Printed before each name (`virtualservice.networking.istio.io/`) when several types are listed. */
  namePrefix?: string;
  /** Extra columns from `-L key`. */
  labelColumns?: readonly string[];
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "string") return cell;
  if (typeof cell === "number" || typeof cell === "boolean") return String(cell);
  return JSON.stringify(cell);
}

function labelsText(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? entries.map(([key, value]) => `${key}=${value}`).join(",") : "<none>";
}

/** The rows of a Table as kubectl prints them (without the trailing blank line between types). */
export function formatTable(table: ApiTable, options: TableOptions = {}): string {
  const columns = (table.columnDefinitions ?? []).map((column, index) => ({ ...column, index })).filter((column) => options.wide || (column.priority ?? 0) === 0);
  const header = [
    ...(options.namespaceColumn ? ["NAMESPACE"] : []),
    ...columns.map((column) => column.name.toUpperCase()),
    ...(options.labelColumns ?? []).map((key) => (key.split("/").pop() ?? key).toUpperCase()),
    ...(options.showLabels ? ["LABELS"] : []),
  ];
  const rows = (table.rows ?? []).map((row) => {
    const metadata = row.object?.metadata ?? {};
    const cells = columns.map((column) => {
      const text = cellText(row.cells[column.index]);
      return column.index === 0 && options.namePrefix ? `${options.namePrefix}${text}` : text;
    });
    return [
      ...(options.namespaceColumn ? [metadata.namespace ?? ""] : []),
      ...cells,
      ...(options.labelColumns ?? []).map((key) => metadata.labels?.[key] ?? ""),
      ...(options.showLabels ? [labelsText(metadata.labels)] : []),
    ];
  });
  return alignColumns(options.noHeaders ? rows : [header, ...rows]);
}

/** Recursively sorts object keys (Go's encoders write map keys in order). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** `-o json`: 4-space indentation, sorted keys. */
export function toKubectlJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 4)}\n`;
}

/** `-o yaml`: sorted keys, sequences not indented under their key, like sigs.k8s.io/yaml. */
export function toKubectlYaml(value: unknown): string {
  return stringify(sortKeys(value), { indentSeq: false, lineWidth: 0 });
}

/** A list of objects as kubectl wraps them for -o yaml/json. */
export function listOf(items: unknown[]): Record<string, unknown> {
  return { apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } };
}
