// The Envoy runtime of one proxy: it interprets the xDS config the proxy currently holds (listeners → filter
// chain → HTTP connection manager → route configuration → virtual host → route → fault filter → router with
// weighted clusters, circuit breakers, load balancing, outlier detection, timeouts, retries and mirroring) and
// keeps the proxy's stats and access log. It never reads Istio objects.

import {
  BLACKHOLE_CLUSTER,
  FILTER,
  INBOUND_PASSTHROUGH_CLUSTER,
  PASSTHROUGH_CLUSTER,
  fractionValue,
  parseDurationMs,
  type Cluster,
  type FilterChain,
  type HTTPFault,
  type HttpConnectionManager,
  type Listener,
  type ProxyConfig,
  type RetryPolicy,
  type Route,
  type RouteConfiguration,
  type TcpProxy,
  type VirtualHost,
} from "../envoy-types";
import { LogBuffer } from "./access-log";
import { copyHeaders, response, Stream, type Headers, type HttpRequest, type HttpResponse } from "./http";
import { selectRoute, selectVirtualHost } from "./matching";
import type { SeededRandom } from "./random";
import type { SimClock } from "./sim-clock";
import { CLUSTER_COUNTERS, HTTP_COUNTERS, OUTLIER_COUNTERS, ProxyStats, type StatScope } from "./stats";
import { ClusterRuntime, type AcquireResult, type ConnectOutcome, type UpstreamConnection, type UpstreamHost } from "./upstream";
import type { WorkloadDirectory, WorkloadPod } from "./workloads";

/** Who is on the other end of a connection arriving at a proxy or app. */
export interface PeerInfo {
  /** The calling pod (undefined: outside the mesh, e.g. a port-forward). */
  pod?: WorkloadPod;
  /** `ip:port` the connection comes from. */
  address: string;
  /** mTLS SNI the client proxy used (`outbound_.9080_.v2_.reviews.default.svc.cluster.local`). */
  sni?: string;
  /** The Envoy cluster the caller's proxy used (for telemetry). */
  callerCluster?: string;
}

/** What the mesh lets a proxy do outside itself. */
export interface MeshNetwork {
  readonly clock: SimClock;
  readonly workloads: WorkloadDirectory;
  proxyConfig(pod: WorkloadPod): ProxyConfig | undefined;
  /** Changes whenever any proxy accepts new config; undefined when the config must be fetched on every use. */
  configVersion(): number | undefined;
  /** Opening a TCP connection to ip:port: whether something accepts, how long the handshake takes, where it lands. */
  connect(ip: string, port: number): ConnectOutcome;
  /** Sends a request over an accepted connection to ip:port (a pod's sidecar or app, or the outside world). */
  deliver(ip: string, port: number, request: HttpRequest, stream: Stream, peer: PeerInfo): Promise<HttpResponse>;
  /** The application container listening on `port` in `pod` ("refused" if none). */
  callApp(pod: WorkloadPod, port: number, request: HttpRequest): Promise<HttpResponse | "refused">;
}

/** One request as the proxy handled it. */
export interface Exchange {
  /** Status 0: the downstream went away before a response (access log `0 DC`). */
  response: HttpResponse;
  flags: string[];
  upstreamCluster?: string;
  upstreamHost?: string;
  durationMs: number;
}

/** Connection-level failure a client sees instead of an HTTP response (TCP reset, BlackHole). */
export class ConnectionReset extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = "ConnectionReset";
  }
}

/** Virtual host choice per route configuration object and Host value. */
const virtualHostCache = new WeakMap<RouteConfiguration, Map<string, VirtualHost | undefined>>();

function cachedVirtualHost(config: RouteConfiguration, authority: string): VirtualHost | undefined {
  let byAuthority = virtualHostCache.get(config);
  if (!byAuthority) {
    byAuthority = new Map();
    virtualHostCache.set(config, byAuthority);
  }
  if (byAuthority.has(authority)) return byAuthority.get(authority);
  const vhost = selectVirtualHost(config, authority);
  byAuthority.set(authority, vhost);
  return vhost;
}

/** Upstream hosts per endpoint assignment (or static cluster) object. */
const hostsCache = new WeakMap<object, UpstreamHost[]>();

/** Router settings of a route, parsed once per route action object. */
interface RouterSettings {
  timeoutMs: number;
  perTryMs: number | undefined;
  maxRetries: number;
  avoidPrevious: boolean;
  reselects: number;
}

const routerSettingsCache = new WeakMap<object, RouterSettings>();

function routerSettings(action: NonNullable<Route["route"]>): RouterSettings {
  let settings = routerSettingsCache.get(action);
  if (!settings) {
    const policy = action.retry_policy;
    settings = {
      // Envoy's route timeout defaults to 15 s when the field is absent; Istio always writes it ("0s" = none).
      timeoutMs: parseDurationMs(action.timeout) ?? 15_000,
      perTryMs: policy ? parseDurationMs(policy.per_try_timeout) : undefined,
      maxRetries: policy ? (policy.num_retries ?? 1) : 0,
      avoidPrevious: policy?.retry_host_predicate?.some((predicate) => predicate.name.endsWith("previous_hosts")) ?? false,
      reselects: Number(policy?.host_selection_retry_max_attempts ?? "1"),
    };
    routerSettingsCache.set(action, settings);
  }
  return settings;
}

/** Parsed `retry_on` lists, per policy object of the config. */
const retryConditions = new WeakMap<RetryPolicy, Set<string>>();

/** Whether an HTTP connection manager runs the fault filter, per HCM object of the config. */
const faultFilterCache = new WeakMap<HttpConnectionManager, boolean>();

/** Whether the connection manager's filter chain has the fault filter (routes' fault config applies only then). */
function hasFaultFilter(hcm: HttpConnectionManager): boolean {
  let enabled = faultFilterCache.get(hcm);
  if (enabled === undefined) {
    enabled = hcm.http_filters.some((filter) => filter.name === FILTER.fault);
    faultFilterCache.set(hcm, enabled);
  }
  return enabled;
}

/** `downstream_rq_<N>xx` counter names by status class. */
const DOWNSTREAM_CLASS_COUNTERS = ["downstream_rq_0xx", "downstream_rq_1xx", "downstream_rq_2xx", "downstream_rq_3xx", "downstream_rq_4xx", "downstream_rq_5xx"];

/** `upstream_rq_<status>` and `upstream_rq_<N>xx` counter names per status, built once. */
const upstreamStatusCounters = new Map<number, readonly [string, string]>();

/** The two counter names a response status bumps on its cluster. */
function upstreamCounters(status: number): readonly [string, string] {
  let names = upstreamStatusCounters.get(status);
  if (!names) {
    names = [`upstream_rq_${status}`, `upstream_rq_${codeClass(status)}`];
    upstreamStatusCounters.set(status, names);
  }
  return names;
}

/** The port of an `inbound|<port>||` cluster name, per name. */
const inboundPorts = new Map<string, number>();

/** The port in an inbound cluster name (NaN or 0 when the name carries none). */
function inboundPort(clusterName: string): number {
  let port = inboundPorts.get(clusterName);
  if (port === undefined) {
    port = Number(clusterName.split("|")[1]);
    inboundPorts.set(clusterName, port);
  }
  return port;
}

/** The inner map of a nested cache, created on first use. */
function cachedMap<K, InnerKey, Value>(outer: Map<K, Map<InnerKey, Value>>, key: K): Map<InnerKey, Value> {
  let inner = outer.get(key);
  if (inner === undefined) {
    inner = new Map();
    outer.set(key, inner);
  }
  return inner;
}

/** Reused for attempts that must not avoid any host. */
const NO_HOSTS: ReadonlySet<string> = new Set();

const OVERFLOW_BODY = "upstream connect error or disconnect/reset before headers. reset reason: overflow";

/** Outcome of one upstream attempt. */
type Attempt =
  | { kind: "response"; response: HttpResponse; host: UpstreamHost; serviceTimeMs: number; localAddress: string }
  | { kind: "overflow"; host: UpstreamHost }
  | { kind: "connect_failure"; host: UpstreamHost; detail: string }
  | { kind: "per_try_timeout"; host: UpstreamHost; localAddress: string }
  | { kind: "global_timeout"; host?: UpstreamHost }
  | { kind: "aborted"; host?: UpstreamHost }
  | { kind: "no_healthy" };

