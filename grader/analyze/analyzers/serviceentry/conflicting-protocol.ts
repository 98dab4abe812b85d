// IST0177: ServiceEntries visible in the same scope that give one host and port different protocols.
import type { Analyzer } from "../../analyzer";
import { EXPORT_TO_ALL, EXPORT_TO_LOCAL, exportsToAll } from "../../hosts";
import { ConflictingServiceEntryProtocol } from "../../messages";
import type { Resource } from "../../resources";

interface ProtocolClaim {
  protocol: string;
  entry: Resource<"ServiceEntry">;
}

function scopesOf(entry: Resource<"ServiceEntry">): string[] {
  const { exportTo } = entry.spec;
  if (exportsToAll(exportTo)) return [EXPORT_TO_ALL];
  return [...new Set(exportTo.map((scope) => (scope === EXPORT_TO_LOCAL ? entry.namespace : scope)))];
}

export const conflictingServiceEntryProtocolAnalyzer: Analyzer = {
  metadata: {
    name: "serviceentry.ConflictingServiceEntryProtocolAnalyzer",
    description: "Checks if multiple ServiceEntries define the same host and port with different protocols",
    inputs: ["ServiceEntry"],
  },
  analyze(ctx) {
    const claims = new Map<string, { scope: string; host: string; port: number; claims: ProtocolClaim[] }>();
    for (const entry of ctx.list("ServiceEntry")) {
      for (const scope of scopesOf(entry)) {
        for (const host of entry.spec.hosts) {
          for (const port of entry.spec.ports) {
            const key = JSON.stringify([scope, host, port.number]);
            const bucket = claims.get(key) ?? { scope, host, port: port.number, claims: [] };
            bucket.claims.push({ protocol: port.protocol, entry });
            claims.set(key, bucket);
          }
        }
      }
    }
    const reported = new Set<string>();
    for (const key of [...claims.keys()].sort()) {
      const bucket = claims.get(key);
      if (!bucket) continue;
      const all =
        bucket.scope === EXPORT_TO_ALL ? bucket.claims : [...bucket.claims, ...(claims.get(JSON.stringify([EXPORT_TO_ALL, bucket.host, bucket.port]))?.claims ?? [])];
      const protocols = [...new Set(all.map((claim) => claim.protocol.toUpperCase()))].sort();
      if (protocols.length < 2) continue;
      const names = [...new Set(all.map((claim) => claim.entry.fullName))].sort().join(", ");
      for (const { entry } of all) {
        if (reported.has(entry.fullName)) continue;
        reported.add(entry.fullName);
        ctx.report(entry, ConflictingServiceEntryProtocol, [names, bucket.host, bucket.port, protocols.join(", ")], "metadata.name");
      }
    }
  },
};
