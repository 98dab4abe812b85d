// Runs analyzers over a set of objects like istioctl's local analyzer: defaults, namespace scoping, suppressions,
// then messages sorted and de-duplicated the way istioctl prints them.
import type { AnalysisMessage, Analyzer } from "./analyzer";
import { ALL_ANALYZERS } from "./analyzers";
import { RecordingContext, ResourceStore } from "./context";
import { defaultIngressObjects } from "./defaults";
import { formatMessage } from "./format";
import { InternalError, levelRank, renderTemplate } from "./messages";
import { toResource, UnreadableObjectError, type KindName, type KubeObject, type Resource, type SourcedObject } from "./resources";

/** Annotation listing codes (or `*`) that must not be reported on a resource. */
export const SUPPRESS_ANNOTATION = "galley.istio.io/analyze-suppress";

export interface AnalyzeOptions {
  /**
   * The namespace analyzed (istioctl `-n`, default "default" there): objects without a namespace are placed in it and
   * only messages about it (or about cluster-scoped objects) are kept. Omit it to analyze all namespaces (`-A`).
   */
  namespace?: string;
  /** Add istioctl's stand-in ingress gateway Pod and Service, as it does when analyzing files without a cluster. */
  offlineDefaults?: boolean;
  /** Analyzers to run (all by default). */
  analyzers?: readonly Analyzer[];
  /** Behave like this istioctl release (`1.26`): analyzers it does not have yet are left out. */
  istioVersion?: string;
}

function minorOf(version: string): number {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  return match ? Number(match[1]) * 1000 + Number(match[2]) : Number.POSITIVE_INFINITY;
}

/** The analyzers an istioctl release runs. */
export function analyzersForIstio(version: string, analyzers: readonly Analyzer[] = ALL_ANALYZERS): Analyzer[] {
  const release = minorOf(version);
  return analyzers.filter((analyzer) => analyzer.metadata.sinceIstio === undefined || minorOf(analyzer.metadata.sinceIstio) <= release);
}

/** An object that could not be analyzed and why. */
export interface UnreadableObject {
  file?: string;
  line?: number;
  reason: string;
}

export interface AnalysisResult {
  /** Sorted and de-duplicated as istioctl prints them. */
  messages: AnalysisMessage[];
  /** Names of the analyzers that ran. */
  executedAnalyzers: string[];
  /** Objects skipped because they lack apiVersion, kind or metadata.name. */
  unreadable: UnreadableObject[];
}

/** What one analyzer reported and which kinds it read. */
export interface AnalyzerRun {
  analyzer: string;
  messages: AnalysisMessage[];
  kindsRead: ReadonlySet<KindName>;
}

function isSourced(input: KubeObject | SourcedObject): input is SourcedObject {
  return "object" in input && !("kind" in input);
}

function suppressed(resource: Resource, code: string): boolean {
  const annotation = resource.annotations[SUPPRESS_ANNOTATION];
  if (!annotation) return false;
  return annotation.split(",").some((entry) => entry.trim() === "*" || entry.trim() === code);
}

/** Runs each analyzer over the store; an analyzer that throws yields an IST0001 message instead of findings. */
export function runAnalyzers(resources: readonly Resource[], analyzers: readonly Analyzer[]): AnalyzerRun[] {
  const store = new ResourceStore(resources);
  return analyzers.map((analyzer) => {
    const ctx = new RecordingContext(store, analyzer.metadata.name);
    try {
      analyzer.analyze(ctx);
    } catch (error) {
      const detail = `${analyzer.metadata.name}: ${error instanceof Error ? error.message : String(error)}`;
      return {
        analyzer: analyzer.metadata.name,
        messages: [{ code: InternalError.code, name: InternalError.name, level: InternalError.level, origin: null, text: renderTemplate(InternalError.template, [detail]), analyzer: analyzer.metadata.name }],
        kindsRead: ctx.kindsRead,
      };
    }
    return { analyzer: analyzer.metadata.name, messages: ctx.messages, kindsRead: ctx.kindsRead };
  });
}

