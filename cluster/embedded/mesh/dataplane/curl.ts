// `curl` as run inside a container: the options labs use (-s -S -v -i -I -L -f -o -w -H -X -d -m -A -b -u),
// curl's exit codes and error lines, and -w variables such as %{http_code} and %{time_total}.

import type { ExecResult } from "@/cluster/driver";
import { reasonPhrase } from "./http";
import type { ClientResult, ClientTools, ProxyAdmin, SendOptions } from "./index";

export const CURL_USER_AGENT = "curl/8.11.1";

interface CurlOptions {
  url?: string;
  silent: boolean;
  showError: boolean;
  verbose: boolean;
  include: boolean;
  head: boolean;
  follow: boolean;
  fail: boolean;
  output?: string;
  writeOut?: string;
  method?: string;
  headers: [string, string][];
  data?: string;
  maxTimeMs?: number;
  connectTimeoutMs?: number;
}

const SHORT_WITH_VALUE = new Set(["o", "w", "H", "X", "d", "m", "A", "b", "c", "u", "e", "x", "T", "F", "K", "r", "C", "Y", "y", "z", "E", "U", "Q", "t"]);

function parseSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
}

type Parsed = { ok: true; options: CurlOptions } | { ok: false; message: string; exitCode: number };

function parseArgs(args: string[]): Parsed {
  const options: CurlOptions = { silent: false, showError: false, verbose: false, include: false, head: false, follow: false, fail: false, headers: [] };
  const apply = (flag: string, value: string | undefined): string | undefined => {
    switch (flag) {
      case "s":
      case "silent":
        options.silent = true;
        break;
      case "S":
      case "show-error":
        options.showError = true;
        break;
      case "v":
      case "verbose":
        options.verbose = true;
        break;
      case "i":
      case "include":
        options.include = true;
        break;
      case "I":
      case "head":
        options.head = true;
        break;
      case "L":
      case "location":
        options.follow = true;
        break;
      case "f":
      case "fail":
        options.fail = true;
        break;
      case "o":
      case "output":
        options.output = value;
        break;
      case "w":
      case "write-out":
        options.writeOut = value;
        break;
      case "H":
      case "header": {
        const text = value ?? "";
        const colon = text.indexOf(":");
        if (colon > 0) options.headers.push([text.slice(0, colon).trim(), text.slice(colon + 1).trim()]);
        break;
      }
      case "X":
      case "request":
        options.method = value;
        break;
      case "d":
      case "data":
      case "data-raw":
      case "data-binary":
      case "data-ascii":
        options.data = options.data === undefined ? value : `${options.data}&${value ?? ""}`;
        break;
      case "m":
      case "max-time":
        options.maxTimeMs = parseSeconds(value);
        break;
      case "connect-timeout":
        options.connectTimeoutMs = parseSeconds(value);
        break;
      case "A":
      case "user-agent":
        options.headers.push(["User-Agent", value ?? ""]);
        break;
      case "b":
      case "cookie":
        if (value?.includes("=")) options.headers.push(["Cookie", value]);
        break;
      case "e":
      case "referer":
        options.headers.push(["Referer", value ?? ""]);
        break;
      case "u":
      case "user":
        options.headers.push(["Authorization", `Basic ${Buffer.from(value ?? "").toString("base64")}`]);
        break;
      default:
        break;
    }
    return undefined;
  };
  const longWithValue = new Set(["output", "write-out", "header", "request", "data", "data-raw", "data-binary", "data-ascii", "max-time", "connect-timeout", "user-agent", "cookie", "cookie-jar", "referer", "user", "resolve", "retry", "cacert", "cert", "key", "proxy", "interface", "retry-delay", "retry-max-time", "http-version"]);
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg.startsWith("--")) {
      const [name = "", inline] = arg.slice(2).split(/=(.*)/s);
      if (longWithValue.has(name)) {
        const value = inline ?? args[++index];
        if (value === undefined) return { ok: false, message: `curl: option --${name}: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n`, exitCode: 2 };
        apply(name, value);
      } else apply(name, undefined);
    } else if (arg.startsWith("-") && arg.length > 1) {
      for (let position = 1; position < arg.length; position++) {
        const flag = arg[position] ?? "";
        if (SHORT_WITH_VALUE.has(flag)) {
          const rest = arg.slice(position + 1);
          const value = rest.length > 0 ? rest : args[++index];
          if (value === undefined) return { ok: false, message: `curl: option -${flag}: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n`, exitCode: 2 };
          apply(flag, value);
          break;
        }
        apply(flag, undefined);
      }
    } else {
      options.url = arg;
    }
  }
  return { ok: true, options };
}

