// Istio host-name rules: short-name resolution, wildcard matching, exportTo visibility and `ns/host` selectors.

export const DNS_DOMAIN = "cluster.local";

/** Whether a string is an IPv4 address (the embedded cluster is IPv4-only). */
export function isIPv4(text: string): boolean {
  return /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(text);
}

/**
 * Istio's ResolveShortnameToFQDN: a name without a dot (and not `*` or an IP) gets `.<namespace>.svc.cluster.local`;
 * anything with a dot is taken as written (so `reviews.default` is NOT expanded, exactly like istiod).
 */
export function resolveShortName(host: string, namespace: string): string {
  const lower = host.toLowerCase();
  if (lower === "" || lower === "*" || isIPv4(lower) || lower.includes(".")) return lower;
  return `${lower}.${namespace}.svc.${DNS_DOMAIN}`;
}

export function isWildcard(host: string): boolean {
  return host.startsWith("*");
}

/** host.Name.Matches: whether `pattern` covers `host` (both may be wildcards; `*.a.com` covers `*.b.a.com`). */
export function hostCovers(pattern: string, host: string): boolean {
  if (pattern === host || pattern === "*") return true;
  if (!pattern.startsWith("*")) return false;
  const suffix = pattern.slice(1);
  if (host.startsWith("*")) return host.slice(1).endsWith(suffix);
  return host.endsWith(suffix);
}

/** Whether two host patterns share at least one concrete name. */
export function hostsOverlap(a: string, b: string): boolean {
  return hostCovers(a, b) || hostCovers(b, a);
}

/** The narrower of two overlapping hosts (what a Gateway server host and a VirtualService host have in common). */
export function narrowerHost(a: string, b: string): string {
  return hostCovers(a, b) ? b : a;
}

/** exportTo as istiod reads it: public, or a set of namespaces (`.` already replaced by the owner's namespace). */
export type Visibility = { kind: "public" } | { kind: "namespaces"; namespaces: ReadonlySet<string> };

export const PUBLIC: Visibility = { kind: "public" };

export function parseExportTo(exportTo: readonly string[] | undefined, ownerNamespace: string): Visibility {
  if (!exportTo || exportTo.length === 0 || exportTo.includes("*")) return PUBLIC;
  const namespaces = new Set<string>();
  for (const entry of exportTo) {
    if (entry === "~") continue;
    namespaces.add(entry === "." ? ownerNamespace : entry);
  }
  return { kind: "namespaces", namespaces };
}

export function isVisibleTo(visibility: Visibility, namespace: string): boolean {
  return visibility.kind === "public" || visibility.namespaces.has(namespace);
}

/** A Sidecar egress `hosts` entry (`ns/dnsName`, `./dnsName`, `*\/dnsName`, `~/...`) resolved for one sidecar. */
export interface HostSelector {
  namespace: string;
  host: string;
}

export function parseHostSelector(entry: string, sidecarNamespace: string): HostSelector {
  const slash = entry.indexOf("/");
  if (slash < 0) return { namespace: "*", host: entry.toLowerCase() };
  const namespace = entry.slice(0, slash);
  return { namespace: namespace === "." ? sidecarNamespace : namespace, host: entry.slice(slash + 1).toLowerCase() };
}

export function selectorAllows(selectors: readonly HostSelector[], namespace: string, host: string): boolean {
  return selectors.some((selector) => selector.namespace !== "~" && (selector.namespace === "*" || selector.namespace === namespace) && hostCovers(selector.host, host));
}
