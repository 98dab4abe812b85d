// ClusterHost: many embedded clusters in one process, each served at `/clusters/<id>` behind its own bearer token.

import { randomBytes, timingSafeEqual } from "node:crypto";
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { stringify as toYaml } from "yaml";
import { z } from "zod";
import { ApiError } from "./apiserver/errors";
import { ClusterApiServer, sendError } from "./apiserver/handler";
import { EmbeddedCluster } from "./cluster";
import type { ClusterSnapshot } from "./store";
import { createSelfSignedIdentity } from "./tls";

/** Open watch streams one cluster may hold; more are answered 429 so one learner cannot exhaust the host. */
const MAX_WATCHES_PER_CLUSTER = 100;

const clusterIdPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A hosted cluster's persistent form: its identity, its credential and its state. */
export interface HostedClusterSnapshot {
  id: string;
  token: string;
  state: ClusterSnapshot;
}

const metadataSchema = z.looseObject({ name: z.string(), namespace: z.string().optional() });
const hostedSnapshotSchema = z.object({
  id: z.string().regex(clusterIdPattern),
  token: z.string().min(16),
  state: z.object({
    format: z.literal("ica.embedded-cluster/v1"),
    createdAt: z.string(),
    resourceVersion: z.string().regex(/^\d+$/),
    counters: z.record(z.string(), z.number()),
    objects: z.array(z.object({ resource: z.string(), object: z.looseObject({ apiVersion: z.string(), kind: z.string(), metadata: metadataSchema }) })),
  }),
});

interface Hosted {
  id: string;
  token: Buffer;
  cluster: EmbeddedCluster;
  api: ClusterApiServer;
  watches: Set<() => void>;
}

export class ClusterHost {
  private readonly clusters = new Map<string, Hosted>();
  private server: Server | undefined;
  private baseUrl: string | undefined;
  private listening: Promise<string> | undefined;