/** What the router (or a local reply) answers, with the details the access log needs. */
interface RouteResult {
  response: HttpResponse;
  log: LogDetails;
}

/** Lookups derived from one config object of this proxy, rebuilt when the proxy accepts a new one. */
interface ConfigTables {
  config: ProxyConfig;
  /** Outbound filter chain per destination ip, then per port × 2 + (TLS ? 1 : 0). */
  outbound: Map<string, Map<number, FilterChain | undefined>>;
  /** Inbound filter chain per local port. */
  inbound: Map<number, FilterChain | undefined>;
}

interface HttpContext {
  direction: "outbound" | "inbound";
  /** The listener/filter chain's HTTP connection manager. */
  hcm: HttpConnectionManager;
  /** Original destination of the connection. */
  destination: { ip: string; port: number };
  peer: PeerInfo;
  stream: Stream;
}

interface LogDetails {
  flags: string[];
  details: string;
  upstreamHost?: string;
  upstreamCluster?: string;
  upstreamLocalAddress?: string;
  serviceTimeMs?: number;
  routeName?: string;
  transportFailure?: string;
  terminationDetails?: string;
}

const sniCache = new Map<string, string | undefined>();

/** The mTLS SNI Istio derives from an outbound cluster name. */
function sniFor(clusterName: string): string | undefined {
  if (sniCache.has(clusterName)) return sniCache.get(clusterName);
  const parts = clusterName.split("|");
  const sni = parts.length === 4 && parts[0] === "outbound" ? `outbound_.${parts[1]}_.${parts[2]}_.${parts[3]}` : undefined;
  sniCache.set(clusterName, sni);
  return sni;
}

