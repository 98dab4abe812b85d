// Host names as istio's analyzers resolve them: short names to FQDNs, exportTo scopes, wildcard matching and the
// table of hosts that Services and ServiceEntries make visible to each namespace.
import type { AnalysisContext } from "./analyzer";
import type { Resource } from "./resources";

export const CLUSTER_DOMAIN = "svc.cluster.local";
/** exportTo value meaning every namespace. */
export const EXPORT_TO_ALL = "*";
/** exportTo value meaning the resource's own namespace. */
export const EXPORT_TO_LOCAL = ".";
/** The reserved gateway name for sidecars. */
export const MESH_GATEWAY = "mesh";
/** Annotation carrying a Service's exportTo list. */
export const SERVICE_EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo";

/** Expands a short name (no dot, no wildcard) to `<host>.<namespace>.svc.cluster.local`; other hosts are unchanged. */
export function toFqdn(namespace: string, host: string): string {
  return !host.startsWith("*") && !host.includes(".") ? `${host}.${namespace}.${CLUSTER_DOMAIN}` : host;
}

/** A host made visible to a scope (a namespace or `*`): `<scope>/<fqdn>`. */
export function scopedFqdn(scope: string, namespace: string, host: string): string {
  return `${scope}/${toFqdn(namespace, host)}`;
}

/** Splits a scoped FQDN back into scope and host. */
export function splitScopedFqdn(scoped: string): { scope: string; host: string } {
  const slash = scoped.indexOf("/");
  return { scope: scoped.slice(0, slash), host: scoped.slice(slash + 1) };
}

const FQDN_PATTERN = /^(.+)\.(.+)\.svc\.cluster\.local$/;

/** The Service a host names: FQDNs carry their namespace, anything else is a name in `defaultNamespace`. */
export function serviceNameFromHost(defaultNamespace: string, host: string): { namespace: string; name: string } {
  const parsed = FQDN_PATTERN.exec(host);
  if (parsed?.[1] && parsed[2]) return { namespace: parsed[2], name: parsed[1] };
  return { namespace: defaultNamespace, name: host };
}

/** Whether two host names overlap, wildcards included (istio's host.Name.Matches). */
export function hostsMatch(a: string, b: string): boolean {
  const aWildcard = a.startsWith("*");
  const bWildcard = b.startsWith("*");
  if (aWildcard) {
    if (bWildcard) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
    return b.endsWith(a.slice(1));
  }
  if (bWildcard) return a.endsWith(b.slice(1));
  return a === b;
}

/** True when exportTo is empty or contains `*`. */
export function exportsToAll(exportTo: readonly string[]): boolean {
  return exportTo.length === 0 || exportTo.includes(EXPORT_TO_ALL);
}

/** A port a host serves. */
export interface HostPort {
  number: number;
  name: string;
  protocol: string;
}

/** What a visible host resolves to: its ports and, for ServiceEntries, the workloads it selects. */
export interface HostTarget {
  ports: readonly HostPort[];
  workloadLabels: Readonly<Record<string, string>>;
  resource: Resource<"Service" | "ServiceEntry">;
}

/** Every Service and ServiceEntry host, keyed by scoped FQDN (istio's InitServiceEntryHostMap). */
export type HostTable = ReadonlyMap<string, HostTarget>;

function serviceScopes(annotation: string | undefined, namespace: string): string[] {
  if (!annotation) return [EXPORT_TO_ALL];
  return annotation.split(",").map((scope) => (scope === EXPORT_TO_LOCAL ? namespace : scope));
}

/** Builds the host table from ServiceEntries (hosts × exportTo) and Services (name × exportTo annotation). */
export function buildHostTable(ctx: AnalysisContext): HostTable {
  const table = new Map<string, HostTarget>();
  for (const entry of ctx.list("ServiceEntry")) {
    const target: HostTarget = { ports: entry.spec.ports, workloadLabels: entry.spec.workloadSelector?.labels ?? {}, resource: entry };
    for (const host of entry.spec.hosts) {
      if (exportsToAll(entry.spec.exportTo)) {
        table.set(scopedFqdn(EXPORT_TO_ALL, entry.namespace, host), target);
        continue;
      }
      for (const scope of entry.spec.exportTo) {
        table.set(scopedFqdn(scope === EXPORT_TO_LOCAL ? entry.namespace : scope, entry.namespace, host), target);
      }
    }
  }
  for (const service of ctx.list("Service")) {
    const target: HostTarget = {
      ports: service.spec.ports.map((port) => ({ number: port.port, name: port.name, protocol: port.protocol })),
      workloadLabels: {},
      resource: service,
    };
    for (const scope of serviceScopes(service.annotations[SERVICE_EXPORT_TO_ANNOTATION], service.namespace)) {
      table.set(scopedFqdn(scope, service.namespace, service.name), target);
    }
  }
  return table;
}

/**
 * Resolves a destination host as seen from `sourceNamespace` with the referrer's exportTo (istio's GetDestinationHost):
 * hosts exported to all namespaces first, then the referrer's scopes, then wildcard ServiceEntry hosts.
 */
export function resolveHost(table: HostTable, sourceNamespace: string, exportTo: readonly string[], host: string): HostTarget | undefined {
  const everywhere = table.get(scopedFqdn(EXPORT_TO_ALL, sourceNamespace, host));
  if (everywhere) return everywhere;
  const scopes = exportTo.length === 0 ? [sourceNamespace] : exportTo.map((scope) => (scope === EXPORT_TO_LOCAL ? sourceNamespace : scope));
  for (const scope of scopes) {
    const scoped = table.get(scopedFqdn(scope, sourceNamespace, host));
    if (scoped) return scoped;
  }
  const bareHost = host.startsWith("*") ? host.slice(1) : host;
  for (const [key, target] of table) {
    const { scope, host: tableHost } = splitScopedFqdn(key);
    if (!tableHost.startsWith("*")) continue;
    if (scope !== EXPORT_TO_ALL && scope !== sourceNamespace) continue;
    if (bareHost.endsWith(tableHost.slice(1))) return target;
  }
  return undefined;
}
