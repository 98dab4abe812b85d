// DataPlane: the simulated network of one embedded cluster. It owns the virtual clock, one Envoy runtime per
// proxy (fed by the config each proxy currently has), the application containers, and the client tools
// (curl, fortio, pilot-agent) that `kubectl exec` runs.

import type { ExecResult, PodRef, ProbeResponse, ProbeResult, ProbeSpec } from "@/cluster/driver";
import type { ProxyConfig } from "../envoy-types";
import type { ClusterStore } from "../../store";
import { LogBuffer } from "./access-log";
import { appForContainer, ExternalSite, type App, type AppContext, type FetchInit, type FetchOutcome } from "./apps";
import { runCurl } from "./curl";
import { ConnectionReset, EnvoyProxy, type MeshNetwork, type PeerInfo } from "./envoy";
import { runFortio } from "./fortio";
import { lowerCaseHeaders, parseUrl, Stream, type ParsedUrl, type HttpRequest, type HttpResponse } from "./http";
import { runPilotAgent } from "./pilot-agent";
import { hashString, SeededRandom } from "./random";
import { SimClock } from "./sim-clock";
import { ProxyStats, statsMatcherFromProxyConfig } from "./stats";
import { runPodShell } from "./pod-shell";
import type { ConnectOutcome } from "./upstream";
import { WorkloadDirectory, type WorkloadContainer, type WorkloadPod } from "./workloads";

export { SimClock } from "./sim-clock";
export type { WorkloadPod } from "./workloads";

/** Where the data plane gets each proxy's current config (the Pilot). */
export interface ProxyConfigSource {
  proxyConfig(pod: PodRef): ProxyConfig | undefined;
  configDump(pod: PodRef, options?: { includeEds?: boolean }): unknown;
  /** Told when a proxy accepts a new version; with it the data plane caches each proxy's config between ACKs. */
  onAck?(listener: (pod: PodRef, version: string) => void): () => void;
}

export interface DataPlaneOptions {
  /** Seed of every random draw (weighted picks, fault percentages, jitter, ids). Default 1. */
  seed?: number;
  /** Real epoch ms; virtual time never falls behind it (tests pass a fixed function). Default Date.now. */
  wallClock?: () => number;
  /** Longest real wait for one interactive request in real-time mode (ms). Default 15 000. */
  realTimeCapMs?: number;
}

/** One request from a workload, as its client saw it and as the caller's sidecar recorded it. */
export interface ClientResult {
  /** 0 when no HTTP response arrived (see `error`). */
  status: number;
  body: string;
  headers: Record<string, string>;
  /** Response flags from the caller's sidecar ("-" when none, or when the pod has no sidecar). */
  flags: string;
  upstreamCluster?: string;
  /** Pod that produced the response (undefined for proxy-local replies such as 503 UO). */
  upstreamPod?: string;
  /** The IP the client connected to. */
  remoteIp?: string;
  latencyMs: number;
  error?: { kind: "timeout" | "resolve" | "refused" | "reset"; message: string };
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Client-side timeout (curl --max-time, fortio -timeout). */
  timeoutMs?: number;
  /** Container the request leaves from (default: the first application container). */
  container?: string;
}

/** Hostnames that mean "this pod" (its loopback interface). */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export interface ExecOptions {
  /** Interactive commands (curl) wait their virtual latency in real time, capped. */
  realTime?: boolean;
}

interface Delivery {
  response: HttpResponse;
  servedBy?: string;
}

