// Envoy prints config_dump fields in proto field-number order; these lists reorder our objects the same way.

/** Returns a copy of `value` with the listed keys first, in that order, followed by any others. */
export function inFieldOrder<T extends object>(value: T, order: readonly (keyof T & string)[]): T {
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const key of order) if (source[key] !== undefined) out[key] = source[key];
  for (const [key, item] of Object.entries(source)) if (!(key in out) && item !== undefined) out[key] = item;
  return out as T;
}

export const ROUTE_FIELDS = [
  "match",
  "route",
  "redirect",
  "metadata",
  "decorator",
  "direct_response",
  "request_headers_to_add",
  "response_headers_to_add",
  "response_headers_to_remove",
  "request_headers_to_remove",
  "typed_per_filter_config",
  "name",
] as const;

export const ROUTE_ACTION_FIELDS = [
  "cluster",
  "weighted_clusters",
  "prefix_rewrite",
  "host_rewrite_literal",
  "timeout",
  "retry_policy",
  "max_grpc_timeout",
  "request_mirror_policies",
  "regex_rewrite",
  "max_stream_duration",
] as const;

export const RETRY_POLICY_FIELDS = ["retry_on", "num_retries", "per_try_timeout", "retry_host_predicate", "host_selection_retry_max_attempts", "retriable_status_codes", "retry_back_off"] as const;
