// Kubernetes API access for the lab shell: raw REST calls authenticated by a client-node KubeConfig (so Tables,
// every patch flavour and Status bodies come back as the API sends them), plus API discovery to resolve the kind
// names learners type (vs, dr, deploy, virtualservices.networking.istio.io, VirtualService…).
import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** One resource type the API serves (from discovery). */
export interface ApiResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  categories: readonly string[];
  namespaced: boolean;
}

/** A Kubernetes `Status` failure answered by the API server. */
export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly status: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiStatusError";
  }
}

/** The cluster could not be reached at all (connection refused, TLS failure…). */
export class ApiUnreachableError extends Error {}

export interface KubeRequest {
  method?: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
}

/** `group/version` as apiVersion spells it ("v1" for the core group). */
export function apiVersionOf(resource: Pick<ApiResource, "group" | "version">): string {
  return resource.group === "" ? resource.version : `${resource.group}/${resource.version}`;
}

/** `virtualservices.networking.istio.io` / `pods`: how kubectl names a resource type in errors. */
export function qualifiedPlural(resource: Pick<ApiResource, "group" | "plural">): string {
  return resource.group === "" ? resource.plural : `${resource.plural}.${resource.group}`;
}

/** `virtualservice.networking.istio.io` / `pod`: the prefix of `kubectl get -o name` and apply lines. */
export function qualifiedSingular(resource: Pick<ApiResource, "group" | "kind">): string {
  const kind = resource.kind.toLowerCase();
  return resource.group === "" ? kind : `${kind}.${resource.group}`;
}

interface DiscoveredList {
  groupVersion?: string;
  resources?: { name: string; singularName?: string; namespaced: boolean; kind: string; shortNames?: string[]; categories?: string[] }[];
}

