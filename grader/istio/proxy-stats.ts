// Reading Envoy /stats text: counters by name, what changed between two readings, and Istio's standard
// istio_requests_total as a proxy reports it (reporter=source on the caller, reporter=destination on the server).
import type { ProxyStatsSample } from "../snapshot/snapshot";

/** `name: value` lines → numbers (histogram lines and non-numeric values are skipped). */
export function parseStats(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const at = line.lastIndexOf(": ");
    if (at < 0) continue;
    const value = Number(line.slice(at + 2).trim());
    if (Number.isFinite(value)) values.set(line.slice(0, at).trim(), value);
  }
  return values;
}

/** The labels of a flattened `istiocustom.istio_requests_total.<label>.<value>…` stat name, or undefined for other stats. */
export function istioRequestLabels(name: string): Record<string, string> | undefined {
  const prefix = /^(?:istiocustom\.)?istio_requests_total\./.exec(name);
  if (!prefix) return undefined;
  const rest = name.slice(prefix[0].length);
  const keys = ["reporter", "source_workload", "source_canonical_service", "source_canonical_revision", "source_workload_namespace", "source_principal", "source_app", "source_version", "source_cluster", "destination_workload", "destination_workload_namespace", "destination_principal", "destination_app", "destination_version", "destination_service", "destination_canonical_service", "destination_canonical_revision", "destination_service_name", "destination_service_namespace", "destination_cluster", "request_protocol", "response_code", "grpc_response_status", "response_flags", "connection_security_policy"];
  const labels: Record<string, string> = {};
  // Values may contain dots (principals, FQDNs), so each value runs up to the next known `.<key>.`.
  let remaining = `.${rest}`;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const marker = `.${key}.`;
    if (!remaining.startsWith(marker)) continue;
    remaining = remaining.slice(marker.length);
    const next = keys.slice(i + 1).map((k) => remaining.indexOf(`.${k}.`)).filter((at) => at >= 0);
    const end = next.length ? Math.min(...next) : remaining.length;
    labels[key] = remaining.slice(0, end);
    remaining = remaining.slice(end);
  }
  return labels;
}

/** How many requests a proxy counted in istio_requests_total (matching the labels) between two readings. */
export function istioRequestsDelta(sample: ProxyStatsSample, where: Record<string, string>): number {
  const sum = (text: string) => {
    let total = 0;
    for (const [name, value] of parseStats(text)) {
      const labels = istioRequestLabels(name);
      if (labels && Object.entries(where).every(([k, v]) => labels[k] === v)) total += value;
    }
    return total;
  };
  return sum(sample.after) - sum(sample.before);
}
