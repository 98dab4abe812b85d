// Request bodies: reading with a size cap (413 beyond 3 MiB, like kube-apiserver) and decoding JSON or YAML safely.

import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { ApiError, badRequest } from "./errors";
import { decodeProtobufObject } from "./protobuf";

/** kube-apiserver's default maximum request body size. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

function tooLarge(): ApiError {
  return new ApiError(413, "RequestEntityTooLarge", `Request entity too large: limit is ${MAX_BODY_BYTES}`);
}

/**
 * Reads the whole body, refusing it once it passes the limit. The rest of an oversized upload is drained
 * (not buffered) so the client still receives the 413 instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
    req.on("error", (error) => {
      if (!refused) reject(badRequest(`error reading request body: ${error.message}`));
    });
  });
}

/** The media type of a Content-Type header, lower-cased and without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * Shape limits: real objects stay far below both, and input beyond them is refused before the handlers (which
 * recurse and run on the shared event loop) could exhaust the stack or hold up other clusters.
 */
const MAX_DEPTH = 200;
const MAX_VALUES = 50_000;

function checkShape(value: unknown): void {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  let count = 0;
  while (pending.length > 0) {
    const next = pending.pop();
    if (++count > MAX_VALUES) throw badRequest(`the request body holds more than ${MAX_VALUES} values`);
    if (!next || typeof next.value !== "object" || next.value === null) continue;
    if (next.depth > MAX_DEPTH) throw badRequest(`the request body nests deeper than ${MAX_DEPTH} levels`);
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Decodes a body as JSON, YAML or Kubernetes protobuf according to its Content-Type (YAML aliases are capped against alias bombs). */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type === "application/vnd.kubernetes.protobuf") return decodeProtobufObject(body);
  const text = body.toString("utf8");
  if (text.trim() === "") throw badRequest("the request body is empty");
  const isYaml = type.endsWith("yaml") || type === "application/apply-patch+yaml";
  if (!isYaml) {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch (error) {
      throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
    }
    checkShape(value);
    return value;
  }
  let value: unknown;
  try {
    // Apply patches are usually JSON (valid YAML); parsing them as JSON first is much faster.
    value = text.trimStart().startsWith("{") ? parseJsonOrUndefined(text) : undefined;
    value ??= parseYaml(text, { maxAliasCount: 100, merge: false, uniqueKeys: true, prettyErrors: false }) as unknown;
  } catch (error) {
    throw badRequest(`the request body is not valid YAML: ${(error as Error).message.split("\n")[0] ?? "parse error"}`);
  }
  checkShape(value);
  return value;
}
