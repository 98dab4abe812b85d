// IST0109: two VirtualServices bound to the mesh gateway that define the same host (as visible through exportTo).
import type { Analyzer } from "../../analyzer";
import { EXPORT_TO_ALL, EXPORT_TO_LOCAL, exportsToAll, hostsMatch, MESH_GATEWAY, scopedFqdn, splitScopedFqdn } from "../../hosts";
import { ConflictingMeshGatewayVirtualServiceHosts } from "../../messages";
import type { Resource } from "../../resources";

type VirtualService = Resource<"VirtualService">;

/** Mesh-bound VirtualServices by scoped host; a VirtualService without gateways is bound to the mesh. */
function meshHosts(virtualServices: readonly VirtualService[]): Map<string, VirtualService[]> {
  const byHost = new Map<string, VirtualService[]>();
  for (const vs of virtualServices) {
    const { gateways, exportTo, hosts } = vs.spec;
    if (gateways.length > 0 && !gateways.includes(MESH_GATEWAY)) continue;
    const scopes = exportsToAll(exportTo) ? [EXPORT_TO_ALL] : [...new Set(exportTo.map((scope) => (scope === EXPORT_TO_LOCAL ? vs.namespace : scope)))];
    for (const scope of scopes) {
      for (const host of hosts) {
        const key = scopedFqdn(scope, vs.namespace, host);
        byHost.set(key, [...(byHost.get(key) ?? []), vs]);
      }
    }
  }
  return byHost;
}

export const conflictingMeshGatewayHostsAnalyzer: Analyzer = {
  metadata: {
    name: "virtualservice.ConflictingMeshGatewayHostsAnalyzer",
    description: "Checks if multiple virtual services associated with the mesh gateway have conflicting hosts",
    inputs: ["VirtualService"],
  },
  analyze(ctx) {
    const byHost = meshHosts(ctx.list("VirtualService"));
    const reported = new Set<string>();
    for (const key of [...byHost.keys()].sort()) {
      const { scope, host } = splitScopedFqdn(key);
      const conflicting = [...(byHost.get(key) ?? [])];
      if (scope !== EXPORT_TO_ALL) {
        // A host scoped to one namespace also conflicts with matching hosts exported everywhere.
        for (const [otherKey, others] of byHost) {
          const other = splitScopedFqdn(otherKey);
          if (other.scope === EXPORT_TO_ALL && hostsMatch(host, other.host)) conflicting.push(...others);
        }
      }
      if (conflicting.length < 2) continue;
      const names = [...new Set(conflicting.map((vs) => vs.fullName))].sort().join(",");
      for (const vs of conflicting) {
        if (reported.has(vs.fullName)) continue;
        reported.add(vs.fullName);
        ctx.report(vs, ConflictingMeshGatewayVirtualServiceHosts, [names, key], "metadata.name");
      }
    }
  },
};
