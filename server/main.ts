// The production web server behind `npm start`: Next.js's request handler, with the pages Next prerendered at build
// time (lessons and their diagrams) answered from memory, as Next answered them, before the port opens.
import { readFileSync } from "node:fs";
import { createServer, request, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import next from "next";
import { z } from "zod";
import { neverRevalidatedPaths, PrerenderedPages, type AskNext } from "./prerendered-pages";

const root = path.resolve(import.meta.dirname, "..");
const env = z.object({ PORT: z.coerce.number().int().min(0).max(65535).default(3000) }).parse(process.env);

/** Runs `handler` on a loopback port just long enough to record Next's answers for the pages to keep. */
async function withLoopbackNext<T>(handler: RequestListener, use: (askNext: AskNext) => Promise<T>): Promise<T> {
  const loopback = createServer(handler);
  await new Promise<void>((resolve) => loopback.listen(0, "127.0.0.1", resolve));
  const { port } = loopback.address() as AddressInfo;
  const askNext: AskNext = (pathname, acceptEncoding) =>
    new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: pathname, headers: { "accept-encoding": acceptEncoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headersDistinct, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
  try {
    return await use(askNext);
  } finally {
    loopback.closeAllConnections();
    await new Promise((resolve) => loopback.close(resolve));
  }
}

const app = next({ dev: false, dir: root, hostname: "localhost", port: env.PORT });
await app.prepare();
const handle = app.getRequestHandler();
const nextHandler: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
  handle(req, res).catch((error: unknown) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    res.end("Internal Server Error");
  });
};

const manifest: unknown = JSON.parse(readFileSync(path.join(root, ".next", "prerender-manifest.json"), "utf8"));
const { pages, skipped } = await withLoopbackNext(nextHandler, (askNext) => PrerenderedPages.prime(neverRevalidatedPaths(manifest), askNext));
if (skipped.length) console.warn(`Served by Next on every request (not answered as prerendered at start): ${skipped.join(", ")}`);

const server = createServer((req, res) => {
  if (!pages.answer(req, res)) nextHandler(req, res);
});
server.listen(env.PORT, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`ICA Labs is ready on http://localhost:${port} (${pages.size} prerendered pages answered from memory)`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void app.close().finally(() => process.exit(0));
  });
}
