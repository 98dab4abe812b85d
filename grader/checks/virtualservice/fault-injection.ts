/** Fails when a host's routes do not inject the requested delay or abort for the requested requests; evidence: the route, the caller's Envoy fault filter, probe latency or status codes. */
import { z } from "zod";
import type { HTTPFaultInjection, HTTPRoute } from "@/cluster/embedded/admission";
import { defineCheck, type Finding, type ResourceRef } from "../../check";
import { parseDurationMs as envoyDurationMs, type HTTPFault, type Route } from "@/cluster/embedded/mesh/envoy-types";
import { durationMs, meshVirtualServices, toFqdn, vsSpec } from "../../istio/routing";
import { countBy, probeEvidence, statusLabel } from "../../istio/traffic";
import { percentile } from "../../stats/percentiles";
import { durationParam, namespaceParam, probeParam, proxySelectorParam } from "../params";
import type { KubeObject } from "../../snapshot/snapshot";

const docsUrl = "https://istio.io/latest/docs/tasks/traffic-management/fault-injection/";
const faultFilter = "envoy.filters.http.fault";

const params = z
  .object({
    host: z.string().min(1),
    namespace: namespaceParam,
    port: z.number().int().min(1).max(65535).default(9080),
    fault: z.union([z.object({ delay: durationParam }).strict(), z.object({ abort: z.number().int().min(200).max(599) }).strict()]),
    percentage: z.number().min(0).max(100).default(100),
    /** Only requests carrying these exact header values are faulted; absent = every request. */
    forHeaders: z.record(z.string(), z.string()).optional(),
    caller: proxySelectorParam,
    probe: probeParam,
  })
  .strict();
type Params = z.infer<typeof params>;

function describeFault(p: Params): string {
  const what = "delay" in p.fault ? `a ${p.fault.delay} delay` : `an HTTP ${p.fault.abort} abort`;
  return `${what} for ${p.percentage}% of ${p.forHeaders ? `requests with ${Object.entries(p.forHeaders).map(([k, v]) => `${k}: ${v}`).join(", ")}` : "all requests"}`;
}

/** The share (0–100) of requests an Istio fault block affects; undefined percentage means none (Istio 1.26). */
function istioPercentage(block: { percentage?: { value?: number }; percent?: number } | undefined): number | undefined {
  if (!block) return undefined;
  return block.percentage?.value ?? block.percent;
}

/** Whether a route's match is exactly "these headers" (the scoped case) — other conditions make it narrower. */
function routeMatchesHeaders(route: HTTPRoute, headers: Record<string, string>): boolean {
  return (route.match ?? []).some((m) =>
    Object.entries(headers).every(([name, value]) => {
      const match = m.headers?.[name] ?? m.headers?.[name.toLowerCase()];
      return match !== undefined && "exact" in match && match.exact === value;
    }),
  );
}

/** Problems with one route's fault block against the expected fault; empty when it matches. */
function faultProblems(fault: HTTPFaultInjection | undefined, p: Params): { code: "ICA0304" | "ICA0305" | "ICA0306"; message: string; path: string }[] {
  const key = "delay" in p.fault ? "delay" : "abort";
  const block = fault?.[key];
  if (!block) return [{ code: "ICA0304", message: `no ${key} fault`, path: `fault.${key}` }];
  const problems: { code: "ICA0304" | "ICA0305" | "ICA0306"; message: string; path: string }[] = [];
  if ("delay" in p.fault) {
    const delay = block as NonNullable<HTTPFaultInjection["delay"]>;
    const want = durationMs(p.fault.delay);
    const have = durationMs(delay.fixedDelay);
    if (have !== want) problems.push({ code: "ICA0305", message: `fixedDelay is ${delay.fixedDelay ?? "unset"}, not ${p.fault.delay}`, path: "fault.delay.fixedDelay" });
  } else {
    const abort = block as NonNullable<HTTPFaultInjection["abort"]>;
    if (abort.httpStatus !== p.fault.abort) problems.push({ code: "ICA0305", message: `httpStatus is ${abort.httpStatus ?? "unset"}, not ${p.fault.abort}`, path: "fault.abort.httpStatus" });
  }
  const pct = istioPercentage(block as { percentage?: { value?: number }; percent?: number });
  if (pct === undefined) problems.push({ code: "ICA0306", message: "percentage is missing, so Istio faults no request at all", path: `fault.${key}.percentage` });
  else if (Math.abs(pct - p.percentage) > 0.01) problems.push({ code: pct < p.percentage ? "ICA0306" : "ICA0305", message: `percentage is ${pct}, not ${p.percentage}`, path: `fault.${key}.percentage.value` });
  return problems;
}

