// `ica analyze`: istioctl analyze for files (offline, with istioctl's default ingress resources) or a live cluster.
import { parseArgs } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import {
  ALL_ANALYZERS,
  analyzeObjects,
  CONFIG_ANALYSIS_URL,
  contextNamespace,
  formatMessages,
  isAtLeast,
  listClusterObjects,
  loadManifests,
  MANIFEST_EXTENSIONS,
  parseLevel,
  type AnalysisResult,
  type Level,
  type OutputFormat,
} from "@/grader/analyze";
import { UsageError } from "../args";
import type { CliCommand, CliIo } from "../index";

/** Exit codes, as istioctl uses them (usage errors are the CLI-wide 2, raised as UsageError). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_DATA_ERROR = 65;
export const EXIT_ANALYZER_FOUND_ISSUES = 79;

export const usage = `Usage: ica analyze [-f FILE|DIR]... [--kubeconfig FILE] [-n NAMESPACE | -A] [options]

Analyze Istio configuration and print validation messages, like istioctl analyze.
Without --kubeconfig the files are analyzed alone (with istioctl's default ingress gateway);
with it, the cluster's objects are analyzed with the files applied on top.

Options:
  -f, --filename FILE|DIR     manifest file or directory (.yaml, .yml, .json); repeatable; also positional
  -R, --recursive             descend into subdirectories
      --kubeconfig FILE       analyze the live cluster of this kubeconfig
  -n, --namespace NS          namespace to analyze and to place objects without one (default: context or "default")
  -A, --all-namespaces        analyze all namespaces
      --failure-threshold L   lowest level that makes the exit code 79: Error (default), Warning, Info
      --output-threshold L    lowest level printed: Info (default), Warning, Error
  -o, --output FORMAT         log (default), json or yaml
  -L, --list-analyzers        list the analyzers and exit
  -h, --help                  show this help`;

interface AnalyzeArgs {
  files: string[];
  recursive: boolean;
  kubeconfig?: string;
  namespace?: string;
  allNamespaces: boolean;
  failureThreshold: Level;
  outputThreshold: Level;
  output: OutputFormat;
  listAnalyzers: boolean;
  help: boolean;
}

function levelOption(value: string | undefined, fallback: Level, flag: string): Level {
  if (value === undefined) return fallback;
  const level = parseLevel(value);
  if (!level) throw new UsageError(`invalid argument "${value}" for "${flag}" flag: invalid level option (valid values: Error, Warning, Info)`);
  return level;
}

function parseAnalyzeArgs(argv: readonly string[]): AnalyzeArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        filename: { type: "string", short: "f", multiple: true },
        recursive: { type: "boolean", short: "R" },
        kubeconfig: { type: "string" },
        namespace: { type: "string", short: "n" },
        "all-namespaces": { type: "boolean", short: "A" },
        "failure-threshold": { type: "string" },
        "output-threshold": { type: "string" },
        output: { type: "string", short: "o" },
        "list-analyzers": { type: "boolean", short: "L" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const output = (values.output ?? "log").toLowerCase();
  if (output !== "log" && output !== "json" && output !== "yaml") throw new UsageError(`${output} not a valid option for format. See ica analyze --help`);
  if (values.namespace !== undefined && values["all-namespaces"]) throw new UsageError("--namespace and --all-namespaces cannot be used together");
  const args: AnalyzeArgs = {
    files: [...(values.filename ?? []), ...positionals],
    recursive: values.recursive ?? false,
    allNamespaces: values["all-namespaces"] ?? false,
    failureThreshold: levelOption(values["failure-threshold"], "Error", "--failure-threshold"),
    outputThreshold: levelOption(values["output-threshold"], "Info", "--output-threshold"),
    output,
    listAnalyzers: values["list-analyzers"] ?? false,
    help: values.help ?? false,
  };
  if (values.kubeconfig !== undefined) args.kubeconfig = values.kubeconfig;
  if (values.namespace !== undefined) args.namespace = values.namespace;
  return args;
}

function analyzersList(): string {
  return [...ALL_ANALYZERS]
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
    .map((analyzer) => `* ${analyzer.metadata.name}:\n    ${analyzer.metadata.description}`)
    .join("\n");
}

function cleanRunLine(files: readonly string[], target: string): string {
  if (files.length === 1) return `\u2714 No validation issues found when analyzing ${files[0]}.`;
  if (files.length > 1) return `\u2714 No validation issues found when analyzing:\n  - ${files.join("\n  - ")}`;
  return `\u2714 No validation issues found when analyzing ${target}.`;
}

/** Runs `ica analyze` (arguments after the command name); resolves to the exit status. Output lines go to `io`. */
async function analyze(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseAnalyzeArgs(argv);
  if (args.help) {
    io.out(usage);
    return EXIT_OK;
  }
  if (args.listAnalyzers) {
    io.out(analyzersList());
    return EXIT_OK;
  }
  if (args.files.length === 0 && args.kubeconfig === undefined) throw new UsageError("nothing to analyze: give -f FILE|DIR, --kubeconfig FILE, or both");

  let loaded;
  try {
    loaded = await loadManifests(args.files, { recursive: args.recursive });
  } catch (error) {
    io.err(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILURE;
  }
  for (const skipped of loaded.skipped) io.err(`Skipping file ${skipped}, recognized file extensions are: [${MANIFEST_EXTENSIONS.join(" ")}]`);

  let kubeConfig: KubeConfig | undefined;
  let namespace = args.namespace ?? "default";
  if (args.kubeconfig !== undefined) {
    kubeConfig = new KubeConfig();
    try {
      kubeConfig.loadFromFile(args.kubeconfig);
    } catch (error) {
      io.err(`Error: cannot load kubeconfig ${args.kubeconfig}: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT_FAILURE;
    }
    namespace = args.namespace ?? contextNamespace(kubeConfig) ?? "default";
  }
  const target = args.allNamespaces ? "all namespaces" : `namespace: ${namespace}`;

  let result: AnalysisResult;
  try {
    const live = kubeConfig ? await listClusterObjects(kubeConfig) : [];
    if (kubeConfig && args.namespace !== undefined && !live.some((object) => object.kind === "Namespace" && object.metadata?.name === args.namespace)) {
      io.err(`namespace ${JSON.stringify(args.namespace)} not found`);
      return EXIT_OK;
    }
    result = analyzeObjects([...live, ...loaded.objects], {
      offlineDefaults: kubeConfig === undefined,
      ...(args.allNamespaces ? {} : { namespace }),
    });
  } catch (error) {
    io.err(`Error: cannot analyze the cluster: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILURE;
  }

  const parseErrors = [
    ...loaded.parseErrors,
    ...result.unreadable.map((entry) => ({ file: entry.file ?? "", message: `${entry.file ?? "object"}${entry.line ? `:${entry.line}` : ""}: ${entry.reason}` })),
  ];
  if (parseErrors.length > 0) io.err(`Error(s) adding files: ${parseErrors.map((error) => error.message).join("; ")}`);

  const shown = result.messages.filter((message) => isAtLeast(message.level, args.outputThreshold));
  io.out(formatMessages(shown, args.output));
  if (shown.length === 0 && args.output === "log") {
    const failedFiles = new Set(parseErrors.map((error) => error.file)).size;
    if (parseErrors.length === 0) io.err(cleanRunLine(loaded.files, target));
    else io.err(`No validation issues found when analyzing ${target} (but ${failedFiles} ${failedFiles === 1 ? "file" : "files"} could not be parsed).`);
  }

  // As istioctl: the exit code only reflects findings in the log format, and ignores --output-threshold.
  if (args.output !== "log") return EXIT_OK;
  if (result.messages.some((message) => isAtLeast(message.level, args.failureThreshold))) {
    io.err(`Error: Analyzers found issues when analyzing ${target}.\nSee ${CONFIG_ANALYSIS_URL} for more information about causes and resolutions.`);
    return EXIT_ANALYZER_FOUND_ISSUES;
  }
  if (parseErrors.length > 0) {
    io.err("Error: Some files couldn't be parsed.");
    return EXIT_DATA_ERROR;
  }
  return EXIT_OK;
}

export const command: CliCommand = {
  name: "analyze",
  summary: "Analyze Istio configuration and print validation messages (like istioctl analyze)",
  run: analyze,
};
