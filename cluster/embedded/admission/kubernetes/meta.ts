// Kubernetes ObjectMeta and LabelSelector schemas with the apiserver's generic metadata rules (names, labels, annotations).
import { z } from "zod";
import { dns1035LabelProblem, dns1123LabelProblem, dns1123SubdomainProblem, labelValueProblem, qualifiedNameProblem } from "../primitives";
import { schemaRule, type Path, type Report } from "../report";

/** How an object's metadata.name must look for its kind. */
export type NameRule = "dns1123-subdomain" | "dns1123-label" | "dns1035-label";

const ownerReference = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

const objectMetaFields = z.strictObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  selfLink: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  creationTimestamp: z.string().nullable().optional(),
  deletionTimestamp: z.string().nullable().optional(),
  deletionGracePeriodSeconds: z.int().nullable().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  ownerReferences: z.array(ownerReference).optional(),
  finalizers: z.array(z.string()).optional(),
  managedFields: z.array(z.looseObject({})).optional(),
});
/** Object metadata as stored by the API server. */
export type ObjectMeta = z.infer<typeof objectMetaFields>;

const MAX_ANNOTATIONS_BYTES = 256 * 1024;

const NAME_PROBLEMS: Readonly<Record<NameRule, (name: string) => string | null>> = {
  "dns1123-subdomain": dns1123SubdomainProblem,
  "dns1123-label": dns1123LabelProblem,
  "dns1035-label": dns1035LabelProblem,
};

/** Validates a label map: keys are qualified names, values valid label values. */
export function checkLabelMap(labels: Readonly<Record<string, string>> | undefined, path: Path, report: Report): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) report.invalid([...path, key], key, keyProblem);
    const valueProblem = labelValueProblem(value);
    if (valueProblem) report.invalid([...path, key], value, valueProblem);
  }
}

function checkObjectMeta(meta: ObjectMeta, report: Report, nameRule: NameRule): void {
  const nameProblem = NAME_PROBLEMS[nameRule];
  if (meta.name === undefined || meta.name === "") {
    if (!meta.generateName) report.required(["name"], "name or generateName is required");
  } else {
    const problem = nameProblem(meta.name);
    if (problem) report.invalid(["name"], meta.name, problem);
  }
  if (meta.generateName) {
    const stem = meta.generateName.replace(/-+$/, "") || "a";
    const problem = nameProblem(stem);
    if (problem) report.invalid(["generateName"], meta.generateName, problem);
  }
  if (meta.namespace !== undefined && meta.namespace !== "") {
    const problem = dns1123LabelProblem(meta.namespace);
    if (problem) report.invalid(["namespace"], meta.namespace, problem);
  }
  checkLabelMap(meta.labels, ["labels"], report);
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    const problem = qualifiedNameProblem(key.toLowerCase());
    if (problem) report.invalid(["annotations", key], key, problem);
    annotationBytes += key.length + value.length;
  }
  if (annotationBytes > MAX_ANNOTATIONS_BYTES) report.invalid(["annotations"], `${annotationBytes} bytes`, "may not be more than 262144 bytes");
}

/** ObjectMeta schema whose name must follow the given rule. */
export function objectMeta(nameRule: NameRule) {
  return objectMetaFields.superRefine(schemaRule((meta: ObjectMeta, report) => checkObjectMeta(meta, report, nameRule)));
}

/** Metadata of an embedded template (pod templates): no name needed, labels and annotations still checked. */
export const templateMeta = objectMetaFields.superRefine(
  schemaRule((meta: ObjectMeta, report) => {
    checkLabelMap(meta.labels, ["labels"], report);
    for (const key of Object.keys(meta.annotations ?? {})) {
      const problem = qualifiedNameProblem(key.toLowerCase());
      if (problem) report.invalid(["annotations", key], key, problem);
    }
  }),
);

export const labelSelectorRequirement = z.strictObject({
  key: z.string(),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
  values: z.array(z.string()).optional(),
});

/** metav1.LabelSelector. */
export const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(labelSelectorRequirement).optional(),
});
export type LabelSelector = z.infer<typeof labelSelector>;

/** Validates a LabelSelector (label syntax, operator/value pairing). */
export function checkLabelSelector(selector: LabelSelector, path: Path, report: Report): void {
  checkLabelMap(selector.matchLabels, [...path, "matchLabels"], report);
  for (const [index, requirement] of (selector.matchExpressions ?? []).entries()) {
    const at = [...path, "matchExpressions", index];
    const keyProblem = qualifiedNameProblem(requirement.key);
    if (keyProblem) report.invalid([...at, "key"], requirement.key, keyProblem);
    const count = requirement.values?.length ?? 0;
    if ((requirement.operator === "In" || requirement.operator === "NotIn") && count === 0) {
      report.required([...at, "values"], "must be specified when `operator` is 'In' or 'NotIn'");
    }
    if ((requirement.operator === "Exists" || requirement.operator === "DoesNotExist") && count > 0) {
      report.invalid([...at, "values"], requirement.values, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    }
  }
}

/** True when the labels satisfy the selector (an empty selector matches everything). */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const requirement of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, requirement.key);
    const value = labels[requirement.key];
    const listed = value !== undefined && (requirement.values ?? []).includes(value);
    if (requirement.operator === "In" && !listed) return false;
    if (requirement.operator === "NotIn" && has && listed) return false;
    if (requirement.operator === "Exists" && !has) return false;
    if (requirement.operator === "DoesNotExist" && has) return false;
  }
  return true;
}