/** REST client over one KubeConfig's current context. */
export class KubeClient {
  private resourcesCache: Promise<ApiResource[]> | undefined;
  private readonly byGroupVersion = new Map<string, Promise<ApiResource[]>>();
  /** Connections are reused between commands (idle sockets do not keep the process alive). */
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 8 });
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 8 });

  constructor(readonly kubeConfig: KubeConfig) {}

  /** The namespace of the current context, or "default". */
  get defaultNamespace(): string {
    return this.kubeConfig.getContextObject(this.kubeConfig.getCurrentContext())?.namespace || "default";
  }

  /** Sends one request; resolves with the decoded JSON body, rejects with ApiStatusError on a non-2xx answer. */
  async request<T = unknown>(path: string, options: KubeRequest = {}): Promise<T> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new ApiUnreachableError("no current cluster in the kubeconfig");
    const base = new URL(cluster.server);
    const query = Object.entries(options.query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined);
    const search = query.length ? `?${new URLSearchParams(query).toString()}` : "";
    const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    const requestOptions: RequestOptions & { rejectUnauthorized?: boolean } = {
      agent: base.protocol === "https:" ? this.httpsAgent : this.httpAgent,
      method: options.method ?? "GET",
      hostname: base.hostname,
      port: base.port || (base.protocol === "https:" ? 443 : 80),
      path: `${base.pathname.replace(/\/$/, "")}${path}${search}`,
      headers: {
        Accept: options.accept ?? "application/json",
        ...(body !== undefined ? { "Content-Type": options.contentType ?? "application/json", "Content-Length": Buffer.byteLength(body) } : {}),
      },
    };
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    const send = base.protocol === "https:" ? httpsRequest : httpRequest;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = send(requestOptions, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.on("error", (error) => reject(new ApiUnreachableError(`Unable to connect to the server: ${error.message}`)));
      if (body !== undefined) req.write(body);
      req.end();
    });
    let decoded: unknown = undefined;
    try {
      decoded = text ? JSON.parse(text) : undefined;
    } catch {
      decoded = text;
    }
    if (status < 200 || status >= 300) {
      const statusBody = (decoded && typeof decoded === "object" ? decoded : {}) as Record<string, unknown>;
      const message = typeof statusBody.message === "string" ? statusBody.message : typeof decoded === "string" && decoded ? decoded : "the server could not find the requested resource";
      const reason = typeof statusBody.reason === "string" ? statusBody.reason : status === 404 ? "NotFound" : "Unknown";
      throw new ApiStatusError(status, reason, message, statusBody);
    }
    return decoded as T;
  }

  private async listGroupVersion(groupVersion: string): Promise<ApiResource[]> {
    let cached = this.byGroupVersion.get(groupVersion);
    if (!cached) {
      const path = groupVersion.includes("/") ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
      cached = this.request<DiscoveredList>(path).then((list) => {
        const [group, version] = groupVersion.includes("/") ? (groupVersion.split("/") as [string, string]) : ["", groupVersion];
        return (list.resources ?? [])
          .filter((item) => !item.name.includes("/"))
          .map((item) => ({
            group,
            version,
            kind: item.kind,
            plural: item.name,
            singular: item.singularName || item.kind.toLowerCase(),
            shortNames: item.shortNames ?? [],
            categories: item.categories ?? [],
            namespaced: item.namespaced,
          }));
      });
      cached.catch(() => this.byGroupVersion.delete(groupVersion));
      this.byGroupVersion.set(groupVersion, cached);
    }
    return cached;
  }

  /** Every resource type, at each group's preferred version (discovery is cached for the session). */
  resources(): Promise<ApiResource[]> {
    if (!this.resourcesCache) {
      this.resourcesCache = (async () => {
        const groups = await this.request<{ groups?: { name: string; preferredVersion?: { groupVersion: string }; versions?: { groupVersion: string }[] }[] }>("/apis");
        const groupVersions = ["v1", ...(groups.groups ?? []).map((group) => group.preferredVersion?.groupVersion ?? group.versions?.[0]?.groupVersion).filter((gv): gv is string => !!gv)];
        const lists = await Promise.all(groupVersions.map((gv) => this.listGroupVersion(gv).catch(() => [] as ApiResource[])));
        return lists.flat();
      })();
      this.resourcesCache.catch(() => (this.resourcesCache = undefined));
    }
    return this.resourcesCache;
  }

  /** Resolves what a learner typed (`vs`, `pods`, `deployment.apps`, `VirtualService`) to a resource type. */
  async resolve(typed: string): Promise<ApiResource | undefined> {
    const text = typed.toLowerCase();
    const resources = await this.resources();
    const [name = "", ...groupParts] = text.split(".");
    const group = groupParts.join(".");
    const matches = (resource: ApiResource): boolean =>
      resource.plural === name || resource.singular === name || resource.kind.toLowerCase() === name || resource.shortNames.includes(name);
    if (group) {
      const exact = resources.find((resource) => matches(resource) && (resource.group === group || `${resource.version}.${resource.group}` === group || resource.group.startsWith(`${group}.`)));
      if (exact) return exact;
    }
    if (group) return undefined;
    const candidates = resources.filter(matches);
    // Prefer the core and apps groups, then Istio networking, the way kubectl's priority mapper does for clashes.
    const rank = (resource: ApiResource): number => (resource.group === "" ? 0 : resource.group === "apps" ? 1 : resource.group.endsWith("istio.io") ? 2 : 3);
    return candidates.sort((a, b) => rank(a) - rank(b))[0];
  }

  /** The resource type of a manifest's apiVersion and kind (any served version). */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    try {
      const list = await this.listGroupVersion(apiVersion);
      return list.find((resource) => resource.kind === kind);
    } catch (error) {
      if (error instanceof ApiStatusError && error.code === 404) return undefined;
      throw error;
    }
  }

  /** REST path of a collection or one object. */
  path(resource: ApiResource, namespace: string | undefined, name?: string, subresource?: string): string {
    const prefix = resource.group === "" ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
    const scope = resource.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : "";
    const object = name !== undefined ? `/${encodeURIComponent(name)}` : "";
    return `${prefix}${scope}/${resource.plural}${object}${subresource ? `/${subresource}` : ""}`;
  }
}
