// Envoy statistics of one proxy: counters and gauges by Envoy's dotted names, rendered like `/stats` (sorted
// `name: value` lines) and filtered by the proxy's stats inclusion list as Istio configures it.

import { parse as parseYaml } from "yaml";

/** Names every cluster shows, even at zero (a subset of Envoy's cluster statistics). */
export const CLUSTER_COUNTERS = [
  "lb_healthy_panic",
  "upstream_cx_connect_fail",
  "upstream_cx_connect_timeout",
  "upstream_cx_destroy",
  "upstream_cx_destroy_local",
  "upstream_cx_max_requests",
  "upstream_cx_none_healthy",
  "upstream_cx_overflow",
  "upstream_cx_total",
  "upstream_rq_cancelled",
  "upstream_rq_completed",
  "upstream_rq_pending_failure_eject",
  "upstream_rq_pending_overflow",
  "upstream_rq_pending_total",
  "upstream_rq_per_try_timeout",
  "upstream_rq_retry",
  "upstream_rq_retry_backoff_exponential",
  "upstream_rq_retry_limit_exceeded",
  "upstream_rq_retry_overflow",
  "upstream_rq_retry_success",
  "upstream_rq_timeout",
  "upstream_rq_total",
  "upstream_rq_tx_reset",
] as const;

export const OUTLIER_COUNTERS = [
  "outlier_detection.ejections_consecutive_5xx",
  "outlier_detection.ejections_detected_consecutive_5xx",
  "outlier_detection.ejections_enforced_consecutive_5xx",
  "outlier_detection.ejections_enforced_total",
  "outlier_detection.ejections_overflow",
  "outlier_detection.ejections_total",
] as const;

export const HTTP_COUNTERS = [
  "downstream_rq_1xx",
  "downstream_rq_2xx",
  "downstream_rq_3xx",
  "downstream_rq_4xx",
  "downstream_rq_5xx",
  "downstream_rq_completed",
  "downstream_rq_total",
  "no_cluster",
  "no_route",
  "rq_direct_response",
  "rq_redirect",
  "rq_total",
  "fault.aborts_injected",
  "fault.delays_injected",
] as const;

/** Which stats a proxy exposes: Istio's default inclusion list plus `proxyStatsMatcher` from the pod annotation. */
export interface StatsMatcher {
  prefixes: string[];
  suffixes: string[];
  regexps: RegExp[];
}

/** Istio's bootstrap inclusion list: everything else is not even created by Envoy. */
export const DEFAULT_STATS_MATCHER: StatsMatcher = {
  prefixes: ["reporter=", "cluster_manager", "listener_manager", "server", "cluster.xds-grpc", "wasm", "component", "istio"],
  suffixes: ["rbac.allowed", "rbac.denied", "shadow_allowed", "shadow_denied"],
  regexps: [],
};

/** Reads `proxy.istio.io/config` → proxyStatsMatcher {inclusionPrefixes, inclusionSuffixes, inclusionRegexps}. */
export function statsMatcherFromProxyConfig(annotation: string | undefined): StatsMatcher {
  const matcher: StatsMatcher = { prefixes: [...DEFAULT_STATS_MATCHER.prefixes], suffixes: [...DEFAULT_STATS_MATCHER.suffixes], regexps: [] };
  if (!annotation) return matcher;
  const parsed = parseLooseYamlOrJson(annotation);
  const statsMatcher = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>).proxyStatsMatcher : undefined;
  if (!statsMatcher || typeof statsMatcher !== "object") return matcher;
  const fields = statsMatcher as Record<string, unknown>;
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []);
  matcher.prefixes.push(...strings(fields.inclusionPrefixes));
  matcher.suffixes.push(...strings(fields.inclusionSuffixes));
  for (const pattern of strings(fields.inclusionRegexps)) {
    try {
      matcher.regexps.push(new RegExp(`^(?:${pattern})$`));
    } catch {
      // Envoy rejects the bootstrap in that case; the proxy keeps its defaults here.
    }
  }
  return matcher;
}

/** The annotation is YAML (the Istio samples write it as JSON, a YAML subset). */
function parseLooseYamlOrJson(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return undefined;
  }
}

export function statIncluded(matcher: StatsMatcher, name: string): boolean {
  return matcher.prefixes.some((prefix) => name.startsWith(prefix)) || matcher.suffixes.some((suffix) => name.endsWith(suffix)) || matcher.regexps.some((regexp) => regexp.test(name));
}

/** Counters under one dotted prefix (`cluster.<name>`, `http.<stat_prefix>`), kept apart so the hot path never builds full names. */
export class StatScope {
  /** Counter cells by name (a cell is bumped in place: one map lookup per increment). */
  readonly counters = new Map<string, { value: number }>();
  /** Requests in progress under this prefix (the downstream_rq_active gauge of HTTP scopes). */
  active = 0;

  constructor(readonly prefix: string) {}

  inc(name: string, by = 1): void {
    const cell = this.counters.get(name);
    if (cell) cell.value += by;
    else this.counters.set(name, { value: by });
  }
}

/** Counters of one proxy (gauges are computed from live state when rendering). */
export class ProxyStats {
  private readonly scopes = new Map<string, StatScope>();

  scope(prefix: string): StatScope {
    let scope = this.scopes.get(prefix);
    if (!scope) {
      scope = new StatScope(prefix);
      this.scopes.set(prefix, scope);
    }
    return scope;
  }

  /** Every counter by its full Envoy name. */
  *entries(): IterableIterator<[string, number]> {
    for (const scope of this.scopes.values()) {
      for (const [name, cell] of scope.counters) yield [`${scope.prefix}.${name}`, cell.value];
    }
  }

  /** `/stats` text: every known stat (zero-valued defaults included), sorted, `name: value` per line. */
  static render(values: Map<string, number>, matcher: StatsMatcher | undefined): string {
    const names = [...values.keys()].filter((name) => !matcher || statIncluded(matcher, name)).sort();
    return names.map((name) => `${name}: ${values.get(name) ?? 0}`).join("\n") + (names.length ? "\n" : "");
  }
}
