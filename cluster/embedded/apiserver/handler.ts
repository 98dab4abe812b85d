// The Kubernetes REST API of one embedded cluster over node:http: discovery, /version, /openapi, CRUD, patch
// flavours, server-side apply, scale and status subresources, Tables, watch, and Status errors.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { admit, admittedKinds, type AdmissionObject, type FieldCause } from "../admission/index";
import type { EmbeddedCluster } from "../cluster";
import { prepareObject, randomSuffix } from "../controllers";
import { cloneJson, isPlainObject, type Json, type JsonObject, type KubeObject } from "../objects";
import { PatchError, applyJsonPatch, applyMergePatch, strategicMerge } from "../patch";
import { findResource, resourceId, type ResourceType } from "../resources";
import { SelectorError, formatSelector, fromSelectorObject, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from "../selectors";
import type { DeletionPropagation, ObjectInput } from "../store";
import { ApplyConflictError, serverSideApply } from "./apply";
import { decodeBody, mediaType, readBody } from "./body";
import { AGGREGATED_DISCOVERY_CONTENT_TYPE, aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregatedDiscovery } from "./discovery";
import { ApiError, alreadyExists, badRequest, conflict, invalid, methodNotAllowed, notFound } from "./errors";
import { updateCauses } from "./immutability";
import { execOverWebSocket, podLog } from "./pods";
import { buildTable, type IncludeObject } from "./tables";
import { serveWatch } from "./watch";

export const SERVER_VERSION = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.2",
  gitCommit: "67a30c0adcf52bd3f56ff0893ce19966be12991f",
  gitTreeState: "clean",
  buildDate: "2025-02-12T21:19:47Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
};

/** Everything the handler needs besides the cluster: how watches register for shutdown. */
export interface ApiServerOptions {
  /** Registers a stop function for a live watch; returns its unregister function, or undefined to refuse it. */
  trackWatch: (stop: () => void) => (() => void) | undefined;
}

interface ResourcePath {
  type: ResourceType;
  version: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

/** Media types accepted for whole objects (POST, PUT); no Content-Type means JSON. Responses are always JSON. */
const objectMediaTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf", ""];
const patchMediaTypes = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];
const strategicMediaType = "application/strategic-merge-patch+json";

