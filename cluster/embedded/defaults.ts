// API defaulting for built-in kinds: the fields the Kubernetes API server fills in when an object is stored.

import { isPlainObject, type Json, type JsonObject, type KubeObject } from "./objects";
import type { ClusterStore, ObjectInput } from "./store";

function setDefault(target: JsonObject, key: string, value: Json): void {
  if (target[key] === undefined) target[key] = value;
}

function objectField(target: JsonObject, key: string): JsonObject {
  const current = target[key];
  if (isPlainObject(current)) return current;
  const created: JsonObject = {};
  target[key] = created;
  return created;
}

function imagePullPolicyFor(image: string): string {
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  if (lastSegment.includes("@")) return "IfNotPresent";
  const colon = lastSegment.indexOf(":");
  return colon < 0 || lastSegment.slice(colon + 1) === "latest" ? "Always" : "IfNotPresent";
}

function defaultContainer(container: Json): void {
  if (!isPlainObject(container)) return;
  setDefault(container, "terminationMessagePath", "/dev/termination-log");
  setDefault(container, "terminationMessagePolicy", "File");
  if (typeof container.image === "string") setDefault(container, "imagePullPolicy", imagePullPolicyFor(container.image));
  setDefault(container, "resources", {});
  if (Array.isArray(container.ports)) {
    for (const port of container.ports) if (isPlainObject(port)) setDefault(port, "protocol", "TCP");
  }
}

/** Pod spec defaults shared by Pods and pod templates. */
export function defaultPodSpec(spec: JsonObject): void {
  for (const list of ["containers", "initContainers"]) {
    const containers = spec[list];
    if (Array.isArray(containers)) containers.forEach(defaultContainer);
  }
  setDefault(spec, "restartPolicy", "Always");
  setDefault(spec, "terminationGracePeriodSeconds", 30);
  setDefault(spec, "dnsPolicy", "ClusterFirst");
  setDefault(spec, "securityContext", {});
  setDefault(spec, "schedulerName", "default-scheduler");
  if (typeof spec.serviceAccountName === "string") setDefault(spec, "serviceAccount", spec.serviceAccountName);
}

function defaultPod(pod: ObjectInput): void {
  const spec = objectField(pod as unknown as JsonObject, "spec");
  defaultPodSpec(spec);
  setDefault(spec, "serviceAccountName", "default");
  setDefault(spec, "serviceAccount", spec.serviceAccountName ?? "default");
  setDefault(spec, "enableServiceLinks", true);
  setDefault(spec, "preemptionPolicy", "PreemptLowerPriority");
  setDefault(spec, "priority", 0);
  setDefault(spec, "tolerations", [
    { effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 300 },
    { effect: "NoExecute", key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300 },
  ]);
}

function defaultTemplateOwner(obj: ObjectInput, withStrategy: boolean): void {
  const spec = objectField(obj as unknown as JsonObject, "spec");
  setDefault(spec, "replicas", 1);
  if (withStrategy) {
    setDefault(spec, "revisionHistoryLimit", 10);
    setDefault(spec, "progressDeadlineSeconds", 600);
    setDefault(spec, "strategy", { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
  }
  const template = spec.template;
  if (isPlainObject(template)) {
    const metadata = objectField(template, "metadata");
    setDefault(metadata, "creationTimestamp", null);
    defaultPodSpec(objectField(template, "spec"));
  }
}

function formatIp(prefix: string, index: number): string {
  return `${prefix}.${Math.floor(index / 254) % 256}.${(index % 254) + 1}`;
}

function defaultService(service: ObjectInput, store: ClusterStore, existing: KubeObject | undefined): void {
  const spec = objectField(service as unknown as JsonObject, "spec");
  const previous = existing && isPlainObject(existing.spec) ? existing.spec : undefined;
  setDefault(spec, "type", "ClusterIP");
  setDefault(spec, "sessionAffinity", "None");
  const headless = spec.clusterIP === "None";
  if (spec.type !== "ExternalName") {
    if (spec.clusterIP === undefined || spec.clusterIP === "") {
      spec.clusterIP = typeof previous?.clusterIP === "string" ? previous.clusterIP : formatIp("10.96", store.allocate("serviceIp", 10));
    }
    setDefault(spec, "clusterIPs", [spec.clusterIP]);
    setDefault(spec, "ipFamilies", headless ? [] : ["IPv4"]);
    setDefault(spec, "ipFamilyPolicy", "SingleStack");
    setDefault(spec, "internalTrafficPolicy", "Cluster");
  }
  const exposesNodePorts = spec.type === "NodePort" || spec.type === "LoadBalancer";
  const previousPorts = Array.isArray(previous?.ports) ? previous.ports : [];
  if (Array.isArray(spec.ports)) {
    for (const port of spec.ports) {
      if (!isPlainObject(port)) continue;
      setDefault(port, "protocol", "TCP");
      if (!headless || port.targetPort === undefined) setDefault(port, "targetPort", port.port ?? null);
      if (exposesNodePorts && port.nodePort === undefined) {
        const before = previousPorts.find((candidate) => isPlainObject(candidate) && candidate.port === port.port);
        port.nodePort = isPlainObject(before) && typeof before.nodePort === "number" ? before.nodePort : 30000 + (store.allocate("nodePort", 80) % 2768);
      }
    }
  }
  if (exposesNodePorts) setDefault(spec, "externalTrafficPolicy", "Cluster");
  if (spec.type === "LoadBalancer") setDefault(spec, "allocateLoadBalancerNodePorts", true);
  const target = service as unknown as JsonObject;
  if (!isPlainObject(target.status)) target.status = existing && isPlainObject(existing.status) ? existing.status : { loadBalancer: {} };
}

function defaultNamespace(namespace: ObjectInput): void {
  namespace.metadata.labels = { ...namespace.metadata.labels, "kubernetes.io/metadata.name": namespace.metadata.name };
  const target = namespace as unknown as JsonObject;
  setDefault(objectField(target, "spec"), "finalizers", ["kubernetes"]);
  if (!isPlainObject(target.status)) target.status = { phase: "Active" };
}

/** Fills the API defaults of a built-in object in place (`existing` is the stored object on updates). */
export function applyDefaults(resource: string, obj: ObjectInput, store: ClusterStore, existing?: KubeObject): void {
  switch (resource) {
    case "pods":
      defaultPod(obj);
      break;
    case "apps/deployments":
      defaultTemplateOwner(obj, true);
      break;
    case "apps/replicasets":
      defaultTemplateOwner(obj, false);
      break;
    case "services":
      defaultService(obj, store, existing);
      break;
    case "namespaces":
      defaultNamespace(obj);
      break;
    case "secrets":
      if (obj.type === undefined || obj.type === "") obj.type = "Opaque";
      break;
  }
}
