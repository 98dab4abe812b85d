// The grader as its own HTTP service (POST /grade, POST /analyze, GET /healthz), authenticated with a shared secret.
// It holds cluster credentials so the web tier never has to: callers send a check, its parameters and a kubeconfig.
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { KubeLabCluster } from "@/cluster/remote";
import type { LabCluster } from "@/cluster/driver";
import { analyzeCluster, analyzeObjects, formatMessage, parseManifests } from "./analyze";
import { gradeObjective } from "./grade";

const maxBodyBytes = 1024 * 1024;

const gradeRequest = z
  .object({
    check: z.string().min(1).max(100),
    params: z.record(z.string(), z.unknown()).default({}),
    kubeconfig: z.string().min(10).max(256 * 1024),
  })
  .strict();

const analyzeRequest = z
  .object({
    manifests: z.string().max(maxBodyBytes).default(""),
    namespace: z.string().max(63).optional(),
    kubeconfig: z.string().min(10).max(256 * 1024).optional(),
  })
  .strict();

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  if (!(req.headers["content-type"] ?? "").startsWith("application/json")) throw new HttpError(415, "Send JSON with Content-Type: application/json.");
  const declared = Number(req.headers["content-length"] ?? "NaN");
  if (declared > maxBodyBytes) throw new HttpError(413, `The body is ${declared} bytes; the limit is ${maxBodyBytes}.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new HttpError(413, `The body exceeds ${maxBodyBytes} bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new HttpError(400, `The body is not valid JSON: ${(error as Error).message}`);
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(422, "The request body is not valid.", result.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message })));
  }
  return result.data;
}

export interface GraderServerOptions {
  secret: string;
  /** Builds the cluster for a kubeconfig (tests inject the embedded driver's clusters). */
  clusterFor?: (kubeconfig: string) => LabCluster;
}

/** The request handler; mount it on any node:http server, or use startGraderServer. */
export function graderHandler(options: GraderServerOptions) {
  const secret = Buffer.from(options.secret);
  const clusterFor = options.clusterFor ?? ((kubeconfig: string) => new KubeLabCluster("request", kubeconfig));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? "/", "http://grader");
      if (req.method === "GET" && url.pathname === "/healthz") return send(res, 200, { status: "ok" });
      const presented = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "");
      if (presented.length !== secret.length || !timingSafeEqual(presented, secret)) throw new HttpError(401, "A valid shared secret is required (Authorization: Bearer …).");
      if (req.method !== "POST") throw new HttpError(405, `${req.method} is not allowed here; use POST.`);
      if (url.pathname === "/grade") {
        const body = parse(gradeRequest, await readBody(req));
        return send(res, 200, await gradeObjective(clusterFor(body.kubeconfig), { check: body.check, params: body.params }));
      }
      if (url.pathname === "/analyze") {
        const body = parse(analyzeRequest, await readBody(req));
        const parsed = parseManifests(body.manifests, "request.yaml");
        if (parsed.errors.length) throw new HttpError(422, "The manifests do not parse.", parsed.errors.map((e) => ({ path: "manifests", message: String((e as { message?: string }).message ?? e) })));
        const result = body.kubeconfig
          ? await analyzeCluster(clusterFor(body.kubeconfig).kubeConfig(), parsed.objects, { namespace: body.namespace, istioVersion: "1.26" })
          : analyzeObjects(parsed.objects, { namespace: body.namespace, offlineDefaults: true });
        return send(res, 200, { messages: result.messages, text: result.messages.map(formatMessage) });
      }
      throw new HttpError(404, `No endpoint ${url.pathname}; use POST /grade or POST /analyze.`);
    } catch (error) {
      if (error instanceof HttpError) return send(res, error.status, { error: { message: error.message, fields: error.fields } });
      console.error("grader service error", error);
      return send(res, 500, { error: { message: "The grader hit an internal error." } });
    }
  };
}

/** Starts the service on a port (0 = any free one); resolves to its URL and a close function. */
export async function startGraderServer(port: number, options: GraderServerOptions, host = "0.0.0.0"): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const handler = graderHandler(options);
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
