/** Fails when a route lacks the requested timeout, or its retries cannot finish inside it or never retry a slow try; evidence: the route, the caller's Envoy timeout and retry_policy, and probe latency and failures. */
import { z } from "zod";
import { defineCheck, type Finding, type ResourceRef } from "../../check";
import { parseDurationMs as envoyDurationMs } from "@/cluster/embedded/mesh/envoy-types";
import { envoyRouteFor, firstAcceptingRoute, requestFromUrl } from "../../istio/requests";
import { formatMs, retriesTimeouts, retryBudgetMs, routeResilience } from "../../istio/resilience";
import { durationMs, meshVirtualServices, toFqdn, vsSpec } from "../../istio/routing";
import { countBy, probeEvidence, statusLabel } from "../../istio/traffic";
import { durationParam, namespaceParam, probeParam, proxySelectorParam } from "../params";

const docsUrl = "https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry";

const params = z
  .object({
    host: z.string().min(1),
    namespace: namespaceParam,
    port: z.number().int().min(1).max(65535).default(9080),
    /** The route timeout asked for (`3s` and `3000ms` are the same). */
    timeout: durationParam,
    /** Whether the rule must retry (false: a timeout alone is enough, but retries that are set must still fit). */
    requireRetries: z.boolean().default(true),
    /** The fewest retries (VirtualService `attempts`) that count. */
    minRetries: z.number().int().min(1).max(20).default(1),
    caller: proxySelectorParam,
    probe: probeParam,
    /** Share of probe requests that may still fail (every try slow), in percent. */
    maxFailurePercent: z.number().min(0).max(100).default(5),
  })
  .strict();

