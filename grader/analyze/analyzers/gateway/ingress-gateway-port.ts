// IST0101 (selector) and IST0162: a Gateway's selector must match a pod, and each server port must be a target port
// of a Service selecting that pod.
import type { AnalysisContext, Analyzer } from "../../analyzer";
import { GatewayPortNotDefinedOnService, ReferencedResourceNotFound } from "../../messages";
import { selectorMatches, selectorString, type Resource } from "../../resources";

/** Field of the first selector label, where istioctl points selector messages. */
export function selectorField(gateway: Resource<"Gateway">): string {
  const first = Object.keys(gateway.spec.selector).sort()[0];
  return first === undefined ? "spec.selector" : `spec.selector.${first}`;
}

/** The port a Service forwards to: a numeric targetPort, else the service port. */
function targetPortOf(port: Resource<"Service">["spec"]["ports"][number]): number {
  const target = typeof port.targetPort === "number" ? port.targetPort : Number.parseInt(port.targetPort ?? "", 10);
  return Number.isInteger(target) && target !== 0 ? target : port.port;
}

function analyzeGateway(ctx: AnalysisContext, gateway: Resource<"Gateway">, servicesByPod: Map<Resource<"Pod">, Resource<"Service">[]>): void {
  const selector = gateway.spec.selector;
  const targetPorts = new Set<number>();
  let selectedPods = 0;
  for (const pod of ctx.list("Pod")) {
    if (!selectorMatches(selector, pod.labels)) continue;
    selectedPods++;
    for (const service of servicesByPod.get(pod) ?? []) {
      for (const port of service.spec.ports) if (port.protocol === "TCP") targetPorts.add(targetPortOf(port));
    }
  }
  const field = selectorField(gateway);
  if (selectedPods === 0) {
    ctx.report(gateway, ReferencedResourceNotFound, ["selector", selectorString(selector)], field);
    return;
  }
  for (const server of gateway.spec.servers) {
    if (server.port && !targetPorts.has(server.port.number)) {
      ctx.report(gateway, GatewayPortNotDefinedOnService, [server.port.number, selectorString(selector)], field);
    }
  }
}

export const ingressGatewayPortAnalyzer: Analyzer = {
  metadata: {
    name: "gateway.IngressGatewayPortAnalyzer",
    description: "Checks a gateway's ports against the gateway's Kubernetes service ports",
    inputs: ["Gateway", "Pod", "Service"],
  },
  analyze(ctx) {
    const pods = ctx.list("Pod");
    const servicesByPod = new Map<Resource<"Pod">, Resource<"Service">[]>();
    for (const service of ctx.list("Service")) {
      for (const pod of pods) {
        if (pod.namespace === service.namespace && selectorMatches(service.spec.selector, pod.labels)) {
          servicesByPod.set(pod, [...(servicesByPod.get(pod) ?? []), service]);
        }
      }
    }
    for (const gateway of ctx.list("Gateway")) analyzeGateway(ctx, gateway, servicesByPod);
  },
};