function ipInRange(ip: string, prefix: string, length: number): boolean {
  const toNumber = (text: string): number | undefined => {
    const parts = text.split(".").map(Number);
    if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return undefined;
    return (((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)) >>> 0;
  };
  const a = toNumber(ip);
  const b = toNumber(prefix);
  if (a === undefined || b === undefined) return false;
  if (length === 0) return true;
  const mask = length >= 32 ? 0xffffffff : (~((1 << (32 - length)) - 1)) >>> 0;
  return (a & mask) === (b & mask);
}

/** Response-code class counter suffix, e.g. 503 → "5xx". */
function codeClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

export class EnvoyProxy {
  readonly stats = new ProxyStats();
  readonly accessLog = new LogBuffer();
  private readonly clusters = new Map<string, ClusterRuntime>();
  private ephemeralPort: number;
  private activeFaults = 0;
  /** Routing decisions made (virtual host + route selections), for benchmarks. */
  decisions = 0;
  private readonly metrics: StatScope;
  /**
   * istio_requests_total stat names already built, looked up without building a key string: by the name of the
   * pod on the other side (this proxy's pod is always one of the two), the cluster (or Host), a number packing
   * status, direction and mTLS, then the response flags.
   */
  private readonly metricNames = new Map<string, Map<string, Map<number, Map<string, string>>>>();
  private readonly clientCerts = new Map<string, string>();
  private dateSecond = -1;
  private configSeen: number | undefined;
  private configHeld: ProxyConfig | undefined;
  private tablesHeld: ConfigTables | undefined;
  private dateText = "";
  /** HTTP connection manager stat scopes by stat_prefix. */
  private readonly httpScopes = new Map<string, StatScope>();
  /** This pod's own address per port (inbound destinations and local app hosts). */
  private readonly localDestinations = new Map<number, { ip: string; port: number }>();
  /** The local app as an upstream host, per port. */
  private readonly localHosts = new Map<number, UpstreamHost>();
  /** `ip:port` texts by ip, then port. */
  private readonly addressTexts = new Map<string, Map<number, string>>();

  constructor(
    readonly pod: WorkloadPod,
    private readonly network: MeshNetwork,
    private readonly random: SeededRandom,
  ) {
    this.ephemeralPort = 32768 + random.below(20000);
    this.metrics = this.stats.scope("istiocustom");
  }

  private get clock(): SimClock {
    return this.network.clock;
  }

  /** The config this proxy has right now (it may lag behind istiod while a push propagates). */
  config(): ProxyConfig | undefined {
    const version = this.network.configVersion();
    if (version === undefined) return this.network.proxyConfig(this.pod);
    if (version !== this.configSeen) {
      this.configSeen = version;
      this.configHeld = this.network.proxyConfig(this.pod);
    }
    return this.configHeld;
  }

  nextLocalPort(): number {
    this.ephemeralPort = this.ephemeralPort >= 60999 ? 32768 : this.ephemeralPort + 1;
    return this.ephemeralPort;
  }

  runtime(name: string): ClusterRuntime {
    let runtime = this.clusters.get(name);
    if (!runtime) {
      runtime = new ClusterRuntime(name, {
        clock: this.clock,
        random: this.random,
        stats: this.stats,
        connect: (host) => this.network.connect(host.ip, host.port),
        nextLocalPort: () => this.nextLocalPort(),
      });
      this.clusters.set(name, runtime);
    }
    return runtime;
  }

  // --- entry points --------------------------------------------------------------------------------------------

  /** The local app opened a connection to ip:port (iptables sent it to the outbound capture port 15001). */
  outbound(request: HttpRequest, destination: { ip: string; port: number }, stream: Stream, peer: PeerInfo): Promise<Exchange> {
    const chain = this.outboundChain(destination, request.scheme === "https");
    return this.dispatch(chain, request, destination, stream, peer, "outbound");
  }

  /** A connection arrived at this pod's port (sidecar: inbound capture 15006; gateway: its own listener). */
  inbound(request: HttpRequest, port: number, stream: Stream, peer: PeerInfo): Promise<Exchange> {
    const destination = this.localDestination(port);
    const chain = this.inboundChain(destination);
    if (!chain && !this.pod.isRouter) return this.inboundWithoutConfig(request, port);
    return this.dispatch(chain, request, destination, stream, peer, "inbound");
  }

  /** Lookup tables of the config this proxy holds (undefined before its first config). */
  private tables(): ConfigTables | undefined {
    const config = this.config();
    if (!config) return undefined;
    if (this.tablesHeld?.config !== config) this.tablesHeld = { config, outbound: new Map(), inbound: new Map() };
    return this.tablesHeld;
  }

  /** Listener and filter chain for an outbound connection, chosen once per destination and config. */
  private outboundChain(destination: { ip: string; port: number }, tls: boolean): FilterChain | undefined {
    const tables = this.tables();
    if (!tables) return undefined;
    let byPort = tables.outbound.get(destination.ip);
    if (!byPort) {
      byPort = new Map();
      tables.outbound.set(destination.ip, byPort);
    }
    const key = destination.port * 2 + (tls ? 1 : 0);
    let chain = byPort.get(key);
    if (chain === undefined && !byPort.has(key)) {
      const listener = this.outboundListener(tables.config, destination);
      chain = listener ? this.filterChain(listener, destination, tls) : undefined;
      byPort.set(key, chain);
    }
    return chain;
  }

  /** Listener and filter chain for a connection to this pod's port, chosen once per port and config. */
  private inboundChain(destination: { ip: string; port: number }): FilterChain | undefined {
    const tables = this.tables();
    if (!tables) return undefined;
    const port = destination.port;
    let chain = tables.inbound.get(port);
    if (chain === undefined && !tables.inbound.has(port)) {
      const listeners = [...tables.config.listeners.values()];
      const listener = this.pod.isRouter
        ? listeners.find((item) => item.address.socket_address.port_value === port)
        : (listeners.find((item) => item.address.socket_address.port_value === 15006) ?? listeners.find((item) => item.traffic_direction === "INBOUND"));
      chain = listener ? this.filterChain(listener, destination, false) : undefined;
      tables.inbound.set(port, chain);
    }
    return chain;
  }

  /** `ip:port` of a destination, built once per address (access-log entries keep it). */
  private addressText(destination: { ip: string; port: number }): string {
    const byPort = cachedMap(this.addressTexts, destination.ip);
    let text = byPort.get(destination.port);
    if (text === undefined) {
      text = `${destination.ip}:${destination.port}`;
      byPort.set(destination.port, text);
    }
    return text;
  }

  /** This pod's ip:port as a connection's original destination. */
  private localDestination(port: number): { ip: string; port: number } {
    let destination = this.localDestinations.get(port);
    if (!destination) {
      destination = { ip: this.pod.ip, port };
      this.localDestinations.set(port, destination);
    }
    return destination;
  }

  private outboundListener(config: ProxyConfig, destination: { ip: string; port: number }): Listener | undefined {
    let wildcard: Listener | undefined;
    let virtualOutbound: Listener | undefined;
    for (const listener of config.listeners.values()) {
      const socket = listener.address.socket_address;
      if (socket.port_value === 15001) virtualOutbound = listener;
      else if (listener.traffic_direction === "INBOUND" || socket.port_value === 15006) continue;
      else if (socket.address === destination.ip && socket.port_value === destination.port) return listener;
      else if (socket.address === "0.0.0.0" && socket.port_value === destination.port) wildcard ??= listener;
    }
    return wildcard ?? virtualOutbound;
  }

  /** Envoy's filter-chain match: destination port, then the longest destination prefix, then protocol. */
  private filterChain(listener: Listener, destination: { ip: string; port: number }, tls: boolean): FilterChain | undefined {
    let best: { chain: FilterChain; score: number } | undefined;
    for (const chain of listener.filter_chains) {
      const match = chain.filter_chain_match;
      let score = 0;
      if (match) {
        if (match.destination_port !== undefined) {
          if (match.destination_port !== destination.port) continue;
          score += 1000;
        }
        if (match.prefix_ranges && match.prefix_ranges.length > 0) {
          const ranges = match.prefix_ranges.filter((range) => ipInRange(destination.ip, range.address_prefix, range.prefix_len));
          if (ranges.length === 0) continue;
          score += 100 + Math.max(...ranges.map((range) => range.prefix_len));
        }
        if (match.server_names && match.server_names.length > 0) continue;
        if (match.transport_protocol !== undefined) {
          if ((match.transport_protocol === "tls") !== tls) continue;
          score += 10;
        }
        if (match.application_protocols && match.application_protocols.length > 0) {
          if (tls || !match.application_protocols.some((protocol) => protocol === "http/1.1" || protocol === "h2c" || protocol === "http/1.0")) continue;
          score += 1;
        }
      }
      if (!best || score > best.score) best = { chain, score };
    }
    return best?.chain ?? listener.default_filter_chain;
  }

  /** Hands the connection to the filter chain's network filter: the HTTP connection manager or the TCP proxy. */
  private dispatch(chain: FilterChain | undefined, request: HttpRequest, destination: { ip: string; port: number }, stream: Stream, peer: PeerInfo, direction: "outbound" | "inbound"): Promise<Exchange> {
    const filter = chain?.filters[0];
    const typed = filter?.typed_config as { "@type"?: string } | undefined;
    if (filter?.name === FILTER.httpConnectionManager && typed) return this.handleHttp(request, { direction, hcm: typed as HttpConnectionManager, destination, peer, stream });
    if (filter?.name === FILTER.tcpProxy && typed) return this.handleTcp(request, (typed as TcpProxy).cluster, destination, stream, peer);
    // No config yet: Envoy is not listening; no matching filter chain: the listener closes the connection.
    return Promise.reject(new ConnectionReset(this.config() ? "Recv failure: Connection reset by peer" : "Connection refused"));
  }

  /** Envoy's own processing time for one request on one proxy. */
  private processingDelay(direction: "outbound" | "inbound"): Promise<void> {
    return this.clock.sleep(this.random.jitter(direction === "outbound" ? 0.2 : 0.12, 0.06));
  }

  // --- TCP proxy -----------------------------------------------------------------------------------------------

  private async handleTcp(request: HttpRequest, clusterName: string, destination: { ip: string; port: number }, stream: Stream, peer: PeerInfo): Promise<Exchange> {
    await this.processingDelay("outbound");
    const started = this.clock.now();
    const config = this.config();
    const cluster = config?.clusters.get(clusterName);
    if (!cluster || clusterName === BLACKHOLE_CLUSTER) throw new ConnectionReset("Recv failure: Connection reset by peer");
    const host = this.hostFor(cluster, destination, config);
    if (!host) throw new ConnectionReset("Recv failure: Connection reset by peer");
    const { behaviour, latencyMs, reached } = this.network.connect(host.ip, host.port);
    await this.clock.sleep(behaviour === "timeout" ? (parseDurationMs(cluster.connect_timeout) ?? 10_000) : latencyMs);
    if (behaviour !== "accept") throw new ConnectionReset("Recv failure: Connection reset by peer");
    const localPort = this.nextLocalPort();
    const reply = await this.network.deliver(reached.ip, reached.port, request, stream, { pod: this.pod, address: `${this.pod.ip}:${localPort}` });
    const duration = this.clock.now() - started;
    this.runtime(clusterName).stats.inc("upstream_cx_total");
    this.accessLog.push({
        startEpochMs: this.clock.epochMs + started,
        method: "-",
        path: "-",
        protocol: "-",
        responseCode: 0,
        responseFlags: [],
        responseCodeDetails: "",
        bytesReceived: request.body.length + 80,
        bytesSent: reply.body.length + 120,
        durationMs: duration,
        authority: "",
        upstreamHost: host.address,
        upstreamCluster: clusterName,
        upstreamLocalAddress: `${this.pod.ip}:${localPort}`,
        downstreamLocalAddress: `${destination.ip}:${destination.port}`,
        downstreamRemoteAddress: peer.address,
        requestedServerName: request.scheme === "https" ? request.authority.replace(/:\d+$/, "") : undefined,
      });
    return { response: reply, flags: [], upstreamCluster: clusterName, upstreamHost: host.address, durationMs: duration };
  }

  // --- HTTP connection manager ---------------------------------------------------------------------------------

  private async handleHttp(incoming: HttpRequest, context: HttpContext): Promise<Exchange> {
    const started = this.clock.now();
    await this.processingDelay(context.direction);
    const httpStats = this.httpScope(context.hcm.stat_prefix);
    httpStats.inc("downstream_rq_total");
    httpStats.active += 1;
    const request = this.downstreamRequest(incoming, context);
    const routed = this.routeHttp(request, context, httpStats);
    const result = routed instanceof Promise ? await routed : routed;
    httpStats.active -= 1;
    return this.completeHttp(request, context, httpStats, result, started);
  }

  /** Counters of one HTTP connection manager (`http.<stat_prefix>.*`). */
  private httpScope(statPrefix: string): StatScope {
    let scope = this.httpScopes.get(statPrefix);
    if (!scope) {
      scope = this.stats.scope(`http.${statPrefix}`);
      this.httpScopes.set(statPrefix, scope);
    }
    return scope;
  }

  /** The request as the connection manager passes it on: its own copy, with x-request-id and, inbound, XFP/XFCC. */
  private downstreamRequest(incoming: HttpRequest, context: HttpContext): HttpRequest {
    const request: HttpRequest = { method: incoming.method, path: incoming.path, authority: incoming.authority, scheme: incoming.scheme, headers: copyHeaders(incoming.headers), body: incoming.body };
    if (!request.headers["x-request-id"]) request.headers["x-request-id"] = this.random.uuid();
    if (context.direction === "inbound") {
      request.headers["x-forwarded-proto"] = request.scheme;
      const peerPod = context.peer.pod;
      if (peerPod && (peerPod.hasSidecar || peerPod.isRouter)) request.headers["x-forwarded-client-cert"] = this.clientCertHeader(peerPod);
    }
    return request;
  }

  /** Finishes a request: response headers and counters, telemetry, the access-log entry. */
  private completeHttp(request: HttpRequest, context: HttpContext, httpStats: StatScope, result: RouteResult, started: number): Exchange {
    const { log } = result;
    const aborted = context.stream.aborted;
    const reply = aborted ? response(0, "") : result.response;
    if (aborted && !log.flags.includes("DC")) log.flags.push("DC");
    if (!aborted) {
      const headers = reply.headers;
      headers.server = context.hcm.server_name ?? "envoy";
      headers.date ??= this.httpDate();
      if (reply.body && headers["content-length"] === undefined) headers["content-length"] = String(Buffer.byteLength(reply.body));
      if (log.serviceTimeMs !== undefined) headers["x-envoy-upstream-service-time"] = String(Math.round(log.serviceTimeMs));
      httpStats.inc(DOWNSTREAM_CLASS_COUNTERS[Math.floor(reply.status / 100)] ?? `downstream_rq_${codeClass(reply.status)}`);
      httpStats.inc("downstream_rq_completed");
    }
    const duration = (aborted ? (context.stream.abortedAt ?? this.clock.now()) : this.clock.now()) - started;
    this.recordRequestMetric(context, request, reply.status, log);
    this.accessLog.push({
      startEpochMs: this.clock.epochMs + started,
      method: request.method,
      path: request.path,
      protocol: "HTTP/1.1",
      responseCode: reply.status,
      responseFlags: log.flags,
      responseCodeDetails: aborted ? "downstream_remote_disconnect" : log.details,
      connectionTerminationDetails: log.terminationDetails,
      upstreamTransportFailureReason: log.transportFailure,
      bytesReceived: request.body.length,
      bytesSent: reply.body.length,
      durationMs: duration,
      upstreamServiceTimeMs: aborted ? undefined : log.serviceTimeMs,
      forwardedFor: request.headers["x-forwarded-for"],
      userAgent: request.headers["user-agent"],
      requestId: request.headers["x-request-id"],
      authority: request.authority,
      upstreamHost: log.upstreamHost,
      upstreamCluster: log.upstreamCluster,
      upstreamLocalAddress: log.upstreamLocalAddress,
      downstreamLocalAddress: this.addressText(context.destination),
      downstreamRemoteAddress: context.peer.address,
      // Gateways carry no tlsMode label, so sidecars reach them in plain text (no SNI).
      requestedServerName: context.direction === "inbound" && !this.pod.isRouter ? context.peer.sni : undefined,
      routeName: log.routeName,
    });
    return { response: reply, flags: log.flags, upstreamCluster: log.upstreamCluster, upstreamHost: log.upstreamHost, durationMs: duration };
  }

  /** XFCC the inbound sidecar adds for an mTLS peer (one client certificate per peer workload). */
  private clientCertHeader(peer: WorkloadPod): string {
    let header = this.clientCerts.get(peer.name);
    if (!header) {
      header = `By=spiffe://cluster.local/ns/${this.pod.namespace}/sa/${this.pod.serviceAccount};Hash=${this.random.hex(64)};Subject="";URI=spiffe://cluster.local/ns/${peer.namespace}/sa/${peer.serviceAccount}`;
      this.clientCerts.set(peer.name, header);
    }
    return header;
  }

  /** The Date header value, recomputed once per virtual second. */
  private httpDate(): string {
    const second = Math.floor(this.clock.epochNow() / 1000);
    if (second !== this.dateSecond) {
      this.dateSecond = second;
      this.dateText = new Date(second * 1000).toUTCString();
    }
    return this.dateText;
  }

  private localReply(status: number, body: string, flags: string[], details: string, extra: Partial<LogDetails> = {}, headers: Headers = {}): RouteResult {
    const replyHeaders = copyHeaders(headers);
    if (body) {
      replyHeaders["content-type"] = "text/plain";
      replyHeaders["content-length"] = String(body.length);
    }
    return { response: { status, body, headers: replyHeaders }, log: { flags, details, ...extra } };
  }

  /** Route choice and everything before the router; synchronous unless a fault delay or the upstream is awaited. */
  private routeHttp(request: HttpRequest, context: HttpContext, httpStats: StatScope): RouteResult | Promise<RouteResult> {
    const config = this.config();
    const hcm = context.hcm;
    const routeConfig = hcm.route_config ?? (hcm.rds ? config?.routes.get(hcm.rds.route_config_name) : undefined);
    this.decisions += 1;
    const vhost = routeConfig ? cachedVirtualHost(routeConfig, request.authority) : undefined;
    const route = vhost ? selectRoute(vhost, request) : undefined;
    if (!vhost || !route) {
      httpStats.inc("no_route");
      return this.localReply(404, "", ["NR"], "route_not_found");
    }
    const routeName = route.name;
    if (vhost.require_tls === "ALL" && request.scheme === "http") {
      return this.localReply(301, "", [], "via_upstream", { routeName }, { location: `https://${request.authority.replace(/:\d+$/, "")}${request.path}` });
    }
    if (vhost.include_request_attempt_count) request.headers["x-envoy-attempt-count"] = "1";
    if (route.request_headers_to_remove) for (const name of route.request_headers_to_remove) delete request.headers[name.toLowerCase()];
    if (route.request_headers_to_add) {
      for (const option of route.request_headers_to_add) {
        const name = option.header.key.toLowerCase();
        if (option.append_action === "ADD_IF_ABSENT" && request.headers[name] !== undefined) continue;
        request.headers[name] = option.header.value;
      }
    }

    // Fault filter (it sits before the router; the route carries its per-filter config).
    const fault = hasFaultFilter(hcm) ? (route.typed_per_filter_config?.[FILTER.fault] as HTTPFault | undefined) : undefined;
    const flags: string[] = [];
    if (fault) return this.faultThenRoute(fault, request, context, httpStats, route, config, flags);
    return this.routeAction(request, context, httpStats, route, config, flags);
  }

  /** The fault filter's delay and abort, then the route's action unless the fault answered. */
  private async faultThenRoute(fault: HTTPFault, request: HttpRequest, context: HttpContext, httpStats: StatScope, route: Route, config: ProxyConfig | undefined, flags: string[]): Promise<RouteResult> {
    const routeName = route.name;
    const faultOutcome = await this.applyFault(fault, httpStats, context.stream, flags);
    if (faultOutcome === "aborted") return { response: response(0, ""), log: { flags: [...flags, "DC"], details: "downstream_remote_disconnect", routeName } };
    if (faultOutcome) return this.localReply(faultOutcome.status, "fault filter abort", [...flags, "FI"], "fault_filter_abort", { routeName });
    return this.routeAction(request, context, httpStats, route, config, flags);
  }

  /** The route's action: direct response, redirect, or the router towards the chosen cluster (with mirrors). */
  private routeAction(request: HttpRequest, context: HttpContext, httpStats: StatScope, route: Route, config: ProxyConfig | undefined, flags: string[]): RouteResult | Promise<RouteResult> {
    const routeName = route.name;
    if (route.direct_response) {
      httpStats.inc("rq_direct_response");
      const body = route.direct_response.body?.inline_string ?? "";
      return this.localReply(route.direct_response.status, body, flags, "direct_response", { routeName });
    }
    if (route.redirect) {
      httpStats.inc("rq_redirect");
      return this.redirect(route, request, flags, routeName);
    }
    const action = route.route;
    if (!action) return this.localReply(404, "", ["NR"], "route_not_found");

    const clusterName = this.pickCluster(action);
    if (!clusterName) return this.localReply(503, "", [...flags, "NC"], "cluster_not_found", { routeName });
    const cluster = config?.clusters.get(clusterName);
    if (!cluster) {
      httpStats.inc("no_cluster");
      const status = action.cluster_not_found_response_code === "NOT_FOUND" ? 404 : action.cluster_not_found_response_code === "INTERNAL_SERVER_ERROR" ? 500 : 503;
      return this.localReply(status, "", [...flags, "NC"], "cluster_not_found", { routeName, upstreamCluster: clusterName });
    }

    const upstreamRequest = this.rewrite(request, route);
    if (action.request_mirror_policies) {
      for (const mirror of action.request_mirror_policies) {
        const fraction = mirror.runtime_fraction ? fractionValue(mirror.runtime_fraction.default_value) : 1;
        if (this.random.next() < fraction) this.shadow(mirror.cluster, upstreamRequest, context);
      }
    }
    return this.forward(upstreamRequest, context, cluster, route, flags);
  }

  private pickCluster(action: NonNullable<Route["route"]>): string | undefined {
    if (action.cluster) return action.cluster;
    const clusters = action.weighted_clusters?.clusters ?? [];
    const total = clusters.reduce((sum, item) => sum + item.weight, 0);
    if (total <= 0) return undefined;
    // Envoy: selected = random % total_weight, walking [0,w1), [w1,w1+w2), …
    const selected = this.random.nextUint32() % total;
    let upper = 0;
    for (const item of clusters) {
      upper += item.weight;
      if (selected < upper) return item.name;
    }
    return clusters[clusters.length - 1]?.name;
  }

  private rewrite(request: HttpRequest, route: Route): HttpRequest {
    const action = route.route;
    let path = request.path;
    if (action?.prefix_rewrite !== undefined && route.match.prefix !== undefined && path.startsWith(route.match.prefix)) {
      path = action.prefix_rewrite + path.slice(route.match.prefix.length);
    }
    const authority = action?.host_rewrite_literal ?? request.authority;
    if (path === request.path && authority === request.authority) return request;
    const headers = copyHeaders(request.headers);
    if (path !== request.path) headers["x-envoy-original-path"] = request.path;
    return { method: request.method, path, authority, scheme: request.scheme, headers, body: request.body };
  }

  private redirect(route: Route, request: HttpRequest, flags: string[], routeName: string | undefined): { response: HttpResponse; log: LogDetails } {
    const redirect = route.redirect ?? {};
    const codes: Record<string, number> = { MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 };
    const status = codes[redirect.response_code ?? "MOVED_PERMANENTLY"] ?? 301;
    const scheme = redirect.https_redirect ? "https" : (redirect.scheme_redirect ?? request.scheme);
    const host = redirect.host_redirect ?? request.authority.replace(/:\d+$/, "");
    const port = redirect.port_redirect ? `:${redirect.port_redirect}` : "";
    let path = redirect.path_redirect ?? request.path;
    if (redirect.prefix_rewrite !== undefined && route.match.prefix !== undefined && request.path.startsWith(route.match.prefix)) {
      path = redirect.prefix_rewrite + request.path.slice(route.match.prefix.length);
    }
    return this.localReply(status, "", flags, "via_upstream", { routeName }, { location: `${scheme}://${host}${port}${path}` });
  }

  /** Delay then abort, each drawn against its percentage. Returns the abort to send, "aborted" if the client left. */
  private async applyFault(fault: HTTPFault, httpStats: StatScope, stream: Stream, flags: string[]): Promise<{ status: number } | "aborted" | undefined> {
    if (fault.delay && this.random.next() < fractionValue(fault.delay.percentage)) {
      const delay = parseDurationMs(fault.delay.fixed_delay) ?? 0;
      if (delay > 0) {
        flags.push("DI");
        httpStats.inc("fault.delays_injected");
        this.activeFaults += 1;
        const completed = await this.sleepUnlessAborted(delay, stream);
        this.activeFaults -= 1;
        if (!completed) return "aborted";
      }
    }
    if (fault.abort && fault.abort.http_status !== undefined && this.random.next() < fractionValue(fault.abort.percentage)) {
      httpStats.inc("fault.aborts_injected");
      return { status: fault.abort.http_status };
    }
    return undefined;
  }

  private async sleepUnlessAborted(ms: number, stream: Stream): Promise<boolean> {
    const gate = this.clock.gate<boolean>();
    const timer = this.clock.setTimer(ms, () => gate.open(true));
    const unsubscribe = stream.onAbort(() => gate.open(false));
    const completed = await gate.wait();
    timer.cancel();
    unsubscribe();
    return completed;
  }

  // --- router --------------------------------------------------------------------------------------------------

  /** The endpoints a cluster can send to: EDS assignment, static load_assignment, or the original destination. */
  private hosts(cluster: Cluster, destination: { ip: string; port: number }, config: ProxyConfig | undefined): UpstreamHost[] {
    if (cluster.type === "ORIGINAL_DST" || cluster.name === PASSTHROUGH_CLUSTER) {
      return [{ address: `${destination.ip}:${destination.port}`, ip: destination.ip, port: destination.port, endpoint: { endpoint: { address: { socket_address: { address: destination.ip, port_value: destination.port } } }, health_status: "HEALTHY" } }];
    }
    const serviceName = cluster.eds_cluster_config?.service_name ?? cluster.name;
    const assignment = cluster.type === "EDS" || cluster.type === undefined ? (config?.endpoints.get(serviceName) ?? config?.endpoints.get(cluster.name)) : undefined;
    const source: object = assignment ?? cluster;
    const cached = hostsCache.get(source);
    if (cached) return cached;
    let hosts = ClusterRuntime.hosts(assignment, cluster);
    if (cluster.type === "STRICT_DNS" || cluster.type === "LOGICAL_DNS") {
      // DNS clusters hold hostnames; resolve them as the proxy's DNS would.
      hosts = hosts.map((host) => {
        const resolved = this.network.workloads.resolve(host.ip, this.pod.namespace);
        return resolved ? { address: `${resolved.ip}:${host.port}`, ip: resolved.ip, port: host.port, endpoint: host.endpoint } : host;
      });
    }
    hostsCache.set(source, hosts);
    return hosts;
  }

  private hostFor(cluster: Cluster, destination: { ip: string; port: number }, config: ProxyConfig | undefined): UpstreamHost | undefined {
    const hosts = this.hosts(cluster, destination, config);
    return this.runtime(cluster.name).pickHost(cluster, hosts, new Set(), 0);
  }

  private isLocalAppCluster(cluster: Cluster): boolean {
    return cluster.name.startsWith("inbound|") || cluster.name === INBOUND_PASSTHROUGH_CLUSTER;
  }

  /** Router filter: timeouts, retries and one upstream attempt after another; the route's response headers apply to its answer. */
  private forward(request: HttpRequest, context: HttpContext, cluster: Cluster, route: Route, flags: string[]): Promise<RouteResult> {
    const answered = this.routeAttempts(request, context, cluster, route, flags);
    if (!route.response_headers_to_remove && !route.response_headers_to_add) return answered;
    return answered.then((result) => {
      for (const name of route.response_headers_to_remove ?? []) delete result.response.headers[name.toLowerCase()];
      for (const option of route.response_headers_to_add ?? []) result.response.headers[option.header.key.toLowerCase()] = option.header.value;
      return result;
    });
  }

  /** Attempts until one answers or retries stop (the answer carries the route's name for the access log). */
  private async routeAttempts(request: HttpRequest, context: HttpContext, cluster: Cluster, route: Route, flags: string[]): Promise<RouteResult> {
    const action = route.route ?? {};
    const routeName = route.name;
    const runtime = this.runtime(cluster.name);
    const config = this.config();
    const settings = routerSettings(action);
    const { perTryMs, maxRetries } = settings;
    const reselects = settings.avoidPrevious ? settings.reselects : 0;
    let timeoutMs = settings.timeoutMs;
    const headerTimeout = request.headers["x-envoy-upstream-rq-timeout-ms"];
    if (headerTimeout !== undefined && Number.isFinite(Number(headerTimeout)) && Number(headerTimeout) >= 0) timeoutMs = Number(headerTimeout);
    const deadline = timeoutMs > 0 ? this.clock.now() + timeoutMs : undefined;
    const policy = action.retry_policy;
    const localApp = this.isLocalAppCluster(cluster);
    /** Hosts earlier attempts used, when the policy avoids them (allocated on the first retry). */
    let tried: Set<string> | undefined;
    let retries = 0;
    const retryFlags: string[] = [];
    let holdingRetry = false;

    for (let attemptNumber = 1; ; attemptNumber++) {
      if (attemptNumber > 1 && request.headers["x-envoy-attempt-count"] !== undefined) request.headers["x-envoy-attempt-count"] = String(attemptNumber);
      const hosts = localApp ? [] : this.hosts(cluster, context.destination, config);
      const pending = this.attempt(request, context, cluster, runtime, hosts, tried ?? NO_HOSTS, reselects, perTryMs, deadline);
      const attempt = pending instanceof Promise ? await pending : pending;
      if (holdingRetry) {
        runtime.finishRetry();
        holdingRetry = false;
      }
      const host = attempt.kind === "no_healthy" ? undefined : attempt.host;
      const common: Partial<LogDetails> = { upstreamCluster: cluster.name, upstreamHost: host?.address, routeName };

      // Outlier detection hears about every upstream result except overflow and local cancellation.
      if (attempt.kind === "response") runtime.recordOutcome(cluster, hosts, attempt.host.address, attempt.response.status >= 500);
      else if ((attempt.kind === "connect_failure" || attempt.kind === "per_try_timeout" || attempt.kind === "global_timeout") && attempt.host) runtime.recordOutcome(cluster, hosts, attempt.host.address, true);

      switch (attempt.kind) {
        case "aborted":
          return { response: response(0, ""), log: { flags: [...flags, ...retryFlags, "DC"], details: "downstream_remote_disconnect", ...common } };
        case "no_healthy":
          runtime.stats.inc("upstream_cx_none_healthy");
          return this.localReply(503, "no healthy upstream", [...flags, ...retryFlags, "UH"], "no_healthy_upstream", common);
        case "overflow":
          return this.localReply(503, OVERFLOW_BODY, [...flags, ...retryFlags, "UO"], "upstream_reset_before_response_started{overflow}", common, { "x-envoy-overloaded": "true" });
        case "global_timeout":
          runtime.stats.inc("upstream_rq_timeout");
          this.chargeUpstream(runtime, 504);
          return this.localReply(504, "upstream request timeout", [...flags, ...retryFlags, "UT"], "upstream_response_timeout", common);
        default:
          break;
      }

      const retriable = policy !== undefined && this.shouldRetry(policy, attempt, request);
      const deadlinePassed = deadline !== undefined && this.clock.now() >= deadline;
      if (retriable && !deadlinePassed) {
        if (retries < maxRetries) {
          if (runtime.tryStartRetry(cluster)) {
            holdingRetry = true;
            retries += 1;
            runtime.stats.inc("upstream_rq_retry");
            runtime.stats.inc("upstream_rq_retry_backoff_exponential");
            const backoff = this.backoffMs(policy, retries);
            const waitMs = deadline === undefined ? backoff : Math.min(backoff, deadline - this.clock.now());
            const completed = await this.sleepUnlessAborted(waitMs, context.stream);
            if (!completed) {
              runtime.finishRetry();
              return { response: response(0, ""), log: { flags: [...flags, "DC"], details: "downstream_remote_disconnect", ...common } };
            }
            if (deadline !== undefined && this.clock.now() >= deadline) {
              runtime.finishRetry();
              runtime.stats.inc("upstream_rq_timeout");
              return this.localReply(504, "upstream request timeout", [...flags, "UT"], "upstream_response_timeout", common);
            }
            if (settings.avoidPrevious && host) (tried ??= new Set()).add(host.address);
            continue;
          }
          retryFlags.push("UO");
        } else {
          runtime.stats.inc("upstream_rq_retry_limit_exceeded");
          retryFlags.push("URX");
        }
      }
      if (retries > 0 && attempt.kind === "response" && !retriable) runtime.stats.inc("upstream_rq_retry_success");
      const retriedPrefix = retries > 0 ? "retried and the latest reset reason: " : "reset reason: ";
      switch (attempt.kind) {
        case "connect_failure": {
          const body = `upstream connect error or disconnect/reset before headers. ${retriedPrefix}${attempt.detail}`;
          const transport = attempt.detail.includes("transport failure reason: ") ? attempt.detail.split("transport failure reason: ")[1] : undefined;
          common.transportFailure = transport;
          return this.localReply(503, body, [...flags, "UF", ...retryFlags], `upstream_reset_before_response_started{${attempt.detail.startsWith("connection timeout") ? "connection_timeout" : "remote_connection_failure"}}`, common);
        }
        case "per_try_timeout":
          this.chargeUpstream(runtime, 504);
          common.upstreamLocalAddress = attempt.localAddress;
          return this.localReply(504, "upstream request timeout", [...flags, "UT", ...retryFlags], "upstream_per_try_timeout", common);
        case "response": {
          return {
            response: attempt.response,
            log: {
              flags: retryFlags.length === 0 ? flags : [...flags, ...retryFlags],
              details: "via_upstream",
              upstreamCluster: cluster.name,
              upstreamHost: attempt.host.address,
              routeName,
              serviceTimeMs: attempt.serviceTimeMs,
              upstreamLocalAddress: attempt.localAddress,
            },
          };
        }
      }
    }
  }

  private chargeUpstream(runtime: ClusterRuntime, status: number): void {
    const [byStatus, byClass] = upstreamCounters(status);
    runtime.stats.inc(byStatus);
    runtime.stats.inc(byClass);
    runtime.stats.inc("upstream_rq_completed");
  }

  /** Fully jittered exponential back-off: random in [0, (2^n − 1) × base), capped at 10 × base (25 ms → 250 ms). */
  private backoffMs(policy: RetryPolicy, retryNumber: number): number {
    const base = parseDurationMs(policy.retry_back_off?.base_interval) ?? 25;
    const cap = base * 10;
    const ceiling = Math.min(cap, (2 ** retryNumber - 1) * base);
    return this.random.next() * ceiling;
  }

  /** retry_on semantics (router_filter.rst): which outcomes are retried. */
  private shouldRetry(policy: RetryPolicy, attempt: Attempt, request: HttpRequest): boolean {
    let on = retryConditions.get(policy);
    if (!on) {
      on = new Set(policy.retry_on.split(",").map((item) => item.trim()).filter(Boolean));
      retryConditions.set(policy, on);
    }
    const headerOn = request.headers["x-envoy-retry-on"];
    if (headerOn) on = new Set([...on, ...headerOn.split(",").map((item) => item.trim())]);
    switch (attempt.kind) {
      case "connect_failure":
        return on.has("5xx") || on.has("gateway-error") || on.has("connect-failure") || on.has("reset");
      case "per_try_timeout":
        return on.has("5xx") || on.has("gateway-error") || on.has("reset");
      case "response": {
        const status = attempt.response.status;
        if (attempt.response.headers["x-envoy-overloaded"] !== undefined) return false;
        if (on.has("5xx") && status >= 500) return true;
        if (on.has("gateway-error") && (status === 502 || status === 503 || status === 504)) return true;
        if (on.has("retriable-4xx") && status === 409) return true;
        if (on.has("retriable-status-codes") && (policy.retriable_status_codes ?? []).includes(status)) return true;
        const grpcStatus = attempt.response.headers["grpc-status"];
        if (grpcStatus !== undefined) {
          const grpc: Record<string, string> = { "1": "cancelled", "4": "deadline-exceeded", "8": "resource-exhausted", "13": "internal", "14": "unavailable" };
          const name = grpc[grpcStatus];
          if (name && on.has(name)) return true;
        }
        return false;
      }
      default:
        return false;
    }
  }

  /**
   * One try: pick a host, get a pooled connection (circuit breakers), send, wait (per-try and route timeouts).
   * Synchronous up to the first real wait: a ready connection goes straight to sending.
   */
  private attempt(
    request: HttpRequest,
    context: HttpContext,
    cluster: Cluster,
    runtime: ClusterRuntime,
    hosts: UpstreamHost[],
    avoid: ReadonlySet<string>,
    reselects: number,
    perTryMs: number | undefined,
    deadline: number | undefined,
  ): Attempt | Promise<Attempt> {
    if (this.isLocalAppCluster(cluster)) return this.attemptLocalApp(request, context, cluster);
    const host = runtime.pickHost(cluster, hosts, avoid, reselects);
    if (!host) return { kind: "no_healthy" };
    if (deadline !== undefined) return this.attemptBeforeDeadline(request, context, cluster, runtime, host, perTryMs, deadline);
    const stream = context.stream;
    let cancelPending: (() => void) | undefined;
    const acquired = runtime.acquire(cluster, host, (cancel) => {
      cancelPending = cancel;
    });
    if (!(acquired instanceof Promise)) return this.sendIfAcquired(acquired, request, context, cluster, runtime, host, perTryMs, undefined);
    // Waiting in the pending queue: the downstream leaving withdraws the request (an already gone one never did).
    const unsubscribe = stream.aborted ? undefined : stream.onAbort(() => cancelPending?.());
    return this.awaitConnection(acquired, unsubscribe, request, context, cluster, runtime, host, perTryMs);
  }

  /** A route timeout is running: the pending-queue wait ends at the deadline too. */
  private async attemptBeforeDeadline(request: HttpRequest, context: HttpContext, cluster: Cluster, runtime: ClusterRuntime, host: UpstreamHost, perTryMs: number | undefined, deadline: number): Promise<Attempt> {
    const stream = context.stream;
    let cancelPending: (() => void) | undefined;
    const deadlineTimer = this.clock.setTimer(Math.max(0, deadline - this.clock.now()), () => cancelPending?.());
    const unsubscribe = stream.onAbort(() => cancelPending?.());
    const pending = runtime.acquire(cluster, host, (cancel) => {
      cancelPending = cancel;
    });
    const acquired = pending instanceof Promise ? await pending : pending;
    deadlineTimer.cancel();
    unsubscribe();
    return this.sendIfAcquired(acquired, request, context, cluster, runtime, host, perTryMs, deadline);
  }

  /** Waits in the pool's pending queue, then sends on the connection it gives (no route timeout running). */
  private async awaitConnection(pending: Promise<AcquireResult>, unsubscribe: (() => void) | undefined, request: HttpRequest, context: HttpContext, cluster: Cluster, runtime: ClusterRuntime, host: UpstreamHost, perTryMs: number | undefined): Promise<Attempt> {
    const acquired = await pending;
    unsubscribe?.();
    return this.sendIfAcquired(acquired, request, context, cluster, runtime, host, perTryMs, undefined);
  }

  /** The pool's answer: a failure outcome, or the request sent on the connection it gave. */
  private sendIfAcquired(acquired: AcquireResult, request: HttpRequest, context: HttpContext, cluster: Cluster, runtime: ClusterRuntime, host: UpstreamHost, perTryMs: number | undefined, deadline: number | undefined): Attempt | Promise<Attempt> {
    if (!acquired.ok) {
      if (acquired.reason === "overflow") return { kind: "overflow", host };
      if (acquired.reason === "cancelled") return context.stream.aborted ? { kind: "aborted", host } : { kind: "global_timeout", host };
      return { kind: "connect_failure", host, detail: "detail" in acquired ? acquired.detail : acquired.reason };
    }
    return this.sendOnConnection(request, context, cluster, runtime, host, acquired.connection, perTryMs, deadline);
  }

  private async sendOnConnection(
    request: HttpRequest,
    context: HttpContext,
    cluster: Cluster,
    runtime: ClusterRuntime,
    host: UpstreamHost,
    connection: UpstreamConnection,
    perTryMs: number | undefined,
    deadline: number | undefined,
  ): Promise<Attempt> {
    const localAddress = (connection.localAddress ??= `${this.pod.ip}:${connection.localPort}`);
    const sent = this.clock.now();
    const upstreamStream = new Stream();
    const peer: PeerInfo = { pod: this.pod, address: localAddress, sni: sniFor(cluster.name), callerCluster: cluster.name };
    if ((perTryMs === undefined || perTryMs <= 0) && deadline === undefined) {
      // No timer can cut this attempt short: wait for the upstream in this thread. If the downstream leaves
      // meanwhile, the upstream request is reset at that moment and its late answer is dropped.
      let abandoned = false;
      const unsubscribe = context.stream.onAbort(() => {
        abandoned = true;
        upstreamStream.abort(this.clock.now());
        runtime.reset(cluster, connection);
      });
      let reply: HttpResponse;
      try {
        reply = await this.network.deliver(connection.reached.ip, connection.reached.port, request, upstreamStream, peer);
      } catch (error) {
        unsubscribe();
        if (abandoned) return { kind: "aborted", host };
        runtime.reset(cluster, connection);
        if (error instanceof ConnectionReset) return { kind: "connect_failure", host, detail: "remote connection failure, transport failure reason: delayed connect error: Connection reset by peer" };
        throw error;
      }
      unsubscribe();
      if (abandoned) return { kind: "aborted", host };
      runtime.release(cluster, connection);
      this.chargeUpstream(runtime, reply.status);
      return { kind: "response", response: reply, host, serviceTimeMs: this.clock.now() - sent, localAddress };
    }
    const task = this.clock.spawn(() => this.network.deliver(connection.reached.ip, connection.reached.port, request, upstreamStream, peer));
    type Wake = { kind: "done" } | { kind: "per_try" } | { kind: "deadline" } | { kind: "downstream" };
    const gate = this.clock.gate<Wake>();
    task.onSettled(() => gate.open({ kind: "done" }));
    const perTryTimer = perTryMs !== undefined && perTryMs > 0 ? this.clock.setTimer(perTryMs, () => gate.open({ kind: "per_try" })) : undefined;
    const deadlineTimer = deadline !== undefined ? this.clock.setTimer(Math.max(0, deadline - this.clock.now()), () => gate.open({ kind: "deadline" })) : undefined;
    const unsubscribe = context.stream.onAbort(() => gate.open({ kind: "downstream" }));
    const wake = await gate.wait();
    perTryTimer?.cancel();
    deadlineTimer?.cancel();
    unsubscribe();
    if (wake.kind !== "done") {
      upstreamStream.abort(this.clock.now());
      runtime.reset(cluster, connection);
      if (wake.kind === "per_try") {
        runtime.stats.inc("upstream_rq_per_try_timeout");
        return { kind: "per_try_timeout", host, localAddress };
      }
      if (wake.kind === "deadline") return { kind: "global_timeout", host };
      return { kind: "aborted", host };
    }
    let reply: HttpResponse;
    try {
      reply = await this.clock.join(task);
    } catch (error) {
      runtime.reset(cluster, connection);
      if (error instanceof ConnectionReset) return { kind: "connect_failure", host, detail: "remote connection failure, transport failure reason: delayed connect error: Connection reset by peer" };
      throw error;
    }
    runtime.release(cluster, connection);
    this.chargeUpstream(runtime, reply.status);
    return { kind: "response", response: reply, host, serviceTimeMs: this.clock.now() - sent, localAddress };
  }

  /** Sidecar inbound: the upstream is the app in this pod (cluster inbound|<port>||). */
  private async attemptLocalApp(request: HttpRequest, context: HttpContext, cluster: Cluster): Promise<Attempt> {
    const port = inboundPort(cluster.name) || context.destination.port;
    const host = this.localHost(port);
    const sent = this.clock.now();
    const localAddress = `127.0.0.6:${this.nextLocalPort()}`;
    const runtime = this.runtime(cluster.name);
    runtime.stats.inc("upstream_rq_total");
    // The app keeps working if the downstream leaves (apps do not notice); its answer is then dropped.
    const reply = await this.network.callApp(this.pod, port, request);
    if (context.stream.aborted) return { kind: "aborted", host };
    if (reply === "refused") return { kind: "connect_failure", host, detail: "remote connection failure, transport failure reason: delayed connect error: Connection refused" };
    this.chargeUpstream(runtime, reply.status);
    return { kind: "response", response: reply, host, serviceTimeMs: this.clock.now() - sent, localAddress };
  }

  /** The app in this pod as the upstream host of an inbound cluster. */
  private localHost(port: number): UpstreamHost {
    let host = this.localHosts.get(port);
    if (!host) {
      host = { address: `${this.pod.ip}:${port}`, ip: this.pod.ip, port, endpoint: { endpoint: { address: { socket_address: { address: this.pod.ip, port_value: port } } }, health_status: "HEALTHY" } };
      this.localHosts.set(port, host);
    }
    return host;
  }

  /** A sidecar that has not received its config yet still forwards inbound traffic to the app. */
  private async inboundWithoutConfig(request: HttpRequest, port: number): Promise<Exchange> {
    const started = this.clock.now();
    const reply = await this.network.callApp(this.pod, port, request);
    if (reply === "refused") {
      return { response: response(503, "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure"), flags: ["UF"], durationMs: this.clock.now() - started };
    }
    return { response: reply, flags: [], durationMs: this.clock.now() - started };
  }

  /** Request mirroring: a fire-and-forget copy with `-shadow` appended to the host; its response is dropped. */
  private shadow(clusterName: string, request: HttpRequest, context: HttpContext): void {
    const cluster = this.config()?.clusters.get(clusterName);
    if (!cluster) return;
    const [host, port] = request.authority.split(":");
    const shadowRequest: HttpRequest = { method: request.method, path: request.path, authority: port ? `${host}-shadow:${port}` : `${host}-shadow`, scheme: request.scheme, headers: copyHeaders(request.headers), body: request.body };
    const runtime = this.runtime(clusterName);
    const shadowContext: HttpContext = { direction: context.direction, hcm: context.hcm, destination: context.destination, peer: context.peer, stream: new Stream() };
    this.clock.spawn(async () => {
      const hosts = this.hosts(cluster, context.destination, this.config());
      await this.attempt(shadowRequest, shadowContext, cluster, runtime, hosts, new Set(), 0, undefined, undefined);
    });
  }

  // --- telemetry -----------------------------------------------------------------------------------------------

  /** istio_requests_total as the Istio stats filter names it in Envoy's /stats. */
  private recordRequestMetric(context: HttpContext, request: HttpRequest, status: number, log: LogDetails): void {
    // Sidecars report inbound requests as the destination; everything a proxy forwards it reports as the source.
    const asDestination = context.direction === "inbound" && !this.pod.isRouter;
    const source = asDestination ? context.peer.pod : this.pod;
    const upstreamIp = asDestination ? undefined : log.upstreamHost?.slice(0, log.upstreamHost.lastIndexOf(":"));
    const destinationPod = asDestination ? this.pod : upstreamIp ? this.network.workloads.podByIp(upstreamIp) : undefined;
    const clusterName = asDestination ? context.peer.callerCluster : log.upstreamCluster;
    const flags = log.flags.length ? log.flags.join(",") : "-";
    const mtls = context.peer.sni !== undefined;
    const otherPod = asDestination ? source : destinationPod;
    const byCluster = cachedMap(this.metricNames, otherPod?.name ?? "");
    const byCode = cachedMap(byCluster, clusterName ?? request.authority);
    const byFlags = cachedMap(byCode, status * 4 + (asDestination ? 2 : 0) + (mtls ? 1 : 0));
    let name = byFlags.get(flags);
    if (name === undefined) {
      name = this.metricName(asDestination, source, destinationPod, clusterName, request.authority, status, flags, mtls);
      byFlags.set(flags, name);
    }
    this.metrics.inc(name);
  }

  private metricName(asDestination: boolean, source: WorkloadPod | undefined, destinationPod: WorkloadPod | undefined, clusterName: string | undefined, authority: string, status: number, flags: string, mtls: boolean): string {
    const serviceHost = clusterName?.split("|")[3] ?? authority.replace(/:\d+$/, "");
    const serviceParts = serviceHost.split(".");
    const principal = (pod: WorkloadPod | undefined): string => (pod && (pod.hasSidecar || pod.isRouter) ? `spiffe://cluster.local/ns/${pod.namespace}/sa/${pod.serviceAccount}` : "unknown");
    const labels: [string, string][] = [
      ["reporter", asDestination ? "destination" : "source"],
      ["source_workload", source?.workloadName ?? "unknown"],
      ["source_canonical_service", source?.canonicalName ?? "unknown"],
      ["source_canonical_revision", source?.canonicalRevision ?? "latest"],
      ["source_workload_namespace", source?.namespace ?? "unknown"],
      ["source_principal", principal(source)],
      ["source_app", source?.labels.app ?? ""],
      ["source_version", source?.labels.version ?? ""],
      ["source_cluster", "Kubernetes"],
      ["destination_workload", destinationPod?.workloadName ?? "unknown"],
      ["destination_workload_namespace", destinationPod?.namespace ?? "unknown"],
      ["destination_principal", principal(destinationPod)],
      ["destination_app", destinationPod?.labels.app ?? "unknown"],
      ["destination_version", destinationPod?.labels.version ?? "unknown"],
      ["destination_service", serviceHost],
      ["destination_canonical_service", destinationPod?.canonicalName ?? "unknown"],
      ["destination_canonical_revision", destinationPod?.canonicalRevision ?? "latest"],
      ["destination_service_name", serviceParts[0] ?? serviceHost],
      ["destination_service_namespace", serviceParts[1] ?? "unknown"],
      ["destination_cluster", destinationPod ? "Kubernetes" : "unknown"],
      ["request_protocol", "http"],
      ["response_code", String(status)],
      ["grpc_response_status", ""],
      ["response_flags", flags],
      ["connection_security_policy", asDestination ? (mtls ? "mutual_tls" : "none") : "unknown"],
    ];
    return `istio_requests_total.${labels.map(([label, value]) => `${label}.${value}`).join(".")}`;
  }

  // --- admin ---------------------------------------------------------------------------------------------------

  /** Every stat with its current value (counters plus live gauges and zero-valued defaults), unsorted. */
  statValues(): Map<string, number> {
    const values = new Map<string, number>();
    const config = this.config();
    values.set("server.live", 1);
    values.set("server.state", 0);
    values.set("server.uptime", Math.floor(this.clock.now() / 1000));
    values.set("server.concurrency", 2);
    values.set("cluster_manager.active_clusters", config?.clusters.size ?? 0);
    values.set("cluster_manager.cds.update_success", config ? 1 : 0);
    values.set("listener_manager.total_listeners_active", config?.listeners.size ?? 0);
    values.set("listener_manager.lds.update_success", config ? 1 : 0);
    for (const cluster of config?.clusters.values() ?? []) {
      const base = `cluster.${cluster.name}.`;
      for (const name of CLUSTER_COUNTERS) values.set(base + name, 0);
      if (cluster.outlier_detection) for (const name of OUTLIER_COUNTERS) values.set(base + name, 0);
      const hosts = this.hosts(cluster, { ip: "0.0.0.0", port: 0 }, config);
      const gauges = this.runtime(cluster.name).gauges(cluster, cluster.type === "ORIGINAL_DST" ? [] : hosts);
      for (const [name, value] of Object.entries(gauges)) values.set(base + name, value);
    }
    for (const prefix of this.httpStatPrefixes(config)) {
      for (const name of HTTP_COUNTERS) values.set(`http.${prefix}.${name}`, 0);
      values.set(`http.${prefix}.downstream_rq_active`, this.stats.scope(`http.${prefix}`).active);
      values.set(`http.${prefix}.fault.active_faults`, 0);
    }
    for (const [name, value] of this.stats.entries()) values.set(name, value);
    for (const prefix of this.httpStatPrefixes(config)) values.set(`http.${prefix}.fault.active_faults`, this.activeFaults);
    return values;
  }

  private httpStatPrefixes(config: ProxyConfig | undefined): Set<string> {
    const prefixes = new Set<string>();
    for (const listener of config?.listeners.values() ?? []) {
      for (const chain of [...listener.filter_chains, ...(listener.default_filter_chain ? [listener.default_filter_chain] : [])]) {
        for (const filter of chain.filters) {
          if (filter.name === FILTER.httpConnectionManager) prefixes.add((filter.typed_config as HttpConnectionManager).stat_prefix);
        }
      }
    }
    return prefixes;
  }

  /** `/clusters` text: per-host lines with counters and the outlier health flag. */
  clustersText(): string {
    const config = this.config();
    const lines: string[] = [];
    for (const cluster of config?.clusters.values() ?? []) {
      const thresholds = cluster.circuit_breakers?.thresholds[0];
      lines.push(`${cluster.name}::observability_name::${cluster.name}`);
      lines.push(
        `${cluster.name}::default_priority::max_connections::${thresholds?.max_connections ?? 1024}`,
        `${cluster.name}::default_priority::max_pending_requests::${thresholds?.max_pending_requests ?? 1024}`,
        `${cluster.name}::default_priority::max_requests::${thresholds?.max_requests ?? 1024}`,
        `${cluster.name}::default_priority::max_retries::${thresholds?.max_retries ?? 3}`,
      );
      if (cluster.type === "ORIGINAL_DST") continue;
      const hosts = this.hosts(cluster, { ip: "0.0.0.0", port: 0 }, config);
      for (const row of this.runtime(cluster.name).hostRows(hosts)) {
        const host = hosts.find((item) => item.address === row.address);
        const health = [row.ejected ? "/failed_outlier_check" : "", host && host.endpoint.health_status !== "HEALTHY" && host.endpoint.health_status !== "UNKNOWN" ? "/failed_eds_health" : ""].join("");
        lines.push(
          `${cluster.name}::${row.address}::cx_active::${row.cxActive}`,
          `${cluster.name}::${row.address}::rq_active::${row.rqActive}`,
          `${cluster.name}::${row.address}::health_flags::${health || "healthy"}`,
          `${cluster.name}::${row.address}::weight::${host?.endpoint.load_balancing_weight ?? 1}`,
        );
      }
    }
    return lines.length ? `${lines.join("\n")}\n` : "";
  }
}
