// Admission for the embedded Kubernetes API: schema validation (CRD structural schemas, apiserver rules) then Istio's webhook rules.
import type { z } from "zod";
import { causesFromIssues, type AdmissionStage, type FieldCause, type StagedCause } from "./causes";
import { KINDS, type KindAdmission } from "./kinds";
import { objectMeta, type NameRule, type ObjectMeta } from "./kubernetes/meta";
import { collectingReport } from "./report";
import { destinationRuleSpec, type DestinationRuleSpec } from "./istio/destination-rule";
import { gatewaySpec, type GatewaySpec } from "./istio/gateway";
import {
  authorizationPolicySpec,
  peerAuthenticationSpec,
  requestAuthenticationSpec,
  type AuthorizationPolicySpec,
  type PeerAuthenticationSpec,
  type RequestAuthenticationSpec,
} from "./istio/security";
import { serviceEntrySpec, type ServiceEntrySpec } from "./istio/service-entry";
import { sidecarSpec, type SidecarSpec } from "./istio/sidecar";
import { virtualServiceSpec, type VirtualServiceSpec } from "./istio/virtual-service";

export type { AdmissionStage, FieldCause } from "./causes";
export { formatFieldPath } from "./causes";
export { parseDurationMs, parseDurationNanos } from "./primitives";
export * from "./istio/common";
export * from "./istio/virtual-service";
export * from "./istio/destination-rule";
export * from "./istio/gateway";
export * from "./istio/service-entry";
export * from "./istio/sidecar";
export * from "./istio/security";
export { objectMeta, labelSelector, selectorMatches, type LabelSelector, type ObjectMeta } from "./kubernetes/meta";
export {
  container,
  podSpec,
  serviceSpec,
  endpointSubset,
  type Container,
  type PodSpec,
  type ServiceSpec,
  type EndpointSubset,
  type ServicePort as KubernetesServicePort,
} from "./kubernetes/core";
export { deploymentSpec, replicaSetSpec, podTemplateSpec, type DeploymentSpec, type ReplicaSetSpec, type PodTemplateSpec } from "./kubernetes/apps";

/** An Istio config object whose spec has passed admission. */
export interface IstioObject<Kind extends string, Spec> {
  apiVersion: string;
  kind: Kind;
  metadata: ObjectMeta;
  spec: Spec;
  status?: unknown;
}
export type VirtualService = IstioObject<"VirtualService", VirtualServiceSpec>;
export type DestinationRule = IstioObject<"DestinationRule", DestinationRuleSpec>;
export type Gateway = IstioObject<"Gateway", GatewaySpec>;
export type ServiceEntry = IstioObject<"ServiceEntry", ServiceEntrySpec>;
export type Sidecar = IstioObject<"Sidecar", SidecarSpec>;
export type PeerAuthentication = IstioObject<"PeerAuthentication", PeerAuthenticationSpec>;
export type AuthorizationPolicy = IstioObject<"AuthorizationPolicy", AuthorizationPolicySpec>;
export type RequestAuthentication = IstioObject<"RequestAuthentication", RequestAuthenticationSpec>;

/** The spec schema of each Istio kind, for code that reads stored objects back into typed specs. */
export const istioSpecSchemas = {
  VirtualService: virtualServiceSpec,
  DestinationRule: destinationRuleSpec,
  Gateway: gatewaySpec,
  ServiceEntry: serviceEntrySpec,
  Sidecar: sidecarSpec,
  PeerAuthentication: peerAuthenticationSpec,
  AuthorizationPolicy: authorizationPolicySpec,
  RequestAuthentication: requestAuthenticationSpec,
} as const;

/** The object shape admit() accepts (what a client sent, before any typing). */
export interface AdmissionObject {
  apiVersion: string;
  kind: string;
  metadata?: unknown;
  spec?: unknown;
  [k: string]: unknown;
}

/** The outcome of admission: the causes, and which step refused the object (null when admitted). */
export interface AdmissionReview {
  causes: FieldCause[];
  deniedBy: AdmissionStage | null;
}

/** Kinds with a schema here (group/version/kind). */
export const admittedKinds: ReadonlyArray<{ group: string; versions: string[]; kind: string }> = KINDS.map((entry) => ({
  group: entry.group,
  versions: [...entry.versions],
  kind: entry.kind,
}));

