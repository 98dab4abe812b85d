// The resources analyzers read: known kinds, where an object came from, and lenient typed views of each kind's spec.
import { z } from "zod";

/** Where an object was read from: a file and the line its document starts on, plus the line of each field. */
export interface ObjectSource {
  file: string;
  /** 1-based line where the object's document starts (0 when unknown). */
  line: number;
  /** Line of each field, keyed by path like `spec.http[0].route[0].destination.host`. */
  fieldLines?: ReadonlyMap<string, number>;
}

/** An object handed to the analyzer, optionally with the file position it was parsed from. */
export interface SourcedObject {
  object: unknown;
  source?: ObjectSource;
}

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

const NETWORKING = "networking.istio.io";
const SECURITY = "security.istio.io";

/** Kinds the analyzers understand, with their API group and whether they are namespaced. */
export const KINDS = {
  VirtualService: { group: NETWORKING, plural: "virtualservices", istio: true, namespaced: true },
  DestinationRule: { group: NETWORKING, plural: "destinationrules", istio: true, namespaced: true },
  Gateway: { group: NETWORKING, plural: "gateways", istio: true, namespaced: true },
  ServiceEntry: { group: NETWORKING, plural: "serviceentries", istio: true, namespaced: true },
  Sidecar: { group: NETWORKING, plural: "sidecars", istio: true, namespaced: true },
  PeerAuthentication: { group: SECURITY, plural: "peerauthentications", istio: true, namespaced: true },
  AuthorizationPolicy: { group: SECURITY, plural: "authorizationpolicies", istio: true, namespaced: true },
  RequestAuthentication: { group: SECURITY, plural: "requestauthentications", istio: true, namespaced: true },
  Service: { group: "", plural: "services", istio: false, namespaced: true },
  Pod: { group: "", plural: "pods", istio: false, namespaced: true },
  Namespace: { group: "", plural: "namespaces", istio: false, namespaced: false },
  Secret: { group: "", plural: "secrets", istio: false, namespaced: true },
} as const;

/** Name of a kind the analyzers understand. */
export type KindName = keyof typeof KINDS;

export const KIND_NAMES = Object.keys(KINDS) as KindName[];

/** The kind of an object, when it is one the analyzers understand (matched on API group and kind). */
export function kindOf(apiVersion: string, kind: string): KindName | null {
  if (!(kind in KINDS)) return null;
  const slash = apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  return KINDS[kind as KindName].group === group ? (kind as KindName) : null;
}

// Lenient readers: a field of the wrong type reads as absent, so one bad field never hides the rest of an object.
const text = z.string().catch("");
const number = z.number().catch(0);
const flag = z.boolean().catch(false);
const texts = z.array(z.unknown()).catch([]).transform((items) => items.filter((item): item is string => typeof item === "string"));
const stringMap = z
  .record(z.string(), z.unknown())
  .catch({})
  .transform((entries) => Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== null && value !== undefined).map(([key, value]) => [key, String(value)])));
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function listOf<T extends z.ZodType>(item: T) {
  return z
    .array(z.unknown())
    .catch([])
    .transform((items) => items.map((entry) => item.parse(isRecord(entry) ? entry : {}) as z.output<T>));
}
function optionalOf<T extends z.ZodType>(item: T) {
  return z
    .unknown()
    .transform((value) => (isRecord(value) ? (item.parse(value) as z.output<T>) : undefined))
    .optional();
}

const portSelector = z.object({ number });
const destination = z.object({ host: text, subset: text, port: optionalOf(portSelector) });
const routeDestination = z.object({ destination: optionalOf(destination), weight: number });
const httpMatch = z.record(z.string(), z.unknown()).catch({});
const httpRoute = z.object({
  name: text,
  match: listOf(httpMatch),
  route: listOf(routeDestination),
  mirror: optionalOf(destination),
  mirrors: listOf(z.object({ destination: optionalOf(destination) })),
});
const l4Route = z.object({ match: listOf(httpMatch), route: listOf(routeDestination) });

const virtualServiceView = z.object({
  hosts: texts,
  gateways: texts,
  exportTo: texts,
  http: listOf(httpRoute),
  tcp: listOf(l4Route),
  tls: listOf(l4Route),
});

const clientTls = z.object({ mode: text, caCertificates: text, credentialName: text });
const destinationRuleView = z.object({
  host: text,
  exportTo: texts,
  workloadSelector: optionalOf(z.object({ matchLabels: stringMap })),
  subsets: listOf(z.object({ name: text, labels: stringMap })),
  trafficPolicy: optionalOf(
    z.object({
      tls: optionalOf(clientTls),
      portLevelSettings: listOf(z.object({ port: optionalOf(portSelector), tls: optionalOf(clientTls) })),
    }),
  ),
});

const gatewayView = z.object({
  selector: stringMap,
  servers: listOf(
    z.object({
      port: optionalOf(z.object({ number, name: text, protocol: text, targetPort: number })),
      hosts: texts,
      tls: optionalOf(z.object({ mode: text, credentialName: text })),
    }),
  ),
});

