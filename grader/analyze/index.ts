// Public API of the istioctl-compatible analyzer: analyze objects, files or a live cluster and render the messages.
export type { AnalysisContext, AnalysisMessage, Analyzer, AnalyzerMetadata, MessageOrigin } from "./analyzer";
export * from "./analyzers";
export { defaultIngressObjects } from "./defaults";
export { analyzeFiles, loadManifests, MANIFEST_EXTENSIONS, type LoadedManifests } from "./files";
export { CONFIG_ANALYSIS_URL, formatMessage, formatMessages, friendlyName, reference, type OutputFormat } from "./format";
export { analyzeCluster, contextNamespace, listClusterObjects } from "./live";
export { parseManifests, type ParsedManifests } from "./manifests";
export { ALL_MESSAGE_TYPES, isAtLeast, LEVELS, parseLevel, type Level, type MessageType } from "./messages";
export type { KubeObject, ObjectSource, SourcedObject } from "./resources";
export { analyzeObjects, analyzersForIstio, runAnalyzers, SUPPRESS_ANNOTATION, type AnalysisResult, type AnalyzeOptions, type AnalyzerRun, type UnreadableObject } from "./run";
