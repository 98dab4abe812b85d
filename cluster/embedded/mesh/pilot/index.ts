// Pilot: the embedded istiod. Watches the cluster store, pushes versioned Envoy config, and models each proxy's ACK delay.
//
// Propagation: a change to a watched object opens a 100 ms debounce window; when it closes istiod builds the next
// version (a snapshot of the store) and every proxy ACKs it after 50 ms + 10 ms × its index (sorted by namespace/name),
// capped at 300 ms. Until its ACK a proxy keeps serving its previous config and proxy-status shows it STALE.
// Config for a version is built lazily, per proxy, and shared between proxies with the same scope.

import type { ProxySyncStatus, PodRef } from "@/cluster/driver";
import type { ClusterStore, StoreEvent } from "@/cluster/embedded/store";
import type { ConfigDump, ProxyConfig } from "../envoy-types";
import { buildConfigDump } from "./config-dump";
import { ConfigGenerator, ISTIO_PROXY_VERSION } from "./generator";
import { ISTIO_SYSTEM, PushContext, WATCHED_RESOURCES, takeSnapshot, type ConfigSnapshot, type OutboundTrafficPolicyMode, type ProxyInfo } from "./push-context";

export type { OutboundTrafficPolicyMode } from "./push-context";

/** Timer functions the pilot uses; tests may pass a manual scheduler. */
export interface Scheduler {
  /** `keepAlive` marks a timer someone is waiting on (a real timer then keeps the process alive). */
  setTimeout(callback: () => void, delayMs: number, options?: { keepAlive?: boolean }): unknown;
  clearTimeout(handle: unknown): void;
}

