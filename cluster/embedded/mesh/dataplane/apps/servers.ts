// The non-Bookinfo servers a lab meets: fortio's echo server (fortio/fortio image, port 8080), an httpbin
// (docker.io/kennethreitz/httpbin, mccutchen/go-httpbin) and the web sites outside the cluster that
// PassthroughCluster or a ServiceEntry reaches.

import { jsonResponse, pathOnly, queryParameters, response, type HttpRequest, type HttpResponse } from "../http";
import { work, type App, type AppContext } from "./app";

/** `503:50,429:10` → pick a code by percentage; a bare `503` always applies. */
function weightedChoice(spec: string, draw: number): string | undefined {
  let cumulative = 0;
  for (const part of spec.split(",")) {
    const [value, percent] = part.split(":");
    if (!value) continue;
    if (percent === undefined) return value;
    cumulative += Number(percent) / 100;
    if (draw < cumulative) return value;
  }
  return undefined;
}

function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) return 0;
  const value = Number(match[1]);
  return match[2] === "ms" ? value : match[2] === "m" ? value * 60_000 : match[2] === "s" ? value * 1000 : value;
}

function titleCase(name: string): string {
  return name
    .split("-")
    .map((part) => (part ? (part[0] ?? "").toUpperCase() + part.slice(1) : part))
    .join("-");
}

/** fortio server: every path outside /fortio/ echoes, honouring ?status=, ?delay=, ?size=, ?header=. */
export class FortioServerApp implements App {
  readonly ports = [8080, 8079, 8078];

  async handle(request: HttpRequest, context: AppContext): Promise<HttpResponse> {
    const path = pathOnly(request.path);
    const query = queryParameters(request.path);
    await work(context, 0.15, 0.05);
    if (path === "/debug" || path === "/fortio/debug") {
      const headerLines = Object.entries(request.headers)
        .map(([name, value]) => `${titleCase(name)}: ${value}`)
        .join("\n");
      const body = `Φορτίο version 1.69.5 echo debug server up for ${Math.floor(context.clock.now() / 1000)}s on ${context.pod.name} - request from ${request.headers["x-forwarded-for"] ?? "127.0.0.6"}\n\n${request.method} ${request.path} HTTP/1.1\n\nheaders:\n\nHost: ${request.authority}\n${headerLines}\n\nbody:\n\n${request.body}\n`;
      return response(200, body, { "content-type": "text/plain; charset=UTF-8" });
    }
    if (path.startsWith("/fortio")) return response(200, "<!DOCTYPE html><title>Φορτίο</title><h1>Φορτίο (fortio) v1.69.5 control UI</h1>\n", { "content-type": "text/html; charset=UTF-8" });
    const delay = query.get("delay");
    if (delay) {
      const chosen = weightedChoice(delay, context.random.next());
      if (chosen) await context.clock.sleep(Math.min(durationMs(chosen), 1_500_000));
    }
    const statusSpec = query.get("status");
    const status = statusSpec ? Number(weightedChoice(statusSpec, context.random.next()) ?? 200) || 200 : 200;
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    for (const [name, value] of query) {
      if (name !== "header") continue;
      const [headerName, ...rest] = value.split(":");
      if (headerName) headers[headerName.toLowerCase()] = rest.join(":");
    }
    const size = Number(query.get("size") ?? "0");
    const body = size > 0 ? "x".repeat(Math.min(size, 256 * 1024)) : request.body;
    return response(status, body, headers);
  }
}

/** httpbin's common endpoints with its JSON shapes (header names Title-Cased as httpbin prints them). */
export class HttpbinApp implements App {
  constructor(readonly ports: readonly number[]) {}

  async handle(request: HttpRequest, context: AppContext): Promise<HttpResponse> {
    const path = pathOnly(request.path);
    await work(context, 0.8, 0.3);
    const headers: Record<string, string> = { Host: request.authority };
    for (const [name, value] of Object.entries(request.headers)) headers[titleCase(name)] = value;
    const origin = (request.headers["x-forwarded-for"] ?? "127.0.0.6").split(",")[0]?.trim() ?? "127.0.0.6";
    const args = Object.fromEntries(queryParameters(request.path));
    const url = `${request.scheme}://${request.authority}${request.path}`;
    const log = (status: number, bytes: number): void => {
      const stamp = new Date(context.clock.epochNow()).toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, "$1/$2/$3:$4 +0000");
      context.log(`127.0.0.6 - - [${stamp}] "${request.method} ${request.path} HTTP/1.1" ${status} ${bytes} "-" "${request.headers["user-agent"] ?? "-"}"`);
    };
    let reply: HttpResponse;
    const status = /^\/status\/(\d{3})$/.exec(path);
    const delay = /^\/delay\/(\d+(?:\.\d+)?)$/.exec(path);
    if (path === "/get") reply = jsonResponse(200, { args, headers, origin, url });
    else if (path === "/headers") reply = jsonResponse(200, { headers });
    else if (path === "/ip") reply = jsonResponse(200, { origin });
    else if (path === "/user-agent") reply = jsonResponse(200, { "user-agent": request.headers["user-agent"] ?? "" });
    else if (path.startsWith("/anything")) reply = jsonResponse(200, { args, data: request.body, headers, method: request.method, origin, url });
    else if (status) reply = response(Number(status[1]), "", { "content-type": "text/html; charset=utf-8" });
    else if (delay) {
      await context.clock.sleep(Math.min(10, Number(delay[1])) * 1000);
      reply = jsonResponse(200, { args, headers, origin, url });
    } else if (path === "/") reply = response(200, "<!DOCTYPE html>\n<html><head><title>httpbin.org</title></head><body><h2>httpbin.org</h2><p>A simple HTTP Request &amp; Response Service.</p></body></html>\n", { "content-type": "text/html; charset=utf-8" });
    else reply = response(404, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n", { "content-type": "text/html" });
    reply.headers["access-control-allow-origin"] = "*";
    reply.headers["access-control-allow-credentials"] = "true";
    log(reply.status, reply.body.length);
    return reply;
  }
}

/** A web site on the Internet, as reached through PassthroughCluster or a ServiceEntry. */
export class ExternalSite {
  private readonly httpbin = new HttpbinApp([80, 443]);

  async handle(request: HttpRequest, context: AppContext): Promise<HttpResponse> {
    const host = request.authority.replace(/:\d+$/, "");
    if (host === "httpbin.org" || host.endsWith(".httpbin.org")) return this.httpbin.handle(request, context);
    await context.clock.sleep(context.random.jitter(25, 8));
    const path = pathOnly(request.path);
    if (path === "/" || path === "/index.html") {
      return response(200, `<!doctype html>\n<html><head><title>${host}</title></head><body><h1>${host}</h1></body></html>\n`, { "content-type": "text/html; charset=UTF-8" });
    }
    return response(404, `<!doctype html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n`, { "content-type": "text/html; charset=UTF-8" });
  }
}
