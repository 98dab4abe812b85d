// API discovery documents: legacy /api, /apis and per-group-version resource lists, and aggregated discovery (v2).

import type { Json, JsonObject } from "../objects";
import { apiGroups, resourcesIn, resourceTypes, type ResourceType } from "../resources";

export const AGGREGATED_DISCOVERY_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** Whether the client (kubectl ≥ 1.30) asked for aggregated discovery v2. */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => part.includes("as=APIGroupDiscoveryList") && /(^|;)\s*v=v2\s*(;|$)/.test(part));
}

const subresourceVerbs = ["get", "patch", "update"];

function groupVersion(group: string, version: string): string {
  return group === "" ? version : `${group}/${version}`;
}

export function apiVersions(serverAddress: string): JsonObject {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function groupEntry(group: { name: string; versions: readonly string[] }): JsonObject {
  const versions = group.versions.map((version) => ({ groupVersion: `${group.name}/${version}`, version }));
  return { name: group.name, versions, preferredVersion: versions[0] ?? null };
}

export function apiGroupList(): JsonObject {
  return { kind: "APIGroupList", apiVersion: "v1", groups: apiGroups().map(groupEntry) };
}

/** The `APIGroup` document at `/apis/<group>`, or undefined when the group is not served. */
export function apiGroup(name: string): JsonObject | undefined {
  const group = apiGroups().find((candidate) => candidate.name === name);
  return group ? { kind: "APIGroup", apiVersion: "v1", ...groupEntry(group) } : undefined;
}

/** `APIResourceList` for one group version, or undefined when it is not served. */
export function apiResourceList(group: string, version: string): JsonObject | undefined {
  const types = resourcesIn(group, version);
  if (types.length === 0) return undefined;
  const resources: Json[] = [];
  for (const type of types) {
    resources.push({
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: [...type.verbs],
      ...(type.shortNames.length > 0 ? { shortNames: [...type.shortNames] } : {}),
      ...(type.categories.length > 0 ? { categories: [...type.categories] } : {}),
    });
    if (type.status) resources.push({ name: `${type.plural}/status`, singularName: "", namespaced: type.namespaced, kind: type.kind, verbs: subresourceVerbs });
    if (type.scale) resources.push({ name: `${type.plural}/scale`, singularName: "", namespaced: type.namespaced, group: "autoscaling", version: "v1", kind: "Scale", verbs: subresourceVerbs });
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersion(group, version), resources };
}

function discoveryResource(type: ResourceType, version: string): JsonObject {
  const subresources: Json[] = [];
  if (type.scale) subresources.push({ subresource: "scale", responseKind: { group: "autoscaling", version: "v1", kind: "Scale" }, verbs: subresourceVerbs });
  if (type.status) subresources.push({ subresource: "status", responseKind: { group: type.group, version, kind: type.kind }, verbs: subresourceVerbs });
  const entry: JsonObject = {
    resource: type.plural,
    responseKind: { group: type.group, version, kind: type.kind },
    scope: type.namespaced ? "Namespaced" : "Cluster",
    singularResource: type.singular,
    verbs: [...type.verbs],
  };
  if (type.shortNames.length > 0) entry.shortNames = [...type.shortNames];
  if (type.categories.length > 0) entry.categories = [...type.categories];
  if (subresources.length > 0) entry.subresources = subresources;
  return entry;
}

/** `APIGroupDiscoveryList` for the core group (`/api`) or the named groups (`/apis`). */
export function aggregatedDiscovery(core: boolean): JsonObject {
  const groups = core ? [{ name: "", versions: ["v1"] as readonly string[] }] : apiGroups();
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: groups.map((group) => ({
      metadata: group.name === "" ? { creationTimestamp: null } : { name: group.name, creationTimestamp: null },
      versions: group.versions.map((version) => ({
        version,
        resources: resourceTypes.filter((type) => type.group === group.name && type.versions.includes(version)).map((type) => discoveryResource(type, version)),
        freshness: "Current",
      })),
    })) as unknown as Json[],
  };
}
