// Registry of the resource kinds the embedded API serves: group, versions, names, scope, verbs and subresources.

export type Verb = "create" | "delete" | "deletecollection" | "get" | "list" | "patch" | "update" | "watch";

export interface ResourceType {
  /** API group; "" for the core group. */
  group: string;
  /** Served versions, preferred (and storage) version first. */
  versions: readonly string[];
  kind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  categories: readonly string[];
  namespaced: boolean;
  verbs: readonly Verb[];
  /** Subresources served beside the main resource. */
  status: boolean;
  scale: boolean;
  /** Built-in kinds accept strategic merge patch; custom resources do not. */
  builtin: boolean;
}

const allVerbs: readonly Verb[] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  options: { shortNames?: string[]; categories?: string[]; namespaced?: boolean; status?: boolean; scale?: boolean; verbs?: Verb[] } = {},
): ResourceType {
  return {
    group,
    versions: [version],
    kind,
    plural,
    singular: kind.toLowerCase(),
    shortNames: options.shortNames ?? [],
    categories: options.categories ?? [],
    namespaced: options.namespaced ?? true,
    verbs: options.verbs ?? allVerbs,
    status: options.status ?? false,
    scale: options.scale ?? false,
    builtin: true,
  };
}

const networkingVersions = ["v1", "v1beta1", "v1alpha3"] as const;
const securityVersions = ["v1", "v1beta1"] as const;

function istio(group: string, versions: readonly string[], kind: string, plural: string, shortNames: string[], categories: string[]): ResourceType {
  return {
    group,
    versions,
    kind,
    plural,
    singular: kind.toLowerCase(),
    shortNames,
    categories,
    namespaced: true,
    verbs: allVerbs,
    status: true,
    scale: false,
    builtin: false,
  };
}

const networkingCategories = ["istio-io", "networking-istio-io"];
const securityCategories = ["istio-io", "security-istio-io"];

/** Every kind the embedded cluster serves. The mesh layer reads Istio config through these same entries. */
export const resourceTypes: readonly ResourceType[] = [
  builtin("", "v1", "Namespace", "namespaces", { shortNames: ["ns"], namespaced: false, status: true, verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] }),
  builtin("", "v1", "Node", "nodes", { shortNames: ["no"], namespaced: false, status: true }),
  builtin("", "v1", "Pod", "pods", { shortNames: ["po"], categories: ["all"], status: true }),
  builtin("", "v1", "Service", "services", { shortNames: ["svc"], categories: ["all"], status: true, verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] }),
  builtin("", "v1", "Endpoints", "endpoints", { shortNames: ["ep"] }),
  builtin("", "v1", "ConfigMap", "configmaps", { shortNames: ["cm"] }),
  builtin("", "v1", "Secret", "secrets"),
  builtin("", "v1", "ServiceAccount", "serviceaccounts", { shortNames: ["sa"] }),
  builtin("", "v1", "Event", "events", { shortNames: ["ev"] }),
  builtin("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
  builtin("apps", "v1", "Deployment", "deployments", { shortNames: ["deploy"], categories: ["all"], status: true, scale: true }),
  builtin("apps", "v1", "ReplicaSet", "replicasets", { shortNames: ["rs"], categories: ["all"], status: true, scale: true }),
  builtin("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", { shortNames: ["crd", "crds"], namespaced: false, status: true }),
  istio("networking.istio.io", networkingVersions, "VirtualService", "virtualservices", ["vs"], networkingCategories),
  istio("networking.istio.io", networkingVersions, "DestinationRule", "destinationrules", ["dr"], networkingCategories),
  istio("networking.istio.io", networkingVersions, "Gateway", "gateways", ["gw"], networkingCategories),
  istio("networking.istio.io", networkingVersions, "ServiceEntry", "serviceentries", ["se"], networkingCategories),
  istio("networking.istio.io", networkingVersions, "Sidecar", "sidecars", [], networkingCategories),
  istio("security.istio.io", securityVersions, "PeerAuthentication", "peerauthentications", ["pa"], securityCategories),
  istio("security.istio.io", securityVersions, "AuthorizationPolicy", "authorizationpolicies", ["ap"], securityCategories),
  istio("security.istio.io", securityVersions, "RequestAuthentication", "requestauthentications", ["ra"], securityCategories),
];

/** `group/plural` ("apps/deployments"), or just the plural for the core group: the id the store files objects under. */
export type ResourceId = string;

export function resourceId(type: Pick<ResourceType, "group" | "plural">): ResourceId {
  return type.group === "" ? type.plural : `${type.group}/${type.plural}`;
}

/** `plural.group` as Kubernetes prints it in messages ("virtualservices.networking.istio.io", "pods"). */
export function qualifiedResource(type: ResourceType): string {
  return type.group === "" ? type.plural : `${type.plural}.${type.group}`;
}

/** `Kind.group` as Kubernetes prints it in Invalid messages ("VirtualService.networking.istio.io", "Pod"). */
export function qualifiedKind(type: ResourceType): string {
  return type.group === "" ? type.kind : `${type.kind}.${type.group}`;
}

export function apiVersionOf(type: ResourceType, version = type.versions[0] ?? "v1"): string {
  return type.group === "" ? version : `${type.group}/${version}`;
}

const byId = new Map(resourceTypes.map((type) => [resourceId(type), type]));
const byGroupKind = new Map(resourceTypes.map((type) => [`${type.group}/${type.kind}`, type]));

/** Looks a resource up by group and plural (as URLs name it). */
export function findResource(group: string, plural: string): ResourceType | undefined {
  return byId.get(group === "" ? plural : `${group}/${plural}`);
}

/** Looks a resource up by group and kind (as object bodies name it). */
export function findResourceByKind(group: string, kind: string): ResourceType | undefined {
  return byGroupKind.get(`${group}/${kind}`);
}

/** The resource type an id names; throws on unknown ids because ids only come from this registry. */
export function resourceById(id: ResourceId): ResourceType {
  const type = byId.get(id);
  if (!type) throw new Error(`unknown resource id ${id}`);
  return type;
}

/** Distinct API groups in registry order, with their served versions. */
export function apiGroups(): { name: string; versions: readonly string[] }[] {
  const groups: { name: string; versions: readonly string[] }[] = [];
  for (const type of resourceTypes) {
    if (type.group === "" || groups.some((group) => group.name === type.group)) continue;
    groups.push({ name: type.group, versions: type.versions });
  }
  return groups;
}

/** Resource types served at one group version. */
export function resourcesIn(group: string, version: string): ResourceType[] {
  return resourceTypes.filter((type) => type.group === group && type.versions.includes(version));
}