const serviceEntryView = z.object({
  hosts: texts,
  addresses: z.array(z.unknown()).optional().catch(undefined),
  ports: listOf(z.object({ number, name: text, protocol: text })),
  exportTo: texts,
  location: text,
  resolution: text,
  workloadSelector: optionalOf(z.object({ labels: stringMap })),
});

const serviceView = z.object({
  type: text,
  selector: stringMap,
  ports: listOf(
    z.object({
      name: text,
      port: number,
      protocol: z.string().catch("TCP"),
      targetPort: z.union([z.number(), z.string()]).optional().catch(undefined),
    }),
  ),
});

const podView = z.object({
  nodeName: text,
  hostNetwork: flag,
  containers: listOf(z.object({ name: text, image: text })),
  initContainers: listOf(z.object({ name: text, image: text })),
});

const secretView = z.object({ type: text, dataKeys: texts });
const emptyView = z.object({});

/** Lenient typed view of each kind's spec (what the analyzers read). */
const VIEWS = {
  VirtualService: virtualServiceView,
  DestinationRule: destinationRuleView,
  Gateway: gatewayView,
  ServiceEntry: serviceEntryView,
  Sidecar: emptyView,
  PeerAuthentication: emptyView,
  AuthorizationPolicy: emptyView,
  RequestAuthentication: emptyView,
  Service: serviceView,
  Pod: podView,
  Namespace: emptyView,
  Secret: secretView,
} as const;

export type SpecOf<K extends KindName> = z.output<(typeof VIEWS)[K]>;
export type VirtualServiceView = SpecOf<"VirtualService">;
export type HttpRouteView = z.output<typeof httpRoute>;
export type DestinationView = z.output<typeof destination>;
export type DestinationRuleView = SpecOf<"DestinationRule">;
export type GatewayView = SpecOf<"Gateway">;
export type ServiceEntryView = SpecOf<"ServiceEntry">;
export type ServiceView = SpecOf<"Service">;
export type PodView = SpecOf<"Pod">;

/** One object as the analyzers see it. */
export interface Resource<K extends KindName = KindName> {
  kind: K;
  apiVersion: string;
  name: string;
  /** "" for cluster-scoped kinds and for objects read without a namespace. */
  namespace: string;
  /** `namespace/name`, or just `name` when the namespace is empty (istio's resource.FullName). */
  fullName: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  spec: SpecOf<K>;
  /** The object as given (validated against the API schema by the schema analyzer). */
  object: KubeObject;
  source?: ObjectSource;
  /** True for the stand-in ingress Pod and Service added for files-only analysis (istioctl's defaults). */
  synthetic?: boolean;
}

/** istio's resource.FullName string: `ns/name`, or `name` without a namespace. */
export function fullNameOf(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

const typeShape = z.looseObject({ apiVersion: z.string().min(1), kind: z.string().min(1) });
const objectShape = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional().catch(undefined),
    labels: stringMap.optional(),
    annotations: stringMap.optional(),
  }),
});

/** Why an object could not be read (missing apiVersion or kind, or a known kind without metadata.name). */
export class UnreadableObjectError extends Error {}

function unreadable(error: z.ZodError, fallback: string): UnreadableObjectError {
  const issue = error.issues[0];
  return new UnreadableObjectError(`object has no ${issue && issue.path.length > 0 ? issue.path.join(".") : fallback}`);
}

/** Reads a plain object into a resource of a known kind; null for kinds the analyzers ignore. */
export function toResource(input: SourcedObject, defaultNamespace: string): Resource | null {
  const typed = typeShape.safeParse(input.object);
  if (!typed.success) throw unreadable(typed.error, "apiVersion/kind");
  const kind = kindOf(typed.data.apiVersion, typed.data.kind);
  if (!kind) return null;
  const parsed = objectShape.safeParse(input.object);
  if (!parsed.success) throw unreadable(parsed.error, "metadata.name");
  const object = parsed.data;
  const meta = object.metadata;
  const namespace = KINDS[kind].namespaced ? meta.namespace || defaultNamespace : "";
  const rawSpec = readSpecSource(kind, object);
  const spec = VIEWS[kind].parse(rawSpec) as SpecOf<typeof kind>;
  const resource: Resource = {
    kind,
    apiVersion: object.apiVersion,
    name: meta.name,
    namespace,
    fullName: fullNameOf(namespace, meta.name),
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    spec,
    object: object as KubeObject,
  };
  if (input.source) resource.source = input.source;
  return resource;
}

function readSpecSource(kind: KindName, object: Record<string, unknown>): Record<string, unknown> {
  if (kind === "Secret") {
    const data = object.data && typeof object.data === "object" ? Object.keys(object.data) : [];
    const stringData = object.stringData && typeof object.stringData === "object" ? Object.keys(object.stringData) : [];
    return { type: object.type, dataKeys: [...data, ...stringData] };
  }
  return isRecord(object.spec) ? object.spec : {};
}

/** The label selector string Kubernetes prints for a label set: sorted `k=v` pairs joined by commas. */
export function selectorString(selector: Readonly<Record<string, string>>): string {
  return Object.keys(selector)
    .sort()
    .map((key) => `${key}=${selector[key]}`)
    .join(",");
}

/** Whether a label set satisfies an equality selector (an empty selector matches everything). */
export function selectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector)) if (labels[key] !== value) return false;
  return true;
}
