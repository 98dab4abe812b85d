// Pieces every kubectl subcommand shares: its flags, namespace choice, resource type and target resolution
// (`vs reviews`, `vs/reviews`, `vs,dr`), and finding the pod behind `deploy/NAME` or `svc/NAME`.
import type { ApiResource, KubeClient } from "../../kube/client";
import { UsageProblem, type Invocation } from "../../context";
import { flagValue, type FlagSpec, type ParsedFlags } from "../flags";

/** Every flag the shell's kubectl understands (per-subcommand meaning is decided by the subcommand). */
export const KUBECTL_FLAGS: FlagSpec = {
  values: {
    namespace: "namespace",
    n: "namespace",
    output: "output",
    o: "output",
    selector: "selector",
    l: "selector",
    filename: "filename",
    f: "filename",
    container: "container",
    c: "container",
    patch: "patch",
    p: "patch",
    "patch-file": "patch-file",
    type: "type",
    tail: "tail",
    for: "for",
    timeout: "timeout",
    replicas: "replicas",
    context: "context",
    kubeconfig: "kubeconfig",
    "label-columns": "label-columns",
    L: "label-columns",
    "field-selector": "field-selector",
    "dry-run": "dry-run",
    "sort-by": "sort-by",
    address: "address",
    "grace-period": "grace-period",
    cascade: "cascade",
    since: "since",
    "pod-running-timeout": "pod-running-timeout",
    image: "image",
    port: "port",
    "target-port": "target-port",
    "current-replicas": "current-replicas",
  },
  booleans: {
    "all-namespaces": "all-namespaces",
    A: "all-namespaces",
    all: "all",
    "ignore-not-found": "ignore-not-found",
    "show-labels": "show-labels",
    "no-headers": "no-headers",
    overwrite: "overwrite",
    stdin: "stdin",
    i: "stdin",
    tty: "tty",
    t: "tty",
    quiet: "quiet",
    q: "quiet",
    watch: "watch",
    w: "watch",
    recursive: "recursive",
    R: "recursive",
    force: "force",
    now: "now",
    wait: "wait",
    local: "local",
    follow: "follow",
    previous: "previous",
    timestamps: "timestamps",
    client: "client",
    "server-side": "server-side",
    current: "current",
    minify: "minify",
    raw: "raw",
    "show-managed-fields": "show-managed-fields",
    "all-containers": "all-containers",
    "prefix": "prefix",
  },
};

/** The namespace a command acts in: -n, else the session's current namespace. */
export function namespaceOf(invocation: Invocation, flags: ParsedFlags): string {
  return flagValue(flags, "namespace") ?? invocation.session.namespace;
}

/** Resolves a typed resource name or fails like kubectl. */
export async function resolveType(kube: KubeClient, typed: string): Promise<ApiResource> {
  const resource = await kube.resolve(typed);
  if (!resource) throw new UsageProblem(`the server doesn't have a resource type "${typed}"`);
  return resource;
}

/** One resource type with the names asked for (none: every object of the type). */
export interface Target {
  resource: ApiResource;
  names: string[];
}

/** Reads `TYPE[,TYPE] [NAME…]` or `TYPE/NAME…` positionals. `all` expands to the "all" category. */
export async function parseTargets(kube: KubeClient, positionals: readonly string[]): Promise<Target[]> {
  if (positionals.length === 0) return [];
  const first = positionals[0] ?? "";
  if (first.includes("/")) {
    const targets: Target[] = [];
    for (const item of positionals) {
      const slash = item.indexOf("/");
      if (slash <= 0) throw new UsageProblem(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`);
      const resource = await resolveType(kube, item.slice(0, slash));
      const name = item.slice(slash + 1);
      const existing = targets.find((target) => target.resource === resource);
      if (existing) existing.names.push(name);
      else targets.push({ resource, names: [name] });
    }
    return targets;
  }
  const names = positionals.slice(1);
  const targets: Target[] = [];
  for (const typed of first.split(",").filter(Boolean)) {
    if (typed === "all") {
      const all = (await kube.resources()).filter((resource) => resource.categories.includes("all"));
      for (const resource of all) targets.push({ resource, names: [...names] });
      continue;
    }
    targets.push({ resource: await resolveType(kube, typed), names: [...names] });
  }
  return targets;
}

/** Minimal pod shape the shell reads. */
export interface PodObject {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
  spec?: { containers?: { name: string; ports?: { containerPort: number; name?: string }[] }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

function selectorString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

/** Pods matching a label selector, running ones first, then by name. */
export async function podsBySelector(kube: KubeClient, namespace: string, selector: string): Promise<PodObject[]> {
  const resource = await resolveType(kube, "pods");
  const list = await kube.request<{ items?: PodObject[] }>(kube.path(resource, namespace), { query: { labelSelector: selector || undefined } });
  return (list.items ?? []).sort((a, b) => {
    const running = Number(b.status?.phase === "Running") - Number(a.status?.phase === "Running");
    return running || a.metadata.name.localeCompare(b.metadata.name);
  });
}

/** The pod behind `NAME`, `pod/NAME`, `deploy/NAME`, `svc/NAME`…, plus how many candidates there were. */
export async function resolvePod(kube: KubeClient, namespace: string, target: string): Promise<{ pod: PodObject; candidates: number }> {
  const slash = target.indexOf("/");
  const typed = slash === -1 ? "pods" : target.slice(0, slash);
  const name = slash === -1 ? target : target.slice(slash + 1);
  const resource = await resolveType(kube, typed);
  if (resource.kind === "Pod") {
    const pod = await kube.request<PodObject>(kube.path(resource, namespace, name));
    return { pod, candidates: 1 };
  }
  const owner = await kube.request<{ spec?: { selector?: { matchLabels?: Record<string, string> } | Record<string, string> } }>(kube.path(resource, namespace, name));
  const rawSelector = owner.spec?.selector ?? {};
  const labels = (resource.kind === "Service" ? rawSelector : (rawSelector as { matchLabels?: Record<string, string> }).matchLabels ?? {}) as Record<string, string>;
  const pods = await podsBySelector(kube, namespace, selectorString(labels));
  const pod = pods[0];
  if (!pod) throw new UsageProblem(`no pods found for ${resource.kind.toLowerCase()} "${name}"`);
  return { pod, candidates: pods.length };
}

/** The container kubectl picks when -c is not given. */
export function defaultContainer(pod: PodObject): string | undefined {
  return pod.metadata.annotations?.["kubectl.kubernetes.io/default-container"] ?? pod.spec?.containers?.[0]?.name;
}

/** The container names of a pod, in order. */
export function containerNames(pod: PodObject): string[] {
  return (pod.spec?.containers ?? []).map((container) => container.name);
}
