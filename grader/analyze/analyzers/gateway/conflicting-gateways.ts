// IST0145: two Gateways with the same workload selector and server port whose server hosts overlap.
import type { Analyzer } from "../../analyzer";
import { hostsMatch } from "../../hosts";
import { ConflictingGateways } from "../../messages";
import { selectorString, type Resource } from "../../resources";

interface ServerClaim {
  gateway: Resource<"Gateway">;
  hosts: readonly string[];
}

export const conflictingGatewayAnalyzer: Analyzer = {
  metadata: {
    name: "gateway.ConflictingGatewayAnalyzer",
    description: "Checks a gateway's selector, port number and hosts",
    inputs: ["Gateway"],
  },
  analyze(ctx) {
    const gateways = ctx.list("Gateway");
    const claims = new Map<string, ServerClaim[]>();
    const keyOf = (gateway: Resource<"Gateway">, port: number) => `${selectorString(gateway.spec.selector)}~${port}`;
    for (const gateway of gateways) {
      for (const server of gateway.spec.servers) {
        const key = keyOf(gateway, server.port?.number ?? 0);
        claims.set(key, [...(claims.get(key) ?? []), { gateway, hosts: server.hosts }]);
      }
    }
    for (const gateway of gateways) {
      for (const server of gateway.spec.servers) {
        const port = server.port?.number ?? 0;
        const conflicting = (claims.get(keyOf(gateway, port)) ?? [])
          .filter((claim) => claim.gateway !== gateway)
          .filter((claim) => server.hosts.some((host) => claim.hosts.some((other) => hostsMatch(host, other))))
          .map((claim) => claim.gateway.fullName);
        if (conflicting.length === 0) continue;
        ctx.report(gateway, ConflictingGateways, [[...new Set(conflicting)].sort().join(","), selectorString(gateway.spec.selector), String(port), server.hosts.join(",")]);
      }
    }
  },
};
