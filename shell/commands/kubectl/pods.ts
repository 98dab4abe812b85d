// kubectl commands that reach into pods: `exec` (curl, fortio, pilot-agent in a container), `logs` (Envoy access log
// of istio-proxy), `port-forward` (kept as shell state so later `curl localhost:PORT` reaches the pod) and `wait`.
import { ApiStatusError, qualifiedSingular, type KubeClient } from "../../kube/client";
import { renderJsonPath } from "../../kube/jsonpath";
import { describeError, Output, passTime, UsageProblem, type Invocation } from "../../context";
import { flagValue, type ParsedFlags } from "../flags";
import { containerNames, defaultContainer, namespaceOf, parseTargets, podsBySelector, resolvePod, resolveType, type PodObject } from "./common";

/** `kubectl exec [-it] POD|TYPE/NAME [-c CONTAINER] -- COMMAND…`. */
export async function kubectlExec(invocation: Invocation, flags: ParsedFlags, positionals: string[]): Promise<Output> {
  const out = new Output();
  const command = flags.rest;
  const target = positionals[0];
  if (!target) throw new UsageProblem("pod, type/name or --filename must be specified");
  if (!command || command.length === 0) {
    if (positionals.length > 1) throw new UsageProblem("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead");
    throw new UsageProblem("you must specify at least one command for the container");
  }
  const kube = invocation.session.backend.kube;
  const namespace = namespaceOf(invocation, flags);
  const { pod } = await resolvePod(kube, namespace, target);
  let container = flagValue(flags, "container");
  if (container === undefined) {
    container = defaultContainer(pod);
    const names = containerNames(pod);
    if (!pod.metadata.annotations?.["kubectl.kubernetes.io/default-container"] && names.length > 1) out.error(`Defaulted container "${container}" out of: ${names.join(", ")}`, 0);
  }
  const result = await invocation.session.backend.exec({ namespace, name: pod.metadata.name }, container, command);
  await passTime(invocation, result);
  out.write(result.stdout);
  out.writeErr(result.stderr);
  if (result.exitCode !== 0) out.error(`command terminated with exit code ${result.exitCode}`, result.exitCode);
  return out;
}

/** `kubectl logs POD|TYPE/NAME [-c CONTAINER] [--tail N]`. */
export async function kubectlLogs(invocation: Invocation, flags: ParsedFlags, positionals: string[]): Promise<Output> {
  const out = new Output();
  const kube = invocation.session.backend.kube;
  const namespace = namespaceOf(invocation, flags);
  const target = positionals[0];
  const container = flagValue(flags, "container") ?? positionals[1];
  const selector = flagValue(flags, "selector");
  let pods: PodObject[];
  if (target === undefined) {
    if (selector === undefined) throw new UsageProblem("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command");
    pods = await podsBySelector(kube, namespace, selector);
    if (pods.length === 0) {
      out.error(`No resources found in ${namespace} namespace.`, 0);
      return out;
    }
  } else {
    const resolved = await resolvePod(kube, namespace, target);
    if (resolved.candidates > 1) out.error(`Found ${resolved.candidates} pods, using pod/${resolved.pod.metadata.name}`, 0);
    pods = [resolved.pod];
  }
  const tailText = flagValue(flags, "tail");
  const tail = tailText === undefined ? (target === undefined ? 10 : undefined) : Number(tailText);
  for (const pod of pods) {
    const podName = pod.metadata.name;
    const names = containerNames(pod);
    const chosen = container ?? (pod.metadata.annotations?.["kubectl.kubernetes.io/default-container"] || (names.length === 1 ? names[0] : undefined));
    if (!chosen) {
      out.error(`error: a container name must be specified for pod ${podName}, choose one of: [${names.join(" ")}]`);
      continue;
    }
    if (!names.includes(chosen)) {
      out.error(`error: container ${chosen} is not valid for pod ${podName}`);
      continue;
    }
    const text = await invocation.session.backend.logs({ namespace, name: podName }, chosen, { tail: tail !== undefined && tail >= 0 ? tail : undefined });
    out.write(text);
  }
  return out;
}

interface ServiceObject {
  spec?: { selector?: Record<string, string>; ports?: { port: number; targetPort?: number | string; name?: string }[] };
}

/** The pod port a service port forwards to (named target ports resolved on the pod). */
function podPortFor(service: ServiceObject, pod: PodObject, port: number): number | undefined {
  const servicePort = service.spec?.ports?.find((item) => item.port === port);
  if (!servicePort) return undefined;
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const container of pod.spec?.containers ?? []) {
    const named = container.ports?.find((item) => item.name === target);
    if (named) return named.containerPort;
  }
  return undefined;
}

