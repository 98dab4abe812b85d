// The shell's `istioctl`: proxy-config (pc), proxy-status (ps), analyze and version, reading the cluster through
// the LabCluster methods (config_dump, proxy status, exec into istio-proxy) and the Kubernetes API.
import { analyzeObjects, CONFIG_ANALYSIS_URL, formatMessages, isAtLeast, listClusterObjects, parseLevel, parseManifests, type KubeObject, type SourcedObject } from "@/grader/analyze";
import { ISTIO_PROXY_VERSION } from "@/cluster/embedded/mesh/pilot/generator";
import { ApiStatusError } from "../../kube/client";
import { describeError, Output, readShellFile, UsageProblem, type CommandResult, type Invocation } from "../../context";
import { flagValue, flagValues, parseFlags, type FlagSpec, type ParsedFlags } from "../flags";
import { asksForHelp, helpOutput } from "../help";
import { resolvePod } from "../kubectl/common";
import { clustersOutput, endpointsOutput, istioTable, listenersOutput, parseClustersAdmin, routesOutput } from "./proxy-config";

const EXIT_ANALYZER_FOUND_ISSUES = 79;

const ISTIOCTL_FLAGS: FlagSpec = {
  values: {
    namespace: "namespace",
    n: "namespace",
    output: "output",
    o: "output",
    name: "name",
    fqdn: "fqdn",
    port: "port",
    subset: "subset",
    direction: "direction",
    cluster: "cluster",
    address: "address",
    status: "status",
    type: "type",
    filename: "filename",
    f: "filename",
    "failure-threshold": "failure-threshold",
    "output-threshold": "output-threshold",
    context: "context",
    kubeconfig: "kubeconfig",
    c: "kubeconfig",
    istioNamespace: "istio-namespace",
    i: "istio-namespace",
    revision: "revision",
  },
  booleans: {
    "all-namespaces": "all-namespaces",
    A: "all-namespaces",
    verbose: "verbose",
    recursive: "recursive",
    R: "recursive",
  },
};

type Format = "short" | "json" | "yaml";

function formatOf(flags: ParsedFlags): Format {
  const output = flagValue(flags, "output") ?? "short";
  if (output === "short" || output === "json" || output === "yaml") return output;
  throw new UsageProblem(`output format "${output}" not supported`);
}

function portOf(flags: ParsedFlags): number | undefined {
  const text = flagValue(flags, "port");
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port)) throw new UsageProblem(`invalid argument "${text}" for "--port" flag: strconv.ParseInt: parsing "${text}": invalid syntax`);
  return port;
}

/** `pod`, `pod.namespace` or `deployment/name[.namespace]` → the pod. */
async function targetPod(invocation: Invocation, flags: ParsedFlags, typed: string | undefined): Promise<{ namespace: string; name: string }> {
  if (!typed) throw new UsageProblem("requires pod name or --file parameter");
  let target = typed;
  let namespace = flagValue(flags, "namespace") ?? invocation.session.namespace;
  const slash = target.indexOf("/");
  const nameStart = slash + 1;
  const dot = target.indexOf(".", nameStart);
  if (dot !== -1) {
    namespace = target.slice(dot + 1);
    target = target.slice(0, dot);
  }
  try {
    const { pod } = await resolvePod(invocation.session.backend.kube, namespace, slash === -1 ? target : `${target.slice(0, slash)}/${target.slice(nameStart)}`);
    return { namespace, name: pod.metadata.name };
  } catch (error) {
    if (error instanceof ApiStatusError && error.code === 404) throw new UsageProblem(error.message);
    throw error;
  }
}

async function proxyConfig(invocation: Invocation, flags: ParsedFlags, positionals: string[], out: Output): Promise<void> {
  const [kind, podArg] = positionals;
  const cluster = invocation.session.backend.cluster;
  const format = formatOf(flags);
  // istioctl's --verbose defaults to true: the detailed tables unless `--verbose=false`.
  const verbose = !flags.negated.has("verbose");
  const kinds: Record<string, string> = { route: "routes", routes: "routes", r: "routes", cluster: "clusters", clusters: "clusters", c: "clusters", listener: "listeners", listeners: "listeners", l: "listeners", endpoint: "endpoints", endpoints: "endpoints", ep: "endpoints", eps: "endpoints", all: "all" };
  const which = kinds[kind ?? ""];
  if (!which) throw new UsageProblem(kind ? `unknown command "${kind}" for "istioctl proxy-config"` : `requires a subcommand: all, cluster, endpoint, listener, route`);
  const pod = await targetPod(invocation, flags, podArg);
  const clusterOptions = { fqdn: flagValue(flags, "fqdn"), port: portOf(flags), subset: flagValue(flags, "subset"), direction: flagValue(flags, "direction") };
  const routeOptions = { name: flagValue(flags, "name"), verbose };
  const listenerOptions = { address: flagValue(flags, "address"), port: portOf(flags), type: flagValue(flags, "type"), verbose };
  if (which === "endpoints") {
    const admin = await invocation.session.backend.exec(pod, "istio-proxy", ["pilot-agent", "request", "GET", "clusters"]);
    if (admin.exitCode !== 0) throw new UsageProblem(`failed to get cluster status from ${pod.name}.${pod.namespace}: ${admin.stderr.trim()}`);
    out.write(endpointsOutput(parseClustersAdmin(admin.stdout), { cluster: flagValue(flags, "cluster"), address: flagValue(flags, "address"), port: portOf(flags), status: flagValue(flags, "status") }, format));
    return;
  }
  const dump = await cluster.configDump(pod);
  if (which === "routes") out.write(routesOutput(dump, routeOptions, format));
  else if (which === "clusters") out.write(clustersOutput(dump, clusterOptions, format));
  else if (which === "listeners") out.write(listenersOutput(dump, listenerOptions, format));
  else {
    out.write(clustersOutput(dump, clusterOptions, format));
    out.write("\n");
    out.write(listenersOutput(dump, listenerOptions, format));
    out.write("\n");
    out.write(routesOutput(dump, routeOptions, format));
  }
}