export class DataPlane implements MeshNetwork {
  readonly clock: SimClock;
  readonly workloads: WorkloadDirectory;
  private readonly seed: number;
  private readonly realTimeCapMs: number;
  private readonly proxies = new Map<string, EnvoyProxy>();
  /** Fast path from the directory's pod objects (replaced on every store change) to their proxies. */
  private readonly proxyByPod = new WeakMap<WorkloadPod, EnvoyProxy>();
  private readonly parsedUrls = new Map<string, ParsedUrl | undefined>();
  private readonly apps = new Map<string, App | null>();
  /** Which app listens on each port of a pod object (null: nothing); pod objects are replaced when the store changes. */
  private readonly listeners = new WeakMap<WorkloadPod, Map<number, { app: App; context: AppContext } | null>>();
  /** What the outside world's sites see as their context. */
  private internetContext: AppContext | undefined;
  private readonly logs = new Map<string, LogBuffer>();
  private readonly randoms = new Map<string, SeededRandom>();
  private readonly external = new ExternalSite();
  private readonly configCache = new Map<string, ProxyConfig | undefined>();
  private readonly cacheConfigs: boolean;
  private configEpoch = 0;

  constructor(
    store: ClusterStore,
    private readonly configSource: ProxyConfigSource,
    options: DataPlaneOptions = {},
  ) {
    this.seed = options.seed ?? 1;
    this.realTimeCapMs = options.realTimeCapMs ?? 15_000;
    this.clock = new SimClock({ wallClock: options.wallClock });
    this.workloads = new WorkloadDirectory(store);
    this.cacheConfigs = configSource.onAck !== undefined;
    configSource.onAck?.((pod) => {
      this.configCache.delete(`${pod.namespace}/${pod.name}`);
      this.configEpoch += 1;
    });
  }

  private random(key: string): SeededRandom {
    let random = this.randoms.get(key);
    if (!random) {
      random = new SeededRandom((this.seed * 0x9e3779b1) ^ hashString(key));
      this.randoms.set(key, random);
    }
    return random;
  }

  // --- MeshNetwork ---------------------------------------------------------------------------------------------

  /** Changes whenever some proxy accepts new config; undefined when configs cannot be cached. */
  configVersion(): number | undefined {
    return this.cacheConfigs ? this.configEpoch : undefined;
  }

  proxyConfig(pod: WorkloadPod): ProxyConfig | undefined {
    if (!this.cacheConfigs) return this.configSource.proxyConfig({ namespace: pod.namespace, name: pod.name });
    const key = `${pod.namespace}/${pod.name}`;
    if (this.configCache.has(key)) return this.configCache.get(key);
    const config = this.configSource.proxyConfig({ namespace: pod.namespace, name: pod.name });
    this.configCache.set(key, config);
    return config;
  }

  connect(ip: string, port: number): ConnectOutcome {
    const random = this.random("network");
    const service = this.workloads.serviceByIp(ip);
    if (service) {
      // kube-proxy rewrites a ClusterIP connection to one ready endpoint; with none (or no such port) it is rejected.
      const servicePort = service.ports.find((item) => item.port === port);
      const endpoints = servicePort ? this.workloads.endpointPods(service) : [];
      const chosen = endpoints[this.random("kube-proxy").below(endpoints.length)];
      if (!servicePort || !chosen) return { behaviour: "refuse", latencyMs: random.jitter(0.2, 0.05), reached: { ip, port } };
      return this.connect(chosen.ip, servicePort.targetPort);
    }
    const reached = { ip, port };
    const pod = this.workloads.podByIp(ip);
    if (!pod) {
      if (ip.startsWith("10.")) return { behaviour: "timeout", latencyMs: 0, reached };
      return { behaviour: "accept", latencyMs: random.jitter(18, 6), reached };
    }
    if (!pod.running) return { behaviour: "refuse", latencyMs: random.jitter(0.2, 0.05), reached };
    const latencyMs = random.jitter(pod.hasSidecar || pod.isRouter ? 0.6 : 0.25, 0.2);
    if (pod.hasSidecar) return { behaviour: "accept", latencyMs, reached };
    if (pod.isRouter) {
      const listening = [...(this.proxyConfig(pod)?.listeners.values() ?? [])].some((listener) => listener.address.socket_address.port_value === port);
      return { behaviour: listening ? "accept" : "refuse", latencyMs, reached };
    }
    return { behaviour: this.appOnPort(pod, port) ? "accept" : "refuse", latencyMs, reached };
  }

