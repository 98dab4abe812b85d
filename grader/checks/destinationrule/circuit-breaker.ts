/** Fails when a host's connection-pool limits cannot make concurrent load overflow; evidence: the rule in effect, the caller's Envoy circuit_breakers, 503 UO counts under load. */
import { z } from "zod";
import type { ConnectionPoolSettings } from "@/cluster/embedded/admission/istio/destination-rule";
import { defineCheck, type Finding } from "../../check";
import { parseClusterName, routeDestinations } from "../../envoy/config-dump";
import { effectiveTrafficPolicy, toFqdn } from "../../istio/routing";
import { countBy, probeEvidence, statusLabel } from "../../istio/traffic";
import { namespaceParam, probeParam, proxySelectorParam } from "../params";

const docsUrl = "https://istio.io/latest/docs/tasks/traffic-management/circuit-breaking/";
const unlimited = 4294967295;

/** How many requests can be in flight or queued at once under HTTP/1.1 before Envoy overflows (503 UO). */
function capacity(pool: ConnectionPoolSettings | undefined): number {
  const maxConnections = pool?.tcp?.maxConnections ?? unlimited;
  const maxRequests = pool?.http?.http2MaxRequests ?? unlimited;
  const pending = pool?.http?.http1MaxPendingRequests ?? unlimited;
  return Math.min(Math.min(maxConnections, maxRequests) + pending, maxRequests + pending, unlimited);
}

export default defineCheck({
  id: "destinationrule.circuit-breaker",
  title: "A circuit breaker trips under concurrent load",
  description: "The host's DestinationRule in effect sets connection-pool limits below the load's concurrency, the caller's Envoy cluster carries them as circuit_breakers thresholds, and concurrent load gets 503 responses flagged UO.",
  codes: ["ICA0202", "ICA0203", "ICA0204", "ICA0904", "ICA0905", "ICA0954", "ICA0955"],
  params: z
    .object({
      host: z.string().min(1),
      namespace: namespaceParam,
      port: z.number().int().min(1).max(65535).default(9080),
      caller: proxySelectorParam,
      load: probeParam,
    })
    .strict(),
  inputs: (p) => ({
    kinds: ["DestinationRule"],
    proxies: [p.caller],
    probes: [{ id: "load", spec: p.load, afterSync: true }],
  }),
  analyze(snapshot, p) {
    const findings: Finding[] = [];
    const fqdn = toFqdn(p.namespace, p.host);
    const concurrency = p.load.concurrency;

    const effective = effectiveTrafficPolicy(snapshot, fqdn, p.namespace);
    const pool = effective?.policy.connectionPool;
    const resource = effective && { kind: "DestinationRule", namespace: effective.rule.metadata.namespace, name: effective.rule.metadata.name };
    if (!pool) {
      findings.push({
        code: "ICA0202",
        severity: "error",
        message: effective
          ? `The traffic policy in effect for ${p.host} (from ${effective.rule.metadata.name}) sets no connectionPool.`
          : `No DestinationRule for ${p.host} sets a traffic policy with connection-pool limits.`,
        resource,
        path: "spec.trafficPolicy.connectionPool",
        hint: "Set trafficPolicy.connectionPool (tcp.maxConnections, http.http1MaxPendingRequests, http.http2MaxRequests) in the host's DestinationRule. If two rules set a traffic policy for one host, only the older one counts.",
        docsUrl,
      });
    } else {
      const room = capacity(pool);
      findings.push(
        room >= concurrency
          ? {
              code: "ICA0203",
              severity: "error",
              message: `These limits let ${room >= unlimited ? "an unlimited number of" : room} requests be in flight or queued at once, so ${concurrency} concurrent connections never overflow.`,
              resource,
              path: "spec.trafficPolicy.connectionPool",
              expected: `room for fewer than ${concurrency} concurrent requests`,
              actual: pool,
              hint: "In-flight requests are capped by min(maxConnections, http2MaxRequests), and http1MaxPendingRequests more may wait; keep the total below the load's concurrency.",
              docsUrl,
            }
          : { code: "ICA0204", severity: "info", message: `${effective!.rule.metadata.name} admits at most ${room} concurrent requests (in flight plus queued).`, resource, path: "spec.trafficPolicy.connectionPool", actual: pool },
      );
    }

    const envoy = snapshot.envoy(p.caller);
    if (envoy) {
      const proxy = `${envoy.pod.name}.${envoy.pod.namespace}`;
      const routed = envoy.config.sidecarRoutes(fqdn, p.port).flatMap((r) => routeDestinations(r.route).map((d) => d.cluster));
      const names = [...new Set(routed.length ? routed : [`outbound|${p.port}||${fqdn}`])].filter((n) => parseClusterName(n)?.host === fqdn);
      for (const name of names) {
        const cluster = envoy.config.cluster(name);
        const thresholds = cluster?.circuit_breakers?.thresholds?.[0];
        const limited = thresholds && [thresholds.max_connections, thresholds.max_pending_requests, thresholds.max_requests].some((v) => v !== undefined && Number(v) < unlimited);
        findings.push(
          limited
            ? { code: "ICA0905", severity: "info", message: `${proxy} enforces circuit_breakers on ${name}.`, envoy: { proxy, location: `cluster ${name} › circuit_breakers`, excerpt: cluster!.circuit_breakers } }
            : { code: "ICA0904", severity: "error", message: `${proxy}'s cluster ${name} has no connection limits (all thresholds ${unlimited}).`, envoy: { proxy, location: `cluster ${name} › circuit_breakers`, excerpt: cluster?.circuit_breakers ?? null } },
        );
      }
    }

    const result = snapshot.probe("load");
    if (result) {
      const histogram = countBy(result.responses, statusLabel);
      const evidence = probeEvidence("load", result, histogram);
      const overflowed = result.responses.filter((r) => r.status === 503 && /\bUO\b/.test(r.flags)).length;
      const succeeded = result.responses.filter((r) => r.status === 200).length;
      findings.push(
        overflowed > 0
          ? { code: "ICA0955", severity: "info", message: `Under ${concurrency} concurrent connections, ${overflowed} of ${result.responses.length} requests got 503 UO (circuit breaker overflow) and ${succeeded} succeeded.`, probe: evidence }
          : { code: "ICA0954", severity: "error", message: `Under ${concurrency} concurrent connections no request overflowed: ${JSON.stringify(histogram)}.`, probe: evidence, expected: "some 503 responses with flag UO" },
      );
    }
    return findings;
  },
});
