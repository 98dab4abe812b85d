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

/** Formats causes the Kubernetes way; subclasses decide where each cause goes. */
abstract class CauseReport implements Report {
  protected abstract add(path: Path, reason: FieldCause["reason"], message: string): void;

  invalid(path: Path, value: unknown, detail: string): void {
    this.add(path, "FieldValueInvalid", `Invalid value: ${quoteValue(value)}: ${detail}`);
  }

  required(path: Path, detail?: string): void {
    this.add(path, "FieldValueRequired", detail ? `Required value: ${detail}` : "Required value");
  }

  duplicate(path: Path, value: unknown, detail?: string): void {
    this.add(path, "FieldValueDuplicate", `Duplicate value: ${quoteValue(value)}${detail ? `: ${detail}` : ""}`);
  }

  notSupported(path: Path, value: unknown, supported: readonly string[], detail?: string): void {
    const listed = supported.map((item) => quoteValue(item)).join(", ");
    this.add(path, "FieldValueNotSupported", `Unsupported value: ${quoteValue(value)}: ${detail ? `${detail}; ` : ""}supported values: ${listed}`);
  }
}

/** Reports into a zod refinement context as custom issues tagged with the admission stage. */
class ZodReport extends CauseReport {
  constructor(
    private readonly ctx: z.core.$RefinementCtx<unknown>,
    private readonly stage: AdmissionStage,
  ) {
    super();
  }

  protected add(path: Path, reason: FieldCause["reason"], message: string): void {
    const params: CauseParams = { reason, stage: this.stage };
    this.ctx.addIssue({ code: "custom", path: [...path], message, params });
  }
}

/** Collects causes directly (for rules that need the whole object, such as metadata-dependent ones). */
class CollectingReport extends CauseReport {
  readonly causes: StagedCause[] = [];

  constructor(private readonly stage: AdmissionStage) {
    super();
  }

  protected add(path: Path, reason: FieldCause["reason"], message: string): void {
    this.causes.push({ reason, field: formatFieldPath(undefined, path), message, stage: this.stage });
  }
}

/** A Report that collects causes directly, with the causes it collected. */
export function collectingReport(stage: AdmissionStage): { report: Report; causes: StagedCause[] } {
  const report = new CollectingReport(stage);
  return { report, causes: report.causes };
}

/** Wraps a structural (CRD schema) rule for `.superRefine`. */
export function schemaRule<T>(rule: (value: T, report: Report) => void): (value: T, ctx: z.core.$RefinementCtx<T>) => void {
  return (value, ctx) => rule(value, new ZodReport(ctx as z.core.$RefinementCtx<unknown>, "schema"));
}

/** Wraps a semantic rule of Istio's validating webhook (or a Kubernetes strategy check) for `.superRefine`. */
export function webhookRule<T>(rule: (value: T, report: Report) => void): (value: T, ctx: z.core.$RefinementCtx<T>) => void {
  return (value, ctx) => rule(value, new ZodReport(ctx as z.core.$RefinementCtx<unknown>, "webhook"));
}
