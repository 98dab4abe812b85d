// The table of admitted kinds: group, served versions, name rule, body schema and metadata-aware rules for each.
import { z } from "zod";
import type { Report } from "./report";
import { destinationRuleSpec, type DestinationRuleSpec } from "./istio/destination-rule";
import { gatewaySpec } from "./istio/gateway";
import { authorizationPolicySpec, peerAuthenticationSpec, requestAuthenticationSpec } from "./istio/security";
import { serviceEntrySpec } from "./istio/service-entry";
import { sidecarSpec } from "./istio/sidecar";
import { virtualServiceSpec } from "./istio/virtual-service";
import { deploymentBody, replicaSetBody } from "./kubernetes/apps";
import { configMapBody, endpointsBody, namespaceBody, podBody, secretBody, serviceAccountBody, serviceBody } from "./kubernetes/core";
import type { NameRule, ObjectMeta } from "./kubernetes/meta";
import { isIstioDnsLabel } from "./primitives";

/** How one kind is admitted. */
export interface KindAdmission {
  group: string;
  versions: string[];
  kind: string;
  nameRule: NameRule;
  /** Schema of everything but apiVersion, kind and metadata (paths are relative to the object root). */
  body: z.ZodType;
  /** Istio kinds: a missing spec is validated as `{}` (the webhook sees an empty message). */
  defaultSpec: boolean;
  /** Rules that need metadata (name, namespace) as well as the admitted body. */
  withMetadata?: (meta: ObjectMeta, body: Record<string, unknown>, report: Report) => void;
}

const NETWORKING = "networking.istio.io";
const SECURITY = "security.istio.io";
const NETWORKING_VERSIONS = ["v1", "v1beta1", "v1alpha3"];
const SECURITY_VERSIONS = ["v1", "v1beta1"];

function istioBody(spec: z.ZodType): z.ZodType {
  return z.strictObject({ spec, status: z.unknown().optional() });
}

function specOf<T>(body: Record<string, unknown>): T {
  return body.spec as T;
}

/** `.` stands for the object's own namespace, so listing both is a duplicate. */
function exportToWithNamespace(meta: ObjectMeta, exportTo: readonly string[] | undefined, report: Report): void {
  if (!meta.namespace || !exportTo) return;
  const own = exportTo.indexOf(meta.namespace);
  if (own >= 0 && exportTo.includes(".")) report.duplicate(["spec", "exportTo", own], meta.namespace, `"." already stands for the current namespace ${meta.namespace}`);
}

const DRY_RUN_ANNOTATION = "istio.io/dry-run";

/** Only AuthorizationPolicy (action ALLOW or DENY) understands the `istio.io/dry-run` annotation, and its value is a boolean. */
function checkDryRunAnnotation(kind: string, meta: ObjectMeta, body: Record<string, unknown>, report: Report): void {
  const value = meta.annotations?.[DRY_RUN_ANNOTATION];
  if (value === undefined) return;
  const path = ["metadata", "annotations", DRY_RUN_ANNOTATION];
  if (kind !== "AuthorizationPolicy") {
    report.invalid(path, value, `${kind} does not support the ${DRY_RUN_ANNOTATION} annotation; remove it`);
    return;
  }
  const action = specOf<{ action?: string }>(body).action ?? "ALLOW";
  if (action !== "ALLOW" && action !== "DENY") report.invalid(path, value, `${DRY_RUN_ANNOTATION} only supports action ALLOW or DENY, found ${action}`);
  else if (!/^(?:1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(value)) report.invalid(path, value, "must be a boolean (true or false)");
}

function istioKind(kind: string, group: string, versions: string[], spec: z.ZodType, kindRules?: KindAdmission["withMetadata"]): KindAdmission {
  return {
    group,
    versions,
    kind,
    nameRule: "dns1123-subdomain",
    body: istioBody(spec),
    defaultSpec: true,
    withMetadata: (meta, body, report) => {
      checkDryRunAnnotation(kind, meta, body, report);
      kindRules?.(meta, body, report);
    },
  };
}

function coreKind(kind: string, group: string, nameRule: NameRule, body: z.ZodType): KindAdmission {
  return { group, versions: ["v1"], kind, nameRule, body, defaultSpec: false };
}

const exportToRule: KindAdmission["withMetadata"] = (meta, body, report) =>
  exportToWithNamespace(meta, specOf<{ exportTo?: string[] }>(body).exportTo, report);

/** Every kind the embedded API admits. */
export const KINDS: readonly KindAdmission[] = [
  istioKind("VirtualService", NETWORKING, NETWORKING_VERSIONS, virtualServiceSpec, exportToRule),
  istioKind("DestinationRule", NETWORKING, NETWORKING_VERSIONS, destinationRuleSpec, (meta, body, report) => {
    const spec = specOf<DestinationRuleSpec>(body);
    exportToWithNamespace(meta, spec.exportTo, report);
    if (spec.workloadSelector && spec.exportTo && spec.exportTo.length > 0) {
      const own = new Set([".", meta.namespace ?? "."]);
      if (spec.exportTo.some((entry) => !own.has(entry))) {
        report.invalid(["spec", "exportTo"], spec.exportTo, "a destination rule with a workload selector cannot be exported beyond its own namespace");
      }
    }
  }),
  istioKind("Gateway", NETWORKING, NETWORKING_VERSIONS, gatewaySpec, (meta, _body, report) => {
    if (meta.name && !isIstioDnsLabel(meta.name)) report.invalid(["metadata", "name"], meta.name, "invalid gateway name: a Gateway name must be a DNS-1123 label (no dots)");
  }),
  istioKind("ServiceEntry", NETWORKING, NETWORKING_VERSIONS, serviceEntrySpec, exportToRule),
  istioKind("Sidecar", NETWORKING, NETWORKING_VERSIONS, sidecarSpec),
  istioKind("PeerAuthentication", SECURITY, SECURITY_VERSIONS, peerAuthenticationSpec),
  istioKind("AuthorizationPolicy", SECURITY, SECURITY_VERSIONS, authorizationPolicySpec),
  istioKind("RequestAuthentication", SECURITY, SECURITY_VERSIONS, requestAuthenticationSpec),
  coreKind("Namespace", "", "dns1123-label", namespaceBody),
  coreKind("Service", "", "dns1035-label", serviceBody),
  coreKind("Pod", "", "dns1123-subdomain", podBody),
  coreKind("ConfigMap", "", "dns1123-subdomain", configMapBody),
  coreKind("Secret", "", "dns1123-subdomain", secretBody),
  coreKind("ServiceAccount", "", "dns1123-subdomain", serviceAccountBody),
  coreKind("Endpoints", "", "dns1123-subdomain", endpointsBody),
  coreKind("Deployment", "apps", "dns1123-subdomain", deploymentBody),
  coreKind("ReplicaSet", "apps", "dns1123-subdomain", replicaSetBody),
];
