// Istio sidecar injection (sidecar mode, demo profile): adds istio-init and istio-proxy to pods of injected namespaces.

import { isPlainObject, type Json, type JsonObject } from "./objects";
import type { ObjectInput } from "./store";

export const ISTIO_VERSION = "1.26.2";
export const PROXY_IMAGE = `docker.io/istio/proxyv2:${ISTIO_VERSION}`;

/** Namespaces the injector never touches, whatever their labels say. */
const ignoredNamespaces = new Set(["kube-system", "kube-public", "kube-node-lease", "local-path-storage", "istio-system"]);

/** Whether the injector would add a sidecar to this pod, given its namespace's labels (Istio's policy: enabled). */
export function wantsSidecar(pod: ObjectInput, namespaceLabels: Readonly<Record<string, string>> | undefined): boolean {
  const namespace = pod.metadata.namespace ?? "default";
  if (ignoredNamespaces.has(namespace)) return false;
  const spec = pod.spec;
  if (isPlainObject(spec) && spec.hostNetwork === true) return false;
  const podFlag = pod.metadata.labels?.["sidecar.istio.io/inject"] ?? pod.metadata.annotations?.["sidecar.istio.io/inject"];
  if (podFlag === "false") return false;
  const containers = isPlainObject(spec) && Array.isArray(spec.containers) ? spec.containers : [];
  if (containers.some((container) => isPlainObject(container) && container.name === "istio-proxy")) return false;
  const namespaceFlag = namespaceLabels?.["istio-injection"];
  if (namespaceFlag === "disabled") return false;
  if (namespaceFlag === "enabled") return true;
  if (namespaceLabels?.["istio.io/rev"] !== undefined) return true;
  return podFlag === "true";
}

function fieldEnv(name: string, fieldPath: string): JsonObject {
  return { name, valueFrom: { fieldRef: { apiVersion: "v1", fieldPath } } };
}

function resourceEnv(name: string, resource: string): JsonObject {
  return { name, valueFrom: { resourceFieldRef: { divisor: "0", resource } } };
}

/**
 * Mutates a pod (a draft, not a stored object) the way istio-sidecar-injector does: labels, annotations,
 * the istio-init init container, the istio-proxy container and the istio volumes.
 * `workload` names the owning workload (the Deployment for a ReplicaSet's pod).
 */