export default defineCheck({
  id: "virtualservice.timeout-retries",
  title: "A route times out and retries within its budget",
  description:
    "The rule the probe's requests take sets the requested timeout and retries with a per-try timeout, all tries fit inside the timeout, retryOn retries tries that timed out, the caller's Envoy route carries the same timeout and retry_policy, and live requests finish within the timeout with few failures.",
  codes: ["ICA0301", "ICA0308", "ICA0332", "ICA0333", "ICA0334", "ICA0335", "ICA0336", "ICA0902", "ICA0905", "ICA0930", "ICA0955", "ICA0970", "ICA0971"],
  params,
  inputs: (p) => ({
    kinds: ["VirtualService"],
    proxies: [p.caller],
    probes: [{ id: "traffic", spec: p.probe, afterSync: true }],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const fqdn = toFqdn(p.namespace, p.host);
    const timeoutMs = durationMs(p.timeout)!;
    const request = requestFromUrl(p.probe.url, p.probe.headers);

    // The rule the probe's requests take: its timeout and retries.
    const [vs] = meshVirtualServices(snapshot, fqdn, p.namespace);
    if (!vs) {
      findings.push({
        code: "ICA0301",
        severity: "error",
        message: `No VirtualService routes ${p.host}, so its route has no timeout (Istio disables it) and only Istio's default retries, which never retry a slow answer.`,
        expected: { timeout: p.timeout, retries: { attempts: `≥ ${p.minRetries}`, perTryTimeout: "set", retryOn: "incl. 5xx, gateway-error or reset" } },
        hint: `Create a VirtualService for ${p.host} whose rule sets timeout: ${p.timeout} and retries (attempts, perTryTimeout, retryOn).`,
        docsUrl,
      });
    } else {
      const spec = vsSpec(vs);
      const resource: ResourceRef = { kind: "VirtualService", namespace: vs.metadata.namespace, name: vs.metadata.name };
      const index = firstAcceptingRoute(spec, request);
      const route = spec.http?.[index];
      if (!route) {
        findings.push({ code: "ICA0332", severity: "error", message: `No rule of ${vs.metadata.name} takes ${request.path}: Envoy answers 404 (NR).`, resource, path: "spec.http", docsUrl });
      } else {
        const at = `spec.http[${index}]`;
        const r = routeResilience(route);
        const problems: Finding[] = [];
        if (r.timeoutMs !== timeoutMs) {
          problems.push({
            code: "ICA0333",
            severity: "error",
            message: r.timeoutMs === 0 ? `Rule ${index} sets no timeout: Istio disables the route timeout, so a slow answer is awaited for ever.` : `Rule ${index} times out after ${route.timeout}, not ${p.timeout}.`,
            resource,
            path: `${at}.timeout`,
            expected: p.timeout,
            actual: route.timeout ?? null,
            hint: `Set timeout: ${p.timeout} on the rule.`,
          });
        }
        if (p.requireRetries && (!r.explicitRetries || r.retries < p.minRetries || r.perTryTimeoutMs === undefined)) {
          problems.push({
            code: "ICA0334",
            severity: "error",
            message: !r.explicitRetries
              ? `Rule ${index} has no retries block: Istio's default retries only connection failures, and without perTryTimeout one slow try uses up the whole timeout.`
              : r.retries < p.minRetries
                ? `Rule ${index} allows ${r.retries} retries; at least ${p.minRetries} are asked for.`
                : `Rule ${index} has no perTryTimeout, so a slow first try runs until the route timeout and no retry happens.`,
            resource,
            path: `${at}.retries`,
            expected: { attempts: `≥ ${p.minRetries}`, perTryTimeout: "set" },
            actual: route.retries ?? null,
          });
        }
        const budget = retryBudgetMs(r);
        if (budget !== undefined && timeoutMs > 0 && budget > timeoutMs) {
          problems.push({
            code: "ICA0335",
            severity: "error",
            message: `${1 + r.retries} tries × perTryTimeout ${formatMs(r.perTryTimeoutMs!)} = ${formatMs(budget)}, longer than the ${p.timeout} route timeout: the timeout cuts the later tries short and the client gets 504 while retries are still due.`,
            resource,
            path: `${at}.retries`,
            expected: `(attempts + 1) × perTryTimeout ≤ ${p.timeout}`,
            actual: route.retries,
            hint: "The route timeout covers every try. Lower perTryTimeout or attempts (or raise the timeout) until all tries fit.",
          });
        }
        if (r.explicitRetries && r.perTryTimeoutMs !== undefined && !retriesTimeouts(r.retryOn)) {
          problems.push({
            code: "ICA0336",
            severity: "error",
            message: `retryOn ${route.retries?.retryOn ? `"${route.retries.retryOn}"` : `is not set (Istio uses "${r.retryOn.join(",")}")`} retries no try that hit perTryTimeout, so slow answers are not retried.`,
            resource,
            path: `${at}.retries.retryOn`,
            expected: "a list with 5xx, gateway-error or reset",
            actual: route.retries?.retryOn ?? null,
            hint: "Add gateway-error (or 5xx) to retryOn, e.g. retryOn: gateway-error,connect-failure,refused-stream.",
          });
        }
        if (problems.length) findings.push(...problems.map((f) => ({ ...f, docsUrl: f.docsUrl ?? docsUrl })));
        else findings.push({ code: "ICA0308", severity: "info", message: `Rule ${index} of ${vs.metadata.name}: timeout ${route.timeout}${budget === undefined ? "" : `, ${r.retries} retries of at most ${formatMs(r.perTryTimeoutMs!)} each on ${r.retryOn.join(",")} (${formatMs(budget)} in all)`}.`, resource, path: at, actual: { timeout: route.timeout, retries: route.retries ?? null } });
      }
    }

    // The caller's Envoy: the route the request selects must carry the timeout and a retry_policy that retries slow tries.
    const envoy = snapshot.envoy(p.caller);
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      const picked = envoyRouteFor(envoy.config, String(p.port), request);
      if (!picked.route?.route || !picked.virtualHost) {
        findings.push({ code: "ICA0902", severity: "error", message: `${proxy} has no route for ${request.authority}${request.path}.` });
      } else {
        const action = picked.route.route;
        const location = `route "${p.port}" › ${picked.virtualHost.name} › routes[${picked.index}] › route`;
        const policy = action.retry_policy;
        const excerpt = { timeout: action.timeout, retry_policy: policy ?? null };
        const envoyTimeout = envoyDurationMs(action.timeout) ?? 0;
        const envoyRetryOn = (policy?.retry_on ?? "").split(",").map((c) => c.trim());
        const retriesOk = !p.requireRetries || ((policy?.num_retries ?? 0) >= p.minRetries && policy?.per_try_timeout !== undefined && retriesTimeouts(envoyRetryOn));
        const ok = envoyTimeout === timeoutMs && retriesOk;
        findings.push(
          ok
            ? { code: "ICA0905", severity: "info", message: `${proxy} times the route out after ${formatMs(envoyTimeout)}${policy ? ` and retries ${policy.num_retries ?? 1} times on ${policy.retry_on}` : ""}.`, envoy: { proxy, location, excerpt } }
            : { code: "ICA0930", severity: "error", message: `${proxy}'s route has timeout ${action.timeout ?? "unset"} and ${policy ? `retry_policy ${policy.num_retries ?? 1}× on "${policy.retry_on}"${policy.per_try_timeout ? ` (per try ${policy.per_try_timeout})` : " without per_try_timeout"}` : "no retry_policy"}.`, expected: p.requireRetries ? { timeout: formatMs(timeoutMs), num_retries: `≥ ${p.minRetries}`, per_try_timeout: "set", retry_on: "incl. 5xx, gateway-error or reset" } : { timeout: formatMs(timeoutMs) }, actual: excerpt, envoy: { proxy, location, excerpt } },
        );
      }
    }

    // Live traffic: nothing may take longer than the timeout (plus scheduling slack), and few requests may fail.
    const result = snapshot.probe("traffic");
    if (result) {
      const histogram = countBy(result.responses, statusLabel);
      const evidence = probeEvidence("traffic", result, histogram);
      const slack = Math.max(50, timeoutMs * 0.05);
      const slow = result.responses.filter((r) => r.latencyMs > timeoutMs + slack);
      const failed = result.responses.filter((r) => r.status === 0 || r.status >= 500);
      const failedPercent = (100 * failed.length) / Math.max(1, result.responses.length);
      if (slow.length) {
        findings.push({ code: "ICA0970", severity: "error", message: `${slow.length} of ${result.responses.length} requests took longer than ${p.timeout} (slowest ${Math.round(Math.max(...slow.map((r) => r.latencyMs)))} ms).`, probe: evidence, expected: `every request done within ${p.timeout}` });
      }
      if (failedPercent > p.maxFailurePercent) {
        findings.push({ code: "ICA0971", severity: "error", message: `${failed.length} of ${result.responses.length} requests failed (${failedPercent.toFixed(1)}%, at most ${p.maxFailurePercent}% allowed): ${Object.entries(countBy(failed, statusLabel)).map(([k, v]) => `${v}× ${k}`).join(", ")}.`, probe: evidence });
      }
      if (!slow.length && failedPercent <= p.maxFailurePercent) {
        findings.push({ code: "ICA0955", severity: "info", message: `All ${result.responses.length} requests finished within ${p.timeout}; ${failed.length} failed.`, probe: evidence });
      }
    }
    return findings;
  },
});