  async deliver(ip: string, port: number, request: HttpRequest, stream: Stream, peer: PeerInfo): Promise<HttpResponse> {
    const pod = this.workloads.podByIp(ip);
    if (!pod) return this.external.handle(request, (this.internetContext ??= this.appContext(undefined, undefined)));
    if (pod.hasSidecar || pod.isRouter) {
      const exchange = await this.proxyFor(pod).inbound(request, port, stream, peer);
      return exchange.response;
    }
    const reply = await this.callApp(pod, port, request);
    if (reply === "refused") throw new ConnectionReset("Connection refused");
    return reply;
  }

  async callApp(pod: WorkloadPod, port: number, request: HttpRequest): Promise<HttpResponse | "refused"> {
    const found = this.appOnPort(pod, port);
    if (!found) return "refused";
    const reply = await found.app.handle(request, found.context);
    reply.servedBy = pod.name;
    return reply;
  }

  // --- workloads -----------------------------------------------------------------------------------------------

  /** The app listening on a pod's port, with the context it runs in (looked up once per pod object and port). */
  private appOnPort(pod: WorkloadPod, port: number): { app: App; context: AppContext } | undefined {
    let byPort = this.listeners.get(pod);
    if (!byPort) {
      byPort = new Map();
      this.listeners.set(pod, byPort);
    }
    const cached = byPort.get(port);
    if (cached !== undefined) return cached ?? undefined;
    let found: { app: App; context: AppContext } | undefined;
    for (const container of pod.containers) {
      if (container.name === "istio-proxy") continue;
      const appKey = `${pod.namespace}/${pod.name}/${container.name}`;
      let app = this.apps.get(appKey);
      if (app === undefined) {
        app = appForContainer(container) ?? null;
        this.apps.set(appKey, app);
      }
      if (app?.ports.includes(port)) {
        found = { app, context: this.appContext(pod, container) };
        break;
      }
    }
    byPort.set(port, found ?? null);
    return found;
  }

  private log(pod: PodRef, container: string): LogBuffer {
    const key = `${pod.namespace}/${pod.name}/${container}`;
    let buffer = this.logs.get(key);
    if (!buffer) {
      buffer = new LogBuffer();
      this.logs.set(key, buffer);
    }
    return buffer;
  }

  private appContext(pod: WorkloadPod | undefined, container: WorkloadContainer | undefined): AppContext {
    const key = pod ? `${pod.namespace}/${pod.name}` : "internet";
    const podRef: WorkloadPod = pod ?? {
      namespace: "",
      name: "internet",
      ip: "0.0.0.0",
      labels: {},
      annotations: {},
      serviceAccount: "",
      containers: [],
      hasSidecar: false,
      isRouter: false,
      running: true,
      canonicalName: "",
      canonicalRevision: "",
      workloadName: "",
    };
    const containerRef = container ?? { name: "internet", image: "", ports: [] };
    return {
      pod: podRef,
      container: containerRef,
      clock: this.clock,
      random: this.random(`app:${key}`),
      fetch: (url, init) => this.fetchFrom(podRef, url, init ?? {}),
      log: (line) => {
        if (pod && container) this.log(pod, container.name).push(line);
      },
    };
  }

  /** The Envoy runtime of a proxy pod (created on first use). */
  proxyFor(pod: WorkloadPod): EnvoyProxy {
    const known = this.proxyByPod.get(pod);
    if (known) return known;
    const key = `${pod.namespace}/${pod.name}`;
    let proxy = this.proxies.get(key);
    if (!proxy || proxy.pod.ip !== pod.ip) {
      proxy = new EnvoyProxy(pod, this, this.random(`proxy:${key}`));
      this.proxies.set(key, proxy);
    }
    this.proxyByPod.set(pod, proxy);
    return proxy;
  }

  private requirePod(ref: PodRef): WorkloadPod {
    const pod = this.workloads.pod(ref.namespace, ref.name);
    if (!pod) throw new Error(`pods "${ref.name}" not found in namespace "${ref.namespace}"`);
    return pod;
  }

  // --- client side ---------------------------------------------------------------------------------------------