/** `kubectl port-forward TYPE/NAME [LOCAL:]REMOTE…`: prints kubectl's forwarding lines and keeps the forward. */
export async function kubectlPortForward(invocation: Invocation, flags: ParsedFlags, positionals: string[]): Promise<Output> {
  const out = new Output();
  const [target, ...portSpecs] = positionals;
  if (!target || portSpecs.length === 0) throw new UsageProblem("TYPE/NAME and list of ports are required for port-forward");
  const kube: KubeClient = invocation.session.backend.kube;
  const namespace = namespaceOf(invocation, flags);
  const slash = target.indexOf("/");
  const typed = slash === -1 ? "pods" : target.slice(0, slash);
  const name = slash === -1 ? target : target.slice(slash + 1);
  const resource = await resolveType(kube, typed);
  const { pod } = await resolvePod(kube, namespace, target);
  const service = resource.kind === "Service" ? await kube.request<ServiceObject>(kube.path(resource, namespace, name)) : undefined;
  const pairs: { local: number; remote: number }[] = [];
  for (const spec of portSpecs) {
    const [localText = "", remoteText] = spec.split(":");
    const local = Number(localText || remoteText);
    const requested = Number(remoteText ?? localText);
    if (!Number.isInteger(local) || !Number.isInteger(requested)) throw new UsageProblem(`Error parsing local port '${localText}': strconv.ParseUint: parsing "${localText}": invalid syntax`);
    const remote = service ? podPortFor(service, pod, requested) : requested;
    if (remote === undefined) throw new UsageProblem(`Service ${name} does not have a service port ${requested}`);
    pairs.push({ local, remote });
  }
  for (const { local, remote } of pairs) {
    if (invocation.session.forwards.has(local)) {
      out.error(`Unable to listen on port ${local}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:${local}: bind: address already in use unable to create listener: Error listen tcp6 [::1]:${local}: bind: address already in use]`, 0);
      out.error(`error: unable to listen on any of the requested ports: [{${local} ${remote}}]`);
      return out;
    }
  }
  for (const { local, remote } of pairs) {
    invocation.session.forwards.set(local, { localPort: local, pod: { namespace, name: pod.metadata.name }, podPort: remote, description: `kubectl port-forward ${target} ${portSpecs.join(" ")}` });
    out.print(`Forwarding from 127.0.0.1:${local} -> ${remote}`);
    out.print(`Forwarding from [::1]:${local} -> ${remote}`);
  }
  return out;
}

function parseDuration(text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  let total = 0;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const matches = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (matches.length === 0 && /^\d+$/.test(text)) return Number(text) * 1000;
  for (const match of matches) total += Number(match[1]) * (units[match[2] ?? "s"] ?? 1000);
  return total;
}

type Condition = { type: "condition"; name: string; value: string } | { type: "delete" } | { type: "jsonpath"; path: string; value: string };

function parseFor(text: string | undefined): Condition {
  if (!text) throw new UsageProblem("--for must be specified");
  if (text === "delete") return { type: "delete" };
  if (text.startsWith("condition=")) {
    const [name = "", value = "True"] = text.slice("condition=".length).split("=");
    return { type: "condition", name: name.toLowerCase(), value: value.toLowerCase() };
  }
  if (text.startsWith("jsonpath=")) {
    const body = text.slice("jsonpath=".length);
    const eq = body.lastIndexOf("=");
    const path = eq === -1 ? body : body.slice(0, eq);
    return { type: "jsonpath", path: path.replace(/^'|'$/g, ""), value: eq === -1 ? "" : body.slice(eq + 1) };
  }
  throw new UsageProblem(`unrecognized condition: "${text}"`);
}

function met(condition: Condition, obj: { status?: { conditions?: { type: string; status: string }[] } } | undefined): boolean {
  if (condition.type === "delete") return obj === undefined;
  if (!obj) return false;
  if (condition.type === "condition") return (obj.status?.conditions ?? []).some((item) => item.type.toLowerCase() === condition.name && item.status.toLowerCase() === condition.value);
  const template = condition.path.startsWith("{") ? condition.path : `{${condition.path}}`;
  return renderJsonPath(template, obj) === condition.value;
}

/** `kubectl wait --for=condition=Ready|delete|jsonpath=… TYPE[/NAME] [-l selector] [--timeout]`. */
export async function kubectlWait(invocation: Invocation, flags: ParsedFlags, positionals: string[]): Promise<Output> {
  const out = new Output();
  const kube = invocation.session.backend.kube;
  const condition = parseFor(flagValue(flags, "for"));
  const timeoutMs = parseDuration(flagValue(flags, "timeout"), 30_000);
  const namespace = namespaceOf(invocation, flags);
  const selector = flagValue(flags, "selector");
  const objects: { label: string; path: string }[] = [];
  for (const target of await parseTargets(kube, positionals)) {
    const scope = target.resource.namespaced ? namespace : undefined;
    let names = target.names;
    if (names.length === 0) {
      const list = await kube.request<{ items?: { metadata: { name: string } }[] }>(kube.path(target.resource, scope), { query: { labelSelector: selector } });
      names = (list.items ?? []).map((item) => item.metadata.name);
    }
    for (const name of names) objects.push({ label: `${qualifiedSingular(target.resource)}/${name}`, path: kube.path(target.resource, scope, name) });
  }
  if (objects.length === 0) throw new UsageProblem("no matching resources found");
  const deadline = performance.now() + timeoutMs;
  for (const object of objects) {
    for (;;) {
      let current: { status?: { conditions?: { type: string; status: string }[] } } | undefined;
      try {
        current = await kube.request(object.path);
      } catch (error) {
        if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
        if (condition.type !== "delete") {
          out.error(describeError(error));
          break;
        }
      }
      if (met(condition, current)) {
        out.print(`${object.label} ${condition.type === "delete" ? "deleted" : "condition met"}`);
        break;
      }
      if (performance.now() >= deadline || invocation.signal?.aborted) {
        out.error(`error: timed out waiting for the condition on ${object.label.replace(/^([^/.]+)[^/]*\//, "$1s/")}`);
        break;
      }
      await invocation.session.backend.settle(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return out;
}
