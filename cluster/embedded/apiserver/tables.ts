// `meta.k8s.io/v1` Table responses: the columns `kubectl get` prints for each kind, formatted like the real API.

import { isPlainObject, readPath, type Json, type JsonObject, type KubeObject } from "../objects";
import type { ResourceId } from "../resources";
import { formatSelector, fromLabelMap, fromSelectorObject } from "../selectors";

export interface ColumnDefinition {
  name: string;
  type: "string" | "integer" | "date" | "number" | "boolean";
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | null;

interface TableSpec {
  columns: ColumnDefinition[];
  cells: (obj: KubeObject, nowMs: number) => Cell[];
}

/** kubectl's HumanDuration: "45s", "5m30s", "3h12m", "4d6h", "2y10d". */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

function age(obj: KubeObject, nowMs: number): string {
  const created = Date.parse(obj.metadata.creationTimestamp);
  return Number.isNaN(created) ? "<unknown>" : humanDuration(nowMs - created);
}

function column(name: string, type: ColumnDefinition["type"], description: string, priority = 0, format = ""): ColumnDefinition {
  return { name, type, format, description, priority };
}

/** The wide columns of a pod-template owner (Deployment, ReplicaSet): containers, images and its selector. */
function podTemplateColumns(selectorDescription: string): ColumnDefinition[] {
  return [
    column("Containers", "string", "Names of each container in the template.", 1),
    column("Images", "string", "Images referenced by each container in the template.", 1),
    column("Selector", "string", selectorDescription, 1),
  ];
}

const nameColumn = column("Name", "string", "Name must be unique within a namespace.", 0, "name");
const ageColumn = column("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.");

function section(obj: KubeObject, key: "spec" | "status"): JsonObject {
  const value = obj[key];
  return isPlainObject(value) ? value : {};
}

function list(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

function objects(value: Json | undefined): JsonObject[] {
  return list(value).filter(isPlainObject);
}

function podCells(pod: KubeObject, nowMs: number): Cell[] {
  const spec = section(pod, "spec");
  const status = section(pod, "status");
  const containers = objects(spec.containers);
  const statuses = objects(status.containerStatuses);
  const ready = statuses.filter((entry) => entry.ready === true).length;
  const restarts = statuses.reduce((total, entry) => total + (typeof entry.restartCount === "number" ? entry.restartCount : 0), 0);
  let reason = typeof status.reason === "string" ? status.reason : typeof status.phase === "string" ? status.phase : "Pending";
  for (const entry of statuses) {
    const state = isPlainObject(entry.state) ? entry.state : {};
    if (isPlainObject(state.waiting) && typeof state.waiting.reason === "string") reason = state.waiting.reason;
    else if (isPlainObject(state.terminated) && typeof state.terminated.reason === "string" && status.phase !== "Succeeded") reason = state.terminated.reason;
  }
  if (status.phase === "Succeeded") reason = "Completed";
  if (pod.metadata.deletionTimestamp !== undefined) reason = "Terminating";
  const readinessGates = objects(spec.readinessGates);
  return [
    pod.metadata.name,
    `${ready}/${containers.length}`,
    reason,
    String(restarts),
    age(pod, nowMs),
    typeof status.podIP === "string" ? status.podIP : "<none>",
    typeof spec.nodeName === "string" ? spec.nodeName : "<none>",
    typeof status.nominatedNodeName === "string" ? status.nominatedNodeName : "<none>",
    readinessGates.length > 0 ? `${readinessGates.length}/${readinessGates.length}` : "<none>",
  ];
}

function servicePorts(spec: JsonObject): string {
  const ports = objects(spec.ports).map((port) => {
    const protocol = typeof port.protocol === "string" ? port.protocol : "TCP";
    return typeof port.nodePort === "number" ? `${port.port}:${port.nodePort}/${protocol}` : `${port.port}/${protocol}`;
  });
  return ports.length > 0 ? ports.join(",") : "<none>";
}

function externalIps(spec: JsonObject, status: JsonObject): string {
  const manual = list(spec.externalIPs).map(String);
  if (spec.type === "LoadBalancer") {
    const ingress = isPlainObject(status.loadBalancer) ? objects(status.loadBalancer.ingress) : [];
    const addresses = [...ingress.map((entry) => String(entry.ip ?? entry.hostname ?? "")), ...manual].filter((entry) => entry !== "");
    return addresses.length > 0 ? addresses.join(",") : "<pending>";
  }
  if (spec.type === "ExternalName") return typeof spec.externalName === "string" ? spec.externalName : "<none>";
  return manual.length > 0 ? manual.join(",") : "<none>";
}

function containerNames(podSpec: Json | undefined): string {
  return isPlainObject(podSpec) ? objects(podSpec.containers).map((container) => String(container.name)).join(",") : "";
}

function containerImages(podSpec: Json | undefined): string {
  return isPlainObject(podSpec) ? objects(podSpec.containers).map((container) => String(container.image)).join(",") : "";
}

/** The cells under `podTemplateColumns`. */
function podTemplateCells(obj: KubeObject): Cell[] {
  const template = templateSpec(obj);
  return [containerNames(template), containerImages(template), selectorText(section(obj, "spec").selector)];
}

function templateSpec(obj: KubeObject): Json | undefined {
  const template = section(obj, "spec").template;
  return isPlainObject(template) ? template.spec : undefined;
}

function selectorText(selector: Json | undefined): string {
  const text = formatSelector(fromSelectorObject(selector));
  return text === "" ? "<none>" : text;
}

function endpointsText(obj: KubeObject): string {
  const pairs: string[] = [];
  let total = 0;
  for (const subset of objects(obj.subsets as Json | undefined)) {
    const addresses = objects(subset.addresses);
    const ports = objects(subset.ports);
    for (const address of addresses) {
      if (ports.length === 0) {
        total++;
        if (pairs.length < 3) pairs.push(String(address.ip));
      }
      for (const port of ports) {
        total++;
        if (pairs.length < 3) pairs.push(`${address.ip}:${port.port}`);
      }
    }
  }
  if (total === 0) return "<none>";
  return total > pairs.length ? `${pairs.join(",")} + ${total - pairs.length} more...` : pairs.join(",");
}

/** Renders a value found by a CRD printer column path, as the API server does for custom resources. */
function crdCell(obj: KubeObject, path: string): Cell {
  const value = readPath(obj, path);
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number") return value;
  return JSON.stringify(value);
}

const crdAge = column("Age", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.");

const tables: Record<ResourceId, TableSpec> = {
  pods: {
    columns: [
      nameColumn,
      column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
      column("Status", "string", "The aggregate status of the containers in this pod."),
      column("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
      ageColumn,
      column("IP", "string", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
      column("Node", "string", "NodeName is a request to schedule this pod onto a specific node.", 1),
      column("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node.", 1),
      column("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
    ],
    cells: podCells,
  },
  services: {
    columns: [
      nameColumn,
      column("Type", "string", "type determines how the Service is exposed."),
      column("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."),
      column("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
      column("Port(s)", "string", "The list of ports that are exposed by this service."),
      ageColumn,
      column("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1),
    ],
    cells: (obj, nowMs) => {
      const spec = section(obj, "spec");
      const selector = formatSelector(fromLabelMap(spec.selector));
      return [
        obj.metadata.name,
        typeof spec.type === "string" ? spec.type : "ClusterIP",
        typeof spec.clusterIP === "string" ? spec.clusterIP : "<none>",
        externalIps(spec, section(obj, "status")),
        servicePorts(spec),
        age(obj, nowMs),
        selector === "" ? "<none>" : selector,
      ];
    },
  },
  "apps/deployments": {
    columns: [
      nameColumn,
      column("Ready", "string", "Number of the pod with ready state"),
      column("Up-to-date", "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
      column("Available", "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
      ageColumn,
      ...podTemplateColumns("Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
    ],
    cells: (obj, nowMs) => {
      const spec = section(obj, "spec");
      const status = section(obj, "status");
      const desired = typeof spec.replicas === "number" ? spec.replicas : 1;
      return [
        obj.metadata.name,
        `${Number(status.readyReplicas ?? 0)}/${desired}`,
        Number(status.updatedReplicas ?? 0),
        Number(status.availableReplicas ?? 0),
        age(obj, nowMs),
        ...podTemplateCells(obj),
      ];
    },
  },
  "apps/replicasets": {
    columns: [
      nameColumn,
      column("Desired", "integer", "Replicas is the number of desired replicas."),
      column("Current", "integer", "Replicas is the most recently observed number of replicas."),
      column("Ready", "integer", "The number of ready replicas for this replica set."),
      ageColumn,
      ...podTemplateColumns("Selector is a label query over pods that should match the replica count."),
    ],
    cells: (obj, nowMs) => {
      const spec = section(obj, "spec");
      const status = section(obj, "status");
      return [
        obj.metadata.name,
        typeof spec.replicas === "number" ? spec.replicas : 1,
        Number(status.replicas ?? 0),
        Number(status.readyReplicas ?? 0),
        age(obj, nowMs),
        ...podTemplateCells(obj),
      ];
    },
  },
  endpoints: {
    columns: [nameColumn, column("Endpoints", "string", "Endpoints of the service"), ageColumn],
    cells: (obj, nowMs) => [obj.metadata.name, endpointsText(obj), age(obj, nowMs)],
  },
  "discovery.k8s.io/endpointslices": {
    columns: [
      nameColumn,
      column("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice."),
      column("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice."),
      column("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."),
      ageColumn,
    ],
    cells: (obj, nowMs) => {
      const ports = objects(obj.ports as Json | undefined).map((port) => String(port.port ?? ""));
      const addresses = objects(obj.endpoints as Json | undefined).flatMap((endpoint) => list(endpoint.addresses).map(String));
      const shown = addresses.slice(0, 3).join(",");
      return [
        obj.metadata.name,
        String(obj.addressType ?? "IPv4"),
        ports.length > 0 ? ports.join(",") : "<unset>",
        addresses.length === 0 ? "<unset>" : addresses.length > 3 ? `${shown} + ${addresses.length - 3} more...` : shown,
        age(obj, nowMs),
      ];
    },
  },
  namespaces: {
    columns: [nameColumn, column("Status", "string", "The status of the namespace"), ageColumn],
    cells: (obj, nowMs) => [obj.metadata.name, String(section(obj, "status").phase ?? "Active"), age(obj, nowMs)],
  },
  nodes: {
    columns: [
      nameColumn,
      column("Status", "string", "The status of the node"),
      column("Roles", "string", "The roles of the node"),
      ageColumn,
      column("Version", "string", "Kubelet Version reported by the node."),
      column("Internal-IP", "string", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
      column("External-IP", "string", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
      column("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
      column("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
      column("Container-Runtime", "string", "Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
    ],
    cells: (obj, nowMs) => {
      const status = section(obj, "status");
      const ready = objects(status.conditions).find((condition) => condition.type === "Ready");
      const roles = Object.keys(obj.metadata.labels ?? {})
        .filter((key) => key.startsWith("node-role.kubernetes.io/"))
        .map((key) => key.slice("node-role.kubernetes.io/".length));
      const info = isPlainObject(status.nodeInfo) ? status.nodeInfo : {};
      const address = (type: string): string => String(objects(status.addresses).find((entry) => entry.type === type)?.address ?? "<none>");
      const unschedulable = section(obj, "spec").unschedulable === true;
      return [
        obj.metadata.name,
        `${ready?.status === "True" ? "Ready" : "NotReady"}${unschedulable ? ",SchedulingDisabled" : ""}`,
        roles.length > 0 ? roles.join(",") : "<none>",
        age(obj, nowMs),
        String(info.kubeletVersion ?? ""),
        address("InternalIP"),
        address("ExternalIP"),
        String(info.osImage ?? "<unknown>"),
        String(info.kernelVersion ?? "<unknown>"),
        String(info.containerRuntimeVersion ?? "<unknown>"),
      ];
    },
  },
  configmaps: {
    columns: [nameColumn, column("Data", "integer", "Number of data entries"), ageColumn],
    cells: (obj, nowMs) => [obj.metadata.name, Object.keys(isPlainObject(obj.data as Json) ? (obj.data as JsonObject) : {}).length + Object.keys(isPlainObject(obj.binaryData as Json) ? (obj.binaryData as JsonObject) : {}).length, age(obj, nowMs)],
  },
  secrets: {
    columns: [nameColumn, column("Type", "string", "The type of the secret"), column("Data", "integer", "Number of data entries"), ageColumn],
    cells: (obj, nowMs) => [obj.metadata.name, typeof obj.type === "string" ? obj.type : "Opaque", Object.keys(isPlainObject(obj.data as Json) ? (obj.data as JsonObject) : {}).length, age(obj, nowMs)],
  },
  serviceaccounts: {
    columns: [nameColumn, column("Secrets", "integer", "Number of secrets"), ageColumn],
    cells: (obj, nowMs) => [obj.metadata.name, list(obj.secrets as Json | undefined).length, age(obj, nowMs)],
  },
  events: {
    columns: [
      column("Last Seen", "string", "Time when last event occurred"),
      column("Type", "string", "Type of the event"),
      column("Reason", "string", "Reason of the event"),
      column("Object", "string", "Object the event is about"),
      column("Message", "string", "Message of the event"),
    ],
    cells: (obj, nowMs) => {
      const involved = isPlainObject(obj.involvedObject as Json) ? (obj.involvedObject as JsonObject) : {};
      const last = typeof obj.lastTimestamp === "string" ? Date.parse(obj.lastTimestamp) : Date.parse(obj.metadata.creationTimestamp);
      return [humanDuration(nowMs - last), String(obj.type ?? "Normal"), String(obj.reason ?? ""), `${String(involved.kind ?? "").toLowerCase()}/${String(involved.name ?? "")}`, String(obj.message ?? "")];
    },
  },
  "apiextensions.k8s.io/customresourcedefinitions": {
    columns: [nameColumn, column("Created At", "date", "CreationTimestamp is a timestamp representing the server time when this object was created.")],
    cells: (obj) => [obj.metadata.name, obj.metadata.creationTimestamp],
  },
  "networking.istio.io/virtualservices": {
    columns: [nameColumn, column("Gateways", "string", "The names of gateways and sidecars that should apply these routes"), column("Hosts", "string", "The destination hosts to which traffic is being sent"), crdAge],
    cells: (obj, nowMs) => [obj.metadata.name, crdCell(obj, "spec.gateways"), crdCell(obj, "spec.hosts"), age(obj, nowMs)],
  },
  "networking.istio.io/destinationrules": {
    columns: [nameColumn, column("Host", "string", "The name of a service from the service registry"), crdAge],
    cells: (obj, nowMs) => [obj.metadata.name, crdCell(obj, "spec.host"), age(obj, nowMs)],
  },
  "networking.istio.io/serviceentries": {
    columns: [
      nameColumn,
      column("Hosts", "string", "The hosts associated with the ServiceEntry"),
      column("Location", "string", "Whether the service is external to the mesh or part of the mesh (MESH_EXTERNAL or MESH_INTERNAL)"),
      column("Resolution", "string", "Service resolution mode for the hosts (NONE, STATIC, or DNS)"),
      crdAge,
    ],
    cells: (obj, nowMs) => [obj.metadata.name, crdCell(obj, "spec.hosts"), crdCell(obj, "spec.location"), crdCell(obj, "spec.resolution"), age(obj, nowMs)],
  },
  "security.istio.io/peerauthentications": {
    columns: [nameColumn, column("Mode", "string", "Defines the mTLS mode used for peer authentication."), crdAge],
    cells: (obj, nowMs) => [obj.metadata.name, crdCell(obj, "spec.mtls.mode"), age(obj, nowMs)],
  },
  "security.istio.io/authorizationpolicies": {
    columns: [nameColumn, column("Action", "string", "The operation to take."), crdAge],
    cells: (obj, nowMs) => [obj.metadata.name, crdCell(obj, "spec.action"), age(obj, nowMs)],
  },
};

const defaultTable: TableSpec = { columns: [nameColumn, crdAge], cells: (obj, nowMs) => [obj.metadata.name, age(obj, nowMs)] };

export type IncludeObject = "None" | "Metadata" | "Object";

/** Builds a Table for `kubectl get`; `includeObject` decides what each row carries (Metadata by default). */
export function buildTable(resource: ResourceId, items: KubeObject[], options: { resourceVersion: string; includeObject: IncludeObject; withColumns?: boolean; continueToken?: string; nowMs?: number }): JsonObject {
  const spec = tables[resource] ?? defaultTable;
  const nowMs = options.nowMs ?? Date.now();
  const rows = items.map((obj) => {
    const row: JsonObject = { cells: spec.cells(obj, nowMs) };
    if (options.includeObject === "Object") row.object = obj as unknown as Json;
    else if (options.includeObject === "Metadata") row.object = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata as unknown as Json };
    return row;
  });
  const metadata: JsonObject = { resourceVersion: options.resourceVersion };
  if (options.continueToken) metadata.continue = options.continueToken;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: options.withColumns === false ? null : (spec.columns as unknown as Json),
    rows,
  };
}