  /** An app's HTTP call with its client timeout, in the calling simulated thread. */
  private async fetchFrom(pod: WorkloadPod, url: string, init: FetchInit): Promise<FetchOutcome> {
    const result = await this.send(pod, url, init);
    if (result.error) return { ok: false, error: result.error.kind, message: result.error.message, latencyMs: result.latencyMs };
    return { ok: true, response: { status: result.status, headers: result.headers, body: result.body }, latencyMs: result.latencyMs };
  }

  /** Sends one request from `pod` (must run inside the simulation). */
  async send(pod: WorkloadPod, url: string, options: SendOptions): Promise<ClientResult> {
    const started = this.clock.now();
    let parsed = this.parsedUrls.get(url);
    if (parsed === undefined && !this.parsedUrls.has(url)) {
      parsed = parseUrl(url);
      if (this.parsedUrls.size > 1000) this.parsedUrls.clear();
      this.parsedUrls.set(url, parsed);
    }
    if (!parsed) return { status: 0, body: "", headers: {}, flags: "-", latencyMs: 0, error: { kind: "resolve", message: `URL rejected: Malformed input to a URL function` } };
    if (LOOPBACK_HOSTS.has(parsed.host)) return this.sendToSelf(pod, parsed, options);
    const resolved = this.workloads.resolve(parsed.host, pod.namespace);
    if (!resolved) return { status: 0, body: "", headers: {}, flags: "-", latencyMs: 0, error: { kind: "resolve", message: `Could not resolve host: ${parsed.host}` } };
    const headers = lowerCaseHeaders(options.headers);
    const request: HttpRequest = {
      method: options.method ?? "GET",
      path: parsed.path,
      authority: headers.host ?? parsed.authority,
      scheme: parsed.scheme,
      headers,
      body: options.body ?? "",
    };
    delete request.headers.host;
    if (request.body && request.headers["content-length"] === undefined) request.headers["content-length"] = String(request.body.length);
    const stream = new Stream();
    const localAddress = `${pod.ip}:${32768 + this.random("ports").below(28000)}`;
    const task = this.clock.spawn(() => this.exchange(pod, request, resolved.ip, parsed.port, stream, localAddress));
    const raced = await this.clock.race(task, options.timeoutMs);
    const elapsed = this.clock.now() - started;
    if (!raced.finished) {
      stream.abort(this.clock.now());
      return { status: 0, body: "", headers: {}, flags: "-", latencyMs: elapsed, remoteIp: resolved.ip, error: { kind: "timeout", message: `Operation timed out after ${Math.round(elapsed)} milliseconds with 0 bytes received` } };
    }
    const outcome = raced.value;
    if ("error" in outcome) return { status: 0, body: "", headers: {}, flags: "-", latencyMs: elapsed, remoteIp: resolved.ip, error: outcome.error };
    return {
      status: outcome.delivery.response.status,
      body: outcome.delivery.response.body,
      headers: outcome.delivery.response.headers,
      flags: outcome.flags,
      upstreamCluster: outcome.upstreamCluster,
      upstreamPod: outcome.delivery.servedBy,
      remoteIp: resolved.ip,
      latencyMs: elapsed,
    };
  }

  private async exchange(
    pod: WorkloadPod,
    request: HttpRequest,
    ip: string,
    port: number,
    stream: Stream,
    localAddress: string,
  ): Promise<{ delivery: Delivery; flags: string; upstreamCluster?: string } | { error: NonNullable<ClientResult["error"]> }> {
    try {
      if (pod.hasSidecar) {
        const exchange = await this.proxyFor(pod).outbound(request, { ip, port }, stream, { pod, address: localAddress });
        return {
          delivery: { response: exchange.response, servedBy: exchange.response.servedBy },
          flags: exchange.flags.length ? exchange.flags.join(",") : "-",
          upstreamCluster: exchange.upstreamCluster,
        };
      }
      // No sidecar: the connection goes where kube-proxy sends it (one ready endpoint of a ClusterIP).
      const { behaviour, latencyMs, reached } = this.connect(ip, port);
      if (behaviour === "timeout") {
        await this.clock.sleep(130_000);
        return { error: { kind: "timeout", message: `Failed to connect to ${ip} port ${port}: Connection timed out` } };
      }
      await this.clock.sleep(latencyMs);
      if (behaviour === "refuse") return { error: { kind: "refused", message: `Failed to connect to ${ip} port ${port}: Connection refused` } };
      const reply = await this.deliver(reached.ip, reached.port, request, stream, { pod, address: localAddress });
      return { delivery: { response: reply, servedBy: reply.servedBy }, flags: "-" };
    } catch (error) {
      if (error instanceof ConnectionReset) {
        const refused = error.detail.includes("refused");
        return { error: { kind: refused ? "refused" : "reset", message: refused ? `Failed to connect to ${ip} port ${port}: Connection refused` : error.detail } };
      }
      throw error;
    }
  }

