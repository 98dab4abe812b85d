// Envoy access-log lines in Istio's default text format (meshConfig accessLogFile: /dev/stdout), as
// `kubectl logs <pod> -c istio-proxy` shows them.

export interface AccessLogEntry {
  startEpochMs: number;
  method: string;
  path: string;
  protocol: string;
  /** 0 when no response was sent (downstream went away). */
  responseCode: number;
  responseFlags: string[];
  responseCodeDetails: string;
  connectionTerminationDetails?: string;
  upstreamTransportFailureReason?: string;
  bytesReceived: number;
  bytesSent: number;
  durationMs: number;
  upstreamServiceTimeMs?: number;
  forwardedFor?: string;
  userAgent?: string;
  requestId?: string;
  authority: string;
  upstreamHost?: string;
  upstreamCluster?: string;
  upstreamLocalAddress?: string;
  downstreamLocalAddress?: string;
  downstreamRemoteAddress?: string;
  requestedServerName?: string;
  routeName?: string;
}

function dash(value: string | number | undefined): string {
  return value === undefined || value === "" ? "-" : String(value);
}

/** Response flags in Envoy's order joined by commas, `-` when none. */
export function formatFlags(flags: readonly string[]): string {
  return flags.length === 0 ? "-" : flags.join(",");
}

export function formatAccessLog(entry: AccessLogEntry): string {
  const start = new Date(entry.startEpochMs).toISOString();
  return [
    `[${start}]`,
    `"${entry.method} ${entry.path} ${entry.protocol}"`,
    String(entry.responseCode),
    formatFlags(entry.responseFlags),
    dash(entry.responseCodeDetails),
    dash(entry.connectionTerminationDetails),
    `"${dash(entry.upstreamTransportFailureReason)}"`,
    String(entry.bytesReceived),
    String(entry.bytesSent),
    String(Math.round(entry.durationMs)),
    dash(entry.upstreamServiceTimeMs === undefined ? undefined : Math.round(entry.upstreamServiceTimeMs)),
    `"${dash(entry.forwardedFor)}"`,
    `"${dash(entry.userAgent)}"`,
    `"${dash(entry.requestId)}"`,
    `"${dash(entry.authority)}"`,
    `"${dash(entry.upstreamHost)}"`,
    dash(entry.upstreamCluster),
    dash(entry.upstreamLocalAddress),
    dash(entry.downstreamLocalAddress),
    dash(entry.downstreamRemoteAddress),
    dash(entry.requestedServerName),
    dash(entry.routeName),
  ].join(" ");
}

/** A bounded per-container log (oldest lines drop first); access-log entries are formatted when read. */
export class LogBuffer {
  private lines: (string | AccessLogEntry)[] = [];

  constructor(private readonly limit = 5000) {}

  push(line: string | AccessLogEntry): void {
    this.lines.push(line);
    if (this.lines.length > this.limit * 2) this.lines = this.lines.slice(this.lines.length - this.limit);
  }

  text(tail?: number): string {
    const kept = this.lines.slice(Math.max(0, this.lines.length - Math.min(tail ?? this.limit, this.limit)));
    return kept.length ? `${kept.map((line) => (typeof line === "string" ? line : formatAccessLog(line))).join("\n")}\n` : "";
  }

  get size(): number {
    return Math.min(this.lines.length, this.limit);
  }
}
