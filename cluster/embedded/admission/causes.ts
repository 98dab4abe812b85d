// Turns zod issues into Kubernetes-style field causes (reason, `spec.http[0].route[1].weight` path, message).
import type { z } from "zod";

/** One reason an object was refused, Kubernetes-style (Status.details.causes[]). */
export interface FieldCause {
  reason:
    | "FieldValueInvalid"
    | "FieldValueRequired"
    | "FieldValueNotSupported"
    | "FieldValueDuplicate"
    | "FieldValueTypeInvalid"
    | "FieldValueUnknown";
  field: string;
  message: string;
}

/** Which admission step refused a value: the CRD/OpenAPI schema or the validating webhook's semantic rules. */
export type AdmissionStage = "schema" | "webhook";

/** The params our own rules attach to zod custom issues. */
export interface CauseParams {
  reason: FieldCause["reason"];
  stage: AdmissionStage;
}

/** A field cause plus the admission step that produced it. */
export interface StagedCause extends FieldCause {
  stage: AdmissionStage;
}

/** Renders a value the way Kubernetes error bodies quote it: strings quoted, scalars bare, structures as short JSON. */
export function quoteValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null || value === undefined) return "null";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  valueType?: z.core.$ZodType;
  element?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
}

function defOf(schema: z.core.$ZodType): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.innerType && (def.type === "optional" || def.type === "nullable" || def.type === "default" || def.type === "readonly")) {
      current = def.innerType;
    } else if (def.type === "pipe" && def.in) {
      current = def.in;
    } else {
      return current;
    }
  }
}

const PLAIN_FIELD = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Formats a zod path in Kubernetes field notation. The schema is walked alongside the path so that map keys
 * (zod records) are written `headers[end-user]` while struct fields are written `.name`.
 */
export function formatFieldPath(root: z.core.$ZodType | undefined, path: readonly PropertyKey[], prefix = ""): string {
  let text = prefix;
  let schema: z.core.$ZodType | undefined = root;
  for (const segment of path) {
    const def = schema ? defOf(unwrap(schema)) : undefined;
    if (typeof segment === "number") {
      text += `[${segment}]`;
      schema = def?.type === "array" ? def.element : undefined;
      continue;
    }
    const key = String(segment);
    if (def?.type === "record") {
      text += `[${key}]`;
      schema = def.valueType;
    } else {
      text += text === "" ? key : PLAIN_FIELD.test(key) ? `.${key}` : `[${key}]`;
      schema = def?.type === "object" ? def.shape?.[key] : undefined;
    }
  }
  return text;
}

function typeName(expected: string): string {
  if (expected === "int" || expected === "bigint") return "integer";
  return expected;
}

function isCauseParams(value: unknown): value is CauseParams {
  return typeof value === "object" && value !== null && "reason" in value && "stage" in value;
}

/** Converts zod issues (parsed with `reportInput: true`) into staged causes with formatted paths. */
export function causesFromIssues(issues: readonly z.core.$ZodIssue[], root: z.core.$ZodType, prefix = ""): StagedCause[] {
  const causes: StagedCause[] = [];
  for (const issue of issues) {
    const field = formatFieldPath(root, issue.path, prefix);
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) {
          const unknownField = formatFieldPath(root, [...issue.path, key], prefix);
          causes.push({ reason: "FieldValueUnknown", field: unknownField, message: `unknown field "${unknownField}"`, stage: "schema" });
        }
        break;
      case "invalid_type":
        if (issue.input === undefined) {
          causes.push({ reason: "FieldValueRequired", field, message: "Required value", stage: "schema" });
        } else {
          causes.push({
            reason: "FieldValueTypeInvalid",
            field,
            message: `Invalid value: ${quoteValue(issue.input)}: must be of type ${typeName(issue.expected)}`,
            stage: "schema",
          });
        }
        break;
      case "invalid_value":
        causes.push({
          reason: "FieldValueNotSupported",
          field,
          message: `Unsupported value: ${quoteValue(issue.input)}: supported values: ${issue.values.map((value) => quoteValue(value)).join(", ")}`,
          stage: "schema",
        });
        break;
      case "custom":
        if (isCauseParams(issue.params)) {
          causes.push({ reason: issue.params.reason, field, message: issue.message, stage: issue.params.stage });
        } else {
          causes.push({ reason: "FieldValueInvalid", field, message: `Invalid value: ${quoteValue(issue.input)}: ${issue.message}`, stage: "schema" });
        }
        break;
      case "invalid_union":
        causes.push({ reason: "FieldValueTypeInvalid", field, message: `Invalid value: ${quoteValue(issue.input)}: ${issue.message}`, stage: "schema" });
        break;
      default:
        causes.push({ reason: "FieldValueInvalid", field, message: `Invalid value: ${quoteValue(issue.input)}: ${issue.message}`, stage: "schema" });
    }
  }
  return causes;
}