  /**
   * A request to localhost: containers of a pod share its network namespace and loopback is never redirected to
   * the sidecar, so it reaches the app's own port directly, or Envoy's readiness endpoint on 15021.
   */
  private async sendToSelf(pod: WorkloadPod, parsed: ParsedUrl, options: SendOptions): Promise<ClientResult> {
    const started = this.clock.now();
    await this.clock.sleep(0.05);
    const done = (status: number, body: string, headers: Record<string, string>): ClientResult => ({ status, body, headers, flags: "-", latencyMs: this.clock.now() - started, remoteIp: "127.0.0.1" });
    if (parsed.port === 15021 && (pod.hasSidecar || pod.isRouter)) {
      const ready = parsed.path === "/healthz/ready" && this.proxyConfig(pod) !== undefined;
      return done(ready ? 200 : parsed.path === "/healthz/ready" ? 503 : 404, "", { date: new Date(this.clock.epochNow()).toUTCString(), server: "envoy", "content-length": "0" });
    }
    const headers = lowerCaseHeaders(options.headers);
    const request: HttpRequest = { method: options.method ?? "GET", path: parsed.path, authority: headers.host ?? parsed.authority, scheme: parsed.scheme, headers, body: options.body ?? "" };
    delete request.headers.host;
    const reply = await this.callApp(pod, parsed.port, request);
    if (reply === "refused") return { ...done(0, "", {}), error: { kind: "refused", message: `Failed to connect to ${parsed.host} port ${parsed.port}: Connection refused` } };
    return done(reply.status, reply.body, reply.headers);
  }

  /** The pod a probe starts from: by name, or the first running pod with label app=<app>. */
  private sourcePod(spec: ProbeSpec["from"]): WorkloadPod {
    if ("pod" in spec) return this.requirePod({ namespace: spec.namespace, name: spec.pod });
    const pod = this.workloads
      .pods()
      .filter((item) => item.namespace === spec.namespace && item.labels.app === spec.app && item.running)
      .sort((a, b) => a.name.localeCompare(b.name))[0];
    if (!pod) throw new Error(`no running pod with label app=${spec.app} in namespace ${spec.namespace}`);
    return pod;
  }

  /** Runs a burst of requests in virtual time (fortio-like concurrency and pacing) and reports every response. */
  async probe(spec: ProbeSpec): Promise<ProbeResult> {
    const pod = this.sourcePod(spec.from);
    const total = Math.max(0, spec.requests);
    const concurrency = Math.max(1, Math.min(spec.concurrency ?? 1, Math.max(1, total)));
    const qps = spec.qps ?? 0;
    const bodyLimit = spec.bodyLimit ?? 64 * 1024;
    const responses: ProbeResponse[] = new Array<ProbeResponse>(total);
    return this.clock.run(async () => {
      const started = this.clock.now();
      let next = 0;
      const perThreadInterval = qps > 0 ? (1000 * concurrency) / qps : 0;
      await this.clock.all(
        Array.from({ length: concurrency }, (_, thread) => async () => {
          let slot = 0;
          for (;;) {
            const index = next++;
            if (index >= total) return;
            if (perThreadInterval > 0) {
              const due = started + (thread * perThreadInterval) / concurrency + slot * perThreadInterval;
              if (due > this.clock.now()) await this.clock.sleep(due - this.clock.now());
              slot += 1;
            }
            const result = await this.send(pod, spec.url, { method: spec.method, headers: spec.headers, timeoutMs: spec.timeoutMs });
            responses[index] = {
              status: result.status,
              flags: result.flags,
              latencyMs: result.latencyMs,
              body: result.body.length > bodyLimit ? result.body.slice(0, bodyLimit) : result.body,
              headers: result.headers,
              upstreamCluster: result.upstreamCluster,
              upstreamPod: result.upstreamPod,
            };
          }
        }),
      );
      return { spec, responses, durationMs: this.clock.now() - started };
    });
  }

