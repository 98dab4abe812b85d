// The embedded cluster's controllers: Deployment → ReplicaSet → Pods, pod scheduling and start-up,
// Service → Endpoints, garbage collection by ownerReferences, and namespace set-up and clean-up.
// They run synchronously: store events queue work, and `settle()` drains the queue before the API answers.

import { createHash } from "node:crypto";
import { applyDefaults } from "./defaults";
import { injectSidecar, wantsSidecar } from "./injection";
import { cloneJson, controllerOf, controllerRef, isPlainObject, jsonEqual, type Json, type JsonObject, type KubeObject } from "./objects";
import { resourceTypes, resourceId, type ResourceId } from "./resources";
import { fromLabelMap, fromSelectorObject, matchesLabels } from "./selectors";
import type { ClusterStore, ObjectInput, StoreEvent } from "./store";

export const NODE_NAME = "ica-control-plane";
export const NODE_IP = "172.18.0.2";

/** Characters Kubernetes uses for generated name suffixes and pod-template hashes (no vowels, no look-alikes). */
const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

export function randomSuffix(random: () => number, length = 5): string {
  let out = "";
  for (let index = 0; index < length; index++) out += safeAlphabet[Math.floor(random() * safeAlphabet.length)] ?? "b";
  return out;
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => value[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableStringify(value[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The pod-template-hash label value: FNV-32a of the template, encoded like Kubernetes' SafeEncodeString. */
export function podTemplateHash(template: Json | undefined, collisionCount = 0): string {
  let hash = 0x811c9dc5;
  const text = stableStringify(template) + (collisionCount > 0 ? String(collisionCount) : "");
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return [...String(hash)].map((digit) => safeAlphabet[digit.charCodeAt(0) % safeAlphabet.length]).join("");
}

function hex(random: () => number, length: number): string {
  let out = "";
  for (let index = 0; index < length; index++) out += Math.floor(random() * 16).toString(16);
  return out;
}

function imageId(image: string): string {
  const repository = image.includes("@") ? image.slice(0, image.indexOf("@")) : image.replace(/:[^/:]+$/, "");
  return `${repository}@sha256:${createHash("sha256").update(image).digest("hex")}`;
}

function formatPodIp(index: number): string {
  return `10.244.${Math.floor(index / 254) % 256}.${(index % 254) + 1}`;
}

function containersOf(spec: unknown, field: "containers" | "initContainers"): JsonObject[] {
  if (!isPlainObject(spec)) return [];
  const list = spec[field];
  return Array.isArray(list) ? list.filter(isPlainObject) : [];
}

export interface ControllerContext {
  store: ClusterStore;
  random: () => number;
}

/** Schedules a new pod onto the single node and starts it: phase Running, every container ready. */
function startPod(context: ControllerContext, pod: ObjectInput): void {
  const { store, random } = context;
  const spec = pod.spec as JsonObject;
  if (typeof spec.nodeName !== "string") spec.nodeName = NODE_NAME;
  const now = store.now();
  const ip = formatPodIp(store.allocate("podIp", 10));
  const running = (container: JsonObject): JsonObject => ({
    containerID: `containerd://${hex(random, 64)}`,
    image: String(container.image ?? ""),
    imageID: imageId(String(container.image ?? "")),
    lastState: {},
    name: String(container.name ?? ""),
    ready: true,
    restartCount: 0,
    started: true,
    state: { running: { startedAt: now } },
  });
  const completed = (container: JsonObject): JsonObject => ({
    containerID: `containerd://${hex(random, 64)}`,
    image: String(container.image ?? ""),
    imageID: imageId(String(container.image ?? "")),
    lastState: {},
    name: String(container.name ?? ""),
    ready: true,
    restartCount: 0,
    started: false,
    state: { terminated: { containerID: `containerd://${hex(random, 64)}`, exitCode: 0, finishedAt: now, reason: "Completed", startedAt: now } },
  });
  const containers = containersOf(spec, "containers");
  const initContainers = containersOf(spec, "initContainers");
  const hasRequests = [...containers, ...initContainers].some((container) => isPlainObject(container.resources) && Object.keys(container.resources).length > 0);
  const condition = (type: string): JsonObject => ({ lastProbeTime: null, lastTransitionTime: now, status: "True", type });
  const status: JsonObject = {
    conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(condition),
    containerStatuses: containers.map(running),
    hostIP: NODE_IP,
    hostIPs: [{ ip: NODE_IP }],
    phase: "Running",
    podIP: ip,
    podIPs: [{ ip }],
    qosClass: hasRequests ? "Burstable" : "BestEffort",
    startTime: now,
  };
  if (initContainers.length > 0) status.initContainerStatuses = initContainers.map(completed);
  (pod as unknown as JsonObject).status = status;
}

/** The workload an injected sidecar reports as its owner (a pod's Deployment when it has one). */
function workloadOf(store: ClusterStore, pod: ObjectInput): { kind: string; name: string; apiPath: string } {
  const owner = controllerOf(pod);
  if (owner?.kind === "ReplicaSet") {
    const replicaSet = store.get("apps/replicasets", pod.metadata.namespace, owner.name);
    const deployment = replicaSet ? controllerOf(replicaSet) : undefined;
    if (deployment?.kind === "Deployment") return { kind: "deployments", name: deployment.name, apiPath: "apis/apps/v1" };
    return { kind: "replicasets", name: owner.name, apiPath: "apis/apps/v1" };
  }
  return { kind: "pods", name: pod.metadata.name, apiPath: "api/v1" };
}

/**
 * Mutating admission for every write of a built-in object (`existing` set on updates): API defaults, and for
 * new pods sidecar injection and start-up. The API server and the controllers both store objects through this.
 */
export function prepareObject(context: ControllerContext, resource: ResourceId, draft: ObjectInput, existing?: KubeObject): void {
  applyDefaults(resource, draft, context.store, existing);
  if (resource !== "pods" || existing) return;
  const namespace = context.store.get("namespaces", undefined, draft.metadata.namespace ?? "default");
  if (wantsSidecar(draft, namespace?.metadata.labels)) injectSidecar(draft, workloadOf(context.store, draft));
  const spec = draft.spec as JsonObject;
  if (typeof spec.nodeName !== "string" || !isPlainObject(draft.status) || draft.status.phase === undefined) startPod(context, draft);
}

type WorkItem =
  | { kind: "pod-started"; namespace: string; name: string }
  | { kind: "replicaset"; namespace: string; name: string }
  | { kind: "deployment"; namespace: string; name: string }
  | { kind: "endpoints"; namespace: string }
  | { kind: "dependents"; namespace: string | undefined; uid: string; orphan: boolean }
  | { kind: "namespace-setup"; name: string }
  | { kind: "namespace-cleanup"; name: string }
  | { kind: "service-gone"; namespace: string; name: string };

function workKey(item: WorkItem): string {
  switch (item.kind) {
    case "pod-started":
    case "replicaset":
    case "deployment":
    case "service-gone":
      return `${item.kind}|${item.namespace}|${item.name}`;
    case "endpoints":
      return `endpoints|${item.namespace}`;
    case "dependents":
      return `dependents|${item.uid}`;
    case "namespace-setup":
    case "namespace-cleanup":
      return `${item.kind}|${item.name}`;
  }
}

function isReady(pod: KubeObject): boolean {
  const status = pod.status;
  if (!isPlainObject(status) || !Array.isArray(status.conditions)) return false;
  return status.conditions.some((condition) => isPlainObject(condition) && condition.type === "Ready" && condition.status === "True");
}

function specOf(obj: KubeObject | undefined): JsonObject {
  return obj && isPlainObject(obj.spec) ? obj.spec : {};
}

function statusOf(obj: KubeObject | undefined): JsonObject {
  return obj && isPlainObject(obj.status) ? obj.status : {};
}

function numberOr(value: Json | undefined, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}

/** The ordered work queue and the reconcilers behind it. */
export class Controllers {
  private readonly queue: WorkItem[] = [];
  private readonly queued = new Set<string>();

  constructor(private readonly context: ControllerContext) {
    context.store.subscribe((event) => this.observe(event));
  }

  private enqueue(item: WorkItem): void {
    const key = workKey(item);
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(item);
  }

  private observe(event: StoreEvent): void {
    const { object, previous } = event;
    const namespace = object.metadata.namespace ?? "";
    switch (event.resource) {
      case "pods": {
        if (event.type === "ADDED" && isPlainObject(object.status) && object.status.phase === "Running") this.enqueue({ kind: "pod-started", namespace, name: object.metadata.name });
        for (const version of [object, previous]) {
          const owner = version ? controllerOf(version) : undefined;
          if (owner?.kind === "ReplicaSet") this.enqueue({ kind: "replicaset", namespace, name: owner.name });
        }
        if (event.type !== "DELETED" && !controllerOf(object)) {
          for (const replicaSet of this.context.store.list("apps/replicasets", namespace)) {
            const selector = fromSelectorObject(specOf(replicaSet).selector);
            if (selector.length > 0 && matchesLabels(selector, object.metadata.labels)) this.enqueue({ kind: "replicaset", namespace, name: replicaSet.metadata.name });
          }
        }
        this.enqueue({ kind: "endpoints", namespace });
        break;
      }
      case "apps/replicasets": {
        if (event.type !== "DELETED") this.enqueue({ kind: "replicaset", namespace, name: object.metadata.name });
        const owner = controllerOf(object);
        if (owner?.kind === "Deployment") this.enqueue({ kind: "deployment", namespace, name: owner.name });
        break;
      }
      case "apps/deployments":
        if (event.type !== "DELETED") this.enqueue({ kind: "deployment", namespace, name: object.metadata.name });
        break;
      case "services":
        if (event.type === "DELETED") this.enqueue({ kind: "service-gone", namespace, name: object.metadata.name });
        else this.enqueue({ kind: "endpoints", namespace });
        break;
      case "namespaces":
        if (event.type === "ADDED") this.enqueue({ kind: "namespace-setup", name: object.metadata.name });
        if (event.type === "DELETED") this.enqueue({ kind: "namespace-cleanup", name: object.metadata.name });
        break;
    }
    if (event.type === "DELETED") {
      this.enqueue({ kind: "dependents", namespace: object.metadata.namespace, uid: object.metadata.uid, orphan: event.propagation === "Orphan" });
    }
  }

  /** Runs queued work until the cluster is at rest. */
  settle(): void {
    let budget = 100_000;
    while (this.queue.length > 0 && budget-- > 0) {
      const item = this.queue.shift();
      if (!item) break;
      this.queued.delete(workKey(item));
      this.run(item);
    }
  }

  private run(item: WorkItem): void {
    switch (item.kind) {
      case "pod-started":
        return this.recordPodStart(item.namespace, item.name);
      case "replicaset":
        return this.reconcileReplicaSet(item.namespace, item.name);
      case "deployment":
        return this.reconcileDeployment(item.namespace, item.name);
      case "endpoints":
        return this.reconcileEndpoints(item.namespace);
      case "dependents":
        return this.collectDependents(item.namespace, item.uid, item.orphan);
      case "namespace-setup":
        return this.setUpNamespace(item.name);
      case "namespace-cleanup":
        return this.cleanUpNamespace(item.name);
      case "service-gone":
        this.context.store.remove("endpoints", item.namespace, item.name);
        return;
    }
  }

  /** Records a core/v1 Event about `involved`, as the component named would; names sort in recording order like real ones. */
  private recordEvent(involved: KubeObject, reason: string, message: string, component: string, fieldPath?: string): void {
    const { store } = this.context;
    const now = store.now();
    const reference: JsonObject = {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      name: involved.metadata.name,
      namespace: involved.metadata.namespace ?? "default",
      uid: involved.metadata.uid,
      resourceVersion: involved.metadata.resourceVersion,
    };
    if (fieldPath) reference.fieldPath = fieldPath;
    const source: JsonObject = component === "kubelet" ? { component, host: NODE_NAME } : { component };
    store.create("events", {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${involved.metadata.name}.187b${store.allocate("eventSequence", 0x1000000).toString(16).padStart(12, "0")}`, namespace: involved.metadata.namespace ?? "default" },
      involvedObject: reference,
      reason,
      message,
      source,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: "Normal",
      eventTime: null,
      reportingComponent: component,
      reportingInstance: component === "kubelet" ? NODE_NAME : "",
    });
  }

  /** The events a kubelet and the scheduler leave for a pod that started: Scheduled, then Pulled/Created/Started per container. */
  private recordPodStart(namespace: string, name: string): void {
    const pod = this.context.store.get("pods", namespace, name);
    if (!pod) return;
    this.recordEvent(pod, "Scheduled", `Successfully assigned ${namespace}/${name} to ${String(specOf(pod).nodeName ?? NODE_NAME)}`, "default-scheduler");
    const steps: [string, JsonObject[]][] = [
      ["initContainers", containersOf(specOf(pod), "initContainers")],
      ["containers", containersOf(specOf(pod), "containers")],
    ];
    for (const [field, containers] of steps) {
      for (const container of containers) {
        const containerName = String(container.name ?? "");
        const fieldPath = `spec.${field}{${containerName}}`;
        this.recordEvent(pod, "Pulled", `Container image "${String(container.image ?? "")}" already present on machine`, "kubelet", fieldPath);
        this.recordEvent(pod, "Created", `Created container: ${containerName}`, "kubelet", fieldPath);
        this.recordEvent(pod, "Started", `Started container ${containerName}`, "kubelet", fieldPath);
      }
    }
  }

  private writeIfChanged(resource: ResourceId, current: KubeObject, next: KubeObject): KubeObject {
    return jsonEqual(current, next) ? current : this.context.store.replace(resource, next);
  }

  private reconcileReplicaSet(namespace: string, name: string): void {
    const { store, random } = this.context;
    const replicaSet = store.get("apps/replicasets", namespace, name);
    if (!replicaSet) return;
    const spec = specOf(replicaSet);
    const selector = fromSelectorObject(spec.selector);
    const uid = replicaSet.metadata.uid;
    const active: KubeObject[] = [];
    for (const pod of store.list("pods", namespace)) {
      const owner = controllerOf(pod);
      const matches = selector.length > 0 && matchesLabels(selector, pod.metadata.labels);
      if (owner?.uid === uid && !matches) {
        const released = cloneJson(pod);
        released.metadata.ownerReferences = pod.metadata.ownerReferences?.filter((ref) => ref.uid !== uid);
        if (released.metadata.ownerReferences?.length === 0) delete released.metadata.ownerReferences;
        store.replace("pods", released);
      } else if (owner === undefined && matches && pod.metadata.deletionTimestamp === undefined) {
        const adopted = cloneJson(pod);
        adopted.metadata.ownerReferences = [...(pod.metadata.ownerReferences ?? []), controllerRef(replicaSet)];
        active.push(store.replace("pods", adopted));
      } else if (owner?.uid === uid) {
        active.push(pod);
      }
    }
    const desired = numberOr(spec.replicas, 1);
    const template = isPlainObject(spec.template) ? spec.template : {};
    const templateMeta = isPlainObject(template.metadata) ? template.metadata : {};
    while (active.length < desired) {
      const pod: ObjectInput = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: `${name}-${randomSuffix(random)}`,
          generateName: `${name}-`,
          namespace,
          labels: isPlainObject(templateMeta.labels) ? (cloneJson(templateMeta.labels) as Record<string, string>) : {},
          ownerReferences: [controllerRef(replicaSet)],
        },
        spec: cloneJson(isPlainObject(template.spec) ? template.spec : {}),
      };
      if (isPlainObject(templateMeta.annotations)) pod.metadata.annotations = cloneJson(templateMeta.annotations) as Record<string, string>;
      if (store.get("pods", namespace, pod.metadata.name)) continue;
      prepareObject(this.context, "pods", pod);
      const created = store.create("pods", pod);
      active.push(created);
      this.recordEvent(replicaSet, "SuccessfulCreate", `Created pod: ${created.metadata.name}`, "replicaset-controller");
    }
    if (active.length > desired) {
      const doomed = [...active]
        .sort((a, b) => Number(isReady(a)) - Number(isReady(b)) || b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp) || b.metadata.name.localeCompare(a.metadata.name))
        .slice(0, active.length - desired);
      for (const pod of doomed) {
        store.remove("pods", namespace, pod.metadata.name);
        active.splice(active.indexOf(pod), 1);
        this.recordEvent(replicaSet, "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`, "replicaset-controller");
      }
    }
    const ready = active.filter(isReady).length;
    const next = cloneJson(replicaSet);
    const status: JsonObject = { replicas: active.length, fullyLabeledReplicas: active.length, observedGeneration: replicaSet.metadata.generation ?? 1 };
    if (ready > 0) {
      status.readyReplicas = ready;
      status.availableReplicas = ready;
    }
    (next as unknown as JsonObject).status = status;
    this.writeIfChanged("apps/replicasets", replicaSet, next);
  }

  private reconcileDeployment(namespace: string, name: string): void {
    const { store } = this.context;
    const deployment = store.get("apps/deployments", namespace, name);
    if (!deployment) return;
    const spec = specOf(deployment);
    const template = isPlainObject(spec.template) ? spec.template : {};
    const desired = numberOr(spec.replicas, 1);
    const hash = podTemplateHash(template, numberOr(statusOf(deployment).collisionCount, 0));
    const owned = store.list("apps/replicasets", namespace).filter((rs) => controllerOf(rs)?.uid === deployment.metadata.uid);
    const revisionOf = (rs: KubeObject): number => Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? "0");
    let current = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
    const annotations = {
      "deployment.kubernetes.io/desired-replicas": String(desired),
      "deployment.kubernetes.io/max-replicas": String(desired + Math.ceil(desired * 0.25)),
    };
    if (!current) {
      const revision = Math.max(0, ...owned.map(revisionOf)) + 1;
      const templateMeta = isPlainObject(template.metadata) ? template.metadata : {};
      const labels = { ...(isPlainObject(templateMeta.labels) ? (templateMeta.labels as Record<string, string>) : {}), "pod-template-hash": hash };
      const selector = isPlainObject(spec.selector) ? cloneJson(spec.selector) : {};
      selector.matchLabels = { ...(isPlainObject(selector.matchLabels) ? selector.matchLabels : {}), "pod-template-hash": hash };
      const replicaSet: ObjectInput = {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: `${name}-${hash}`,
          namespace,
          labels,
          annotations: { ...annotations, "deployment.kubernetes.io/revision": String(revision) },
          ownerReferences: [controllerRef(deployment)],
        },
        spec: {
          replicas: desired,
          selector,
          template: { ...cloneJson(template), metadata: { ...cloneJson(templateMeta), labels, creationTimestamp: null } },
        },
      };
      prepareObject(this.context, "apps/replicasets", replicaSet);
      current = store.create("apps/replicasets", replicaSet);
      if (desired > 0) this.recordEvent(deployment, "ScalingReplicaSet", `Scaled up replica set ${current.metadata.name} from 0 to ${desired}`, "deployment-controller");
    } else if (specOf(current).replicas !== desired || current.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"] !== String(desired)) {
      const before = numberOr(specOf(current).replicas, 1);
      const next = cloneJson(current);
      (next.spec as JsonObject).replicas = desired;
      next.metadata.annotations = { ...next.metadata.annotations, ...annotations };
      current = store.replace("apps/replicasets", next);
      if (before !== desired) this.recordEvent(deployment, "ScalingReplicaSet", `Scaled ${desired > before ? "up" : "down"} replica set ${current.metadata.name} from ${before} to ${desired}`, "deployment-controller");
    }
    const old = owned.filter((rs) => rs !== current && rs.metadata.uid !== current?.metadata.uid);
    for (const rs of old) {
      const before = numberOr(specOf(rs).replicas, 1);
      if (before !== 0) {
        const next = cloneJson(rs);
        (next.spec as JsonObject).replicas = 0;
        store.replace("apps/replicasets", next);
        this.recordEvent(deployment, "ScalingReplicaSet", `Scaled down replica set ${rs.metadata.name} from ${before} to 0`, "deployment-controller");
      }
    }
    const historyLimit = numberOr(spec.revisionHistoryLimit, 10);
    const expired = old.sort((a, b) => revisionOf(a) - revisionOf(b)).slice(0, Math.max(0, old.length - historyLimit));
    for (const rs of expired) store.remove("apps/replicasets", namespace, rs.metadata.name);

    const all = store.list("apps/replicasets", namespace).filter((rs) => controllerOf(rs)?.uid === deployment.metadata.uid);
    const sum = (field: string): number => all.reduce((total, rs) => total + numberOr(statusOf(rs)[field], 0), 0);
    const replicas = sum("replicas");
    const available = sum("availableReplicas");
    const ready = sum("readyReplicas");
    const updated = numberOr(statusOf(current).replicas, 0);
    const previousConditions = Array.isArray(statusOf(deployment).conditions) ? (statusOf(deployment).conditions as JsonObject[]) : [];
    const now = store.now();
    const condition = (type: string, value: boolean, reason: string, message: string): JsonObject => {
      const before = previousConditions.find((entry) => isPlainObject(entry) && entry.type === type);
      const same = before && before.status === (value ? "True" : "False") && before.reason === reason;
      return {
        lastTransitionTime: same ? (before.lastTransitionTime ?? now) : now,
        lastUpdateTime: same && before.message === message ? (before.lastUpdateTime ?? now) : now,
        message,
        reason,
        status: value ? "True" : "False",
        type,
      };
    };
    const availableEnough = available >= desired;
    const status: JsonObject = {
      availableReplicas: available,
      conditions: [
        condition(
          "Available",
          availableEnough,
          availableEnough ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
          availableEnough ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
        ),
        condition("Progressing", true, "NewReplicaSetAvailable", `ReplicaSet "${current.metadata.name}" has successfully progressed.`),
      ],
      observedGeneration: deployment.metadata.generation ?? 1,
      readyReplicas: ready,
      replicas,
      updatedReplicas: updated,
    };
    if (available === 0) delete status.availableReplicas;
    if (ready === 0) delete status.readyReplicas;
    if (replicas > available) status.unavailableReplicas = replicas - available;
    const collisions = statusOf(deployment).collisionCount;
    if (collisions !== undefined) status.collisionCount = collisions;
    const next = cloneJson(deployment);
    next.metadata.annotations = { ...next.metadata.annotations, "deployment.kubernetes.io/revision": current.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? "1" };
    (next as unknown as JsonObject).status = status;
    this.writeIfChanged("apps/deployments", deployment, next);
  }

  private reconcileEndpoints(namespace: string): void {
    const { store } = this.context;
    const pods = store.list("pods", namespace).filter((pod) => isPlainObject(pod.status) && typeof pod.status.podIP === "string" && pod.metadata.deletionTimestamp === undefined);
    for (const service of store.list("services", namespace)) {
      const spec = specOf(service);
      const selector = fromLabelMap(spec.selector);
      if (selector.length === 0 || spec.type === "ExternalName") continue;
      const members = pods.filter((pod) => matchesLabels(selector, pod.metadata.labels));
      const address = (pod: KubeObject): JsonObject => ({
        ip: String(statusOf(pod).podIP),
        nodeName: String(specOf(pod).nodeName ?? NODE_NAME),
        targetRef: { kind: "Pod", name: pod.metadata.name, namespace, uid: pod.metadata.uid },
      });
      const byIp = (a: JsonObject, b: JsonObject): number => String(a.ip).localeCompare(String(b.ip), "en", { numeric: true });
      const ready = members.filter(isReady).map(address).sort(byIp);
      const notReady = members.filter((pod) => !isReady(pod)).map(address).sort(byIp);
      const servicePorts = Array.isArray(spec.ports) ? spec.ports.filter(isPlainObject) : [];
      const ports = servicePorts.map((port) => {
        let target = port.targetPort ?? port.port;
        if (typeof target === "string") {
          const named = members
            .flatMap((pod) => containersOf(specOf(pod), "containers"))
            .flatMap((container) => (Array.isArray(container.ports) ? container.ports.filter(isPlainObject) : []))
            .find((containerPort) => containerPort.name === target);
          target = named?.containerPort ?? port.port ?? null;
        }
        const entry: JsonObject = { port: target ?? null, protocol: port.protocol ?? "TCP" };
        if (typeof port.name === "string" && port.name !== "") entry.name = port.name;
        if (typeof port.appProtocol === "string") entry.appProtocol = port.appProtocol;
        return entry;
      });
      const subset: JsonObject = { ports };
      if (ready.length > 0) subset.addresses = ready;
      if (notReady.length > 0) subset.notReadyAddresses = notReady;
      const subsets: Json[] = members.length > 0 ? [subset] : [];
      const existing = store.get("endpoints", namespace, service.metadata.name);
      const labels = service.metadata.labels ? { ...service.metadata.labels } : undefined;
      if (!existing) {
        const metadata: { name: string; namespace: string; labels?: Record<string, string> } = { name: service.metadata.name, namespace };
        if (labels) metadata.labels = labels;
        const created: Parameters<ClusterStore["create"]>[1] = { apiVersion: "v1", kind: "Endpoints", metadata };
        if (subsets.length > 0) created.subsets = subsets;
        store.create("endpoints", created);
        continue;
      }
      const next = cloneJson(existing);
      if (labels) next.metadata.labels = labels;
      else delete next.metadata.labels;
      if (subsets.length > 0) next.subsets = subsets;
      else delete next.subsets;
      this.writeIfChanged("endpoints", existing, next);
    }
    for (const service of store.list("services", namespace)) this.reconcileEndpointSlice(service, pods);
  }

  /** Keeps the one EndpointSlice per selector-backed Service that the EndpointSlice controller would maintain. */
  private reconcileEndpointSlice(service: KubeObject, pods: KubeObject[]): void {
    const { store, random } = this.context;
    const spec = specOf(service);
    const selector = fromLabelMap(spec.selector);
    if (selector.length === 0 || spec.type === "ExternalName") return;
    const namespace = service.metadata.namespace ?? "default";
    const members = pods.filter((pod) => matchesLabels(selector, pod.metadata.labels)).sort((a, b) => String(statusOf(a).podIP).localeCompare(String(statusOf(b).podIP), "en", { numeric: true }));
    const servicePorts = Array.isArray(spec.ports) ? spec.ports.filter(isPlainObject) : [];
    const ports = servicePorts.map((port) => {
      let target = port.targetPort ?? port.port ?? null;
      if (typeof target === "string") {
        const named = members
          .flatMap((pod) => containersOf(specOf(pod), "containers"))
          .flatMap((container) => (Array.isArray(container.ports) ? container.ports.filter(isPlainObject) : []))
          .find((containerPort) => containerPort.name === target);
        target = named?.containerPort ?? null;
      }
      const entry: JsonObject = { name: typeof port.name === "string" ? port.name : "", port: target, protocol: port.protocol ?? "TCP" };
      if (typeof port.appProtocol === "string") entry.appProtocol = port.appProtocol;
      return entry;
    });
    const endpoints = members.map((pod) => {
      const ready = isReady(pod);
      return {
        addresses: [String(statusOf(pod).podIP)],
        conditions: { ready, serving: ready, terminating: false },
        nodeName: String(specOf(pod).nodeName ?? NODE_NAME),
        targetRef: { kind: "Pod", name: pod.metadata.name, namespace, uid: pod.metadata.uid },
      };
    });
    const labels = { ...service.metadata.labels, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io", "kubernetes.io/service-name": service.metadata.name };
    const existing = store.list("discovery.k8s.io/endpointslices", namespace).find((slice) => controllerOf(slice)?.uid === service.metadata.uid);
    if (!existing) {
      store.create("discovery.k8s.io/endpointslices", {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: `${service.metadata.name}-${randomSuffix(random)}`, generateName: `${service.metadata.name}-`, namespace, labels, ownerReferences: [controllerRef(service)] },
        addressType: "IPv4",
        endpoints,
        ports,
      });
      return;
    }
    const next = cloneJson(existing);
    next.metadata.labels = labels;
    next.endpoints = endpoints;
    next.ports = ports;
    this.writeIfChanged("discovery.k8s.io/endpointslices", existing, next);
  }

  private collectDependents(namespace: string | undefined, uid: string, orphan: boolean): void {
    const { store } = this.context;
    if (namespace !== undefined) {
      for (const event of store.list("events", namespace)) {
        const involved = event.involvedObject;
        if (isPlainObject(involved as Json) && (involved as JsonObject).uid === uid) store.remove("events", namespace, event.metadata.name);
      }
    }
    for (const type of resourceTypes) {
      if (!type.namespaced) continue;
      const id = resourceId(type);
      const candidates = namespace === undefined ? store.list(id) : store.list(id, namespace);
      for (const dependent of candidates) {
        if (!dependent.metadata.ownerReferences?.some((ref) => ref.uid === uid)) continue;
        if (orphan) {
          const next = cloneJson(dependent);
          next.metadata.ownerReferences = dependent.metadata.ownerReferences.filter((ref) => ref.uid !== uid);
          if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
          store.replace(id, next);
        } else {
          store.remove(id, dependent.metadata.namespace, dependent.metadata.name);
        }
      }
    }
  }

  private setUpNamespace(name: string): void {
    const { store } = this.context;
    if (!store.get("namespaces", undefined, name)) return;
    if (!store.get("serviceaccounts", name, "default")) {
      store.create("serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: name } });
    }
    for (const [configMap, key] of [
      ["kube-root-ca.crt", "ca.crt"],
      ["istio-ca-root-cert", "root-cert.pem"],
    ] as const) {
      if (store.get("configmaps", name, configMap)) continue;
      if (configMap === "istio-ca-root-cert" && name.startsWith("kube-")) continue;
      const labels: Record<string, string> | undefined = configMap === "istio-ca-root-cert" ? { "istio.io/config": "true" } : undefined;
      store.create("configmaps", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: labels ? { name: configMap, namespace: name, labels } : { name: configMap, namespace: name },
        data: { [key]: placeholderCertificate },
      });
    }
  }

  private cleanUpNamespace(name: string): void {
    const { store } = this.context;
    for (const type of resourceTypes) {
      if (!type.namespaced) continue;
      const id = resourceId(type);
      for (const obj of store.list(id, name)) store.remove(id, name, obj.metadata.name);
    }
  }
}

/** The CA bundle text the cluster publishes into every namespace (not a usable certificate: no TLS is served). */
export const placeholderCertificate = "-----BEGIN CERTIFICATE-----\nTUlJQ2FDQ0FkR2dBd0lCQWdJUkFJQ0EtZW1iZWRkZWQtc2ltdWxhdG9yLWNh\n-----END CERTIFICATE-----\n";