export function injectSidecar(pod: ObjectInput, workload: { kind: string; name: string; apiPath: string }): void {
  const spec = pod.spec as JsonObject;
  const namespace = pod.metadata.namespace ?? "default";
  const labels = { ...pod.metadata.labels };
  const appContainers = (Array.isArray(spec.containers) ? spec.containers : []).filter(isPlainObject);
  const appNames = appContainers.map((container) => String(container.name));
  const podPorts = appContainers.flatMap((container) => (Array.isArray(container.ports) ? container.ports : []));
  labels["security.istio.io/tlsMode"] = "istio";
  labels["service.istio.io/canonical-name"] = labels["service.istio.io/canonical-name"] ?? labels["app.kubernetes.io/name"] ?? labels.app ?? workload.name;
  labels["service.istio.io/canonical-revision"] = labels["service.istio.io/canonical-revision"] ?? labels["app.kubernetes.io/version"] ?? labels.version ?? "latest";
  pod.metadata.labels = labels;
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    "istio.io/rev": "default",
    "kubectl.kubernetes.io/default-container": appNames[0] ?? "istio-proxy",
    "kubectl.kubernetes.io/default-logs-container": appNames[0] ?? "istio-proxy",
    "prometheus.io/path": "/stats/prometheus",
    "prometheus.io/port": "15020",
    "prometheus.io/scrape": "true",
    "sidecar.istio.io/status": JSON.stringify({
      initContainers: ["istio-init"],
      containers: ["istio-proxy"],
      volumes: ["workload-socket", "credential-socket", "workload-certs", "istio-envoy", "istio-data", "istio-podinfo", "istio-token", "istiod-ca-cert"],
      imagePullSecrets: null,
      revision: "default",
    }),
  };
  const securityContext: JsonObject = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsGroup: 1337,
    runAsNonRoot: true,
    runAsUser: 1337,
  };
  const initContainer: JsonObject = {
    name: "istio-init",
    image: PROXY_IMAGE,
    imagePullPolicy: "IfNotPresent",
    args: ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020", "--log_output_level=default:info"],
    resources: { limits: { cpu: "2", memory: "1Gi" }, requests: { cpu: "10m", memory: "40Mi" } },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] },
      privileged: false,
      readOnlyRootFilesystem: false,
      runAsGroup: 0,
      runAsNonRoot: false,
      runAsUser: 0,
    },
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  };
  const proxy: JsonObject = {
    name: "istio-proxy",
    image: PROXY_IMAGE,
    imagePullPolicy: "IfNotPresent",
    args: ["proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local", "--proxyLogLevel=warning", "--proxyComponentLogLevel=misc:error", "--log_output_level=default:info"],
    env: [
      { name: "PILOT_CERT_PROVIDER", value: "istiod" },
      { name: "CA_ADDR", value: "istiod.istio-system.svc:15012" },
      fieldEnv("POD_NAME", "metadata.name"),
      fieldEnv("POD_NAMESPACE", "metadata.namespace"),
      fieldEnv("INSTANCE_IP", "status.podIP"),
      fieldEnv("SERVICE_ACCOUNT", "spec.serviceAccountName"),
      fieldEnv("HOST_IP", "status.hostIP"),
      resourceEnv("ISTIO_CPU_LIMIT", "limits.cpu"),
      { name: "PROXY_CONFIG", value: "{}\n" },
      { name: "ISTIO_META_POD_PORTS", value: JSON.stringify(podPorts) },
      { name: "ISTIO_META_APP_CONTAINERS", value: appNames.join(",") },
      resourceEnv("GOMEMLIMIT", "limits.memory"),
      resourceEnv("GOMAXPROCS", "limits.cpu"),
      { name: "ISTIO_META_CLUSTER_ID", value: "Kubernetes" },
      fieldEnv("ISTIO_META_NODE_NAME", "spec.nodeName"),
      { name: "ISTIO_META_INTERCEPTION_MODE", value: "REDIRECT" },
      { name: "ISTIO_META_WORKLOAD_NAME", value: workload.name },
      { name: "ISTIO_META_OWNER", value: `kubernetes://${workload.apiPath}/namespaces/${namespace}/${workload.kind}/${workload.name}` },
      { name: "ISTIO_META_MESH_ID", value: "cluster.local" },
      { name: "TRUST_DOMAIN", value: "cluster.local" },
    ],
    ports: [{ containerPort: 15090, name: "http-envoy-prom", protocol: "TCP" }],
    readinessProbe: {
      failureThreshold: 4,
      httpGet: { path: "/healthz/ready", port: 15021, scheme: "HTTP" },
      periodSeconds: 15,
      successThreshold: 1,
      timeoutSeconds: 3,
    },
    startupProbe: {
      failureThreshold: 600,
      httpGet: { path: "/healthz/ready", port: 15021, scheme: "HTTP" },
      periodSeconds: 1,
      successThreshold: 1,
      timeoutSeconds: 3,
    },
    resources: { limits: { cpu: "2", memory: "1Gi" }, requests: { cpu: "10m", memory: "40Mi" } },
    securityContext,
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    volumeMounts: [
      { mountPath: "/var/run/secrets/workload-spiffe-uds", name: "workload-socket" },
      { mountPath: "/var/run/secrets/credential-uds", name: "credential-socket" },
      { mountPath: "/var/run/secrets/workload-spiffe-credentials", name: "workload-certs" },
      { mountPath: "/var/run/secrets/istio", name: "istiod-ca-cert" },
      { mountPath: "/var/lib/istio/data", name: "istio-data" },
      { mountPath: "/etc/istio/proxy", name: "istio-envoy" },
      { mountPath: "/var/run/secrets/tokens", name: "istio-token" },
      { mountPath: "/etc/istio/pod", name: "istio-podinfo" },
    ],
  };
  const volumes: Json[] = [
    { emptyDir: {}, name: "workload-socket" },
    { emptyDir: {}, name: "credential-socket" },
    { emptyDir: {}, name: "workload-certs" },
    { emptyDir: { medium: "Memory" }, name: "istio-envoy" },
    { emptyDir: {}, name: "istio-data" },
    {
      downwardAPI: {
        defaultMode: 420,
        items: [
          { fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels" }, path: "labels" },
          { fieldRef: { apiVersion: "v1", fieldPath: "metadata.annotations" }, path: "annotations" },
        ],
      },
      name: "istio-podinfo",
    },
    { name: "istio-token", projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: "istio-ca", expirationSeconds: 43200, path: "istio-token" } }] } },
    { configMap: { defaultMode: 420, name: "istio-ca-root-cert" }, name: "istiod-ca-cert" },
  ];
  spec.initContainers = [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), initContainer];
  spec.containers = [...appContainers, proxy];
  spec.volumes = [...(Array.isArray(spec.volumes) ? spec.volumes : []), ...volumes];
}
