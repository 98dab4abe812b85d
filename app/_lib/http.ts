// Reading request bodies safely: a size cap, JSON only, and zod validation with field paths.
import type { z } from "zod";
import { AppError, fieldErrorsFrom } from "./errors";

export const defaultBodyLimitBytes = 64 * 1024;

/** Reads at most `limit` bytes of the body, refusing larger ones without buffering them. */
export async function readBodyText(request: Request, limit = defaultBodyLimitBytes): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) {
    throw new AppError("payload_too_large", `The request body is ${declared} bytes; the limit is ${limit} bytes.`);
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AppError("payload_too_large", `The request body exceeds the limit of ${limit} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses a JSON body against a schema; every problem becomes a 4xx AppError naming the field. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S, limit?: number): Promise<z.infer<S>> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) {
    throw new AppError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
  }
  const text = await readBodyText(request, limit);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError("bad_request", `The body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError("invalid_input", "The request body is not valid.", fieldErrorsFrom(parsed.error));
  }
  return parsed.data;
}