function unsupportedMediaType(accepted: readonly string[]): ApiError {
  return new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`);
}

function sendJson(res: ServerResponse, code: number, body: unknown, contentType = "application/json"): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-cache, private" });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, error.code, error.toStatus());
}

function pathNotFound(): ApiError {
  return new ApiError(404, "NotFound", "the server could not find the requested resource", {});
}

function wantsTable(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => part.includes("as=Table") && part.includes("g=meta.k8s.io"));
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get("includeObject");
  return value === "None" || value === "Object" ? value : "Metadata";
}

/** Splits `/api/v1/...` or `/apis/<group>/<version>/...` into the resource being addressed. */
function parseResourcePath(segments: string[]): ResourcePath {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === "api") {
    group = "";
    version = segments[1] ?? "";
    rest = segments.slice(2);
  } else {
    group = segments[1] ?? "";
    version = segments[2] ?? "";
    rest = segments.slice(3);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3 && !(rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize"))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  const type = plural === undefined ? undefined : findResource(group, plural);
  if (!type || !type.versions.includes(version) || extra.length > 0) throw pathNotFound();
  if (namespace !== undefined && !type.namespaced) throw pathNotFound();
  if ((subresource === "status" && !type.status) || (subresource === "scale" && !type.scale) || (subresource !== undefined && name === undefined)) throw pathNotFound();
  return { type, version, namespace, name, subresource };
}

function apiVersionFor(path: Pick<ResourcePath, "type" | "version">): string {
  return path.type.group === "" ? path.version : `${path.type.group}/${path.version}`;
}

/** How an object looks when served at the requested version (the store keeps the preferred version). */
function present(obj: KubeObject, path: Pick<ResourcePath, "type" | "version">): KubeObject {
  const apiVersion = apiVersionFor(path);
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}

function labelSelectorOf(query: URLSearchParams) {
  try {
    return parseLabelSelector(query.get("labelSelector") ?? "");
  } catch (error) {
    if (error instanceof SelectorError) throw badRequest(`unable to parse requirement: ${error.message}`);
    throw error;
  }
}

function fieldSelectorOf(query: URLSearchParams) {
  try {
    return parseFieldSelector(query.get("fieldSelector") ?? "");
  } catch (error) {
    if (error instanceof SelectorError) throw badRequest(error.message);
    throw error;
  }
}

const namePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The generic registry's name checks, for kinds the admission module has no schema for (Node, Event, CRD). */
function genericCauses(obj: KubeObject): FieldCause[] {
  const name = obj.metadata.name;
  if (!name) return [{ reason: "FieldValueRequired", field: "metadata.name", message: "Required value: name or generateName is required" }];
  if (name.length > 253 || !namePattern.test(name)) {
    return [
      {
        reason: "FieldValueInvalid",
        field: "metadata.name",
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      },
    ];
  }
  return [];
}

const admitted = new Set(admittedKinds.map((entry) => `${entry.group}/${entry.kind}`));

/** Validates with the admission module (kinds it knows) or the generic name checks (the rest); throws 422 Invalid. */
function validate(type: ResourceType, obj: KubeObject): void {
  const causes = admitted.has(`${type.group}/${type.kind}`) ? admit(obj as unknown as AdmissionObject) : genericCauses(obj);
  if (causes.length > 0) throw invalid(type, obj.metadata.name ?? "", causes);
}

function asObject(body: unknown, what: string): JsonObject {
  if (!isPlainObject(body)) throw badRequest(`${what} must be a JSON or YAML object`);
  return body;
}

/**
 * Checks a request body's identity against the URL it was sent to. Like kube-apiserver, a body without
 * apiVersion and kind takes them from the URL; a body that names something else is refused.
 */
function checkIdentity(body: JsonObject, path: ResourcePath): void {
  const expected = apiVersionFor(path);
  if (body.kind === undefined || body.kind === "") body.kind = path.type.kind;
  if (body.apiVersion === undefined || body.apiVersion === "") body.apiVersion = expected;
  if (typeof body.kind !== "string" || typeof body.apiVersion !== "string") throw badRequest("apiVersion and kind must be strings");
  if (body.apiVersion !== expected) throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`);
  if (body.kind !== path.type.kind) throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${path.type.kind})`);
  if (body.metadata !== undefined && !isPlainObject(body.metadata)) throw badRequest("metadata must be an object");
}

function storedApiVersion(type: ResourceType): string {
  return type.group === "" ? (type.versions[0] ?? "v1") : `${type.group}/${type.versions[0] ?? "v1"}`;
}

/** Turns a decoded body into an object draft for `path`, with the namespace and name the URL implies. */
function draftFrom(body: JsonObject, path: ResourcePath): KubeObject {
  const draft = cloneJson(body) as unknown as KubeObject;
  const metadata = isPlainObject(body.metadata) ? (cloneJson(body.metadata) as unknown as KubeObject["metadata"]) : ({} as KubeObject["metadata"]);
  if (path.type.namespaced) {
    if (metadata.namespace !== undefined && metadata.namespace !== "" && path.namespace !== undefined && metadata.namespace !== path.namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    metadata.namespace = path.namespace ?? metadata.namespace;
  } else delete metadata.namespace;
  draft.metadata = metadata;
  draft.apiVersion = storedApiVersion(path.type);
  return draft;
}

function patchedObjectFrom(result: Json): KubeObject {
  if (!isPlainObject(result) || !isPlainObject(result.metadata)) throw badRequest("the patch produced an object without metadata");
  return result as unknown as KubeObject;
}

function boolParam(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === "true" || value === "1";
}

/** Serves one cluster's API. `path` is the request path below the cluster's URL prefix. */
export class ClusterApiServer {
  constructor(
    private readonly cluster: EmbeddedCluster,
    private readonly options: ApiServerOptions,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    try {
      await this.route(req, res, path, query);
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : error instanceof PatchError
            ? new ApiError(error.status, error.status === 422 ? "Invalid" : error.status === 409 ? "Conflict" : "BadRequest", error.message)
            : new ApiError(500, "InternalError", `Internal error occurred: ${(error as Error).message}`);
      if (!req.complete) req.resume();
      sendError(res, apiError);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const segments = path
      .split("/")
      .filter((segment) => segment !== "")
      .map((segment) => {
        try {
          return decodeURIComponent(segment);
        } catch {
          throw badRequest(`malformed path segment "${segment}"`);
        }
      });
    const method = req.method ?? "GET";
    const accept = req.headers.accept;
    if (segments.length === 0) {
      sendJson(res, 200, { paths: ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/readyz", "/version"] });
      return;
    }
    const [head] = segments;
    if (head === "version" && segments.length === 1) return sendJson(res, 200, SERVER_VERSION);
    if ((head === "healthz" || head === "livez" || head === "readyz") && segments.length === 1) {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("ok");
      return;
    }
    if (head === "openapi") {
      if (segments[1] === "v2" && segments.length === 2) {
        // An empty protobuf document: enough for kubectl's client-side validation to proceed.
        res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": 0 });
        res.end();
        return;
      }
      throw pathNotFound();
    }
    if (head === "api" && segments.length === 1) {
      if (wantsAggregatedDiscovery(accept)) return sendJson(res, 200, aggregatedDiscovery(true), AGGREGATED_DISCOVERY_CONTENT_TYPE);
      return sendJson(res, 200, apiVersions(req.headers.host ?? "127.0.0.1"));
    }
    if (head === "apis" && segments.length === 1) {
      if (wantsAggregatedDiscovery(accept)) return sendJson(res, 200, aggregatedDiscovery(false), AGGREGATED_DISCOVERY_CONTENT_TYPE);
      return sendJson(res, 200, apiGroupList());
    }
    if (head === "api" && segments.length === 2) {
      const list = apiResourceList("", segments[1] ?? "");
      if (!list) throw pathNotFound();
      return sendJson(res, 200, list);
    }
    if (head === "apis" && segments.length === 2) {
      const group = apiGroup(segments[1] ?? "");
      if (!group) throw pathNotFound();
      return sendJson(res, 200, group);
    }
    if (head === "apis" && segments.length === 3) {
      const list = apiResourceList(segments[1] ?? "", segments[2] ?? "");
      if (!list) throw pathNotFound();
      return sendJson(res, 200, list);
    }
    if (head !== "api" && head !== "apis") throw pathNotFound();
    const target = parseResourcePath(segments);
    await this.serveResource(req, res, method, target, query);
  }

  private async serveResource(req: IncomingMessage, res: ServerResponse, method: string, path: ResourcePath, query: URLSearchParams): Promise<void> {
    const accept = req.headers.accept;
    if (path.subresource !== undefined && path.subresource !== "status" && path.subresource !== "scale") return this.servePodSubresource(res, method, path, query);
    switch (method) {
      case "GET":
        if (path.name === undefined) {
          if (boolParam(query, "watch")) return this.watch(req, res, path, query);
          return sendJson(res, 200, this.list(path, query, accept));
        }
        return sendJson(res, 200, this.get(path, query, accept));
      case "POST":
        if (path.name !== undefined || path.subresource !== undefined) throw methodNotAllowed(method);
        return this.respond(res, 201, this.create(path, await this.body(req, objectMediaTypes), query));
      case "PUT":
        if (path.name === undefined) throw methodNotAllowed(method);
        return this.respond(res, 200, this.update(path, await this.body(req, objectMediaTypes), query));
      case "PATCH":
        if (path.name === undefined) throw methodNotAllowed(method);
        return this.respond(res, 200, this.patch(path, await this.patchBody(req, path), query));
      case "DELETE":
        if (path.subresource !== undefined) throw methodNotAllowed(method);
        if (path.name === undefined) return sendJson(res, 200, this.deleteCollection(path, query, await this.optionalBody(req)));
        return sendJson(res, 200, this.delete(path, query, await this.optionalBody(req)));
      default:
        throw methodNotAllowed(method);
    }
  }

  /** `pods/log` as plain text; `pods/exec` only as a WebSocket upgrade (see `upgrade`). */
  private servePodSubresource(res: ServerResponse, method: string, path: ResourcePath, query: URLSearchParams): void {
    if (path.type.group !== "" || path.type.plural !== "pods" || (path.subresource !== "log" && path.subresource !== "exec")) throw pathNotFound();
    const pod = this.existing(path);
    if (path.subresource === "exec") throw badRequest("Upgrade request required");
    if (method !== "GET") throw methodNotAllowed(method);
    const text = podLog(this.cluster.podRuntime, pod, query);
    res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-cache, private" });
    res.end(text);
  }

  /** A connection upgrade (`kubectl exec`): `pods/<name>/exec` becomes a WebSocket; otherwise throws the ApiError to answer. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string, query: URLSearchParams): void {
    const segments = path.split("/").filter((segment) => segment !== "");
    if (segments[0] !== "api" && segments[0] !== "apis") throw pathNotFound();
    let target: ResourcePath;
    try {
      target = parseResourcePath(segments.map((segment) => decodeURIComponent(segment)));
    } catch (error) {
      throw error instanceof ApiError ? error : badRequest(`malformed path ${path}`);
    }
    if (target.type.group !== "" || target.type.plural !== "pods" || target.subresource !== "exec") throw badRequest(`the server cannot upgrade ${path}: only pods/<name>/exec is served over WebSocket`);
    if (req.method !== "GET" && req.method !== "POST") throw methodNotAllowed(req.method ?? "");
    execOverWebSocket(this.cluster.podRuntime, this.existing(target), query, req, socket, head);
  }

  private respond(res: ServerResponse, code: number, result: { object: unknown; created?: boolean }): void {
    sendJson(res, result.created === false ? 200 : code, result.object);
  }

  /** Reads and decodes a body whose media type is one of `accepted` (415 otherwise, before reading it). */
  private async body(req: IncomingMessage, accepted: readonly string[]): Promise<unknown> {
    const type = mediaType(req.headers["content-type"]);
    if (!accepted.includes(type)) throw unsupportedMediaType(accepted.filter((entry) => entry !== ""));
    return decodeBody(await readBody(req), req.headers["content-type"]);
  }

  private async patchBody(req: IncomingMessage, path: ResourcePath): Promise<{ value: unknown; contentType: string }> {
    const accepted = path.type.builtin || path.subresource === "scale" ? [...patchMediaTypes, strategicMediaType] : patchMediaTypes;
    return { value: await this.body(req, accepted), contentType: mediaType(req.headers["content-type"]) };
  }

  private async optionalBody(req: IncomingMessage): Promise<JsonObject> {
    const buffer = await readBody(req);
    if (buffer.toString("utf8").trim() === "") return {};
    return asObject(decodeBody(buffer, req.headers["content-type"]), "DeleteOptions");
  }

  private existing(path: ResourcePath): KubeObject {
    const obj = this.cluster.store.get(resourceId(path.type), path.namespace, path.name ?? "");
    if (!obj) throw notFound(path.type, path.name ?? "");
    return obj;
  }

  private get(path: ResourcePath, query: URLSearchParams, accept: string | undefined): Json {
    const obj = this.existing(path);
    if (path.subresource === "scale") return this.scaleOf(obj);
    const shown = present(obj, path);
    if (wantsTable(accept) && path.subresource === undefined) {
      return buildTable(resourceId(path.type), [shown], { resourceVersion: obj.metadata.resourceVersion, includeObject: includeObjectOf(query) });
    }
    return shown as unknown as Json;
  }

  private list(path: ResourcePath, query: URLSearchParams, accept: string | undefined): Json {
    const labels = labelSelectorOf(query);
    const fields = fieldSelectorOf(query);
    const resource = resourceId(path.type);
    const all = path.namespace === undefined ? this.cluster.store.list(resource) : this.cluster.store.list(resource, path.namespace);
    const matching = all.filter((obj) => matchesLabels(labels, obj.metadata.labels) && matchesFields(fields, obj));
    const resourceVersion = this.cluster.store.resourceVersion;
    let offset = 0;
    const token = query.get("continue");
    if (token) {
      const decoded = /^(\d+):(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
      if (!decoded) throw badRequest("continue key is not valid");
      offset = Number(decoded[2]);
    }
    const limit = Number(query.get("limit") ?? "0");
    const page = limit > 0 ? matching.slice(offset, offset + limit) : matching.slice(offset);
    const next = limit > 0 && offset + limit < matching.length ? Buffer.from(`${resourceVersion}:${offset + limit}`).toString("base64url") : undefined;
    const items = page.map((obj) => present(obj, path));
    if (wantsTable(accept)) return buildTable(resource, items, { resourceVersion, includeObject: includeObjectOf(query), continueToken: next });
    const metadata: JsonObject = { resourceVersion };
    if (next) {
      metadata.continue = next;
      metadata.remainingItemCount = matching.length - offset - page.length;
    }
    return { kind: `${path.type.kind}List`, apiVersion: apiVersionFor(path), metadata, items: items as unknown as Json[] };
  }

  private watch(req: IncomingMessage, res: ServerResponse, path: ResourcePath, query: URLSearchParams): void {
    const fields = fieldSelectorOf(query);
    const nameField = fields.find((field) => field.path === "metadata.name" && !field.negate);
    const timeout = Number(query.get("timeoutSeconds") ?? "1800");
    serveWatch(
      this.cluster,
      req,
      res,
      {
        type: path.type,
        version: path.version,
        namespace: path.namespace,
        name: nameField?.value,
        labels: labelSelectorOf(query),
        fields,
        resourceVersion: query.get("resourceVersion") ?? undefined,
        timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, 3600) : 1800,
        sendInitialEvents: boolParam(query, "sendInitialEvents"),
        table: wantsTable(req.headers.accept) ? { includeObject: includeObjectOf(query) } : undefined,
      },
      (obj) => present(obj, path),
      this.options.trackWatch,
    );
  }

  /** Prepares, validates and (unless dry-run) stores a new object. */
  private createObject(path: ResourcePath, draft: KubeObject, dryRun: boolean): KubeObject {
    const { store } = this.cluster;
    const resource = resourceId(path.type);
    if (!draft.metadata.name && draft.metadata.generateName) draft.metadata.name = `${draft.metadata.generateName}${randomSuffix(Math.random)}`;
    if (path.type.namespaced && !store.get("namespaces", undefined, draft.metadata.namespace ?? "")) {
      throw new ApiError(404, "NotFound", `namespaces "${draft.metadata.namespace ?? ""}" not found`, { name: draft.metadata.namespace ?? "", kind: "namespaces" });
    }
    for (const field of ["uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp"] as const) delete draft.metadata[field];
    if (path.type.status) delete (draft as Partial<KubeObject>).status;
    if (path.type.builtin) prepareObject(this.cluster.context, resource, draft);
    validate(path.type, draft);
    if (store.get(resource, draft.metadata.namespace, draft.metadata.name)) throw alreadyExists(path.type, draft.metadata.name);
    if (dryRun) return draft;
    const created = store.create(resource, draft as unknown as ObjectInput);
    this.cluster.settle();
    return store.get(resource, created.metadata.namespace, created.metadata.name) ?? created;
  }

  private create(path: ResourcePath, body: unknown, query: URLSearchParams): { object: Json } {
    const object = asObject(body, "the request body");
    checkIdentity(object, path);
    const created = this.createObject(path, draftFrom(object, path), query.get("dryRun") === "All");
    return { object: present(created, path) as unknown as Json };
  }

  /** Validates and stores a new state for an existing object (`subresource` limits what may change). */
  private updateObject(path: ResourcePath, current: KubeObject, next: KubeObject, dryRun: boolean): KubeObject {
    const resource = resourceId(path.type);
    const draft = cloneJson(next);
    draft.apiVersion = current.apiVersion;
    draft.kind = current.kind;
    if (draft.metadata.name !== current.metadata.name) {
      throw badRequest(`the name of the object (${draft.metadata.name}) does not match the name on the URL (${current.metadata.name})`);
    }
    if (path.type.namespaced) draft.metadata.namespace = current.metadata.namespace;
    if (path.subresource === "status") {
      const status = (draft as Partial<KubeObject>).status;
      const restored = cloneJson(current) as KubeObject;
      if (status === undefined) delete restored.status;
      else restored.status = status;
      restored.metadata.resourceVersion = draft.metadata.resourceVersion;
      return this.store(path, resource, current, restored, dryRun);
    }
    draft.metadata.uid = current.metadata.uid;
    draft.metadata.creationTimestamp = current.metadata.creationTimestamp;
    if (path.type.status) {
      if (current.status === undefined) delete (draft as Partial<KubeObject>).status;
      else draft.status = current.status;
    }
    if (path.type.builtin) prepareObject(this.cluster.context, resource, draft, current);
    const forbidden = updateCauses(resource, current, draft);
    if (forbidden.length > 0) throw invalid(path.type, current.metadata.name, forbidden);
    validate(path.type, draft);
    return this.store(path, resource, current, draft, dryRun);
  }

  private store(path: ResourcePath, resource: string, current: KubeObject, draft: KubeObject, dryRun: boolean): KubeObject {
    const requested = draft.metadata.resourceVersion;
    if (requested && requested !== current.metadata.resourceVersion) throw conflict(path.type, current.metadata.name);
    if (dryRun) return draft;
    const stored = this.cluster.store.replace(resource, draft);
    this.cluster.settle();
    return this.cluster.store.get(resource, stored.metadata.namespace, stored.metadata.name) ?? stored;
  }

  private update(path: ResourcePath, body: unknown, query: URLSearchParams): { object: Json } {
    const object = asObject(body, "the request body");
    const current = this.existing(path);
    const dryRun = query.get("dryRun") === "All";
    if (path.subresource === "scale") return { object: this.applyScale(path, current, object, dryRun) };
    checkIdentity(object, path);
    const draft = draftFrom(object, path);
    const updated = this.updateObject(path, current, draft, dryRun);
    return { object: present(updated, path) as unknown as Json };
  }

  private patch(path: ResourcePath, body: { value: unknown; contentType: string }, query: URLSearchParams): { object: Json; created?: boolean } {
    const dryRun = query.get("dryRun") === "All";
    if (body.contentType === "application/apply-patch+yaml") return this.serverSideApply(path, body.value, query, dryRun);
    const current = this.existing(path);
    const base: Json = path.subresource === "scale" ? this.scaleOf(current) : (cloneJson(present(current, path)) as unknown as Json);
    let result: Json;
    switch (body.contentType) {
      case "application/json-patch+json":
        result = applyJsonPatch(base, body.value);
        break;
      case "application/merge-patch+json":
        result = applyMergePatch(base, asObject(body.value, "a merge patch") as Json);
        break;
      default:
        result = strategicMerge(base, asObject(body.value, "a strategic merge patch") as Json);
        break;
    }
    if (path.subresource === "scale") return { object: this.applyScale(path, current, asObject(result, "the patched Scale"), dryRun) };
    const patched = patchedObjectFrom(result);
    const requested = patched.metadata.resourceVersion;
    if (requested && requested !== current.metadata.resourceVersion) throw conflict(path.type, current.metadata.name);
    patched.metadata.resourceVersion = current.metadata.resourceVersion;
    const updated = this.updateObject(path, current, patched, dryRun);
    return { object: present(updated, path) as unknown as Json };
  }

  private serverSideApply(path: ResourcePath, value: unknown, query: URLSearchParams, dryRun: boolean): { object: Json; created: boolean } {
    const manager = query.get("fieldManager");
    if (!manager) throw badRequest("PATCH requests with apply content type require a fieldManager");
    if (path.subresource !== undefined) throw methodNotAllowed("PATCH");
    const applied = asObject(value, "the applied configuration");
    checkIdentity(applied, path);
    const appliedMeta = isPlainObject(applied.metadata) ? applied.metadata : {};
    if (appliedMeta.name !== undefined && appliedMeta.name !== path.name) {
      throw badRequest(`the name of the object (${String(appliedMeta.name)}) does not match the name on the URL (${path.name ?? ""})`);
    }
    const resource = resourceId(path.type);
    const current = this.cluster.store.get(resource, path.namespace, path.name ?? "");
    const draft = draftFrom(applied, path);
    draft.metadata.name = path.name ?? "";
    let merged: KubeObject;
    try {
      merged = serverSideApply(current, draft as unknown as JsonObject, { manager, builtin: path.type.builtin, apiVersion: apiVersionFor(path), time: this.cluster.store.now(), force: boolParam(query, "force") });
    } catch (error) {
      if (!(error instanceof ApplyConflictError)) throw error;
      const details: JsonObject = { name: path.name ?? "", kind: path.type.plural, causes: error.conflicts.map((conflict) => ({ reason: "FieldManagerConflict", message: `conflict with "${conflict.manager}" using ${conflict.apiVersion}`, field: conflict.field })) };
      if (path.type.group !== "") details.group = path.type.group;
      throw new ApiError(409, "Conflict", error.message, details);
    }
    if (!current) {
      const created = this.createObject(path, merged, dryRun);
      return { object: present(created, path) as unknown as Json, created: true };
    }
    merged.metadata.resourceVersion = current.metadata.resourceVersion;
    const updated = this.updateObject(path, current, merged, dryRun);
    return { object: present(updated, path) as unknown as Json, created: false };
  }

  private scaleOf(obj: KubeObject): JsonObject {
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    const status = isPlainObject(obj.status) ? obj.status : {};
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace ?? null,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: typeof spec.replicas === "number" ? spec.replicas : 1 },
      status: { replicas: typeof status.replicas === "number" ? status.replicas : 0, selector: formatSelector(fromSelectorObject(spec.selector)) },
    };
  }

  private applyScale(path: ResourcePath, current: KubeObject, scale: JsonObject, dryRun: boolean): Json {
    const spec = isPlainObject(scale.spec) ? scale.spec : {};
    const replicas = spec.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid({ ...path.type, kind: "Scale", group: "autoscaling" }, current.metadata.name, [
        { reason: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` },
      ]);
    }
    const metadata = isPlainObject(scale.metadata) ? scale.metadata : {};
    const requested = typeof metadata.resourceVersion === "string" ? metadata.resourceVersion : "";
    if (requested && requested !== current.metadata.resourceVersion) throw conflict(path.type, current.metadata.name);
    const next = cloneJson(current);
    next.spec = { ...(isPlainObject(current.spec) ? current.spec : {}), replicas };
    const updated = this.updateObject({ ...path, subresource: undefined }, current, next, dryRun);
    return this.scaleOf(updated);
  }

  private deleteObject(path: ResourcePath, obj: KubeObject, options: JsonObject, query: URLSearchParams): KubeObject {
    const resource = resourceId(path.type);
    if (resource === "namespaces" && ["default", "kube-system", "kube-public"].includes(obj.metadata.name)) {
      throw new ApiError(403, "Forbidden", `namespaces "${obj.metadata.name}" is forbidden: this namespace may not be deleted`, { name: obj.metadata.name, kind: "namespaces" });
    }
    const preconditions = isPlainObject(options.preconditions) ? options.preconditions : {};
    if (typeof preconditions.uid === "string" && preconditions.uid !== obj.metadata.uid) {
      throw conflict(path.type, obj.metadata.name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (typeof preconditions.resourceVersion === "string" && preconditions.resourceVersion !== obj.metadata.resourceVersion) {
      throw conflict(path.type, obj.metadata.name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
    }
    const dryRun = query.get("dryRun") === "All" || (Array.isArray(options.dryRun) && options.dryRun.includes("All"));
    if (dryRun) return obj;
    const policy = (options.propagationPolicy ?? query.get("propagationPolicy") ?? (options.orphanDependents === true ? "Orphan" : "Background")) as string;
    if (!["Background", "Foreground", "Orphan"].includes(policy)) throw badRequest(`propagationPolicy: Unsupported value: "${policy}"`);
    const removed = this.cluster.store.remove(resource, obj.metadata.namespace, obj.metadata.name, policy as DeletionPropagation) ?? obj;
    this.cluster.settle();
    return removed;
  }

  private delete(path: ResourcePath, query: URLSearchParams, options: JsonObject): Json {
    const obj = this.existing(path);
    return present(this.deleteObject(path, obj, options, query), path) as unknown as Json;
  }

  private deleteCollection(path: ResourcePath, query: URLSearchParams, options: JsonObject): Json {
    const labels = labelSelectorOf(query);
    const fields = fieldSelectorOf(query);
    const resource = resourceId(path.type);
    const all = path.namespace === undefined ? this.cluster.store.list(resource) : this.cluster.store.list(resource, path.namespace);
    const doomed = all.filter((obj) => matchesLabels(labels, obj.metadata.labels) && matchesFields(fields, obj));
    const removed = doomed.map((obj) => present(this.deleteObject(path, obj, options, query), path));
    return { kind: `${path.type.kind}List`, apiVersion: apiVersionFor(path), metadata: { resourceVersion: this.cluster.store.resourceVersion }, items: removed as unknown as Json[] };
  }
}
