// One error type with stable codes for the app's HTTP surface, and the single place that turns errors into responses.
import { z } from "zod";

export const errorCodes = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_input: 422,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** A field that failed validation, with its path in the request body (e.g. `answers[2].choiceIds`). */
export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldError[];
  constructor(code: ErrorCode, message: string, fields: FieldError[] = []) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.fields = fields;
  }
  get status(): number {
    return errorCodes[this.code];
  }
}

/** Renders a zod path the way users read it: `answers[2].choiceIds`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

/** Converts zod issues into our field errors: the first problem of each field, in order. */
export function fieldErrorsFrom(error: z.ZodError): FieldError[] {
  const byPath = new Map<string, string>();
  for (const issue of error.issues) {
    const path = formatPath(issue.path) || "(body)";
    if (!byPath.has(path)) byPath.set(path, issue.message);
  }
  return [...byPath].map(([path, message]) => ({ path, message }));
}

/** Builds the JSON error response: `{ error: { code, message, fields } }`. */
export function errorResponse(error: AppError): Response {
  return Response.json(
    { error: { code: error.code, message: error.message, fields: error.fields } },
    { status: error.status },
  );
}

/** Maps any thrown value to a response; unexpected errors are logged and never leak details. */
export function handleRouteError(error: unknown): Response {
  if (error instanceof AppError) return errorResponse(error);
  if (error instanceof z.ZodError) {
    return errorResponse(new AppError("invalid_input", "The request body is not valid.", fieldErrorsFrom(error)));
  }
  console.error("Unhandled route error:", error);
  return errorResponse(new AppError("internal_error", "Something went wrong on our side. Please try again."));
}
