// Reading Envoy access-log lines in Istio's default text format (what `kubectl logs <pod> -c istio-proxy` prints)
// back into fields: response flags, upstream cluster and host, duration, request id, user agent.

export interface AccessLogRecord {
  startTime: string;
  method: string;
  path: string;
  responseCode: number;
  /** Envoy response flags as printed ("-" when none, "UO", "URX,UF"). */
  responseFlags: string;
  durationMs: number;
  userAgent?: string;
  requestId?: string;
  authority?: string;
  upstreamHost?: string;
  upstreamCluster?: string;
}

const token = /\[[^\]]*\]|"(?:[^"\\]|\\.)*"|\S+/g;

function unquote(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const inner = value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  return inner === "-" || inner === "" ? undefined : inner;
}

/**
 * One line of the default format:
 * `[START] "METHOD PATH PROTO" CODE FLAGS DETAILS TERMINATION "TRANSPORT_FAILURE" RX TX DURATION UPSTREAM_TIME "XFF" "UA"
 * "REQUEST_ID" "AUTHORITY" "UPSTREAM_HOST" UPSTREAM_CLUSTER …`; anything else (Envoy's own log lines) gives undefined.
 */
export function parseAccessLogLine(line: string): AccessLogRecord | undefined {
  if (!line.startsWith("[")) return undefined;
  const parts = line.match(token);
  if (!parts || parts.length < 17) return undefined;
  const request = unquote(parts[1])?.split(" ") ?? [];
  const code = Number(parts[2]);
  const duration = Number(parts[9]);
  if (!parts[1]?.startsWith('"') || !Number.isInteger(code) || !Number.isFinite(duration)) return undefined;
  return {
    startTime: parts[0]!.slice(1, -1),
    method: request[0] ?? "",
    path: request[1] ?? "",
    responseCode: code,
    responseFlags: parts[3] ?? "-",
    durationMs: duration,
    userAgent: unquote(parts[12]),
    requestId: unquote(parts[13]),
    authority: unquote(parts[14]),
    upstreamHost: unquote(parts[15]),
    upstreamCluster: unquote(parts[16]),
  };
}

/** Every access-log record in a log text (other lines skipped). */
export function parseAccessLog(text: string): AccessLogRecord[] {
  const records: AccessLogRecord[] = [];
  for (const line of text.split("\n")) {
    const record = parseAccessLogLine(line.trim());
    if (record) records.push(record);
  }
  return records;
}
