// The shell's `kubectl`: global flags anywhere on the line, subcommand dispatch, and the small subcommands
// (version, config, api-resources, create namespace, rollout status). Errors print as kubectl prints them, exit 1.
import { stringify } from "yaml";
import type { KubeClient } from "../../kube/client";
import { alignColumns } from "../../kube/print";
import { describeError, Output, UsageProblem, type CommandResult, type Invocation } from "../../context";
import { flagValue, parseFlags, type ParsedFlags } from "../flags";
import { asksForHelp, helpOutput } from "../help";
import { KUBECTL_FLAGS, namespaceOf, parseTargets } from "./common";
import { kubectlDescribe } from "./describe";
import { kubectlGet } from "./get";
import { kubectlApply, kubectlCreateFromFiles, kubectlDeleteFromFiles } from "./manifests";
import { kubectlDelete, kubectlLabel, kubectlPatch, kubectlScale } from "./mutate";
import { kubectlExec, kubectlLogs, kubectlPortForward, kubectlWait } from "./pods";

/** The kubectl release the shell presents itself as (the exam's). */
export const KUBECTL_VERSION = "v1.32.2";
const KUSTOMIZE_VERSION = "v5.5.0";

async function version(kube: KubeClient, flags: ParsedFlags): Promise<Output> {
  const out = new Output();
  out.print(`Client Version: ${KUBECTL_VERSION}`);
  out.print(`Kustomize Version: ${KUSTOMIZE_VERSION}`);
  if (!flags.booleans.has("client")) {
    const server = await kube.request<{ gitVersion?: string }>("/version");
    out.print(`Server Version: ${server.gitVersion ?? "unknown"}`);
  }
  return out;
}

function config(invocation: Invocation, flags: ParsedFlags, args: string[]): Output {
  const out = new Output();
  const kubeConfig = invocation.session.backend.kube.kubeConfig;
  const current = kubeConfig.getCurrentContext();
  switch (args[0]) {
    case "current-context":
      out.print(current);
      return out;
    case "get-contexts": {
      const rows = kubeConfig.getContexts().map((context) => [
        context.name === current ? "*" : "",
        context.name,
        context.cluster,
        context.user,
        context.name === current ? invocation.session.namespace : (context.namespace ?? ""),
      ]);
      out.write(alignColumns([["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"], ...rows]));
      return out;
    }
    case "set-context": {
      const namespace = flagValue(flags, "namespace");
      if (!flags.booleans.has("current") && args[1] !== current) throw new UsageProblem("the shell can only modify the current context (use --current)");
      if (namespace !== undefined) invocation.session.namespace = namespace;
      out.print(`Context "${current}" modified.`);
      return out;
    }
    case "view": {
      const view = {
        apiVersion: "v1",
        clusters: kubeConfig.getClusters().map((cluster) => ({ cluster: { ...(cluster.skipTLSVerify ? { "insecure-skip-tls-verify": true } : { "certificate-authority-data": "DATA+OMITTED" }), server: cluster.server }, name: cluster.name })),
        contexts: kubeConfig.getContexts().map((context) => ({ context: { cluster: context.cluster, ...(context.name === current ? { namespace: invocation.session.namespace } : context.namespace ? { namespace: context.namespace } : {}), user: context.user }, name: context.name })),
        "current-context": current,
        kind: "Config",
        preferences: {},
        users: kubeConfig.getUsers().map((user) => ({ name: user.name, user: user.token ? { token: "REDACTED" } : { "client-certificate-data": "DATA+OMITTED", "client-key-data": "DATA+OMITTED" } })),
      };
      out.write(stringify(view, { indentSeq: false }));
      return out;
    }
    default:
      throw new UsageProblem(`unknown command "${args[0] ?? ""}" for "kubectl config"`);
  }
}

async function apiResources(kube: KubeClient): Promise<Output> {
  const out = new Output();
  const rows = (await kube.resources())
    .slice()
    .sort((a, b) => a.group.localeCompare(b.group) || a.plural.localeCompare(b.plural))
    .map((resource) => [resource.plural, resource.shortNames.join(","), resource.group ? `${resource.group}/${resource.version}` : resource.version, String(resource.namespaced), resource.kind]);
  out.write(alignColumns([["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"], ...rows]));
  return out;
}

