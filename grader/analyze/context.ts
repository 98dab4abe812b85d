// The analysis context: an indexed, read-only store of resources that records what each analyzer read and reported.
import type { AnalysisContext, AnalysisMessage, MessageOrigin } from "./analyzer";
import { renderTemplate, type MessageType } from "./messages";
import type { KindName, Resource } from "./resources";

/** Resources grouped by kind and indexed by full name. */
export class ResourceStore {
  private readonly byKind = new Map<KindName, Resource[]>();
  private readonly byKey = new Map<string, Resource>();

  constructor(resources: Iterable<Resource>) {
    for (const resource of resources) {
      const key = `${resource.kind}|${resource.namespace}|${resource.name}`;
      const existing = this.byKey.get(key);
      // A later definition of the same object replaces the earlier one (as `kubectl apply` of both would).
      if (existing) this.byKind.set(resource.kind, (this.byKind.get(resource.kind) ?? []).filter((entry) => entry !== existing));
      this.byKey.set(key, resource);
      const list = this.byKind.get(resource.kind) ?? [];
      list.push(resource);
      this.byKind.set(resource.kind, list);
    }
    for (const list of this.byKind.values()) list.sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
  }

  list<K extends KindName>(kind: K): readonly Resource<K>[] {
    return (this.byKind.get(kind) ?? []) as Resource<K>[];
  }

  find<K extends KindName>(kind: K, namespace: string, name: string): Resource<K> | undefined {
    return this.byKey.get(`${kind}|${namespace}|${name}`) as Resource<K> | undefined;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Where a message about `resource` points, preferring the line of `field` when the source knows it. */
export function originOf(resource: Resource, field: string | undefined): MessageOrigin {
  const origin: MessageOrigin = { kind: resource.kind, namespace: resource.namespace, name: resource.name };
  const source = resource.source;
  if (source) {
    origin.file = source.file;
    const fieldLine = field === undefined ? undefined : source.fieldLines?.get(field);
    const line = fieldLine ?? source.line;
    if (line > 0) origin.line = line;
  }
  return origin;
}

/** A context for one analyzer run over a store: it collects messages and the kinds the analyzer touched. */
export class RecordingContext implements AnalysisContext {
  readonly messages: AnalysisMessage[] = [];
  readonly kindsRead = new Set<KindName>();

  constructor(
    private readonly store: ResourceStore,
    private readonly analyzerName: string,
  ) {}

  list<K extends KindName>(kind: K): readonly Resource<K>[] {
    this.kindsRead.add(kind);
    return this.store.list(kind);
  }

  find<K extends KindName>(kind: K, namespace: string, name: string): Resource<K> | undefined {
    this.kindsRead.add(kind);
    return this.store.find(kind, namespace, name);
  }

  report<Args extends readonly unknown[]>(resource: Resource, type: MessageType<Args>, args: Args, field?: string): void {
    const message: AnalysisMessage = {
      code: type.code,
      name: type.name,
      level: type.level,
      origin: originOf(resource, field),
      text: renderTemplate(type.template, args),
      analyzer: this.analyzerName,
    };
    if (field !== undefined) message.field = field;
    this.messages.push(message);
  }
}