  /** Lets `ms` of virtual time pass, finishing background work due by then (abandoned requests, mirrors). */
  advance(ms: number): Promise<void> {
    return this.clock.run(() => this.clock.sleep(ms));
  }

  /** Sends one request from a pod as a top-level run (for callers outside the simulation). */
  request(from: PodRef, url: string, options: SendOptions = {}): Promise<ClientResult> {
    const pod = this.requirePod(from);
    return this.clock.run(() => this.send(pod, url, options));
  }

  /** A request arriving at a pod's port from outside the mesh (port-forward, NodePort to the ingress gateway). */
  requestToPod(to: PodRef, port: number, request: { method?: string; path: string; authority: string; headers?: Record<string, string>; body?: string }): Promise<ClientResult> {
    const pod = this.requirePod(to);
    return this.clock.run(async () => {
      const started = this.clock.now();
      const httpRequest: HttpRequest = { method: request.method ?? "GET", path: request.path, authority: request.authority, scheme: "http", headers: lowerCaseHeaders(request.headers), body: request.body ?? "" };
      const { behaviour, latencyMs } = this.connect(pod.ip, port);
      if (behaviour !== "accept") return { status: 0, body: "", headers: {}, flags: "-", latencyMs: 0, error: { kind: "refused" as const, message: `Failed to connect to ${pod.ip} port ${port}: Connection refused` } };
      await this.clock.sleep(latencyMs);
      try {
        const peer: PeerInfo = { address: `172.18.0.1:${32768 + this.random("ports").below(28000)}` };
        if (pod.hasSidecar || pod.isRouter) {
          const exchange = await this.proxyFor(pod).inbound(httpRequest, port, new Stream(), peer);
          return { status: exchange.response.status, body: exchange.response.body, headers: exchange.response.headers, flags: exchange.flags.length ? exchange.flags.join(",") : "-", upstreamCluster: exchange.upstreamCluster, upstreamPod: exchange.response.servedBy, latencyMs: this.clock.now() - started };
        }
        const reply = await this.callApp(pod, port, httpRequest);
        if (reply === "refused") return { status: 0, body: "", headers: {}, flags: "-", latencyMs: this.clock.now() - started, error: { kind: "refused" as const, message: "Connection refused" } };
        return { status: reply.status, body: reply.body, headers: reply.headers, flags: "-", upstreamPod: pod.name, latencyMs: this.clock.now() - started };
      } catch (error) {
        if (error instanceof ConnectionReset) return { status: 0, body: "", headers: {}, flags: "-", latencyMs: this.clock.now() - started, error: { kind: "reset" as const, message: error.detail } };
        throw error;
      }
    });
  }

  // --- kubectl exec / logs / admin -----------------------------------------------------------------------------