function headerBlock(result: ClientResult): string {
  const lines = [`HTTP/1.1 ${result.status} ${reasonPhrase(result.status)}`, ...Object.entries(result.headers).map(([name, value]) => `${name}: ${value}`)];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

function writeOut(format: string, result: ClientResult, url: string, totalMs: number): string {
  const seconds = (ms: number): string => (ms / 1000).toFixed(6);
  const variables: Record<string, string> = {
    http_code: String(result.status).padStart(3, "0"),
    response_code: String(result.status).padStart(3, "0"),
    time_total: seconds(totalMs),
    time_connect: seconds(Math.min(totalMs, 0.3)),
    time_starttransfer: seconds(totalMs),
    time_namelookup: seconds(Math.min(totalMs, 0.05)),
    size_download: String(result.body.length),
    url_effective: url,
    remote_ip: result.remoteIp ?? "",
    content_type: result.headers["content-type"] ?? "",
    num_redirects: "0",
  };
  return format
    .replace(/%\{([a-z_]+)\}/g, (match, name: string) => variables[name] ?? match)
    .replace(/\\n/g, "\n")
    .replace(/\\t/g, "\t")
    .replace(/\\r/g, "\r");
}

function curlError(result: ClientResult, host: string, port: number): { code: number; message: string } {
  const error = result.error;
  if (!error) return { code: 0, message: "" };
  switch (error.kind) {
    case "resolve":
      return error.message.startsWith("URL rejected") ? { code: 3, message: error.message } : { code: 6, message: `Could not resolve host: ${host}` };
    case "refused":
      return { code: 7, message: `Failed to connect to ${host} port ${port} after ${Math.max(0, Math.round(result.latencyMs))} ms: Couldn't connect to server` };
    case "reset":
      return { code: 56, message: "Recv failure: Connection reset by peer" };
    case "timeout":
      return { code: 28, message: error.message.startsWith("Operation timed out") ? error.message : `Operation timed out after ${Math.round(result.latencyMs)} milliseconds with 0 bytes received` };
  }
}

function resolveLocation(base: string, location: string): string {
  if (/^https?:\/\//i.test(location)) return location;
  const match = /^(https?:\/\/[^/]+)(\/[^?#]*)?/i.exec(base.includes("://") ? base : `http://${base}`);
  const origin = match?.[1] ?? "";
  if (location.startsWith("/")) return origin + location;
  const dir = (match?.[2] ?? "/").replace(/[^/]*$/, "");
  return origin + dir + location;
}

/** Runs curl; `virtualMs` is how long it took in virtual time (the caller may wait that long for real). */
export async function runCurl(args: string[], tools: ClientTools, admin: ProxyAdmin | undefined): Promise<{ result: ExecResult; virtualMs: number }> {
  const parsed = parseArgs(args);
  if (!parsed.ok) return { result: { stdout: "", stderr: parsed.message, exitCode: parsed.exitCode }, virtualMs: 0 };
  const options = parsed.options;
  if (!options.url) return { result: { stdout: "", stderr: "curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n", exitCode: 2 }, virtualMs: 0 };
  const url = options.url;
  const hostMatch = /^(?:[a-z]+:\/\/)?(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?/i.exec(url);
  const host = hostMatch?.[1] ?? url;
  const port = Number(hostMatch?.[2] ?? (url.toLowerCase().startsWith("https://") ? 443 : 80));

  if (admin && (host === "localhost" || host === "127.0.0.1") && port === 15000) {
    const path = url.replace(/^(?:[a-z]+:\/\/)?[^/]+/i, "") || "/";
    const body = adminBody(admin, path);
    return { result: { stdout: body.text, stderr: "", exitCode: 0 }, virtualMs: 1 };
  }

  const headers: Record<string, string> = { "User-Agent": CURL_USER_AGENT, Accept: "*/*" };
  for (const [name, value] of options.headers) {
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
    if (existing) delete headers[existing];
    if (value !== "") headers[name] = value;
  }
  let method = options.method ?? (options.head ? "HEAD" : options.data !== undefined ? "POST" : "GET");
  if (options.data !== undefined && !Object.keys(headers).some((key) => key.toLowerCase() === "content-type")) headers["Content-Type"] = "application/x-www-form-urlencoded";

  const stderr: string[] = [];
  const stdout: string[] = [];
  let currentUrl = url;
  let result: ClientResult | undefined;
  const timeoutMs = options.maxTimeMs !== undefined && options.maxTimeMs > 0 ? options.maxTimeMs : undefined;
  const virtual = await tools.run(async () => {
    const started = tools.clock.now();
    for (let redirects = 0; redirects <= 50; redirects++) {
      const remaining = timeoutMs === undefined ? undefined : Math.max(0, timeoutMs - (tools.clock.now() - started));
      const sendOptions: SendOptions = { method, headers, body: options.data, timeoutMs: remaining };
      result = await tools.send(currentUrl, sendOptions);
      if (options.verbose) stderr.push(verboseLines(currentUrl, method, headers, result));
      if (options.follow && !result.error && result.status >= 300 && result.status < 400 && result.headers.location) {
        if (options.include) stdout.push(headerBlock(result));
        currentUrl = resolveLocation(currentUrl, result.headers.location);
        if (result.status === 302 || result.status === 303) method = options.head ? "HEAD" : "GET";
        continue;
      }
      break;
    }
    return tools.clock.now() - started;
  });
  const total = virtual + 0.4;
  const final = result as ClientResult;
  const error = curlError(final, host, port);
  if (error.code !== 0) {
    if (!options.silent || options.showError) stderr.push(`curl: (${error.code}) ${error.message}\n`);
    if (options.writeOut) stdout.push(writeOut(options.writeOut, final, currentUrl, total));
    return { result: { stdout: stdout.join(""), stderr: stderr.join(""), exitCode: error.code }, virtualMs: total };
  }
  if (options.fail && final.status >= 400) {
    if (!options.silent || options.showError) stderr.push(`curl: (22) The requested URL returned error: ${final.status}\n`);
    if (options.writeOut) stdout.push(writeOut(options.writeOut, final, currentUrl, total));
    return { result: { stdout: stdout.join(""), stderr: stderr.join(""), exitCode: 22 }, virtualMs: total };
  }
  const toStdout = options.output === undefined || options.output === "-";
  if (options.head || options.include) {
    if (toStdout) stdout.push(headerBlock(final));
  }
  if (!options.head && toStdout) stdout.push(final.body);
  if (options.writeOut) stdout.push(writeOut(options.writeOut, final, currentUrl, total));
  return { result: { stdout: stdout.join(""), stderr: stderr.join(""), exitCode: 0 }, virtualMs: total };
}

function verboseLines(url: string, method: string, headers: Record<string, string>, result: ClientResult): string {
  const parsed = /^(?:([a-z]+):\/\/)?([^/:?#]+)(?::(\d+))?(\/[^#]*)?/i.exec(url);
  const host = parsed?.[2] ?? url;
  const port = parsed?.[3] ?? (parsed?.[1]?.toLowerCase() === "https" ? "443" : "80");
  const path = parsed?.[4] ?? "/";
  const lines: string[] = [];
  if (result.remoteIp) lines.push(`*   Trying ${result.remoteIp}:${port}...`);
  if (result.error && result.error.kind !== "timeout" && result.error.kind !== "reset") return `${lines.join("\n")}\n`;
  if (result.remoteIp) lines.push(`* Connected to ${host} (${result.remoteIp}) port ${port}`);
  lines.push(`> ${method} ${path} HTTP/1.1`, `> Host: ${parsed?.[3] ? `${host}:${port}` : host}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`> ${name}: ${value}`);
  lines.push(">");
  if (!result.error) {
    lines.push(`< HTTP/1.1 ${result.status} ${reasonPhrase(result.status)}`);
    for (const [name, value] of Object.entries(result.headers)) lines.push(`< ${name}: ${value}`);
    lines.push("<", `* Connection #0 to host ${host} left intact`);
  }
  return `${lines.join("\n")}\n`;
}

/** Envoy admin answers on localhost:15000 from inside the istio-proxy container. */
export function adminBody(admin: ProxyAdmin, path: string): { status: number; text: string } {
  const [route = "/", query = ""] = path.split("?");
  const params = new URLSearchParams(query);
  switch (route.replace(/\/+$/, "") || "/") {
    case "/stats": {
      const filter = params.get("filter");
      let text = admin.stats();
      if (filter) {
        try {
          const regex = new RegExp(filter);
          text = text
            .split("\n")
            .filter((line) => line && regex.test(line.split(":")[0] ?? ""))
            .map((line) => `${line}\n`)
            .join("");
        } catch {
          return { status: 400, text: `Invalid re2 regex\n` };
        }
      }
      return { status: 200, text };
    }
    case "/config_dump":
      return { status: 200, text: `${JSON.stringify(admin.configDump(params.has("include_eds")), null, 2)}\n` };
    case "/clusters":
      return { status: 200, text: admin.clusters() };
    case "/ready":
      return { status: 200, text: "LIVE\n" };
    default:
      return { status: 404, text: "invalid path. admin commands are:\n  /clusters: upstream cluster status\n  /config_dump: dump current Envoy configs\n  /ready: print server state\n  /stats: print server stats\n" };
  }
}