const realScheduler: Scheduler = {
  setTimeout(callback, delayMs, options) {
    const handle = setTimeout(callback, delayMs);
    if (!options?.keepAlive && typeof handle === "object" && handle !== null && "unref" in handle) handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

export interface PilotOptions {
  /** Wall clock in epoch ms for version strings and `last_updated` (default Date.now). */
  now?: () => number;
  /** Timers for debounce and ACK delays (default: real, unref'd timers). */
  scheduler?: Scheduler;
  /** Mesh-wide outboundTrafficPolicy.mode when the istio ConfigMap does not set one (default ALLOW_ANY). */
  outboundTrafficPolicy?: OutboundTrafficPolicyMode;
}

export const PUSH_DEBOUNCE_MS = 100;

/** Deterministic ACK delay of the proxy at `index` in namespace/name order. */
export function ackDelayMs(index: number): number {
  return Math.min(50 + 10 * index, 300);
}

interface Push {
  number: number;
  version: string;
  timestampMs: number;
  snapshot: ConfigSnapshot;
  context?: PushContext;
  generator?: ConfigGenerator;
  proxies?: Map<string, ProxyInfo>;
  /** The push before this one, until this push's generator has been created. */
  previous?: Push;
}

interface ProxyState {
  acked?: Push;
  ackedAtMs: number;
  startedAtMs: number;
  ackTimer?: unknown;
}

function podKey(pod: PodRef): string {
  return `${pod.namespace}/${pod.name}`;
}

function formatVersion(timestampMs: number, number: number): string {
  return `${new Date(Math.floor(timestampMs / 1000) * 1000).toISOString().replace(".000Z", "Z")}/${number}`;
}

export class Pilot {
  private readonly now: () => number;
  private readonly scheduler: Scheduler;
  private readonly outboundTrafficPolicy: OutboundTrafficPolicyMode;
  private latest: Push;
  private readonly states = new Map<string, ProxyState>();
  private debounceTimer: unknown;
  private readonly pushListeners = new Set<(version: string) => void>();
  private readonly ackListeners = new Set<(pod: PodRef, version: string) => void>();
  private waiters: { resolve: () => void; reject: (error: Error) => void; timer: unknown }[] = [];
  private readonly unsubscribe: () => void;
  private disposed = false;

  constructor(
    private readonly store: ClusterStore,
    options: PilotOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.scheduler = options.scheduler ?? realScheduler;
    this.outboundTrafficPolicy = options.outboundTrafficPolicy ?? "ALLOW_ANY";
    this.latest = this.createPush(1);
    // Proxies that exist when istiod starts are connected and in sync with the first version.
    const started = this.now();
    for (const proxy of this.proxiesOf(this.latest).values()) {
      this.states.set(podKey(proxy), { acked: this.latest, ackedAtMs: started, startedAtMs: started });
    }
    this.unsubscribe = store.subscribe((event) => this.onStoreEvent(event));
  }

  /** The version istiod pushed last (proxies may still be on older ones). */
  get version(): string {
    return this.latest.version;
  }

  /** The config a proxy currently HAS (what it last acknowledged); undefined for unknown pods or before its first ACK. */
  proxyConfig(pod: PodRef): ProxyConfig | undefined {
    const state = this.states.get(podKey(pod));
    const push = state?.acked;
    if (!push) return undefined;
    const proxy = this.proxiesOf(push).get(podKey(pod));
    return proxy ? this.generatorOf(push).configFor(proxy) : undefined;
  }

  /** The config istiod would send a proxy right now (the latest push), ignoring propagation. */
  latestConfig(pod: PodRef): ProxyConfig | undefined {
    const proxy = this.proxiesOf(this.latest).get(podKey(pod));
    return proxy ? this.generatorOf(this.latest).configFor(proxy) : undefined;
  }

  /** Envoy /config_dump JSON of a proxy's accepted config (includeEds adds EndpointsConfigDump). */
  configDump(pod: PodRef, options: { includeEds?: boolean } = {}): ConfigDump | undefined {
    const config = this.proxyConfig(pod);
    const state = this.states.get(podKey(pod));
    if (!config || !state) return undefined;
    return buildConfigDump(config, { includeEds: options.includeEds ?? false, updatedAtMs: state.ackedAtMs, startedAtMs: state.startedAtMs });
  }

  /** `istioctl proxy-status` rows, sorted by namespace then pod name. */
  proxyStatus(): ProxySyncStatus[] {
    const istiod = this.istiodName(this.latest.snapshot);
    return [...this.proxiesOf(this.latest).values()].map((proxy) => {
      const state = this.states.get(podKey(proxy));
      // A change istiod has seen but not pushed yet counts as STALE too: the proxy does not have it.
      const status = state?.acked === this.latest && this.debounceTimer === undefined ? "SYNCED" : "STALE";
      return { proxy: { namespace: proxy.namespace, name: proxy.name }, cds: status, lds: status, eds: status, rds: status, istiod, version: ISTIO_PROXY_VERSION };
    });
  }

  /**
   * istiod's /debug/syncz (what `istioctl proxy-status` reads): per proxy, the version sent and the one acknowledged
   * for each xDS type; a proxy behind the latest change shows an older (or no) acknowledgement.
   */
  syncz(): Record<string, string>[] {
    return this.proxyStatus().map((row) => {
      const acked = this.states.get(podKey(row.proxy))?.acked;
      const ackedVersion = row.cds === "SYNCED" ? this.latest.version : acked && acked !== this.latest ? acked.version : undefined;
      const entry: Record<string, string> = { cluster_id: "Kubernetes", proxy: `${row.proxy.name}.${row.proxy.namespace}`, istio_version: row.version };
      for (const type of ["cluster", "listener", "route", "endpoint"]) {
        entry[`${type}_sent`] = this.latest.version;
        if (ackedVersion) entry[`${type}_acked`] = ackedVersion;
      }
      return entry;
    });
  }

  /** Whether every proxy runs the latest version and no change is waiting to be pushed. */
  isSynced(): boolean {
    if (this.debounceTimer !== undefined) return false;
    for (const proxy of this.proxiesOf(this.latest).values()) {
      if (this.states.get(podKey(proxy))?.acked !== this.latest) return false;
    }
    return true;
  }

  /** Resolves when every proxy is SYNCED with the latest push; rejects after timeoutMs. */
  waitForSync(timeoutMs: number): Promise<void> {
    if (this.isSynced()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        timer: this.scheduler.setTimeout(() => {
          this.waiters = this.waiters.filter((item) => item !== waiter);
          reject(new Error(`proxies not in sync with ${this.latest.version} after ${timeoutMs} ms`));
        }, timeoutMs, { keepAlive: true }),
      };
      this.waiters.push(waiter);
    });
  }

  /** Pushes pending changes now and makes every proxy ACK immediately (lab set-up, tests). */
  syncNow(): void {
    if (this.debounceTimer !== undefined) {
      this.scheduler.clearTimeout(this.debounceTimer);
      this.debounceTimer = undefined;
      this.push();
    }
    for (const proxy of this.proxiesOf(this.latest).values()) this.acknowledge(podKey(proxy), this.latest);
  }

  /** Called with the new version each time istiod pushes. Returns the unsubscribe function. */
  onPush(listener: (version: string) => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }

  /** Called when a proxy ACKs a version (its proxyConfig changed). Returns the unsubscribe function. */
  onAck(listener: (pod: PodRef, version: string) => void): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    if (this.debounceTimer !== undefined) this.scheduler.clearTimeout(this.debounceTimer);
    this.debounceTimer = undefined;
    for (const state of this.states.values()) if (state.ackTimer !== undefined) this.scheduler.clearTimeout(state.ackTimer);
    for (const waiter of this.waiters) {
      this.scheduler.clearTimeout(waiter.timer);
      waiter.reject(new Error("pilot disposed"));
    }
    this.waiters = [];
    this.pushListeners.clear();
    this.ackListeners.clear();
  }

  private onStoreEvent(event: StoreEvent): void {
    if (this.disposed || !WATCHED_RESOURCES.includes(event.resource)) return;
    if (event.resource === "configmaps" && !(event.object.metadata.namespace === ISTIO_SYSTEM && event.object.metadata.name === "istio")) return;
    if (this.debounceTimer !== undefined) return;
    this.debounceTimer = this.scheduler.setTimeout(() => {
      this.debounceTimer = undefined;
      this.push();
    }, PUSH_DEBOUNCE_MS);
  }

  private createPush(number: number): Push {
    const timestampMs = this.now();
    return { number, version: formatVersion(timestampMs, number), timestampMs, snapshot: takeSnapshot(this.store) };
  }

  private contextOf(push: Push): PushContext {
    push.context ??= new PushContext(push.version, push.snapshot, { outboundTrafficPolicy: this.outboundTrafficPolicy });
    return push.context;
  }

  private generatorOf(push: Push): ConfigGenerator {
    if (!push.generator) {
      push.generator = new ConfigGenerator(this.contextOf(push), push.previous?.generator);
      // Only the immediately preceding push is consulted; drop the link so old pushes can be collected.
      delete push.previous;
    }
    return push.generator;
  }

  private proxiesOf(push: Push): Map<string, ProxyInfo> {
    push.proxies ??= new Map(this.contextOf(push).proxies.map((proxy) => [podKey(proxy), proxy]));
    return push.proxies;
  }

  private push(): void {
    const push = this.createPush(this.latest.number + 1);
    push.previous = this.latest;
    this.latest = push;
    const proxies = [...this.proxiesOf(push).values()];
    const current = new Set(proxies.map(podKey));
    for (const [key, state] of this.states) {
      if (current.has(key)) continue;
      if (state.ackTimer !== undefined) this.scheduler.clearTimeout(state.ackTimer);
      this.states.delete(key);
    }
    const now = this.now();
    proxies.forEach((proxy, index) => {
      const key = podKey(proxy);
      let state = this.states.get(key);
      if (!state) {
        state = { ackedAtMs: now, startedAtMs: now };
        this.states.set(key, state);
      }
      if (state.ackTimer !== undefined) this.scheduler.clearTimeout(state.ackTimer);
      state.ackTimer = this.scheduler.setTimeout(() => this.acknowledge(key, push), ackDelayMs(index));
    });
    for (const listener of [...this.pushListeners]) listener(push.version);
    this.settleWaiters();
  }

  private acknowledge(key: string, push: Push): void {
    const state = this.states.get(key);
    if (!state || this.disposed) return;
    if (state.ackTimer !== undefined) this.scheduler.clearTimeout(state.ackTimer);
    state.ackTimer = undefined;
    if (state.acked === push) return;
    const proxy = this.proxiesOf(push).get(key);
    if (!proxy) return;
    // Build the config now so it is ready when the data plane asks for it.
    this.generatorOf(push).configFor(proxy);
    state.acked = push;
    state.ackedAtMs = this.now();
    for (const listener of [...this.ackListeners]) listener({ namespace: proxy.namespace, name: proxy.name }, push.version);
    this.settleWaiters();
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0 || !this.isSynced()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      this.scheduler.clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  private istiodName(snapshot: ConfigSnapshot): string {
    const pod = snapshot.pods.find((item) => item.metadata.namespace === ISTIO_SYSTEM && item.metadata.labels?.app === "istiod");
    return pod?.metadata.name ?? "istiod";
  }
}