async function create(invocation: Invocation, flags: ParsedFlags, positionals: string[]): Promise<Output> {
  if (flags.values.has("filename")) return kubectlCreateFromFiles(invocation, flags);
  const [what, name] = positionals;
  if ((what === "namespace" || what === "ns") && name) {
    const out = new Output();
    const kube = invocation.session.backend.kube;
    const resource = await kube.resolve("namespaces");
    if (!resource) throw new UsageProblem(`the server doesn't have a resource type "namespaces"`);
    try {
      await kube.request(kube.path(resource, undefined), { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } });
      out.print(`namespace/${name} created`);
    } catch (error) {
      out.error(describeError(error));
    }
    return out;
  }
  throw new UsageProblem("must specify one of -f and -k (the lab shell creates objects from manifests, or namespaces with `kubectl create namespace NAME`)");
}

async function rollout(invocation: Invocation, flags: ParsedFlags, positionals: string[]): Promise<Output> {
  const out = new Output();
  const [action, ...rest] = positionals;
  const kube = invocation.session.backend.kube;
  const namespace = namespaceOf(invocation, flags);
  for (const target of await parseTargets(kube, rest)) {
    for (const name of target.names) {
      const path = kube.path(target.resource, namespace, name);
      if (action === "status") {
        await kube.request(path);
        out.print(`${target.resource.kind.toLowerCase()} "${name}" successfully rolled out`);
      } else if (action === "restart") {
        await kube.request(path, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": new Date().toISOString() } } } } } });
        out.print(`${target.resource.kind.toLowerCase()}.${target.resource.group || "core"}/${name} restarted`.replace(".core/", "/"));
      } else throw new UsageProblem(`unknown command "${action ?? ""}" for "kubectl rollout"`);
    }
  }
  return out;
}

async function dispatch(invocation: Invocation, args: string[]): Promise<Output> {
  let flags: ParsedFlags;
  try {
    flags = parseFlags(args, KUBECTL_FLAGS);
  } catch (error) {
    // kubectl points at the subcommand's help after a flag error.
    const subcommand = args.find((arg) => !arg.startsWith("-"));
    const out = new Output();
    out.error(`${describeError(error)}\nSee 'kubectl${subcommand ? ` ${subcommand}` : ""} --help' for usage.`);
    return out;
  }
  const [subcommand, ...positionals] = flags.positionals;
  const kube = invocation.session.backend.kube;
  switch (subcommand) {
    case "get":
      return kubectlGet(invocation, flags, positionals);
    case "describe":
      return kubectlDescribe(invocation, flags, positionals);
    case "apply":
      return kubectlApply(invocation, flags);
    case "create":
      return create(invocation, flags, positionals);
    case "delete":
      return flags.values.has("filename") ? kubectlDeleteFromFiles(invocation, flags) : kubectlDelete(invocation, flags, positionals);
    case "patch":
      return kubectlPatch(invocation, flags, positionals);
    case "label":
      return kubectlLabel(invocation, flags, positionals, "labels");
    case "annotate":
      return kubectlLabel(invocation, flags, positionals, "annotations");
    case "scale":
      return kubectlScale(invocation, flags, positionals);
    case "exec":
      return kubectlExec(invocation, flags, positionals);
    case "logs":
      return kubectlLogs(invocation, flags, positionals);
    case "port-forward":
      return kubectlPortForward(invocation, flags, positionals);
    case "wait":
      return kubectlWait(invocation, flags, positionals);
    case "rollout":
      return rollout(invocation, flags, positionals);
    case "version":
      return version(kube, flags);
    case "config":
      return config(invocation, flags, positionals);
    case "api-resources":
      return apiResources(kube);
    case undefined:
      return helpOutput("kubectl", []);
    default:
      throw new UsageProblem(`unknown command "${subcommand}" for "kubectl"`);
  }
}

/** Runs `kubectl ARGS…` in the shell. */
export async function runKubectl(invocation: Invocation, args: string[]): Promise<CommandResult> {
  if (asksForHelp(args)) return helpOutput("kubectl", args).result();
  try {
    return (await dispatch(invocation, args)).result();
  } catch (error) {
    const out = new Output();
    out.error(describeError(error));
    return out.result();
  }
}
