// IST0106: Istio resources that the API server (CRD schema) or Istio's validating webhook would refuse.
import { admit } from "@/cluster/embedded/admission";
import type { Analyzer } from "../../analyzer";
import { SchemaValidationError } from "../../messages";
import { KINDS, KIND_NAMES, type Resource } from "../../resources";

const ISTIO_KINDS = KIND_NAMES.filter((kind) => KINDS[kind].istio);

/** The object as admission sees it: with the namespace it was analyzed in. */
function admissionView(resource: Resource): Parameters<typeof admit>[0] {
  const metadata = { ...(resource.object.metadata ?? {}) };
  if (resource.namespace) metadata.namespace = resource.namespace;
  return { ...resource.object, metadata };
}

export const schemaValidationAnalyzer: Analyzer = {
  metadata: {
    name: "schema.ValidationAnalyzer",
    description: "Runs schema validation as an analyzer on Istio resources",
    inputs: ISTIO_KINDS,
  },
  analyze(ctx) {
    for (const kind of ISTIO_KINDS) {
      for (const resource of ctx.list(kind)) {
        for (const cause of admit(admissionView(resource))) {
          ctx.report(resource, SchemaValidationError, [cause.field ? `${cause.field}: ${cause.message}` : cause.message], cause.field || undefined);
        }
      }
    }
  },
};
