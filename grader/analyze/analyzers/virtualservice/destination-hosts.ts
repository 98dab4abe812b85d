// IST0101 (host, mirror host, host:port), IST0112 and IST0140: VirtualService destinations against Services and ServiceEntries.
import type { AnalysisContext, Analyzer } from "../../analyzer";
import { buildHostTable, resolveHost, type HostTarget } from "../../hosts";
import { IngressRouteRulesNotAffected, ReferencedResourceNotFound, VirtualServiceDestinationPortSelectorRequired } from "../../messages";
import type { Resource } from "../../resources";
import { mirrorDestinations, routeDestinations, type RouteDestinationRef } from "../../routes";

function checkPorts(ctx: AnalysisContext, vs: Resource<"VirtualService">, ref: RouteDestinationRef, target: HostTarget): void {
  const { destination, hostField } = ref;
  if (!destination.port) {
    // Without a port the destination is only ambiguous when the service exposes several.
    if (target.ports.length > 1) {
      ctx.report(vs, VirtualServiceDestinationPortSelectorRequired, [destination.host, target.ports.map((port) => port.number)], hostField);
    }
    return;
  }
  const wanted = destination.port.number;
  if (!target.ports.some((port) => port.number === wanted)) {
    ctx.report(vs, ReferencedResourceNotFound, ["host:port", `${destination.host}:${wanted}`], hostField);
  }
}

/** Per VirtualService: destinations that route to a subset of one of the VirtualService's own hosts. */
function subsetDestinationsByVirtualService(ctx: AnalysisContext): Map<string, string[]> {
  const byVirtualService = new Map<string, string[]>();
  for (const vs of ctx.list("VirtualService")) {
    for (const rule of vs.spec.http) {
      for (const entry of rule.route) {
        const destination = entry.destination;
        if (!destination || destination.subset === "") continue;
        for (const host of vs.spec.hosts) {
          if (destination.host === host) byVirtualService.set(vs.fullName, [...(byVirtualService.get(vs.fullName) ?? []), destination.host]);
        }
      }
    }
  }
  return byVirtualService;
}

function checkIngressSubsets(ctx: AnalysisContext, vs: Resource<"VirtualService">, subsetHosts: Map<string, string[]>): void {
  if (vs.spec.gateways.length === 0) return;
  for (const rule of vs.spec.http) {
    for (const entry of rule.route) {
      const destination = entry.destination;
      if (!destination || destination.subset !== "") continue;
      for (const [otherName, hosts] of subsetHosts) {
        for (const host of hosts) {
          if (host === destination.host) ctx.report(vs, IngressRouteRulesNotAffected, [otherName, vs.fullName]);
        }
      }
    }
  }
}

export const destinationHostAnalyzer: Analyzer = {
  metadata: {
    name: "virtualservice.DestinationHostAnalyzer",
    description: "Checks the destination hosts associated with each virtual service",
    inputs: ["ServiceEntry", "VirtualService", "Service"],
  },
  analyze(ctx) {
    const hosts = buildHostTable(ctx);
    const subsetHosts = subsetDestinationsByVirtualService(ctx);
    for (const vs of ctx.list("VirtualService")) {
      for (const [refs, reftype] of [
        [routeDestinations(vs.spec), "host"],
        [mirrorDestinations(vs.spec), "mirror host"],
      ] as const) {
        for (const ref of refs) {
          const target = resolveHost(hosts, vs.namespace, vs.spec.exportTo, ref.destination.host);
          if (!target) ctx.report(vs, ReferencedResourceNotFound, [reftype, ref.destination.host], ref.hostField);
          else checkPorts(ctx, vs, ref, target);
        }
      }
      checkIngressSubsets(ctx, vs, subsetHosts);
    }
  },
};
