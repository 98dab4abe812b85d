// Watch streams: newline-delimited JSON events from a resourceVersion on, filtered by namespace and selectors.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmbeddedCluster } from "../cluster";
import type { Json, JsonObject, KubeObject } from "../objects";
import { resourceId, type ResourceType } from "../resources";
import { matchesFields, matchesLabels, type FieldRequirement, type LabelSelector } from "../selectors";
import type { StoreEvent } from "../store";
import { ApiError } from "./errors";
import { buildTable, type IncludeObject } from "./tables";

export interface WatchRequest {
  type: ResourceType;
  version: string;
  namespace: string | undefined;
  name: string | undefined;
  labels: LabelSelector;
  fields: FieldRequirement[];
  resourceVersion: string | undefined;
  timeoutSeconds: number;
  sendInitialEvents: boolean;
  table: { includeObject: IncludeObject } | undefined;
}

/**
 * Streams events until the client goes away, the timeout passes, or the server closes. `register` records the
 * stream's stop function with the host and returns its unregister function, or undefined when the cluster has
 * too many open watches (answered 429).
 */
export function serveWatch(
  cluster: EmbeddedCluster,
  req: IncomingMessage,
  res: ServerResponse,
  watch: WatchRequest,
  present: (obj: KubeObject) => KubeObject,
  register: (stop: () => void) => (() => void) | undefined,
): void {
  const resource = resourceId(watch.type);
  const matches = (obj: KubeObject | undefined): boolean => {
    if (!obj) return false;
    if (watch.namespace !== undefined && obj.metadata.namespace !== watch.namespace) return false;
    if (watch.name !== undefined && obj.metadata.name !== watch.name) return false;
    return matchesLabels(watch.labels, obj.metadata.labels) && matchesFields(watch.fields, obj);
  };
  let wroteColumns = false;
  const encode = (obj: KubeObject): Json => {
    const shown = present(obj);
    if (!watch.table) return shown as unknown as Json;
    const table = buildTable(resource, [shown], { resourceVersion: obj.metadata.resourceVersion, includeObject: watch.table.includeObject, withColumns: !wroteColumns });
    wroteColumns = true;
    return table;
  };
  const send = (type: string, object: Json): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const deliver = (event: StoreEvent): void => {
    if (event.resource !== resource) return;
    const now = matches(event.object);
    const before = event.type === "MODIFIED" ? matches(event.previous) : now;
    if (event.type === "MODIFIED") {
      if (now && before) send("MODIFIED", encode(event.object));
      else if (now) send("ADDED", encode(event.object));
      else if (before) send("DELETED", encode(event.object));
      return;
    }
    if (now) send(event.type, encode(event.object));
  };

  let unsubscribe = (): void => undefined;
  let unregister = (): void => undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    clearTimeout(timer);
    unsubscribe();
    unregister();
    if (!res.writableEnded) res.end();
  };
  const startRv = watch.resourceVersion;
  let replay: StoreEvent[] = [];
  if (startRv !== undefined && startRv !== "" && startRv !== "0" && !watch.sendInitialEvents) {
    const since = Number(startRv);
    if (!Number.isInteger(since) || since < 0) throw new ApiError(400, "BadRequest", `invalid resource version "${startRv}"`);
    const history = cluster.store.eventsSince(since);
    if (history === "expired") {
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
      const gone = new ApiError(410, "Expired", `too old resource version: ${startRv} (${cluster.store.resourceVersion})`).toStatus();
      send("ERROR", gone);
      res.end();
      return;
    }
    replay = history;
  }

  const registered = register(stop);
  if (!registered) throw new ApiError(429, "TooManyRequests", "too many open watches on this cluster; close some and retry");
  unregister = registered;

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  if (startRv === undefined || startRv === "" || startRv === "0" || watch.sendInitialEvents) {
    const existing = watch.namespace === undefined ? cluster.store.list(resource) : cluster.store.list(resource, watch.namespace);
    for (const obj of existing) if (matches(obj)) send("ADDED", encode(obj));
    if (watch.sendInitialEvents) {
      const bookmark: JsonObject = {
        kind: watch.type.kind,
        apiVersion: watch.type.group === "" ? watch.version : `${watch.type.group}/${watch.version}`,
        metadata: { resourceVersion: cluster.store.resourceVersion, annotations: { "k8s.io/initial-events-end": "true" } },
      };
      send("BOOKMARK", bookmark);
    }
  }
  for (const event of replay) deliver(event);

  unsubscribe = cluster.store.subscribe(deliver);
  timer = setTimeout(stop, watch.timeoutSeconds * 1000);
  req.on("close", stop);
  res.on("close", stop);
}
