// Pages Next.js prerendered at build time and never revalidates (the lessons and their diagrams), kept in memory as
// Next itself answered them, so the web server can answer a plain GET without entering Next's router.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";

/** The two encodings a kept page is stored in: what Next sends to clients that accept gzip, and to those that don't. */
export type Encoding = "gzip" | "identity";
export const encodings: readonly Encoding[] = ["gzip", "identity"];

/** One response as Next sent it. */
export interface RecordedResponse {
  status: number;
  /** Lower-case names; a header Next sent more than once is a list. */
  headers: NodeJS.Dict<string | string[]>;
  body: Buffer;
}

/** Asks Next for `pathname` with the given Accept-Encoding and returns its whole response. */
export type AskNext = (pathname: string, acceptEncoding: Encoding) => Promise<RecordedResponse>;

interface KeptPage {
  variants: Record<Encoding, RecordedResponse>;
  /** A weak validator: both variants carry the same page. */
  etag: string;
}

const prerenderManifest = z.object({
  routes: z.record(z.string(), z.looseObject({ initialRevalidateSeconds: z.union([z.number(), z.literal(false)]) })),
});

/** Paths Next prerendered and never revalidates, read from `.next/prerender-manifest.json`; Next's own pages (`/_…`) stay with Next. */
export function neverRevalidatedPaths(manifest: unknown): string[] {
  const { routes } = prerenderManifest.parse(manifest);
  return Object.entries(routes)
    .filter(([pathname, route]) => route.initialRevalidateSeconds === false && !pathname.startsWith("/_"))
    .map(([pathname]) => pathname)
    .sort();
}

/** Headers that belong to one connection or one moment, not to the page; Node writes fresh ones. */
const perResponseHeaders = new Set(["date", "connection", "keep-alive", "transfer-encoding", "content-length"]);

/**
 * The variant Next's compression (gzip, deflate, identity, negotiated by q-value, ties to the client's first) would
 * send for this Accept-Encoding, when it is one we keep; undefined means only Next can answer (deflate, `*`, odd input).
 */
export function keptEncodingFor(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding?.trim()) return "identity";
  const offers = acceptEncoding.split(",").flatMap((part, order) => {
    const [rawName = "", ...params] = part.split(";");
    const name = rawName.trim().toLowerCase();
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return name ? [{ name, q: q === undefined ? 1 : Number(q.slice(2)), order }] : [];
  });
  if (offers.some((o) => o.name === "*" || !Number.isFinite(o.q))) return undefined;
  const offer = (name: string) => offers.find((o) => o.name === name);
  const gzip = offer("gzip");
  const deflate = offer("deflate");
  if (gzip && gzip.q > 0) {
    const gzipWins = !deflate || deflate.q < gzip.q || (deflate.q === gzip.q && gzip.order < deflate.order);
    return gzipWins ? "gzip" : undefined;
  }
  if (deflate && deflate.q > 0) return undefined;
  return offer("identity")?.q === 0 ? undefined : "identity";
}

/** Requests Next answers differently from a page load: router/RSC fetches, server actions, ranges (URLs with a query never match a kept path). */
function isPlainPageLoad(req: IncomingMessage): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  return !Object.keys(req.headers).some((name) => name === "rsc" || name === "range" || name.startsWith("next-") || name.startsWith("x-nextjs") || name.startsWith("x-middleware"));
}

function weakEtag(body: Buffer): string {
  return `W/"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
}

function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = etag.slice(2);
  return ifNoneMatch.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag || t === opaque || t === `W/${opaque}`;
  });
}

function setHeader(res: ServerResponse, name: string, value: string | string[] | undefined): void {
  if (value !== undefined) res.setHeader(name, value);
}

export class PrerenderedPages {
  private constructor(private readonly pages: ReadonlyMap<string, KeptPage>) {}

  /**
   * Asks Next for every path in both encodings and keeps the pages it answered as prerendered (200 with
   * `x-nextjs-prerender` or `x-nextjs-cache`); anything else stays with Next and is named in `skipped`.
   */
  static async prime(paths: readonly string[], askNext: AskNext): Promise<{ pages: PrerenderedPages; skipped: string[] }> {
    const pages = new Map<string, KeptPage>();
    const skipped: string[] = [];
    for (const pathname of paths) {
      const [gzip, identity] = await Promise.all(encodings.map((encoding) => askNext(pathname, encoding)));
      const prerendered = (r: RecordedResponse) => r.status === 200 && ("x-nextjs-prerender" in r.headers || "x-nextjs-cache" in r.headers);
      if (!gzip || !identity || !prerendered(gzip) || !prerendered(identity)) {
        skipped.push(pathname);
        continue;
      }
      const keep = (r: RecordedResponse): RecordedResponse => ({
        status: r.status,
        headers: Object.fromEntries(Object.entries(r.headers).filter(([name]) => !perResponseHeaders.has(name))),
        body: r.body,
      });
      pages.set(pathname, { variants: { gzip: keep(gzip), identity: keep(identity) }, etag: weakEtag(identity.body) });
    }
    return { pages: new PrerenderedPages(pages), skipped };
  }

  get size(): number {
    return this.pages.size;
  }

  /** Answers a plain GET/HEAD of a kept page from memory (304 when the client's copy is current); false leaves it to Next. */
  answer(req: IncomingMessage, res: ServerResponse): boolean {
    if (!isPlainPageLoad(req)) return false;
    const page = req.url === undefined ? undefined : this.pages.get(req.url);
    if (!page) return false;
    const encoding = keptEncodingFor(req.headers["accept-encoding"]);
    if (!encoding) return false;
    const variant = page.variants[encoding];
    if (matchesEtag(req.headers["if-none-match"], page.etag)) {
      for (const name of ["vary", "cache-control"]) setHeader(res, name, variant.headers[name]);
      res.writeHead(304, { etag: page.etag });
      res.end();
      return true;
    }
    for (const [name, value] of Object.entries(variant.headers)) setHeader(res, name, value);
    res.writeHead(variant.status, { etag: page.etag, "content-length": variant.body.length });
    res.end(req.method === "HEAD" ? undefined : variant.body);
    return true;
  }
}