/** Reads objects into resources (objects of kinds no analyzer reads are dropped). */
export function readResources(inputs: readonly (KubeObject | SourcedObject)[], options: AnalyzeOptions): { resources: Resource[]; unreadable: UnreadableObject[] } {
  const resources: Resource[] = [];
  const unreadable: UnreadableObject[] = [];
  if (options.offlineDefaults) {
    for (const object of defaultIngressObjects()) {
      const resource = toResource({ object }, "");
      if (resource) resources.push({ ...resource, synthetic: true });
    }
  }
  for (const input of inputs) {
    const sourced: SourcedObject = isSourced(input) ? input : { object: input };
    try {
      const resource = toResource(sourced, options.namespace ?? "");
      if (resource) resources.push(resource);
    } catch (error) {
      if (!(error instanceof UnreadableObjectError)) throw error;
      unreadable.push({ ...(sourced.source ? { file: sourced.source.file, line: sourced.source.line } : {}), reason: error.message });
    }
  }
  return { resources, unreadable };
}

function originComparator(message: AnalysisMessage): string {
  const origin = message.origin;
  return origin ? `${origin.kind}/${origin.name}/${origin.namespace}` : "";
}

/** istioctl's order: level, code, messages without a resource first, resource (kind/name/namespace), then text. */
export function compareMessages(a: AnalysisMessage, b: AnalysisMessage): number {
  if (a.level !== b.level) return levelRank(a.level) - levelRank(b.level);
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  if (!a.origin !== !b.origin) return a.origin ? 1 : -1;
  const originA = originComparator(a);
  const originB = originComparator(b);
  if (originA !== originB) return originA < originB ? -1 : 1;
  const textA = formatMessage(a);
  const textB = formatMessage(b);
  return textA < textB ? -1 : textA > textB ? 1 : 0;
}

/** Sorts messages and drops those that print identically. */
export function sortAndDedupe(messages: readonly AnalysisMessage[]): AnalysisMessage[] {
  const sorted = [...messages].sort(compareMessages);
  const kept: AnalysisMessage[] = [];
  let previous = "";
  for (const message of sorted) {
    const text = formatMessage(message);
    if (kept.length > 0 && text === previous) continue;
    kept.push(message);
    previous = text;
  }
  return kept;
}

/** The namespace a message is about (a Namespace object is about itself); "" for cluster-scoped. */
function messageNamespace(message: AnalysisMessage): string {
  const origin = message.origin;
  if (!origin) return "";
  return origin.kind === "Namespace" ? origin.name : origin.namespace;
}

/** Analyzes a set of Kubernetes objects (plain JSON, optionally with their file position). Pure and synchronous. */
export function analyzeObjects(inputs: readonly (KubeObject | SourcedObject)[], options: AnalyzeOptions = {}): AnalysisResult {
  const chosen = options.analyzers ?? ALL_ANALYZERS;
  const analyzers = options.istioVersion === undefined ? chosen : analyzersForIstio(options.istioVersion, chosen);
  const { resources, unreadable } = readResources(inputs, options);
  const resourceByOrigin = new Map(resources.map((resource) => [`${resource.kind}|${resource.namespace}|${resource.name}`, resource]));
  const messages: AnalysisMessage[] = [];
  for (const run of runAnalyzers(resources, analyzers)) {
    for (const message of run.messages) {
      const origin = message.origin;
      const resource = origin ? resourceByOrigin.get(`${origin.kind}|${origin.namespace}|${origin.name}`) : undefined;
      if (resource && suppressed(resource, message.code)) continue;
      if (options.namespace !== undefined) {
        const namespace = messageNamespace(message);
        if (namespace !== "" && namespace !== options.namespace) continue;
      }
      messages.push(message);
    }
  }
  return { messages: sortAndDedupe(messages), executedAnalyzers: analyzers.map((analyzer) => analyzer.metadata.name), unreadable };
}
