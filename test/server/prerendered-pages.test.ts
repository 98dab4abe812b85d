// The in-memory answers for prerendered pages: which pages are kept, which requests they answer, and that every
// other request still reaches Next.
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keptEncodingFor, neverRevalidatedPaths, PrerenderedPages, type AskNext } from "@/server/prerendered-pages";

describe("keptEncodingFor", () => {
  it.each([
    [undefined, "identity"],
    ["", "identity"],
    ["gzip, deflate, br, zstd", "gzip"],
    ["GZIP", "gzip"],
    ["gzip;q=0.8, deflate;q=0.5", "gzip"],
    ["br, zstd", "identity"],
    ["gzip;q=0", "identity"],
    ["deflate, gzip", undefined],
    ["gzip;q=0.5, deflate;q=0.8", undefined],
    ["deflate", undefined],
    ["identity;q=0, br", undefined],
    ["*", undefined],
    ["gzip;q=high", undefined],
  ] as const)("Accept-Encoding %j → %s, the variant Next's compression would send", (header, expected) => {
    expect(keptEncodingFor(header)).toBe(expected);
  });
});

describe("neverRevalidatedPaths", () => {
  it("keeps the pages Next never revalidates and leaves its internal pages and ISR pages to Next", () => {
    const manifest = {
      version: 4,
      routes: {
        "/lessons/b": { initialRevalidateSeconds: false, srcRoute: "/lessons/[lessonId]" },
        "/lessons/a": { initialRevalidateSeconds: false, srcRoute: "/lessons/[lessonId]" },
        "/news": { initialRevalidateSeconds: 60 },
        "/_global-error": { initialRevalidateSeconds: false },
        "/_not-found": { initialRevalidateSeconds: false },
      },
    };
    expect(neverRevalidatedPaths(manifest)).toEqual(["/lessons/a", "/lessons/b"]);
  });

  it("refuses a manifest of another shape, naming the field", () => {
    expect(() => neverRevalidatedPaths({ routes: { "/a": { initialRevalidateSeconds: "never" } } })).toThrow(/initialRevalidateSeconds/);
  });
});

const lessonHtml = Buffer.from(`<!DOCTYPE html><html><body><h1>Routing by header</h1>${"<p>text</p>".repeat(200)}</body></html>`);
const prerenderedHeaders = {
  "content-type": ["text/html; charset=utf-8"],
  "x-nextjs-prerender": ["1", "1"],
  "x-nextjs-cache": ["HIT"],
  vary: ["rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch, Accept-Encoding"],
  "cache-control": ["s-maxage=31536000"],
  date: ["Thu, 01 Jan 2026 00:00:00 GMT"],
  connection: ["keep-alive"],
};
/** A stand-in for Next: /lesson is prerendered, /dashboard is rendered per request. */
const askNext: AskNext = async (pathname, acceptEncoding) => {
  if (pathname !== "/lesson") return { status: 200, headers: { "content-type": "text/html" }, body: Buffer.from("dashboard") };
  return acceptEncoding === "gzip"
    ? { status: 200, headers: { ...prerenderedHeaders, "content-encoding": ["gzip"] }, body: gzipSync(lessonHtml) }
    : { status: 200, headers: prerenderedHeaders, body: lessonHtml };
};

describe("PrerenderedPages", () => {
  let server: Server;
  let skipped: string[];
  let size: number;
  let base: string;

  beforeAll(async () => {
    const primed = await PrerenderedPages.prime(["/dashboard", "/lesson"], askNext);
    skipped = primed.skipped;
    size = primed.pages.size;
    server = createServer((req, res) => {
      if (!primed.pages.answer(req, res)) res.writeHead(200, { "x-answered-by": "next" }).end("from next");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A raw request (no automatic Accept-Encoding or decompression), to see exactly what the server sent. */
  function send(pathname: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; headers: IncomingHttpHeaders; rawHeaders: string[]; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = request(`${base}${pathname}`, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("keeps only the pages Next answered as prerendered", () => {
    expect(size).toBe(1);
    expect(skipped).toEqual(["/dashboard"]);
  });

  it("answers a page load with Next's bytes and headers, a fresh date and an ETag", async () => {
    const page = await send("/lesson");
    expect(page.status).toBe(200);
    expect(page.body.equals(lessonHtml)).toBe(true);
    expect(page.headers["x-answered-by"]).toBeUndefined();
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-length"]).toBe(String(lessonHtml.length));
    expect(page.headers["cache-control"]).toBe("s-maxage=31536000");
    expect(page.rawHeaders.filter((h) => h.toLowerCase() === "x-nextjs-prerender")).toHaveLength(2);
    expect(page.headers.date).not.toBe("Thu, 01 Jan 2026 00:00:00 GMT");
    expect(page.headers.etag).toMatch(/^W\/"[\w-]+"$/);
  });

  it("sends browsers the gzip variant, with the same ETag", async () => {
    const plain = await send("/lesson");
    const gzipped = await send("/lesson", { "accept-encoding": "gzip, deflate, br, zstd" });
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(gzipped.body.length).toBeLessThan(lessonHtml.length);
    expect(gzipped.headers.etag).toBe(plain.headers.etag);
  });

  it("answers HEAD with the headers only, and a matching If-None-Match with 304", async () => {
    const head = await send("/lesson", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(String(lessonHtml.length));
    expect(head.body.length).toBe(0);
    const etag = head.headers.etag!;
    for (const ifNoneMatch of [etag, etag.slice(2), `"other", ${etag}`]) {
      const revalidated = await send("/lesson", { "if-none-match": ifNoneMatch });
      expect(revalidated.status).toBe(304);
      expect(revalidated.body.length).toBe(0);
      expect(revalidated.headers.etag).toBe(etag);
    }
    expect((await send("/lesson", { "if-none-match": '"other"' })).status).toBe(200);
  });

  it.each([
    ["a query string", "/lesson?tab=1", {}, "GET"],
    ["an RSC navigation", "/lesson", { rsc: "1" }, "GET"],
    ["a router prefetch", "/lesson", { "next-router-prefetch": "1" }, "GET"],
    ["a server action", "/lesson", { "next-action": "abc" }, "POST"],
    ["a range request", "/lesson", { range: "bytes=0-10" }, "GET"],
    ["deflate-only clients", "/lesson", { "accept-encoding": "deflate" }, "GET"],
    ["a page rendered per request", "/dashboard", {}, "GET"],
    ["a trailing slash", "/lesson/", {}, "GET"],
  ] as const)("leaves %s to Next", async (_, pathname, headers, method) => {
    const response = await send(pathname, headers, method);
    expect(response.headers["x-answered-by"]).toBe("next");
    expect(response.body.toString()).toBe("from next");
  });
});
