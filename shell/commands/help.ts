// `--help` / `-h` for kubectl and istioctl in the lab shell: what each command does here, its usage, the flags the
// shell understands and an example a learner can adapt. Help is looked for only before `--` (what follows belongs
// to the command run in a pod).
import { Output } from "../context";

interface CommandHelp {
  summary: string;
  usage: string;
  flags?: string[];
  examples?: string[];
}

const KUBECTL_HELP: Record<string, CommandHelp> = {
  get: {
    summary: "List resources, or show one.",
    usage: "kubectl get TYPE[,TYPE…] [NAME…] [-n NS | -A] [-l SELECTOR] [-o wide|yaml|json|name|jsonpath=…|custom-columns=…]",
    flags: ["-n, --namespace", "-A, --all-namespaces", "-l, --selector", "--field-selector", "-o, --output", "-L, --label-columns", "--show-labels", "--no-headers", "--sort-by"],
    examples: ["kubectl get vs,dr,gw", "kubectl get pods -l app=reviews -o wide", "kubectl get vs reviews -o yaml"],
  },
  describe: {
    summary: "Show a resource in detail, with its events.",
    usage: "kubectl describe TYPE NAME | TYPE/NAME [-n NS]",
    examples: ["kubectl describe pod -l app=productpage", "kubectl describe dr reviews"],
  },
  apply: {
    summary: "Create or update resources from YAML (a file, a folder, or standard input with -f -).",
    usage: "kubectl apply -f FILE|DIR|- [--dry-run=client|server] [-n NS]",
    flags: ["-f, --filename", "-R, --recursive", "--dry-run", "-n, --namespace"],
    examples: ["kubectl apply -f reviews-v1.yaml", "kubectl apply -f - <<EOF\n  …\n  EOF"],
  },
  create: {
    summary: "Create resources from YAML, or a namespace.",
    usage: "kubectl create -f FILE|- | kubectl create namespace NAME",
    flags: ["-f, --filename", "--dry-run"],
  },
  delete: {
    summary: "Delete resources by type and name, by label, or as listed in YAML.",
    usage: "kubectl delete TYPE NAME… | TYPE -l SELECTOR | -f FILE",
    flags: ["-f, --filename", "-l, --selector", "--all", "--grace-period", "--cascade"],
    examples: ["kubectl delete vs reviews ratings", "kubectl delete -f reviews-v1.yaml"],
  },
  patch: {
    summary: "Change fields of a resource in place.",
    usage: "kubectl patch TYPE NAME --type merge|json|strategic -p PATCH",
    flags: ["-p, --patch", "--patch-file", "--type"],
    examples: [`kubectl patch vs reviews --type merge -p '{"spec":{"http":[{"route":[{"destination":{"host":"reviews","subset":"v2"}}]}]}}'`],
  },
  label: { summary: "Add, change (--overwrite) or remove (KEY-) labels.", usage: "kubectl label TYPE NAME KEY=VALUE… [--overwrite]", examples: ["kubectl label namespace default istio-injection=enabled"] },
  annotate: { summary: "Add, change (--overwrite) or remove (KEY-) annotations.", usage: "kubectl annotate TYPE NAME KEY=VALUE… [--overwrite]" },
  scale: { summary: "Set the number of replicas of a Deployment.", usage: "kubectl scale deploy/NAME --replicas=N", flags: ["--replicas", "--current-replicas"] },
  exec: {
    summary: "Run a command in a container: curl (sleep, apps), sh -c SCRIPT, fortio (fortio pod), pilot-agent (istio-proxy).",
    usage: "kubectl exec POD|TYPE/NAME [-c CONTAINER] -- COMMAND [ARGS…]",
    flags: ["-c, --container", "-n, --namespace"],
    examples: ["kubectl exec deploy/sleep -- curl -s http://productpage:9080/productpage", "kubectl exec deploy/productpage-v1 -c istio-proxy -- pilot-agent request GET stats"],
  },
  logs: {
    summary: "Print a container's log; for istio-proxy that is Envoy's access log (response flags UO, NR, UF, UH, FI, DI …).",
    usage: "kubectl logs POD|TYPE/NAME [-c CONTAINER] [--tail N]",
    flags: ["-c, --container", "--tail", "-n, --namespace"],
    examples: ["kubectl logs deploy/fortio-deploy -c istio-proxy --tail 20"],
  },
  "port-forward": { summary: "Forward a local port to a pod or service port (then curl localhost:PORT).", usage: "kubectl port-forward POD|svc/NAME LOCAL:REMOTE &", examples: ["kubectl port-forward svc/productpage 9080:9080 &"] },
  wait: { summary: "Wait for a condition on resources.", usage: "kubectl wait TYPE[/NAME] --for=condition=COND [--timeout=DURATION] [-l SELECTOR]", flags: ["--for", "--timeout", "-l, --selector", "--all"] },
  rollout: { summary: "Watch a Deployment's rollout finish.", usage: "kubectl rollout status deploy/NAME" },
  version: { summary: "Show the client and server versions.", usage: "kubectl version [--client]" },
  config: { summary: "Show or change the kubeconfig context (namespace of the current context).", usage: "kubectl config current-context | get-contexts | view | set-context --current --namespace NS" },
  "api-resources": { summary: "List the resource types the API server serves, with short names.", usage: "kubectl api-resources" },
};

