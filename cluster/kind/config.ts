// What a kind learner cluster is made of: pinned versions, the kind cluster config (unique name, loopback API,
// no fixed host ports), the IstioOperator for the demo profile with a NodePort ingress, and the workload manifests.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

/** kind release whose node images we pin (it lists v1.32.2, inside Istio 1.26's supported 1.29–1.32). */
export const KIND_VERSION = "v0.27.0";
export const KIND_NODE_IMAGE = "kindest/node:v1.32.2@sha256:f226345927d7e348497136874b6d207e0b32cc52154ad8323129352923a3142f";
/** The Istio release the ICA exam runs. */
export const ISTIO_VERSION = "1.26.2";
export const ISTIO_MINOR = "1.26";
/** Gateway NodePort mapped into the kind node (kind containerPort must equal the nodePort). */
export const INGRESS_NODE_PORT = 30080;

/** Every cluster we create starts with this, so reconciliation can tell ours from anyone else's. */
export const CLUSTER_NAME_PREFIX = "ica-";
/** kind warns above 50 characters (the node hostname appends "-control-plane"). */
export const CLUSTER_NAME_MAX = 50;
const clusterNamePattern = /^[a-z0-9][a-z0-9.-]*$/;

/** Rejects names kind (or our prefix rule) would refuse, with the reason. */
export function validateClusterName(name: string): void {
  if (!name.startsWith(CLUSTER_NAME_PREFIX)) throw new Error(`cluster name "${name}" must start with "${CLUSTER_NAME_PREFIX}"`);
  if (name.length > CLUSTER_NAME_MAX) throw new Error(`cluster name "${name}" is longer than ${CLUSTER_NAME_MAX} characters`);
  if (!clusterNamePattern.test(name)) throw new Error(`cluster name "${name}" may only hold lowercase letters, digits, '.' and '-'`);
}

/** The kind Cluster config: one control-plane node, API on loopback with a random port, gateway NodePort on a free host port. */
export function kindClusterConfig(name: string, nodeImage = KIND_NODE_IMAGE): string {
  validateClusterName(name);
  return stringify({
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    name,
    networking: { apiServerAddress: "127.0.0.1" },
    nodes: [
      {
        role: "control-plane",
        image: nodeImage,
        extraPortMappings: [{ containerPort: INGRESS_NODE_PORT, hostPort: 0, listenAddress: "127.0.0.1", protocol: "TCP" }],
      },
    ],
  });
}

/** IstioOperator for `istioctl install -f`: demo profile, ingress gateway as NodePort (kind has no LoadBalancer). */
export function istioOperatorConfig(): string {
  return stringify({
    apiVersion: "install.istio.io/v1alpha1",
    kind: "IstioOperator",
    spec: {
      profile: "demo",
      components: {
        ingressGateways: [
          {
            name: "istio-ingressgateway",
            enabled: true,
            k8s: {
              service: {
                type: "NodePort",
                ports: [
                  { name: "status-port", port: 15021, targetPort: 15021 },
                  { name: "http2", port: 80, targetPort: 8080, nodePort: INGRESS_NODE_PORT },
                  { name: "https", port: 443, targetPort: 8443 },
                ],
              },
            },
          },
        ],
      },
    },
  });
}

/** Deployments that must be Available once Istio is installed (istioctl's demo profile). */
export const ISTIO_DEPLOYMENTS = [
  { namespace: "istio-system", name: "istiod" },
  { namespace: "istio-system", name: "istio-ingressgateway" },
  { namespace: "istio-system", name: "istio-egressgateway" },
] as const;

/** The namespace learners work in; labelled for sidecar injection. */
export const WORKLOAD_NAMESPACE = "default";

/** Workload manifests applied after istiod is Available (the injection webhook fails closed before that). */
export const WORKLOAD_MANIFESTS = ["bookinfo.yaml", "destination-rules.yaml", "bookinfo-gateway.yaml", "clients.yaml"] as const;

/** The text of one of the manifests shipped beside this file (or, in a bundled server, under the app's cluster/kind). */
export function workloadManifest(file: (typeof WORKLOAD_MANIFESTS)[number]): string {
  const beside = fileURLToPath(new URL(`./manifests/${file}`, import.meta.url));
  return readFileSync(existsSync(beside) ? beside : path.join(process.cwd(), "cluster/kind/manifests", file), "utf8");
}
