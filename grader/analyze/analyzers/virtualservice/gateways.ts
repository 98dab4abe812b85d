// IST0101 (gateway) and IST0132: each gateway a VirtualService binds to must exist and serve one of its hosts.
import type { AnalysisContext, Analyzer } from "../../analyzer";
import { hostsMatch, MESH_GATEWAY } from "../../hosts";
import { ReferencedResourceNotFound, VirtualServiceHostNotFoundInGateway } from "../../messages";
import { fullNameOf, type Resource } from "../../resources";

/** A gateway reference `name` or `namespace/name`, relative to the VirtualService's namespace. */
function gatewayName(vsNamespace: string, reference: string): { namespace: string; name: string } {
  const slash = reference.indexOf("/");
  return slash < 0 ? { namespace: vsNamespace, name: reference } : { namespace: reference.slice(0, slash), name: reference.slice(slash + 1) };
}

// A server's hosts with their namespace part resolved: "./h" becomes "<gateway ns>/h", "*/h" becomes "h",
// and a "*/*" entry makes the whole server "*".
function serverHosts(hosts: readonly string[], gatewayNamespace: string): string[] {
  const resolved: string[] = [];
  for (const host of hosts) {
    const slash = host.indexOf("/");
    if (slash < 0) {
      resolved.push(host);
      continue;
    }
    const namespace = host.slice(0, slash);
    const name = host.slice(slash + 1);
    if (namespace === ".") resolved.push(`${gatewayNamespace}/${name}`);
    else if (namespace === "*") {
      if (name === "*") return ["*"];
      resolved.push(name);
    } else resolved.push(host);
  }
  return resolved;
}

/** Gateway hosts visible to a namespace: unqualified hosts, and `ns/host` entries whose namespace is that one. */
function hostsForNamespace(hosts: readonly string[], namespace: string): string[] {
  return hosts.flatMap((host) => {
    const slash = host.indexOf("/");
    if (slash < 0) return [host];
    const hostNamespace = host.slice(0, slash);
    return hostNamespace === namespace || hostNamespace === "*" ? [host.slice(slash + 1)] : [];
  });
}

function hostInGateway(gateway: Resource<"Gateway"> | undefined, vsHosts: readonly string[], vsNamespace: string): boolean {
  if (!gateway) return false;
  const gatewayHosts = hostsForNamespace(
    gateway.spec.servers.flatMap((server) => serverHosts(server.hosts, gateway.namespace)),
    vsNamespace,
  );
  return gatewayHosts.some((gatewayHost) => vsHosts.some((vsHost) => hostsMatch(gatewayHost, vsHost)));
}

function analyzeVirtualService(ctx: AnalysisContext, vs: Resource<"VirtualService">): void {
  vs.spec.gateways.forEach((reference, index) => {
    if (reference === MESH_GATEWAY) return;
    const field = `spec.gateways[${index}]`;
    const { namespace, name } = gatewayName(vs.namespace, reference);
    const gateway = ctx.find("Gateway", namespace, name);
    if (!gateway) ctx.report(vs, ReferencedResourceNotFound, ["gateway", reference], field);
    if (!hostInGateway(gateway, vs.spec.hosts, vs.namespace)) {
      ctx.report(vs, VirtualServiceHostNotFoundInGateway, [vs.spec.hosts, vs.fullName, fullNameOf(namespace, name)], field);
    }
  });
}

export const gatewayAnalyzer: Analyzer = {
  metadata: {
    name: "virtualservice.GatewayAnalyzer",
    description: "Checks the gateways associated with each virtual service",
    inputs: ["Gateway", "VirtualService"],
  },
  analyze(ctx) {
    for (const vs of ctx.list("VirtualService")) analyzeVirtualService(ctx, vs);
  },
};
