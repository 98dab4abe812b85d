// HTTP messages as they travel through the simulated mesh: requests, responses, header maps, URLs, and the
// downstream stream whose cancellation (a client timing out) Envoy and the apps observe.

/** Header names are lowercase, as Envoy normalises them. */
export type Headers = Record<string, string>;

export interface HttpRequest {
  method: string;
  /** Path with query string, e.g. `/reviews/0?x=1`. */
  path: string;
  /** The Host header / :authority, e.g. `reviews:9080`. */
  authority: string;
  scheme: "http" | "https";
  headers: Headers;
  body: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
  /** The pod whose application produced this response (the data plane sets it; proxy-local replies have none). */
  servedBy?: string;
}

export function response(status: number, body: string, headers: Headers = {}): HttpResponse {
  return { status, body, headers: copyHeaders(headers) };
}

/**
 * A header map the caller may extend. Object.assign rather than `{ ...headers }`: V8 (Node 20) gives a spread
 * copy a map outside the transition tree, so every header added to it afterwards takes a slow path (microseconds).
 */
export function copyHeaders(headers: Headers): Headers {
  return Object.assign({}, headers);
}

export function jsonResponse(status: number, value: unknown, headers: Headers = {}): HttpResponse {
  return response(status, JSON.stringify(value), { "content-type": "application/json", ...headers });
}

export function lowerCaseHeaders(headers: Record<string, string> | undefined): Headers {
  const out: Headers = {};
  if (!headers) return out;
  for (const name in headers) out[name.toLowerCase()] = headers[name] as string;
  return out;
}

export interface ParsedUrl {
  scheme: "http" | "https";
  host: string;
  port: number;
  /** Path plus query. */
  path: string;
  /** Host header value: host, plus `:port` when the URL had one. */
  authority: string;
}

/** Parses `http://reviews:9080/reviews/1`, `reviews:9080/x` (curl adds http://) and `https://…`. */
export function parseUrl(raw: string): ParsedUrl | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  const match = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?([^#]*)/i.exec(withScheme);
  if (!match) return undefined;
  const scheme = (match[1] ?? "http").toLowerCase();
  if (scheme !== "http" && scheme !== "https") return undefined;
  const host = (match[2] ?? "").toLowerCase();
  if (!host) return undefined;
  const explicitPort = match[3];
  const port = explicitPort ? Number(explicitPort) : scheme === "https" ? 443 : 80;
  let path = match[4] ?? "";
  if (!path.startsWith("/")) path = `/${path}`;
  return { scheme, host, port, path, authority: explicitPort ? `${host}:${explicitPort}` : host };
}

/** Path without the query string. */
export function pathOnly(path: string): string {
  const index = path.indexOf("?");
  return index === -1 ? path : path.slice(0, index);
}

/** Query parameters in order (first value wins on lookup). */
export function queryParameters(path: string): Map<string, string> {
  const out = new Map<string, string>();
  const index = path.indexOf("?");
  if (index === -1) return out;
  for (const part of path.slice(index + 1).split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const name = decodeComponent(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? "" : decodeComponent(part.slice(eq + 1));
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/** application/x-www-form-urlencoded body → fields. */
export function formFields(body: string): Map<string, string> {
  return queryParameters(`?${body}`);
}

/** Standard reason phrases for status lines. */
const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  418: "I'm a teapot",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The reason phrase of a status ("Unknown" for codes not in the table). */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Unknown";
}

/**
 * One HTTP exchange as seen from the side that can give up on it: the client (or a proxy on its behalf) aborts
 * it when a timeout fires; everything working on it registers what to release when that happens.
 */
export class Stream {
  private abortedFlag = false;
  /** Abort listeners (allocated on the first one). */
  private listeners: (() => void)[] | undefined;
  /** Virtual time of the abort, when the aborter told it. */
  abortedAt: number | undefined;

  get aborted(): boolean {
    return this.abortedFlag;
  }

  abort(atMs?: number): void {
    if (this.abortedFlag) return;
    this.abortedFlag = true;
    this.abortedAt = atMs;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  /** Runs `listener` on abort (at once if already aborted); returns an unsubscribe function. */
  onAbort(listener: () => void): () => void {
    if (this.abortedFlag) {
      listener();
      return () => undefined;
    }
    (this.listeners ??= []).push(listener);
    return () => this.offAbort(listener);
  }

  /** Removes a listener `onAbort` added (no-op once aborted). */
  private offAbort(listener: () => void): void {
    const listeners = this.listeners;
    if (!listeners) return;
    const index = listeners.indexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
  }
}
