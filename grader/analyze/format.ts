// Renders messages exactly as istioctl analyze prints them: log lines, or JSON/YAML documents.
import { stringify } from "yaml";
import type { AnalysisMessage, MessageOrigin } from "./analyzer";

/** Where istioctl links each code's documentation. */
export const CONFIG_ANALYSIS_URL = "https://istio.io/latest/docs/reference/config/analysis";

/** `Kind ns/name`, or `Kind name` without a namespace (istioctl's FriendlyName). */
export function friendlyName(origin: MessageOrigin): string {
  return origin.namespace ? `${origin.kind} ${origin.namespace}/${origin.name}` : `${origin.kind} ${origin.name}`;
}

/** `file:line`, or just `file` for JSON input or an unknown line; undefined for objects not read from a file. */
export function reference(origin: MessageOrigin): string | undefined {
  if (!origin.file) return undefined;
  if (origin.line === undefined || origin.line <= 0 || origin.file.endsWith(".json")) return origin.file;
  return `${origin.file}:${origin.line}`;
}

/** `Error [IST0101] (VirtualService default/reviews file.yaml:12) Referenced host not found: "x"`. */
export function formatMessage(message: AnalysisMessage): string {
  let origin = "";
  if (message.origin) {
    const location = reference(message.origin);
    origin = ` (${friendlyName(message.origin)}${location ? ` ${location}` : ""})`;
  }
  return `${message.level} [${message.code}]${origin} ${message.text}`;
}

/** Output formats of `istioctl analyze -o`. */
export type OutputFormat = "log" | "json" | "yaml";

/** One message as istioctl's JSON/YAML output shows it (keys in Go's sorted map order). */
function structured(message: AnalysisMessage): Record<string, string> {
  const entry: Record<string, string> = {
    code: message.code,
    documentationUrl: `${CONFIG_ANALYSIS_URL}/${message.code.toLowerCase()}/?ref=istioctl-analyze`,
    level: message.level,
    message: message.text,
  };
  if (message.origin) {
    entry.origin = friendlyName(message.origin);
    const location = reference(message.origin);
    if (location) entry.reference = location;
  }
  return entry;
}

/** All messages in one format: log lines joined by newlines, a tab-indented JSON array, or a YAML list. */
export function formatMessages(messages: readonly AnalysisMessage[], format: OutputFormat = "log"): string {
  if (format === "json") return JSON.stringify(messages.map(structured), null, "\t");
  if (format === "yaml") return messages.length === 0 ? "[]\n" : stringify(messages.map(structured));
  return messages.map(formatMessage).join("\n");
}
