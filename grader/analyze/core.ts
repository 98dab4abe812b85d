// Browser-safe part of the analyzer API (no filesystem, no Kubernetes client): for the web editor's live lint.
export type { AnalysisContext, AnalysisMessage, Analyzer, AnalyzerMetadata, MessageOrigin } from "./analyzer";
export * from "./analyzers";
export { defaultIngressObjects } from "./defaults";
export { CONFIG_ANALYSIS_URL, formatMessage, formatMessages, friendlyName, reference, type OutputFormat } from "./format";
export { parseManifests, type ParsedManifests } from "./manifests";
export { ALL_MESSAGE_TYPES, isAtLeast, LEVELS, parseLevel, type Level, type MessageType } from "./messages";
export type { KubeObject, ObjectSource, SourcedObject } from "./resources";
export { analyzeObjects, analyzersForIstio, runAnalyzers, SUPPRESS_ANNOTATION, type AnalysisResult, type AnalyzeOptions, type AnalyzerRun, type UnreadableObject } from "./run";
