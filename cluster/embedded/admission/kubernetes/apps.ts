// apps/v1 kinds the embedded API stores (Deployment, ReplicaSet): replicas, selector/template agreement, pod template.
import { z } from "zod";
import { schemaRule, type Path, type Report } from "../report";
import { checkPodSpec, podSpec } from "./core";
import { checkLabelSelector, labelSelector, selectorMatches, templateMeta } from "./meta";

/** A pod template (metadata without a required name, plus a PodSpec). */
export const podTemplateSpec = z.strictObject({ metadata: templateMeta.optional(), spec: podSpec });
export type PodTemplateSpec = z.infer<typeof podTemplateSpec>;

const intOrPercent = z.union([z.int(), z.string()]);

export const deploymentSpec = z.strictObject({
  replicas: z.int().optional(),
  selector: labelSelector,
  template: podTemplateSpec,
  strategy: z
    .strictObject({
      type: z.enum(["RollingUpdate", "Recreate"]).optional(),
      rollingUpdate: z.strictObject({ maxUnavailable: intOrPercent.optional(), maxSurge: intOrPercent.optional() }).optional(),
    })
    .optional(),
  minReadySeconds: z.int().optional(),
  revisionHistoryLimit: z.int().optional(),
  paused: z.boolean().optional(),
  progressDeadlineSeconds: z.int().optional(),
});
export type DeploymentSpec = z.infer<typeof deploymentSpec>;

export const replicaSetSpec = z.strictObject({
  replicas: z.int().optional(),
  minReadySeconds: z.int().optional(),
  selector: labelSelector,
  template: podTemplateSpec.optional(),
});
export type ReplicaSetSpec = z.infer<typeof replicaSetSpec>;

function checkNonNegative(value: number | undefined, path: Path, report: Report): void {
  if (value !== undefined && value < 0) report.invalid(path, value, "must be greater than or equal to 0");
}

function checkSelectorAndTemplate(spec: { selector: z.infer<typeof labelSelector>; template?: PodTemplateSpec | undefined }, report: Report): void {
  checkLabelSelector(spec.selector, ["spec", "selector"], report);
  const empty = Object.keys(spec.selector.matchLabels ?? {}).length === 0 && (spec.selector.matchExpressions?.length ?? 0) === 0;
  if (empty) report.invalid(["spec", "selector"], spec.selector, "empty selector is invalid for this workload");
  const template = spec.template;
  if (!template) return;
  const labels = template.metadata?.labels ?? {};
  if (!empty && !selectorMatches(spec.selector, labels)) report.invalid(["spec", "template", "metadata", "labels"], labels, "`selector` does not match template `labels`");
  checkPodSpec(template.spec, ["spec", "template", "spec"], report);
}

function checkIntOrPercent(value: number | string | undefined, path: Path, report: Report): void {
  if (typeof value === "number") checkNonNegative(value, path, report);
  else if (value !== undefined && !/^\d+%$/.test(value)) report.invalid(path, value, "must be an integer or percentage (e.g. '5%')");
}

const deploymentFields = z.strictObject({ spec: deploymentSpec, status: z.unknown().optional() });
export const deploymentBody = deploymentFields.superRefine(
  schemaRule(({ spec }: z.infer<typeof deploymentFields>, report) => {
    checkNonNegative(spec.replicas, ["spec", "replicas"], report);
    checkNonNegative(spec.minReadySeconds, ["spec", "minReadySeconds"], report);
    checkNonNegative(spec.revisionHistoryLimit, ["spec", "revisionHistoryLimit"], report);
    checkSelectorAndTemplate(spec, report);
    const policy = spec.template.spec.restartPolicy;
    if (policy !== undefined && policy !== "Always") report.notSupported(["spec", "template", "spec", "restartPolicy"], policy, ["Always"]);
    const rolling = spec.strategy?.rollingUpdate;
    if (rolling) {
      if (spec.strategy?.type === "Recreate") report.invalid(["spec", "strategy", "rollingUpdate"], rolling, "may not be specified when strategy `type` is 'Recreate'");
      checkIntOrPercent(rolling.maxUnavailable, ["spec", "strategy", "rollingUpdate", "maxUnavailable"], report);
      checkIntOrPercent(rolling.maxSurge, ["spec", "strategy", "rollingUpdate", "maxSurge"], report);
      if ((rolling.maxUnavailable === 0 || rolling.maxUnavailable === "0%") && (rolling.maxSurge === 0 || rolling.maxSurge === "0%")) {
        report.invalid(["spec", "strategy", "rollingUpdate", "maxUnavailable"], rolling.maxUnavailable, "may not be 0 when `maxSurge` is 0");
      }
    }
  }),
);

const replicaSetFields = z.strictObject({ spec: replicaSetSpec, status: z.unknown().optional() });
export const replicaSetBody = replicaSetFields.superRefine(
  schemaRule(({ spec }: z.infer<typeof replicaSetFields>, report) => {
    checkNonNegative(spec.replicas, ["spec", "replicas"], report);
    checkNonNegative(spec.minReadySeconds, ["spec", "minReadySeconds"], report);
    checkSelectorAndTemplate(spec, report);
  }),
);
