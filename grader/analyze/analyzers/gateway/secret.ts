// IST0101 (selector, credentialName): a TLS server's credentialName must name a Secret in the gateway workload's namespace.
import type { Analyzer } from "../../analyzer";
import { ReferencedResourceNotFound } from "../../messages";
import { selectorMatches, selectorString } from "../../resources";
import { selectorField } from "./ingress-gateway-port";

export const secretAnalyzer: Analyzer = {
  metadata: {
    name: "gateway.SecretAnalyzer",
    description: "Checks a gateway's referenced secrets for correctness",
    inputs: ["Gateway", "Pod", "Secret"],
  },
  analyze(ctx) {
    const pods = ctx.list("Pod");
    for (const gateway of ctx.list("Gateway")) {
      // Secrets are read from the namespace of the gateway workload, not of the Gateway resource.
      const workload = pods.find((pod) => selectorMatches(gateway.spec.selector, pod.labels));
      if (!workload) {
        ctx.report(gateway, ReferencedResourceNotFound, ["selector", selectorString(gateway.spec.selector)], selectorField(gateway));
        continue;
      }
      gateway.spec.servers.forEach((server, index) => {
        const credentialName = server.tls?.credentialName ?? "";
        if (credentialName === "") return;
        const slash = credentialName.indexOf("/");
        const [namespace, name] = slash < 0 ? [workload.namespace, credentialName] : [credentialName.slice(0, slash), credentialName.slice(slash + 1)];
        if (!ctx.find("Secret", namespace, name)) {
          ctx.report(gateway, ReferencedResourceNotFound, ["credentialName", credentialName], `spec.servers[${index}].tls.credentialName`);
        }
      });
    }
  },
};
