// `kubectl describe`: readable pod and service pages, and kubectl's generic layout for every other kind (custom
// resources such as VirtualService and DestinationRule print their spec as nested "Key:  value" lines).
import { ApiStatusError, apiVersionOf, type ApiResource, type KubeClient } from "../../kube/client";
import { describeError, Output, UsageProblem, type Invocation } from "../../context";
import { flagValue, type ParsedFlags } from "../flags";
import { namespaceOf, parseTargets } from "./common";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** A describe line: `key:\tvalue` lines align in blocks (Go tabwriter, padding 2), plain lines end a block. */
type Line = { indent: number; key: string; value: string } | { indent: number; text: string };

function render(lines: readonly Line[]): string {
  let out = "";
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] as Line;
    if ("text" in line) {
      out += `${"  ".repeat(line.indent)}${line.text}\n`;
      index += 1;
      continue;
    }
    let end = index;
    while (end < lines.length && !("text" in (lines[end] as Line))) end += 1;
    const block = lines.slice(index, end) as { indent: number; key: string; value: string }[];
    const width = Math.max(...block.map((item) => item.indent * 2 + item.key.length + 1)) + 2;
    for (const item of block) {
      // An empty key continues the previous entry (more labels or annotations) in the value column.
      const cell = item.key === "" ? "  ".repeat(item.indent) : `${"  ".repeat(item.indent)}${item.key}:`;
      out += item.value === "" ? `${cell}\n` : `${cell}${" ".repeat(width - cell.length)}${item.value}\n`;
    }
    index = end;
  }
  return out;
}

/** `Labels: a=b` with further pairs on their own aligned lines. */
function mapLines(key: string, map: Record<string, string> | undefined, skip: readonly string[] = [], separator = "="): Line[] {
  const entries = Object.entries(map ?? {})
    .filter(([name]) => !skip.includes(name))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return [{ indent: 0, key, value: "<none>" }];
  return entries.map(([name, value], position) => ({ indent: 0, key: position === 0 ? key : "", value: `${name}${separator}${value}` }));
}

/** Turns camelCase keys into kubectl's Title Case words ("creationTimestamp" → "Creation Timestamp"). */
function titleCase(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  return typeof value === "string" ? value : String(value);
}

/** kubectl's generic rendering of nested content. */
function contentLines(value: unknown, indent: number, out: Line[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item && typeof item === "object") contentLines(item, indent, out);
      else out.push({ indent, text: scalar(item) });
    }
    return;
  }
  if (!value || typeof value !== "object") return;
  for (const key of Object.keys(value).sort()) {
    const child = (value as Record<string, unknown>)[key];
    if (child && typeof child === "object") {
      out.push({ indent, text: `${titleCase(key)}:` });
      contentLines(child, indent + 1, out);
    } else out.push({ indent, key: titleCase(key), value: scalar(child) });
  }
}

interface Described {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string; generation?: number; resourceVersion?: string; uid?: string; ownerReferences?: { kind: string; name: string }[] };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

function header(obj: Described): Line[] {
  return [
    { indent: 0, key: "Name", value: obj.metadata?.name ?? "" },
    ...(obj.metadata?.namespace !== undefined ? [{ indent: 0, key: "Namespace", value: obj.metadata.namespace }] : []),
    ...mapLines("Labels", obj.metadata?.labels),
    ...mapLines("Annotations", obj.metadata?.annotations, [LAST_APPLIED], ": "),
  ];
}

function genericDescribe(obj: Described, resource: ApiResource): string {
  const lines: Line[] = [...header(obj), { indent: 0, key: "API Version", value: obj.apiVersion ?? apiVersionOf(resource) }, { indent: 0, key: "Kind", value: obj.kind ?? resource.kind }];
  const metadata = obj.metadata ?? {};
  lines.push({ indent: 0, text: "Metadata:" });
  const shownMetadata: Record<string, unknown> = {};
  for (const key of ["creationTimestamp", "generation", "resourceVersion", "uid", "ownerReferences", "finalizers"] as const) {
    const value = (metadata as Record<string, unknown>)[key];
    if (value !== undefined) shownMetadata[key] = value;
  }
  contentLines(shownMetadata, 1, lines);
  for (const key of Object.keys(obj).sort()) {
    if (key === "apiVersion" || key === "kind" || key === "metadata") continue;
    const value = obj[key];
    if (value && typeof value === "object") {
      lines.push({ indent: 0, text: `${titleCase(key)}:` });
      contentLines(value, 1, lines);
    } else lines.push({ indent: 0, key: titleCase(key), value: scalar(value) });
  }
  lines.push({ indent: 0, key: "Events", value: "<none>" });
  return render(lines);
}

