// Reading ingress intent from a snapshot: which Gateways a gateway workload runs, which of their servers accept a
// Host, and which VirtualServices are bound to a Gateway (the chain Gateway server → bound VirtualService).
import type { GatewaySpec, Server } from "@/cluster/embedded/admission";
import { hostsMatch } from "../analyze/hosts";
import type { KubeObject, Snapshot } from "../snapshot/snapshot";
import { byCreation, vsSpec } from "./routing";

export function gatewaySpec(gateway: KubeObject): GatewaySpec {
  return (gateway.spec ?? {}) as GatewaySpec;
}

/** `<namespace>/<name>` of an object. */
export function qualifiedName(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? "default"}/${obj.metadata.name}`;
}

/** A `gateways:` entry (`name` or `namespace/name`) resolved against the VirtualService's namespace; `mesh` stays `mesh`. */
export function resolveGatewayReference(vsNamespace: string, reference: string): string {
  if (reference === "mesh") return "mesh";
  return reference.includes("/") ? reference : `${vsNamespace}/${reference}`;
}

/** The gateways a VirtualService binds to, resolved (`mesh` when the list is empty). */
export function boundGateways(vs: KubeObject): string[] {
  const list = vsSpec(vs).gateways ?? [];
  const namespace = vs.metadata.namespace ?? "default";
  return list.length === 0 ? ["mesh"] : list.map((g) => resolveGatewayReference(namespace, g));
}

/** Gateways whose selector matches a workload's pod labels, oldest first. */
export function gatewaysForWorkload(snapshot: Snapshot, podLabels: Record<string, string>): KubeObject[] {
  return snapshot
    .list("Gateway")
    .filter((gw) => {
      const selector = gatewaySpec(gw).selector ?? {};
      return Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    })
    .sort(byCreation);
}

/** A server host entry without its namespace part (`./h`, `ns/h`, `*\/h` → `h`), and which namespaces it admits. */
export function splitServerHost(entry: string, gatewayNamespace: string): { namespace: string; host: string } {
  const slash = entry.indexOf("/");
  if (slash < 0) return { namespace: "*", host: entry };
  const namespace = entry.slice(0, slash);
  return { namespace: namespace === "." ? gatewayNamespace : namespace, host: entry.slice(slash + 1) };
}

/** Whether a Gateway server accepts requests for `host` (its hosts include it, wildcards included). */
export function serverAcceptsHost(server: Server, host: string, gatewayNamespace: string): boolean {
  return server.hosts.some((entry) => hostsMatch(splitServerHost(entry, gatewayNamespace).host, host));
}

/** Whether a server's hosts admit VirtualServices of `vsNamespace` that list `host`. */
export function serverAdmits(server: Server, host: string, gatewayNamespace: string, vsNamespace: string): boolean {
  return server.hosts.some((entry) => {
    const split = splitServerHost(entry, gatewayNamespace);
    return (split.namespace === "*" || split.namespace === vsNamespace) && hostsMatch(split.host, host);
  });
}

/** VirtualServices bound to a Gateway (by `gateways:`), oldest first. */
export function virtualServicesBoundTo(snapshot: Snapshot, gateway: KubeObject): KubeObject[] {
  const name = qualifiedName(gateway);
  return snapshot
    .list("VirtualService")
    .filter((vs) => boundGateways(vs).includes(name))
    .sort(byCreation);
}