  /** The node:http request listener; mount it on any server, or call `listen`. */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatch(req, res).catch((error: unknown) => {
      sendError(res, new ApiError(500, "InternalError", `Internal error occurred: ${(error as Error).message}`));
    });
  };

  /** Creates a fresh cluster; `id` defaults to a random one. Returns its id and bearer token. */
  create(id: string = `c-${randomBytes(6).toString("hex")}`): { id: string; token: string } {
    if (!clusterIdPattern.test(id)) throw new Error(`invalid cluster id "${id}": use lowercase letters, digits and '-'`);
    if (this.clusters.has(id)) throw new Error(`cluster "${id}" already exists`);
    const token = randomBytes(24).toString("base64url");
    this.add(id, token, EmbeddedCluster.create());
    return { id, token };
  }

  private add(id: string, token: string, cluster: EmbeddedCluster): void {
    const watches = new Set<() => void>();
    const api = new ClusterApiServer(cluster, {
      trackWatch: (stop) => {
        if (watches.size >= MAX_WATCHES_PER_CLUSTER) return undefined;
        watches.add(stop);
        return () => watches.delete(stop);
      },
    });
    this.clusters.set(id, { id, token: Buffer.from(token), cluster, api, watches });
  }

  /** The cluster with this id (the mesh layer and drivers use its store directly). */
  get(id: string): EmbeddedCluster | undefined {
    return this.clusters.get(id)?.cluster;
  }

  ids(): string[] {
    return [...this.clusters.keys()];
  }

  /** Deletes a cluster and ends its open watches. */
  delete(id: string): boolean {
    const hosted = this.clusters.get(id);
    if (!hosted) return false;
    for (const stop of [...hosted.watches]) stop();
    return this.clusters.delete(id);
  }

  snapshot(id: string): HostedClusterSnapshot {
    const hosted = this.clusters.get(id);
    if (!hosted) throw new Error(`cluster "${id}" not found`);
    return { id, token: hosted.token.toString(), state: hosted.cluster.snapshot() };
  }

  /** Recreates a cluster from `snapshot(id)` output (for instance after a restart); validates the input first. */
  restore(input: unknown): { id: string; token: string } {
    const snapshot = hostedSnapshotSchema.parse(input) as unknown as HostedClusterSnapshot;
    if (this.clusters.has(snapshot.id)) throw new Error(`cluster "${snapshot.id}" already exists`);
    this.add(snapshot.id, snapshot.token, EmbeddedCluster.restore(snapshot.state));
    return { id: snapshot.id, token: snapshot.token };
  }

  /**
   * Starts serving HTTPS on 127.0.0.1 with a self-signed certificate (kubectl sends bearer tokens only over
   * TLS); resolves to the base URL (`https://127.0.0.1:<port>`).
   */
  listen(port = 0): Promise<string> {
    // Concurrent callers share one server: the first call starts it, the others wait for the same URL.
    this.listening ??= this.startServer(port).catch((error: unknown) => {
      this.listening = undefined;
      throw error;
    });
    return this.listening;
  }

  private async startServer(port: number): Promise<string> {
    const server = createServer(createSelfSignedIdentity(), this.handler);
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    server.requestTimeout = 60_000;
    server.headersTimeout = 20_000;
    server.on("clientError", (_error, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /** Stops serving: ends watches, closes connections. */
  async close(): Promise<void> {
    for (const hosted of this.clusters.values()) for (const stop of [...hosted.watches]) stop();
    const server = this.server;
    this.server = undefined;
    this.baseUrl = undefined;
    this.listening = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The API URL of a cluster (requires `listen`). */
  url(id: string): string {
    if (!this.baseUrl) throw new Error("the host is not listening; call listen() first");
    return `${this.baseUrl}/clusters/${id}`;
  }

  /** A kubeconfig (YAML text) for kubectl and client-node: the cluster URL, TLS verification off, the bearer token. */
  kubeconfig(id: string): string {
    const hosted = this.clusters.get(id);
    if (!hosted) throw new Error(`cluster "${id}" not found`);
    const name = `ica-${id}`;
    return toYaml({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name, cluster: { server: this.url(id), "insecure-skip-tls-verify": true } }],
      users: [{ name, user: { token: hosted.token.toString() } }],
      contexts: [{ name, context: { cluster: name, user: name, namespace: "default" } }],
      "current-context": name,
      preferences: {},
    });
  }

  private authorize(req: IncomingMessage, id: string): Hosted {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, "Unauthorized", "Unauthorized");
    const presented = Buffer.from(match[1] ?? "");
    let owner: Hosted | undefined;
    for (const hosted of this.clusters.values()) {
      if (hosted.token.length === presented.length && timingSafeEqual(hosted.token, presented)) owner = hosted;
    }
    if (!owner) throw new ApiError(401, "Unauthorized", "Unauthorized");
    if (owner.id !== id) throw new ApiError(403, "Forbidden", `forbidden: this token does not grant access to cluster "${id}"`, { kind: "clusters", name: id });
    return owner;
  }

  /** Connection upgrades (`kubectl exec` over WebSocket), authorized like any other request. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = /^\/clusters\/([^/]+)(\/.*)?$/.exec(url.pathname);
    try {
      if (!match) throw new ApiError(404, "NotFound", "the server could not find the requested resource", {});
      this.authorize(req, match[1] ?? "").api.upgrade(req, socket, head, match[2] ?? "/", url.searchParams);
    } catch (caught) {
      const error = caught instanceof ApiError ? caught : new ApiError(500, "InternalError", `Internal error occurred: ${(caught as Error).message}`);
      const status = JSON.stringify(error.toStatus());
      socket.end(`HTTP/1.1 ${error.code} ${STATUS_CODES[error.code] ?? ""}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(status)}\r\nConnection: close\r\n\r\n${status}`);
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = /^\/clusters\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!match) {
      req.resume();
      sendError(res, new ApiError(404, "NotFound", "the server could not find the requested resource", {}));
      return;
    }
    let hosted: Hosted;
    try {
      hosted = this.authorize(req, match[1] ?? "");
    } catch (error) {
      req.resume();
      sendError(res, error as ApiError);
      return;
    }
    await hosted.api.handle(req, res, match[2] ?? "/", url.searchParams);
  }
}
