// IST0128 and IST0129: SIMPLE or MUTUAL client TLS without caCertificates leaves the server identity unverified.
import type { Analyzer } from "../../analyzer";
import { NoServerCertificateVerificationDestinationLevel, NoServerCertificateVerificationPortLevel } from "../../messages";
import type { DestinationRuleView, Resource } from "../../resources";

type ClientTls = NonNullable<NonNullable<DestinationRuleView["trafficPolicy"]>["tls"]>;

function verifiesNothing(tls: ClientTls | undefined, rule: Resource<"DestinationRule">): tls is ClientTls {
  if (!tls || (tls.mode !== "SIMPLE" && tls.mode !== "MUTUAL")) return false;
  if (tls.caCertificates !== "") return false;
  // A credentialName on a workload-scoped rule supplies the CA from the secret.
  return !(tls.credentialName !== "" && rule.spec.workloadSelector !== undefined);
}

export const caCertificateAnalyzer: Analyzer = {
  metadata: {
    name: "destinationrule.CaCertificateAnalyzer",
    description: "Checks if caCertificates is set when TLS mode is SIMPLE/MUTUAL",
    inputs: ["DestinationRule"],
  },
  analyze(ctx) {
    for (const rule of ctx.list("DestinationRule")) {
      const policy = rule.spec.trafficPolicy;
      if (verifiesNothing(policy?.tls, rule)) {
        ctx.report(rule, NoServerCertificateVerificationDestinationLevel, [rule.fullName, rule.namespace, policy.tls.mode, rule.spec.host], "spec.trafficPolicy.tls.caCertificates");
      }
      policy?.portLevelSettings.forEach((setting, index) => {
        if (!verifiesNothing(setting.tls, rule)) return;
        const port = setting.port ? `number:${setting.port.number}` : "";
        ctx.report(rule, NoServerCertificateVerificationPortLevel, [rule.fullName, rule.namespace, setting.tls.mode, rule.spec.host, port], `spec.trafficPolicy.portLevelSettings[${index}].tls.caCertificates`);
      });
    }
  },
};