/** The fault an Envoy route applies, as { delayMs | status, percent }. */
function envoyFault(route: Route): { delayMs?: number; status?: number; percent?: number } | undefined {
  const config = route.typed_per_filter_config?.[faultFilter] as HTTPFault | undefined;
  if (!config) return undefined;
  const fraction = config.delay?.percentage ?? config.abort?.percentage;
  const denominator = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 }[fraction?.denominator ?? "HUNDRED"];
  return {
    delayMs: config.delay?.fixed_delay ? envoyDurationMs(config.delay.fixed_delay) : undefined,
    status: config.abort?.http_status,
    percent: fraction ? ((fraction.numerator ?? 0) / denominator) * 100 : undefined,
  };
}

export default defineCheck({
  id: "virtualservice.fault-injection",
  title: "A host injects a delay or an abort",
  description: "The host's VirtualService injects the fault for exactly the requested requests, the caller's Envoy route carries the fault filter config, and live requests are delayed or aborted.",
  codes: ["ICA0301", "ICA0304", "ICA0305", "ICA0306", "ICA0307", "ICA0308", "ICA0310", "ICA0902", "ICA0903", "ICA0905", "ICA0953", "ICA0955", "ICA0956"],
  params,
  inputs: (p) => ({
    kinds: ["VirtualService"],
    proxies: [p.caller],
    probes: [{ id: "traffic", spec: { ...p.probe, headers: { ...p.forHeaders, ...p.probe.headers } }, afterSync: true }],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const fqdn = toFqdn(p.namespace, p.host);
    const wanted = describeFault(p);
    const [vs] = meshVirtualServices(snapshot, fqdn, p.namespace);
    const routes = vs ? (vsSpec(vs).http ?? []) : [];
    const resource: ResourceRef | undefined = vs && { kind: "VirtualService", namespace: vs.metadata.namespace, name: vs.metadata.name };

    // Which routes must carry the fault, and which must not.
    const scoped = p.forHeaders;
    const mustFault = routes.map((route) => (scoped ? routeMatchesHeaders(route, scoped) : true));
    const objectProblems: Finding[] = [];
    routes.forEach((route, i) => {
      if (mustFault[i]) {
        for (const problem of faultProblems(route.fault, p)) {
          objectProblems.push({
            code: problem.code === "ICA0304" && routes.some((r) => faultProblems(r.fault, p).length === 0) ? "ICA0306" : problem.code,
            severity: "error",
            message: `Route ${i} of ${vs!.metadata.name}: ${problem.message}${problem.code === "ICA0304" && routes.length > 1 ? " (so requests taking this route are not faulted)" : ""}.`,
            resource,
            path: `spec.http[${i}].${problem.path}`,
            expected: wanted,
            actual: route.fault ?? null,
          });
        }
      } else if (scoped && route.fault?.["delay" in p.fault ? "delay" : "abort"]) {
        objectProblems.push({
          code: "ICA0310",
          severity: "error",
          message: `Route ${i} of ${vs!.metadata.name} also faults requests without ${Object.keys(scoped).join(", ")}: the fault must only hit those requests.`,
          resource,
          path: `spec.http[${i}].fault`,
          expected: "no fault on routes other users take",
          actual: route.fault,
        });
      }
    });
    if (scoped && vs && !mustFault.some(Boolean)) {
      objectProblems.push({ code: "ICA0304", severity: "error", message: `${vs.metadata.name} has no route matching ${JSON.stringify(scoped)}.`, resource, path: "spec.http", expected: wanted });
    }

    if (!vs || objectProblems.every((f) => f.code === "ICA0304")) {
      // Nothing on the host: is the same fault sitting on another service?
      const elsewhere = snapshot
        .list("VirtualService")
        .filter((other: KubeObject) => other !== vs && (vsSpec(other).http ?? []).some((r) => faultProblems(r.fault, p).length === 0));
      if (elsewhere.length) {
        const other = elsewhere[0]!;
        findings.push({
          code: "ICA0307",
          severity: "error",
          message: `${wanted} is configured on ${(vsSpec(other).hosts ?? []).join(", ")} (VirtualService ${other.metadata.name}), not on ${p.host}.`,
          resource: { kind: "VirtualService", namespace: other.metadata.namespace, name: other.metadata.name },
          path: "spec.hosts",
          expected: [p.host],
          actual: vsSpec(other).hosts,
          hint: `Move the fault to a VirtualService whose hosts include ${p.host}.`,
          docsUrl,
        });
      } else if (!vs) {
        findings.push({ code: "ICA0301", severity: "error", message: `No VirtualService routes ${p.host}, so no fault can apply to it.`, expected: wanted, hint: `Create a VirtualService for ${p.host} with ${wanted}.`, docsUrl });
      }
    }
    if (vs) {
      if (objectProblems.length) findings.push(...objectProblems.map((f) => ({ ...f, hint: f.hint ?? `Istio only faults requests when fault.${"delay" in p.fault ? "delay" : "abort"}.percentage.value is set; 3s and 3000ms are the same delay.`, docsUrl })));
      else findings.push({ code: "ICA0308", severity: "info", message: `${vs.metadata.name} injects ${wanted}.`, resource, actual: routes.map((r) => r.fault ?? null) });
    }

    // The caller's Envoy: the route a (scoped) request takes must carry the fault filter config.
    const envoy = snapshot.envoy(p.caller);
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      const located = envoy.config.sidecarRoutes(fqdn, p.port);
      const target = scoped
        ? located.find((l) => (l.route.match?.headers ?? []).some((h) => Object.keys(scoped).includes(h.name)))
        : located.find((l) => (l.route.match?.headers ?? []).length === 0) ?? located[0];
      if (!target) {
        findings.push({ code: "ICA0902", severity: "error", message: `${proxy} has no route for ${fqdn}:${p.port}${scoped ? " that matches those headers" : ""}.` });
      } else {
        const fault = envoyFault(target.route);
        const location = `route "${target.routeConfig}" › ${target.virtualHost} › routes[${target.index}] › typed_per_filter_config`;
        const want = "delay" in p.fault ? { delayMs: durationMs(p.fault.delay) } : { status: p.fault.abort };
        const ok = fault && ("delayMs" in want ? fault.delayMs === want.delayMs : fault.status === want.status) && Math.abs((fault.percent ?? -1) - p.percentage) < 0.01;
        findings.push(
          ok
            ? { code: "ICA0905", severity: "info", message: `${proxy} applies ${faultFilter} on this route.`, envoy: { proxy, location, excerpt: target.route.typed_per_filter_config } }
            : { code: "ICA0903", severity: "error", message: `${proxy}'s route for ${fqdn} does not inject ${wanted}.`, expected: { ...want, percent: p.percentage }, actual: fault ?? null, envoy: { proxy, location, excerpt: target.route.typed_per_filter_config ?? null } },
        );
      }
    }

    // Live traffic: delayed requests take at least the delay; aborted ones return the status.
    const result = snapshot.probe("traffic");
    if (result) {
      const histogram = countBy(result.responses, statusLabel);
      const evidence = probeEvidence("traffic", result, histogram);
      if ("delay" in p.fault) {
        const delayMs = durationMs(p.fault.delay)!;
        const p50 = percentile(result.responses.map((r) => r.latencyMs), 50);
        const expectedShare = p.percentage / 100;
        const delayed = result.responses.filter((r) => r.latencyMs >= delayMs * 0.95).length / Math.max(1, result.responses.length);
        const consistent = expectedShare >= 0.999 ? p50 >= delayMs * 0.95 && delayed >= 0.9 : Math.abs(delayed - expectedShare) <= 0.25;
        findings.push(
          consistent
            ? { code: "ICA0955", severity: "info", message: `Requests to ${p.host} took ${Math.round(p50)} ms at the median (${Math.round(delayed * 100)}% delayed by at least ${p.fault.delay}).`, probe: evidence }
            : { code: "ICA0953", severity: "error", message: `Requests to ${p.host} took ${Math.round(p50)} ms at the median; only ${Math.round(delayed * 100)}% were delayed by ${p.fault.delay}.`, probe: evidence, expected: `${p.percentage}% of requests ≥ ${delayMs} ms` },
        );
      } else {
        const aborted = result.responses.filter((r) => r.status === (p.fault as { abort: number }).abort).length / Math.max(1, result.responses.length);
        const consistent = Math.abs(aborted - p.percentage / 100) <= (p.percentage >= 100 || p.percentage <= 0 ? 0.001 : 0.25);
        findings.push(
          consistent
            ? { code: "ICA0955", severity: "info", message: `${Math.round(aborted * 100)}% of requests were aborted with HTTP ${p.fault.abort}.`, probe: evidence }
            : { code: "ICA0956", severity: "error", message: `${Math.round(aborted * 100)}% of requests returned HTTP ${p.fault.abort}; expected ${p.percentage}%.`, probe: evidence },
        );
      }
    }
    return findings;
  },
});