async function proxyStatus(invocation: Invocation, positionals: string[], out: Output): Promise<void> {
  const rows = (await invocation.session.backend.cluster.proxyStatus())
    .map((row) => ({ ...row, id: `${row.proxy.name}.${row.proxy.namespace}` }))
    .filter((row) => positionals[0] === undefined || row.id === positionals[0] || row.proxy.name === positionals[0])
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  out.write(istioTable([["NAME", "CLUSTER", "CDS", "LDS", "EDS", "RDS", "ECDS", "ISTIOD", "VERSION"], ...rows.map((row) => [row.id, "Kubernetes", row.cds, row.lds, row.eds, row.rds, "IGNORED", row.istiod, row.version])]));
}

async function analyze(invocation: Invocation, flags: ParsedFlags, positionals: string[], out: Output): Promise<void> {
  const allNamespaces = flags.booleans.has("all-namespaces");
  const namespace = flagValue(flags, "namespace") ?? invocation.session.namespace;
  const threshold = parseLevel(flagValue(flags, "failure-threshold") ?? "Error");
  if (!threshold) throw new UsageProblem(`invalid argument "${flagValue(flags, "failure-threshold")}" for "--failure-threshold" flag: invalid level option (valid values: Error, Warning, Info)`);
  const files: SourcedObject[] = [];
  const parseErrors: string[] = [];
  for (const file of [...flagValues(flags, "filename"), ...positionals]) {
    const text = file === "-" ? invocation.stdin : await readShellFile(invocation, file).catch(() => {
      throw new UsageProblem(`open ${file}: no such file or directory`);
    });
    const parsed = parseManifests(text, file === "-" ? "stdin" : file);
    files.push(...parsed.objects);
    parseErrors.push(...parsed.errors);
  }
  const live: KubeObject[] = await listClusterObjects(invocation.session.backend.kube.kubeConfig);
  const result = analyzeObjects([...live, ...files], allNamespaces ? {} : { namespace });
  const target = allNamespaces ? "all namespaces" : `namespace: ${namespace}`;
  if (parseErrors.length) out.error(`Error(s) adding files: ${parseErrors.join("; ")}`, 0);
  const format = flagValue(flags, "output") ?? "log";
  if (format !== "log" && format !== "json" && format !== "yaml") throw new UsageProblem(`${format} not a valid option for format. See istioctl analyze --help`);
  const text = formatMessages(result.messages, format);
  if (text) out.print(text);
  if (result.messages.length === 0 && format === "log") out.error(`\u2714 No validation issues found when analyzing ${target}.`, 0);
  if (format === "log" && result.messages.some((message) => isAtLeast(message.level, threshold))) {
    out.error(`Error: Analyzers found issues when analyzing ${target}.\nSee ${CONFIG_ANALYSIS_URL} for more information about causes and resolutions.`, EXIT_ANALYZER_FOUND_ISSUES);
  }
}

async function version(invocation: Invocation, out: Output): Promise<void> {
  out.print(`client version: ${ISTIO_PROXY_VERSION}`);
  try {
    const proxies = await invocation.session.backend.cluster.proxyStatus();
    const controlPlane = proxies[0]?.version ?? ISTIO_PROXY_VERSION;
    out.print(`control plane version: ${controlPlane}`);
    out.print(`data plane version: ${controlPlane} (${proxies.length} proxies)`);
  } catch (error) {
    out.error(describeError(error), 0);
  }
}

/** Runs `istioctl ARGS…` in the shell. */
export async function runIstioctl(invocation: Invocation, args: string[]): Promise<CommandResult> {
  if (asksForHelp(args)) return helpOutput("istioctl", args).result();
  const out = new Output();
  try {
    const flags = parseFlags(args, ISTIOCTL_FLAGS);
    const [command, ...positionals] = flags.positionals;
    switch (command) {
      case "proxy-config":
      case "pc":
        await proxyConfig(invocation, flags, positionals, out);
        break;
      case "proxy-status":
      case "ps":
        await proxyStatus(invocation, positionals, out);
        break;
      case "analyze":
        await analyze(invocation, flags, positionals, out);
        break;
      case "version":
        await version(invocation, out);
        break;
      case undefined:
        return helpOutput("istioctl", []).result();
      default:
        throw new UsageProblem(`unknown command "${command}" for "istioctl"`);
    }
  } catch (error) {
    out.error(`Error: ${describeError(error).replace(/^error: /, "")}`);
  }
  return out.result();
}
