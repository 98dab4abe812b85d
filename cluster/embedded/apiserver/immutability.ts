// Update rules of built-in kinds that the API server enforces before admission: what a Pod update may change,
// and fields that are immutable once set (Deployment and ReplicaSet selectors, a Service's cluster IP).

import { cloneJson, isPlainObject, jsonEqual, type Json, type JsonObject, type KubeObject } from "../objects";
import type { StatusCause } from "./errors";

function specOf(obj: KubeObject): JsonObject {
  return isPlainObject(obj.spec) ? obj.spec : {};
}

/** The pod spec with the mutable parts blanked, so that two specs compare equal when only those differ. */
function podSpecWithoutMutableFields(spec: JsonObject, reference: JsonObject): JsonObject {
  const copy = cloneJson(spec);
  for (const field of ["containers", "initContainers"]) {
    const list = copy[field];
    if (Array.isArray(list)) for (const container of list) if (isPlainObject(container)) delete container.image;
  }
  delete copy.activeDeadlineSeconds;
  const tolerations = Array.isArray(copy.tolerations) ? copy.tolerations : [];
  const before = Array.isArray(reference.tolerations) ? reference.tolerations : [];
  if (before.every((entry) => tolerations.some((candidate) => jsonEqual(candidate, entry)))) delete copy.tolerations;
  return copy;
}

function goValue(value: Json | undefined): string {
  return JSON.stringify(value ?? null);
}

/** Causes that make an update of `current` into `next` invalid; empty when the update is allowed. */
export function updateCauses(resource: string, current: KubeObject, next: KubeObject): StatusCause[] {
  const before = specOf(current);
  const after = specOf(next);
  switch (resource) {
    case "pods": {
      if (jsonEqual(podSpecWithoutMutableFields(before, before), podSpecWithoutMutableFields(after, before))) return [];
      return [
        {
          reason: "FieldValueForbidden",
          field: "spec",
          message:
            "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
        },
      ];
    }
    case "apps/deployments":
    case "apps/replicasets":
      if (before.selector === undefined || jsonEqual(before.selector, after.selector)) return [];
      return [{ reason: "FieldValueInvalid", field: "spec.selector", message: `Invalid value: ${goValue(after.selector)}: field is immutable` }];
    case "services": {
      const previous = before.clusterIP;
      if (typeof previous !== "string" || previous === "" || after.clusterIP === previous) return [];
      return [{ reason: "FieldValueInvalid", field: "spec.clusterIPs[0]", message: `Invalid value: ${goValue(after.clusterIP)}: may not change once set` }];
    }
    default:
      return [];
  }
}