const KIND_INDEX = new Map<string, KindAdmission>(KINDS.map((entry) => [`${entry.group}/${entry.kind}`, entry]));
const META_SCHEMAS: Readonly<Record<NameRule, z.ZodType>> = {
  "dns1123-subdomain": objectMeta("dns1123-subdomain"),
  "dns1123-label": objectMeta("dns1123-label"),
  "dns1035-label": objectMeta("dns1035-label"),
};

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function quoted(values: readonly string[]): string {
  return values.map((value) => JSON.stringify(value)).join(", ");
}

function lookup(obj: AdmissionObject): KindAdmission | FieldCause {
  const { group, version } = splitApiVersion(typeof obj.apiVersion === "string" ? obj.apiVersion : "");
  const entry = KIND_INDEX.get(`${group}/${obj.kind}`);
  if (!entry) {
    const kinds = KINDS.filter((candidate) => candidate.group === group).map((candidate) => candidate.kind);
    return {
      reason: "FieldValueNotSupported",
      field: "kind",
      message: `Unsupported value: ${JSON.stringify(obj.kind)}: ${kinds.length > 0 ? `supported kinds in ${group || "core"}/${version}: ${quoted(kinds)}` : `no kinds are served for apiVersion ${JSON.stringify(obj.apiVersion)}`}`,
    };
  }
  if (!entry.versions.includes(version)) {
    const served = entry.versions.map((served) => (group ? `${group}/${served}` : served));
    return { reason: "FieldValueNotSupported", field: "apiVersion", message: `Unsupported value: ${JSON.stringify(obj.apiVersion)}: supported values: ${quoted(served)}` };
  }
  return entry;
}

/**
 * Drops object properties whose value is null, as the API server does before validating (CRD fields that are not
 * nullable are pruned; built-in types decode null as unset). Returns the same reference when there is nothing to drop.
 */
function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (const [index, item] of value.entries()) {
      const cleaned = withoutNulls(item);
      if (cleaned !== item) {
        copy ??= [...value];
        copy[index] = cleaned;
      }
    }
    return (copy ?? value) as T;
  }
  if (typeof value !== "object" || value === null) return value;
  let copy: Record<string, unknown> | null = null;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const item = record[key];
    if (item === null) {
      copy ??= { ...(value as Record<string, unknown>) };
      delete copy[key];
      continue;
    }
    const cleaned = withoutNulls(item);
    if (cleaned !== item) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[key] = cleaned;
    }
  }
  return (copy ?? value) as T;
}

function strip(causes: readonly StagedCause[]): FieldCause[] {
  return causes.map(({ reason, field, message }) => ({ reason, field, message }));
}

/**
 * Admits an object like the Kubernetes API server with Istio's validating webhook installed: the schema step
 * (unknown fields, types, enums, required fields, metadata) runs first; only an object that passes it reaches
 * the webhook's semantic rules. Returns the causes of the step that refused it.
 */
export function review(submitted: AdmissionObject): AdmissionReview {
  const obj = withoutNulls(submitted);
  const found = lookup(obj);
  if (!("body" in found)) return { causes: [found], deniedBy: "schema" };
  const entry = found;
  const { apiVersion: _apiVersion, kind: _kind, metadata, ...rest } = obj;
  const metaSchema = META_SCHEMAS[entry.nameRule];
  const staged: StagedCause[] = [];
  const metaResult = metaSchema.safeParse(metadata ?? {}, { reportInput: true });
  if (!metaResult.success) staged.push(...causesFromIssues(metaResult.error.issues, metaSchema, "metadata"));
  const body = entry.defaultSpec && rest.spec === undefined ? { ...rest, spec: {} } : rest;
  const bodyResult = entry.body.safeParse(body, { reportInput: true });
  if (!bodyResult.success) staged.push(...causesFromIssues(bodyResult.error.issues, entry.body));
  const schemaCauses = staged.filter((cause) => cause.stage === "schema");
  if (schemaCauses.length > 0) return { causes: strip(schemaCauses), deniedBy: "schema" };
  if (metaResult.success && entry.withMetadata) {
    const { report, causes } = collectingReport("webhook");
    entry.withMetadata(metaResult.data as ObjectMeta, body as Record<string, unknown>, report);
    staged.push(...causes);
  }
  if (staged.length > 0) return { causes: strip(staged), deniedBy: "webhook" };
  return { causes: [], deniedBy: null };
}

/** Validates an object of a kind the API serves; returns [] when it is admissible. */
export function admit(obj: { apiVersion: string; kind: string; metadata?: unknown; spec?: unknown; [k: string]: unknown }): FieldCause[] {
  return review(obj).causes;
}
