// The analyzer contract: metadata (name, description, input kinds) and a pure analyze(ctx) reporting through a context.
import type { Level, MessageType } from "./messages";
import type { KindName, Resource } from "./resources";

/** What an analyzer is and which kinds it reads. */
export interface AnalyzerMetadata {
  /** `<area>.<Name>`, e.g. `virtualservice.DestinationHostAnalyzer`. */
  name: string;
  description: string;
  /** Every kind the analyzer lists or looks up; reading any other kind is a bug the meta-tests catch. */
  inputs: readonly KindName[];
  /** First Istio release (`major.minor`) whose istioctl runs this check; absent when older than 1.22. */
  sinceIstio?: string;
}

/** The only window an analyzer has on the configuration: typed lookups and a way to report. */
export interface AnalysisContext {
  /** All resources of a kind, ordered by namespace then name. */
  list<K extends KindName>(kind: K): readonly Resource<K>[];
  /** One resource by namespace ("" for none or cluster-scoped) and name. */
  find<K extends KindName>(kind: K, namespace: string, name: string): Resource<K> | undefined;
  /** Reports a message on a resource; `field` (like `spec.gateways[0]`) points the message at that field's line. */
  report<Args extends readonly unknown[]>(resource: Resource, type: MessageType<Args>, args: Args, field?: string): void;
}

/** One check over the whole configuration. */
export interface Analyzer {
  metadata: AnalyzerMetadata;
  analyze(ctx: AnalysisContext): void;
}

/** Where a message points: the resource and, for file input, the file and line. */
export interface MessageOrigin {
  kind: string;
  namespace: string;
  name: string;
  file?: string;
  line?: number;
}

/** One finding, shaped like istioctl's diag.Message. */
export interface AnalysisMessage {
  code: string;
  /** Message type name, e.g. ReferencedResourceNotFound. */
  name: string;
  level: Level;
  origin: MessageOrigin | null;
  /** The rendered template. */
  text: string;
  /** Name of the analyzer that reported it. */
  analyzer: string;
  /** Field path the message is about, when the analyzer named one. */
  field?: string;
}
