// Resilience settings of a VirtualService route as Envoy will apply them: the route timeout, the retry policy
// Istio generates (its defaults included) and whether the retry budget fits inside the timeout.
import type { HTTPRoute } from "@/cluster/embedded/admission";
import { durationMs } from "./routing";

/** Istio 1.26's retry_on when a VirtualService sets no retryOn (no status codes since 1.24). */
export const istioDefaultRetryOn = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

/** retry_on conditions under which Envoy retries a try that hit its per-try timeout. */
export const perTryTimeoutRetryConditions = ["5xx", "gateway-error", "reset"] as const;

/** The timeout and retries a route gets, in milliseconds; 0 timeout = disabled (Istio's default). */
export interface RouteResilience {
  timeoutMs: number;
  /** Retries after the first try (Istio `attempts` → Envoy `num_retries`); Istio's default is 2. */
  retries: number;
  perTryTimeoutMs?: number;
  retryOn: string[];
  /** Whether the route's retries were written in the VirtualService (false: Istio's default policy). */
  explicitRetries: boolean;
}

export function routeResilience(route: HTTPRoute): RouteResilience {
  const retries = route.retries;
  const retryOn = (retries?.retryOn ?? istioDefaultRetryOn).split(",").map((c) => c.trim()).filter(Boolean);
  return {
    timeoutMs: durationMs(route.timeout) ?? 0,
    retries: retries ? (retries.attempts ?? 0) : 2,
    perTryTimeoutMs: durationMs(retries?.perTryTimeout),
    retryOn,
    explicitRetries: retries !== undefined,
  };
}

/** Whether a retry_on list retries tries that timed out. */
export function retriesTimeouts(retryOn: readonly string[]): boolean {
  return retryOn.some((c) => (perTryTimeoutRetryConditions as readonly string[]).includes(c));
}

/**
 * The longest time every try together may take: (1 + retries) × perTryTimeout. Undefined without a per-try timeout,
 * when one slow try can use up the whole route timeout.
 */
export function retryBudgetMs(resilience: RouteResilience): number | undefined {
  return resilience.perTryTimeoutMs === undefined ? undefined : (1 + resilience.retries) * resilience.perTryTimeoutMs;
}

/** `1.5s`, `500ms`: a duration in the unit a learner would write. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}
