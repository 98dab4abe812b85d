// Kubernetes `Status` errors (NotFound, AlreadyExists, Conflict, Invalid, BadRequest, …) raised by the API handlers.

import type { JsonObject } from "../objects";
import { qualifiedKind, qualifiedResource, type ResourceType } from "../resources";

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Expired"
  | "Invalid"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "RequestEntityTooLarge"
  | "UnsupportedMediaType"
  | "TooManyRequests"
  | "InternalError";

/** An API failure; `toStatus()` is the body the client receives. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: JsonObject,
  ) {
    super(message);
  }

  toStatus(): JsonObject {
    const status: JsonObject = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, code: this.code };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** One field-level reason in an Invalid Status (admission's FieldCause plus the API server's own, e.g. Forbidden). */
export interface StatusCause {
  reason: string;
  field: string;
  message: string;
}

function resourceDetails(type: ResourceType, name: string): JsonObject {
  const details: JsonObject = { name, kind: type.plural };
  if (type.group !== "") details.group = type.group;
  return details;
}

export function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualifiedResource(type)} "${name}" not found`, resourceDetails(type, name));
}

export function alreadyExists(type: ResourceType, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualifiedResource(type)} "${name}" already exists`, resourceDetails(type, name));
}

export function conflict(type: ResourceType, name: string, why = "the object has been modified; please apply your changes to the latest version and try again"): ApiError {
  return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${why}`, resourceDetails(type, name));
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

export function methodNotAllowed(method: string): ApiError {
  return new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${method})`);
}

/** One cause line as Kubernetes prints it: `spec.hosts: Required value: …`. */
function causeLine(cause: StatusCause): string {
  return cause.message.startsWith(`${cause.field}:`) || cause.field === "" ? cause.message : `${cause.field}: ${cause.message}`;
}

/** 422 Invalid with one cause per rejected field, worded like kube-apiserver's field errors. */
export function invalid(type: ResourceType, name: string, causes: StatusCause[]): ApiError {
  const lines = causes.map(causeLine);
  const summary = lines.length === 1 ? (lines[0] ?? "") : `[${lines.join(", ")}]`;
  const details: JsonObject = { name, kind: type.kind, causes: causes.map((cause) => ({ reason: cause.reason, message: cause.message, field: cause.field })) };
  if (type.group !== "") details.group = type.group;
  return new ApiError(422, "Invalid", `${qualifiedKind(type)} "${name}" is invalid: ${summary}`, details);
}
