// The stand-in ingress gateway istioctl adds when analyzing files without a cluster (pkg/config/analysis/local/defaults.go).
import type { KubeObject } from "./resources";

export const DEFAULT_ISTIO_NAMESPACE = "istio-system";
export const DEFAULT_INGRESS_SERVICE = "istio-ingressgateway";

/** A Pod labelled `istio: ingressgateway` and the `istio-ingressgateway` Service (TCP 80, 443, 31400, 15443). */
export function defaultIngressObjects(namespace = DEFAULT_ISTIO_NAMESPACE, serviceName = DEFAULT_INGRESS_SERVICE): KubeObject[] {
  const ports = [
    { name: "http2", nodePort: 31380, port: 80 },
    { name: "https", nodePort: 31390, port: 443 },
    { name: "tcp", nodePort: 31400, port: 31400 },
    { name: "tls", nodePort: 31447, port: 15443 },
  ];
  return [
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `${serviceName}-dummypod`, namespace, labels: { istio: "ingressgateway" } },
      spec: { containers: [{ name: "istio-proxy" }] },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: serviceName, namespace },
      spec: {
        ports: ports.map((port) => ({ ...port, protocol: "TCP", targetPort: port.port })),
        selector: { istio: "ingressgateway" },
      },
    },
  ];
}