const ISTIOCTL_HELP: Record<string, CommandHelp> = {
  "proxy-config": {
    summary: "Show the Envoy configuration a proxy holds: routes, clusters, listeners, endpoints (alias pc).",
    usage: "istioctl proxy-config routes|clusters|listeners|endpoints|all POD[.NS]|deploy/NAME [-n NS] [-o short|json|yaml]",
    flags: ["--name (routes)", "--fqdn, --port, --subset, --direction (clusters)", "--port, --address, --type (listeners)", "--cluster, --status, --address, --port (endpoints)", "-o, --output"],
    examples: ["istioctl pc routes deploy/productpage-v1 --name 9080 -o json", "istioctl pc clusters deploy/productpage-v1 --fqdn reviews.default.svc.cluster.local", "istioctl pc endpoints deploy/productpage-v1 --cluster 'outbound|9080|v1|reviews.default.svc.cluster.local'"],
  },
  "proxy-status": {
    summary: "Show whether each proxy has the latest config from istiod: SYNCED, STALE or NOT SENT per xDS type (alias ps).",
    usage: "istioctl proxy-status [POD[.NS]]",
  },
  analyze: {
    summary: "Check Istio configuration in the cluster (and files with -f) for problems; exit code 79 when it finds any.",
    usage: "istioctl analyze [-n NS | -A] [-f FILE…] [-o log|json|yaml] [--failure-threshold LEVEL]",
    flags: ["-n, --namespace", "-A, --all-namespaces", "-f, --filename", "-R, --recursive", "-o, --output", "--failure-threshold", "--output-threshold", "--verbose"],
    examples: ["istioctl analyze", "istioctl analyze -A", "istioctl analyze -f my-vs.yaml"],
  },
  version: { summary: "Show the istioctl, control plane and data plane versions.", usage: "istioctl version" },
};

const ALIASES: Record<string, string> = { pc: "proxy-config", ps: "proxy-status" };

/** Whether the line asks for help (`--help`/`-h` before any `--`). */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}

function render(tool: string, name: string, help: CommandHelp): string {
  const lines = [help.summary, "", "Usage:", `  ${help.usage}`];
  if (help.flags?.length) lines.push("", "Flags the lab shell understands:", ...help.flags.map((flag) => `  ${flag}`));
  if (help.examples?.length) lines.push("", "Examples:", ...help.examples.map((example) => `  ${example}`));
  lines.push("", `The lab shell's ${tool} ${name} covers what the ICA labs need; the full reference is on the ${tool === "kubectl" ? "Kubernetes" : "Istio"} docs site.`);
  return lines.join("\n");
}

function overview(tool: string, table: Record<string, CommandHelp>): string {
  const width = Math.max(...Object.keys(table).map((name) => name.length));
  const rows = Object.entries(table).map(([name, help]) => `  ${name.padEnd(width)}  ${help.summary}`);
  return [`${tool} in the lab shell. Commands:`, ...rows, "", `Use "${tool} COMMAND --help" for a command's usage and flags.`].join("\n");
}

/** Help text for `kubectl|istioctl [COMMAND] --help`; undefined when COMMAND is not one the shell has. */
function helpText(tool: "kubectl" | "istioctl", args: readonly string[]): string | undefined {
  const table = tool === "kubectl" ? KUBECTL_HELP : ISTIOCTL_HELP;
  const end = args.indexOf("--");
  const command = (end === -1 ? args : args.slice(0, end)).find((arg) => !arg.startsWith("-"));
  if (command === undefined) return overview(tool, table);
  const name = ALIASES[command] ?? command;
  const help = table[name];
  return help ? render(tool, name, help) : undefined;
}

/** `kubectl|istioctl … --help`: the help (exit 0), or the unknown-command error (exit 1). */
export function helpOutput(tool: "kubectl" | "istioctl", args: readonly string[]): Output {
  const out = new Output();
  const text = helpText(tool, args);
  if (text === undefined) {
    const command = args.find((arg) => !arg.startsWith("-"));
    out.error(`${tool === "istioctl" ? "Error" : "error"}: unknown command "${command}" for "${tool}"\nRun '${tool} --help' for the commands the lab shell has.`);
  } else {
    out.print(text);
  }
  return out;
}