interface PodDescribed extends Described {
  spec?: { serviceAccountName?: string; nodeName?: string; containers?: { name: string; image?: string; ports?: { containerPort: number; protocol?: string }[] }[]; initContainers?: { name: string; image?: string }[] };
  status?: { phase?: string; podIP?: string; hostIP?: string; startTime?: string; qosClass?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { name: string; ready?: boolean; restartCount?: number; state?: Record<string, { startedAt?: string }> }[] };
}

function podDescribe(pod: PodDescribed): string {
  const lines: Line[] = [
    { indent: 0, key: "Name", value: pod.metadata?.name ?? "" },
    { indent: 0, key: "Namespace", value: pod.metadata?.namespace ?? "" },
    { indent: 0, key: "Priority", value: "0" },
    { indent: 0, key: "Service Account", value: pod.spec?.serviceAccountName ?? "default" },
    { indent: 0, key: "Node", value: `${pod.spec?.nodeName ?? "<none>"}${pod.status?.hostIP ? `/${pod.status.hostIP}` : ""}` },
    { indent: 0, key: "Start Time", value: pod.status?.startTime ? new Date(pod.status.startTime).toUTCString().replace("GMT", "+0000") : "<unknown>" },
    ...mapLines("Labels", pod.metadata?.labels),
    ...mapLines("Annotations", pod.metadata?.annotations, [LAST_APPLIED], ": "),
    { indent: 0, key: "Status", value: pod.status?.phase ?? "Unknown" },
    { indent: 0, key: "IP", value: pod.status?.podIP ?? "" },
  ];
  const owner = pod.metadata?.ownerReferences?.[0];
  if (owner) lines.push({ indent: 0, key: "Controlled By", value: `${owner.kind}/${owner.name}` });
  const containerBlock = (title: string, containers: { name: string; image?: string; ports?: { containerPort: number; protocol?: string }[] }[]): void => {
    if (containers.length === 0) return;
    lines.push({ indent: 0, text: `${title}:` });
    for (const container of containers) {
      const status = pod.status?.containerStatuses?.find((item) => item.name === container.name);
      const state = Object.keys(status?.state ?? {})[0];
      lines.push({ indent: 1, text: `${container.name}:` });
      lines.push({ indent: 2, key: "Image", value: container.image ?? "" });
      const port = container.ports?.[0];
      lines.push({ indent: 2, key: "Port", value: port ? `${port.containerPort}/${port.protocol ?? "TCP"}` : "<none>" });
      lines.push({ indent: 2, key: "State", value: state ? titleCase(state) : title === "Init Containers" ? "Terminated" : "Waiting" });
      lines.push({ indent: 2, key: "Ready", value: status?.ready === false ? "False" : "True" });
      lines.push({ indent: 2, key: "Restart Count", value: String(status?.restartCount ?? 0) });
    }
  };
  containerBlock("Init Containers", pod.spec?.initContainers ?? []);
  containerBlock("Containers", pod.spec?.containers ?? []);
  lines.push({ indent: 0, text: "Conditions:" });
  const conditions = [{ type: "Type", status: "Status" }, ...(pod.status?.conditions ?? [])];
  const typeWidth = Math.max(...conditions.map((condition) => condition.type.length)) + 2;
  for (const condition of conditions) lines.push({ indent: 1, text: `${condition.type.padEnd(typeWidth)}${condition.status}` });
  lines.push({ indent: 0, key: "QoS Class", value: pod.status?.qosClass ?? "BestEffort" });
  lines.push({ indent: 0, key: "Events", value: "<none>" });
  return render(lines);
}

