// Lets schema and webhook rules written as plain functions report Kubernetes-style causes through zod refinements.
import type { z } from "zod";
import { formatFieldPath, quoteValue, type AdmissionStage, type CauseParams, type FieldCause, type StagedCause } from "./causes";

/** A path below the value a rule is attached to: field names, map keys and array indexes. */
export type Path = readonly (string | number)[];

/** What a validation rule can say about a value. */
export interface Report {
  invalid(path: Path, value: unknown, detail: string): void;
  required(path: Path, detail?: string): void;
  duplicate(path: Path, value: unknown, detail?: string): void;
  notSupported(path: Path, value: unknown, supported: readonly string[], detail?: string): void;
}

type AddCause = (path: Path, reason: FieldCause["reason"], message: string) => void;

function makeReport(add: AddCause): Report {
  return {
    invalid: (path, value, detail) => add(path, "FieldValueInvalid", `Invalid value: ${quoteValue(value)}: ${detail}`),
    required: (path, detail) => add(path, "FieldValueRequired", detail ? `Required value: ${detail}` : "Required value"),
    duplicate: (path, value, detail) => add(path, "FieldValueDuplicate", `Duplicate value: ${quoteValue(value)}${detail ? `: ${detail}` : ""}`),
    notSupported: (path, value, supported, detail) =>
      add(
        path,
        "FieldValueNotSupported",
        `Unsupported value: ${quoteValue(value)}: ${detail ? `${detail}; ` : ""}supported values: ${supported.map((item) => quoteValue(item)).join(", ")}`,
      ),
  };
}

function reporter(ctx: z.core.$RefinementCtx<unknown>, stage: AdmissionStage): Report {
  return makeReport((path, reason, message) => {
    const params: CauseParams = { reason, stage };
    ctx.addIssue({ code: "custom", path: [...path], message, params });
  });
}

/** A Report that collects causes directly (for rules that need the whole object, such as metadata-dependent ones). */
export function collectingReport(stage: AdmissionStage): { report: Report; causes: StagedCause[] } {
  const causes: StagedCause[] = [];
  const report = makeReport((path, reason, message) => causes.push({ reason, field: formatFieldPath(undefined, path), message, stage }));
  return { report, causes };
}

/** Wraps a structural (CRD schema) rule for `.superRefine`. */
export function schemaRule<T>(rule: (value: T, report: Report) => void): (value: T, ctx: z.core.$RefinementCtx<T>) => void {
  return (value, ctx) => rule(value, reporter(ctx as z.core.$RefinementCtx<unknown>, "schema"));
}

/** Wraps a semantic rule of Istio's validating webhook (or a Kubernetes strategy check) for `.superRefine`. */
export function webhookRule<T>(rule: (value: T, report: Report) => void): (value: T, ctx: z.core.$RefinementCtx<T>) => void {
  return (value, ctx) => rule(value, reporter(ctx as z.core.$RefinementCtx<unknown>, "webhook"));
}
