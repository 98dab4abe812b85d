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

export const description = "Analyze Istio configuration and print validation messages (like istioctl analyze)";

/** Exit codes, as istioctl uses them (usage errors use the CLI-wide 2). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
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
  -h, --help                  show this help
`;

/** Where the command writes. */
export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIO: CommandIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

class UsageError extends Error {}

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
    .map((analyzer) => `* ${analyzer.metadata.name}:\n    ${analyzer.metadata.description}\n`)
    .join("");
}

function cleanRunLine(files: readonly string[], target: string): string {
  if (files.length === 1) return `\u2714 No validation issues found when analyzing ${files[0]}.\n`;
  if (files.length > 1) return `\u2714 No validation issues found when analyzing:\n  - ${files.join("\n  - ")}\n`;
  return `\u2714 No validation issues found when analyzing ${target}.\n`;
}

/** Runs `ica analyze` with the given arguments; resolves to the process exit code. */
export async function run(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  let args: AnalyzeArgs;
  try {
    args = parseAnalyzeArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`Error: ${error.message}\n\n${usage}`);
    return EXIT_USAGE;
  }
  if (args.help) {
    io.stdout(usage);
    return EXIT_OK;
  }
  if (args.listAnalyzers) {
    io.stdout(analyzersList());
    return EXIT_OK;
  }
  if (args.files.length === 0 && args.kubeconfig === undefined) {
    io.stderr(`Error: nothing to analyze: give -f FILE|DIR, --kubeconfig FILE, or both\n\n${usage}`);
    return EXIT_USAGE;
  }

  let loaded;
  try {
    loaded = await loadManifests(args.files, { recursive: args.recursive });
  } catch (error) {
    io.stderr(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
  for (const skipped of loaded.skipped) io.stderr(`Skipping file ${skipped}, recognized file extensions are: [${MANIFEST_EXTENSIONS.join(" ")}]\n`);

  let kubeConfig: KubeConfig | undefined;
  let namespace = args.namespace ?? "default";
  if (args.kubeconfig !== undefined) {
    kubeConfig = new KubeConfig();
    try {
      kubeConfig.loadFromFile(args.kubeconfig);
    } catch (error) {
      io.stderr(`Error: cannot load kubeconfig ${args.kubeconfig}: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT_FAILURE;
    }
    namespace = args.namespace ?? contextNamespace(kubeConfig) ?? "default";
  }
  const target = args.allNamespaces ? "all namespaces" : `namespace: ${namespace}`;

  let result: AnalysisResult;
  try {
    const live = kubeConfig ? await listClusterObjects(kubeConfig) : [];
    if (kubeConfig && args.namespace !== undefined && !live.some((object) => object.kind === "Namespace" && object.metadata?.name === args.namespace)) {
      io.stderr(`namespace ${JSON.stringify(args.namespace)} not found\n`);
      return EXIT_OK;
    }
    result = analyzeObjects([...live, ...loaded.objects], {
      offlineDefaults: kubeConfig === undefined,
      ...(args.allNamespaces ? {} : { namespace }),
    });
  } catch (error) {
    io.stderr(`Error: cannot analyze the cluster: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }

  const parseErrors = [
    ...loaded.parseErrors,
    ...result.unreadable.map((entry) => ({ file: entry.file ?? "", message: `${entry.file ?? "object"}${entry.line ? `:${entry.line}` : ""}: ${entry.reason}` })),
  ];
  if (parseErrors.length > 0) io.stderr(`Error(s) adding files: ${parseErrors.map((error) => error.message).join("; ")}\n`);

  const shown = result.messages.filter((message) => isAtLeast(message.level, args.outputThreshold));
  io.stdout(`${formatMessages(shown, args.output)}\n`);
  if (shown.length === 0 && args.output === "log") {
    const failedFiles = new Set(parseErrors.map((error) => error.file)).size;
    if (parseErrors.length === 0) io.stderr(cleanRunLine(loaded.files, target));
    else io.stderr(`No validation issues found when analyzing ${target} (but ${failedFiles} ${failedFiles === 1 ? "file" : "files"} could not be parsed).\n`);
  }

  // As istioctl: the exit code only reflects findings in the log format, and ignores --output-threshold.
  if (args.output !== "log") return EXIT_OK;
  if (result.messages.some((message) => isAtLeast(message.level, args.failureThreshold))) {
    io.stderr(`Error: Analyzers found issues when analyzing ${target}.\nSee ${CONFIG_ANALYSIS_URL} for more information about causes and resolutions.\n`);
    return EXIT_ANALYZER_FOUND_ISSUES;
  }
  if (parseErrors.length > 0) {
    io.stderr("Error: Some files couldn't be parsed.\n");
    return EXIT_DATA_ERROR;
  }
  return EXIT_OK;
}