  /** Runs `curl …` and `sh -c SCRIPT` (every image with a shell, istio-proxy included), `fortio load|curl …` (fortio) or `pilot-agent request …` (istio-proxy). */
  async exec(ref: PodRef, container: string | undefined, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const pod = this.workloads.pod(ref.namespace, ref.name);
    if (!pod) return { stdout: "", stderr: `Error from server (NotFound): pods "${ref.name}" not found\n`, exitCode: 1 };
    const containerName = container ?? pod.containers.find((item) => item.name !== "istio-proxy")?.name ?? pod.containers[0]?.name ?? "";
    const target = pod.containers.find((item) => item.name === containerName);
    if (!target) return { stdout: "", stderr: `error: unable to upgrade connection: container not found ("${containerName}")\n`, exitCode: 1 };
    const [program, ...args] = argv;
    const name = program?.split("/").pop() ?? "";
    const fortioImage = /(^|\/)fortio(\/|:|$)/.test(target.image);
    if (name === "pilot-agent" && containerName === "istio-proxy") return runPilotAgent(args, this.admin(pod));
    if (name === "fortio" && fortioImage) return runFortio(args, this.clientTools(pod));
    if ((name === "sh" || name === "bash") && !fortioImage) {
      return runPodShell(args, (argv) => this.exec(ref, containerName, argv));
    }
    if (name === "curl" && !fortioImage) {
      // Envoy's admin listens on the pod's loopback: every container of a pod with a proxy can reach it.
      const outcome = await runCurl(args, this.clientTools(pod), pod.hasSidecar || pod.isRouter ? this.admin(pod) : undefined);
      if (options.realTime && outcome.virtualMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(outcome.virtualMs, this.realTimeCapMs)));
      return outcome.result;
    }
    return {
      stdout: "",
      stderr: `error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${program ?? ""}": executable file not found in $PATH: unknown\n`,
      exitCode: 126,
    };
  }

  private clientTools(pod: WorkloadPod): ClientTools {
    return {
      pod,
      clock: this.clock,
      run: (body) => this.clock.run(body),
      send: (url, options) => this.send(pod, url, options),
    };
  }

  private admin(pod: WorkloadPod): ProxyAdmin {
    return {
      stats: () => this.proxyStats({ namespace: pod.namespace, name: pod.name }),
      configDump: (includeEds) => this.configSource.configDump({ namespace: pod.namespace, name: pod.name }, { includeEds }),
      clusters: () => (pod.hasSidecar || pod.isRouter ? this.proxyFor(pod).clustersText() : ""),
    };
  }

  /** Envoy `/stats` text of a proxy: filtered by its stats inclusion list unless `unfiltered`. */
  proxyStats(ref: PodRef, options: { unfiltered?: boolean } = {}): string {
    const pod = this.requirePod(ref);
    if (!pod.hasSidecar && !pod.isRouter) throw new Error(`pod ${ref.namespace}/${ref.name} has no istio-proxy container`);
    const values = this.proxyFor(pod).statValues();
    return ProxyStats.render(values, options.unfiltered ? undefined : statsMatcherFromProxyConfig(pod.annotations["proxy.istio.io/config"]));
  }

  /** One stat value of a proxy (counters and live gauges), 0 when absent. */
  stat(ref: PodRef, name: string): number {
    const pod = this.requirePod(ref);
    return this.proxyFor(pod).statValues().get(name) ?? 0;
  }

  /** Container log text (`istio-proxy`: the Envoy access log). */
  logsOf(ref: PodRef, container: string, options: { tail?: number } = {}): string {
    const pod = this.requirePod(ref);
    if (container === "istio-proxy") return pod.hasSidecar || pod.isRouter ? this.proxyFor(pod).accessLog.text(options.tail) : "";
    return this.log(ref, container).text(options.tail);
  }

  /** Routing decisions (virtual host + route selections) made by every proxy so far. */
  routingDecisions(): number {
    let total = 0;
    for (const proxy of this.proxies.values()) total += proxy.decisions;
    return total;
  }
}

/** What the curl and fortio engines need from the pod they run in. */
export interface ClientTools {
  pod: WorkloadPod;
  clock: SimClock;
  /** Runs a simulated thread to completion (virtual time). */
  run<T>(body: () => Promise<T>): Promise<T>;
  /** Sends one request from the pod (inside a simulated thread). */
  send(url: string, options: SendOptions): Promise<ClientResult>;
}

/** The Envoy admin endpoints `pilot-agent request` and `curl localhost:15000/…` reach. */
export interface ProxyAdmin {
  stats(): string;
  configDump(includeEds: boolean): unknown;
  clusters(): string;
}