interface ServiceDescribed extends Described {
  spec?: { selector?: Record<string, string>; type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[]; sessionAffinity?: string };
}

async function serviceDescribe(kube: KubeClient, service: ServiceDescribed): Promise<string> {
  let endpoints = "<none>";
  try {
    const resource = await kube.resolve("endpoints");
    if (resource && service.metadata?.name) {
      const object = await kube.request<{ subsets?: { addresses?: { ip: string }[]; ports?: { port: number }[] }[] }>(kube.path(resource, service.metadata.namespace, service.metadata.name));
      const list = (object.subsets ?? []).flatMap((subset) => (subset.addresses ?? []).flatMap((address) => (subset.ports ?? []).map((port) => `${address.ip}:${port.port}`)));
      if (list.length) endpoints = list.join(",");
    }
  } catch (error) {
    if (!(error instanceof ApiStatusError)) throw error;
  }
  const lines: Line[] = [...header(service), ...mapLines("Selector", service.spec?.selector), { indent: 0, key: "Type", value: service.spec?.type ?? "ClusterIP" }];
  lines.push({ indent: 0, key: "IP Family Policy", value: "SingleStack" }, { indent: 0, key: "IP Families", value: "IPv4" });
  lines.push({ indent: 0, key: "IP", value: service.spec?.clusterIP ?? "None" }, { indent: 0, key: "IPs", value: (service.spec?.clusterIPs ?? [service.spec?.clusterIP ?? "None"]).join(",") });
  for (const port of service.spec?.ports ?? []) {
    lines.push({ indent: 0, key: "Port", value: `${port.name ?? "<unset>"}  ${port.port}/${port.protocol ?? "TCP"}` });
    lines.push({ indent: 0, key: "TargetPort", value: `${port.targetPort ?? port.port}/${port.protocol ?? "TCP"}` });
    lines.push({ indent: 0, key: "Endpoints", value: endpoints });
  }
  lines.push({ indent: 0, key: "Session Affinity", value: service.spec?.sessionAffinity ?? "None" }, { indent: 0, key: "Internal Traffic Policy", value: "Cluster" }, { indent: 0, key: "Events", value: "<none>" });
  return render(lines);
}

/** `kubectl describe TYPE [NAME_PREFIX…]`, `TYPE/NAME`, `-l`. */
export async function kubectlDescribe(invocation: Invocation, flags: ParsedFlags, positionals: string[]): Promise<Output> {
  const out = new Output();
  const kube = invocation.session.backend.kube;
  if (positionals.length === 0) throw new UsageProblem(`You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.`);
  const namespace = namespaceOf(invocation, flags);
  const pages: string[] = [];
  for (const target of await parseTargets(kube, positionals)) {
    const scope = target.resource.namespaced ? namespace : undefined;
    let objects: Described[] = [];
    if (target.names.length === 0) {
      const list = await kube.request<{ items?: Described[] }>(kube.path(target.resource, scope), { query: { labelSelector: flagValue(flags, "selector") } });
      objects = list.items ?? [];
      if (objects.length === 0) out.error(`No resources found in ${namespace} namespace.`, 0);
    }
    for (const name of target.names) {
      try {
        objects.push(await kube.request<Described>(kube.path(target.resource, scope, name)));
      } catch (error) {
        if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
        // kubectl describe falls back to objects whose names start with the given text.
        const list = await kube.request<{ items?: Described[] }>(kube.path(target.resource, scope));
        const matching = (list.items ?? []).filter((item) => item.metadata?.name?.startsWith(name));
        if (matching.length === 0) out.error(describeError(error));
        objects.push(...matching);
      }
    }
    for (const obj of objects) {
      const complete: Described = { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(target.resource), kind: obj.kind ?? target.resource.kind };
      if (target.resource.kind === "Pod" && target.resource.group === "") pages.push(podDescribe(complete as PodDescribed));
      else if (target.resource.kind === "Service" && target.resource.group === "") pages.push(await serviceDescribe(kube, complete as ServiceDescribed));
      else pages.push(genericDescribe(complete, target.resource));
    }
  }
  out.write(pages.join("\n\n"));
  return out;
}
