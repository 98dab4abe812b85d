// One Envoy cluster inside one proxy at run time: circuit-breaker resources counted under real concurrency,
// HTTP/1.1 connection pools per upstream host (pending queue, connection churn with max_requests_per_connection),
// load balancing over healthy endpoints, and outlier detection (consecutive 5xx ejection).
//
// The model follows Envoy's ConnPoolImplBase for HTTP/1.1: a request takes a ready connection if there is one
// (checking max_requests), otherwise it waits in the pending queue if max_pending_requests allows (else
// overflow), and a new connection is opened when fewer are connecting than requests wait (max_connections;
// over it, upstream_cx_overflow counts and the request keeps waiting). Overflow answers 503 UO and is neither
// retried nor reported to outlier detection.

import type { Cluster, ClusterLoadAssignment, LbEndpoint } from "../envoy-types";
import { HTTP_PROTOCOL_OPTIONS_KEY, parseDurationMs } from "../envoy-types";
import type { Gate, SimClock } from "./sim-clock";
import type { SeededRandom } from "./random";
import type { ProxyStats, StatScope } from "./stats";

const UNLIMITED = 4294967295;

export interface Thresholds {
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
  maxRetries: number;
}

/** Envoy's defaults apply when a threshold is absent (Istio always writes all four). */
export function clusterThresholds(cluster: Cluster): Thresholds {
  const defaults = cluster.circuit_breakers?.thresholds.find((threshold) => (threshold.priority ?? "DEFAULT") === "DEFAULT");
  return {
    maxConnections: defaults?.max_connections ?? 1024,
    maxPendingRequests: defaults?.max_pending_requests ?? 1024,
    maxRequests: defaults?.max_requests ?? 1024,
    maxRetries: defaults?.max_retries ?? 3,
  };
}

function maxRequestsPerConnection(cluster: Cluster): number {
  const options = cluster.typed_extension_protocol_options?.[HTTP_PROTOCOL_OPTIONS_KEY];
  return options?.common_http_protocol_options?.max_requests_per_connection ?? 0;
}

function isHealthy(host: UpstreamHost): boolean {
  return host.endpoint.health_status === "HEALTHY" || host.endpoint.health_status === "UNKNOWN";
}

const allHealthyCache = new WeakMap<UpstreamHost[], boolean>();

/** Whether EDS reports every host healthy (cached per host list). */
function allHealthy(hosts: UpstreamHost[]): boolean {
  let value = allHealthyCache.get(hosts);
  if (value === undefined) {
    value = hosts.every(isHealthy);
    allHealthyCache.set(hosts, value);
  }
  return value;
}

/** What opening a TCP connection to an address does. */
export type ConnectBehaviour = "accept" | "refuse" | "timeout";

/** Opening a TCP connection: whether something accepts, how long the handshake takes, and the pod address it reached. */
export interface ConnectOutcome {
  behaviour: ConnectBehaviour;
  latencyMs: number;
  /** Where the connection lands: a Service ClusterIP is rewritten by kube-proxy to one ready endpoint; otherwise the address dialled. */
  reached: { ip: string; port: number };
}

export interface UpstreamHost {
  /** `ip:port` as Envoy prints it. */
  address: string;
  ip: string;
  port: number;
  endpoint: LbEndpoint;
}

export type AcquireResult =
  | { ok: true; connection: UpstreamConnection }
  | { ok: false; reason: "overflow" | "cancelled" }
  | { ok: false; reason: "connect_failure" | "connect_timeout"; detail: string };

export class UpstreamConnection {
  served = 0;
  state: "connecting" | "ready" | "busy" | "closed" = "connecting";
  readonly localPort: number;
  /** `ip:port` of this end as Envoy logs it (set by the proxy on first use). */
  localAddress: string | undefined;
  /** The address requests on this connection are delivered to (kube-proxy pins a connection to one endpoint). */
  reached: { ip: string; port: number };

  constructor(
    readonly id: number,
    readonly host: UpstreamHost,
    localPort: number,
  ) {
    this.localPort = localPort;
    this.reached = { ip: host.ip, port: host.port };
  }
}

interface PendingRequest {
  gate: Gate<AcquireResult>;
}

/** HTTP/1.1 connection pool to one upstream host. */
class HostPool {
  readonly connections: UpstreamConnection[] = [];
  readonly pending: PendingRequest[] = [];
  /** Requests currently using a connection of this pool (LEAST_REQUEST reads it). */
  active = 0;

  constructor(readonly host: UpstreamHost) {}

  ready(): UpstreamConnection | undefined {
    for (const connection of this.connections) if (connection.state === "ready") return connection;
    return undefined;
  }

  connecting(): number {
    let count = 0;
    for (const connection of this.connections) if (connection.state === "connecting") count += 1;
    return count;
  }

  remove(connection: UpstreamConnection): void {
    const index = this.connections.indexOf(connection);
    if (index !== -1) this.connections.splice(index, 1);
  }
}

interface OutlierState {
  consecutive5xx: number;
  ejectedUntil: number | undefined;
  ejections: number;
  lastUnejectedAt: number;
}

export interface ClusterRuntimeDeps {
  clock: SimClock;
  random: SeededRandom;
  stats: ProxyStats;
  /** How long a TCP (+mTLS) connect to the host takes, and whether it succeeds. */
  connect(host: UpstreamHost): ConnectOutcome;
  nextLocalPort(): number;
}

/** Live state of one cluster in one proxy; the cluster's config is passed in on each use (it may change). */
export class ClusterRuntime {
  private connectionsOpen = 0;
  private pendingOpen = 0;
  private requestsOpen = 0;
  private retriesOpen = 0;
  private readonly pools = new Map<string, HostPool>();
  private readonly outlier = new Map<string, OutlierState>();
  private roundRobin = 0;
  private connectionIds = 0;
  private readonly createdAt: number;
  /** This cluster's counters (`cluster.<name>.*`). */
  readonly stats: StatScope;

  constructor(
    readonly name: string,
    private readonly deps: ClusterRuntimeDeps,
  ) {
    this.createdAt = deps.clock.now();
    this.stats = deps.stats.scope(`cluster.${name}`);
  }

  private stat(name: string): void {
    this.stats.inc(name);
  }

  // --- load balancing ------------------------------------------------------------------------------------------

  /** Endpoints of the assignment, in order. */
  static hosts(assignment: ClusterLoadAssignment | undefined, cluster: Cluster): UpstreamHost[] {
    const source = assignment ?? cluster.load_assignment;
    const hosts: UpstreamHost[] = [];
    for (const locality of source?.endpoints ?? []) {
      for (const endpoint of locality.lb_endpoints) {
        const socket = endpoint.endpoint.address.socket_address;
        hosts.push({ address: `${socket.address}:${socket.port_value}`, ip: socket.address, port: socket.port_value, endpoint });
      }
    }
    return hosts;
  }

  /**
   * Picks a host as Envoy's load balancer would: healthy (EDS health and not ejected) first, panic mode when
   * the healthy share drops under healthy_panic_threshold, `undefined` when nothing can serve (503 UH).
   * `avoid` holds hosts earlier attempts used (retry_host_predicate previous_hosts).
   */
  pickHost(cluster: Cluster, hosts: UpstreamHost[], avoid: ReadonlySet<string>, maxReselects: number): UpstreamHost | undefined {
    if (hosts.length === 0) return undefined;
    const now = this.deps.clock.now();
    const healthy = allHealthy(hosts) && this.outlier.size === 0 ? hosts : hosts.filter((host) => isHealthy(host) && !this.isEjected(host.address, now));
    const panicThreshold = cluster.common_lb_config?.healthy_panic_threshold ? (cluster.common_lb_config.healthy_panic_threshold.value ?? 0) : 50;
    let candidates = healthy;
    if (panicThreshold > 0 && (healthy.length * 100) / hosts.length < panicThreshold) {
      this.stat("lb_healthy_panic");
      candidates = hosts;
    }
    if (candidates.length === 0) return undefined;
    let choice = this.pickOnce(cluster, candidates);
    for (let attempt = 0; attempt < maxReselects && avoid.has(choice.address); attempt++) choice = this.pickOnce(cluster, candidates);
    return choice;
  }

  private pickOnce(cluster: Cluster, candidates: UpstreamHost[]): UpstreamHost {
    const random = this.deps.random;
    const first = candidates[0] as UpstreamHost;
    if (candidates.length === 1) return first;
    switch (cluster.lb_policy ?? "ROUND_ROBIN") {
      case "RANDOM":
        return candidates[random.below(candidates.length)] ?? first;
      case "LEAST_REQUEST": {
        // Power of two choices (choice_count 2): the less loaded of two random hosts.
        const a = candidates[random.below(candidates.length)] ?? first;
        const b = candidates[random.below(candidates.length)] ?? first;
        return this.activeOn(b.address) < this.activeOn(a.address) ? b : a;
      }
      default: {
        const choice = candidates[this.roundRobin % candidates.length] ?? first;
        this.roundRobin += 1;
        return choice;
      }
    }
  }

  private activeOn(address: string): number {
    return this.pools.get(address)?.active ?? 0;
  }

  // --- outlier detection ---------------------------------------------------------------------------------------

  private outlierState(address: string): OutlierState {
    let state = this.outlier.get(address);
    if (!state) {
      state = { consecutive5xx: 0, ejectedUntil: undefined, ejections: 0, lastUnejectedAt: this.createdAt };
      this.outlier.set(address, state);
    }
    return state;
  }

  /** Ejected hosts return at the first outlier-detection interval tick after their ejection time ends. */
  isEjected(address: string, now: number): boolean {
    const state = this.outlier.get(address);
    if (state?.ejectedUntil === undefined) return false;
    if (now < state.ejectedUntil) return true;
    state.lastUnejectedAt = state.ejectedUntil;
    state.ejectedUntil = undefined;
    return false;
  }

  /** Counts an upstream outcome: a 5xx (or a local-origin failure, counted as 5xx in default mode) or a success. */
  recordOutcome(cluster: Cluster, hosts: UpstreamHost[], address: string, failed: boolean): void {
    const config = cluster.outlier_detection;
    if (!config) return;
    const state = this.outlierState(address);
    if (!failed) {
      state.consecutive5xx = 0;
      return;
    }
    state.consecutive5xx += 1;
    const threshold = config.consecutive_5xx ?? 5;
    if (state.consecutive5xx < threshold) return;
    state.consecutive5xx = 0;
    const now = this.deps.clock.now();
    if (this.isEjected(address, now)) return;
    this.stat("outlier_detection.ejections_detected_consecutive_5xx");
    const enforcing = config.enforcing_consecutive_5xx ?? 100;
    if (this.deps.random.below(100) >= enforcing) return;
    const ejectedNow = hosts.filter((host) => this.isEjected(host.address, now)).length;
    const maxPercent = Math.min(100, config.max_ejection_percent ?? 10);
    if ((100 * (ejectedNow + 1)) / Math.max(1, hosts.length) > maxPercent) {
      this.stat("outlier_detection.ejections_overflow");
      return;
    }
    const interval = parseDurationMs(config.interval) ?? 10_000;
    const base = parseDurationMs(config.base_ejection_time) ?? 30_000;
    const maxTime = Math.max(base, parseDurationMs(config.max_ejection_time) ?? 300_000);
    // The multiplier decays by one for every interval the host stayed healthy since it last returned.
    const healthyIntervals = Math.floor((now - state.lastUnejectedAt) / Math.max(1, interval));
    state.ejections = Math.max(0, state.ejections - healthyIntervals) + 1;
    const ejectFor = Math.min(base * state.ejections, maxTime);
    const tickAligned = this.createdAt + Math.ceil((now + ejectFor - this.createdAt) / Math.max(1, interval)) * Math.max(1, interval);
    state.ejectedUntil = tickAligned;
    this.stat("outlier_detection.ejections_enforced_total");
    this.stat("outlier_detection.ejections_enforced_consecutive_5xx");
    this.stat("outlier_detection.ejections_total");
    this.stat("outlier_detection.ejections_consecutive_5xx");
  }

  ejectedCount(hosts: UpstreamHost[]): number {
    const now = this.deps.clock.now();
    return hosts.filter((host) => this.isEjected(host.address, now)).length;
  }

  // --- retries budget ------------------------------------------------------------------------------------------

  /** Takes a retry slot (max_retries); false = retry overflow. */
  tryStartRetry(cluster: Cluster): boolean {
    if (this.retriesOpen >= clusterThresholds(cluster).maxRetries) {
      this.stat("upstream_rq_retry_overflow");
      return false;
    }
    this.retriesOpen += 1;
    return true;
  }

  finishRetry(): void {
    this.retriesOpen = Math.max(0, this.retriesOpen - 1);
  }

  // --- connection pool -----------------------------------------------------------------------------------------

  private pool(host: UpstreamHost): HostPool {
    let pool = this.pools.get(host.address);
    if (!pool) {
      pool = new HostPool(host);
      this.pools.set(host.address, pool);
    }
    return pool;
  }

  /**
   * Gets a connection for one request to `host`: at once (a ready connection, or overflow), or after waiting in
   * the pending queue. `registerCancel` receives a function that withdraws a waiting request (the downstream left).
   */
  acquire(cluster: Cluster, host: UpstreamHost, registerCancel: (cancel: () => void) => void): AcquireResult | Promise<AcquireResult> {
    const pool = this.pool(host);
    const thresholds = clusterThresholds(cluster);
    const ready = pool.ready();
    if (ready) return this.attach(cluster, pool, ready);
    if (this.pendingOpen >= thresholds.maxPendingRequests) {
      this.stat("upstream_rq_pending_overflow");
      return { ok: false, reason: "overflow" };
    }
    const request: PendingRequest = { gate: this.deps.clock.gate<AcquireResult>() };
    pool.pending.push(request);
    this.pendingOpen += 1;
    this.stat("upstream_rq_pending_total");
    registerCancel(() => {
      const index = pool.pending.indexOf(request);
      if (index === -1) return;
      pool.pending.splice(index, 1);
      this.pendingOpen -= 1;
      this.stat("upstream_rq_cancelled");
      request.gate.open({ ok: false, reason: "cancelled" });
    });
    this.maybeConnect(cluster, pool);
    return request.gate.wait();
  }

  private attach(cluster: Cluster, pool: HostPool, connection: UpstreamConnection): AcquireResult {
    if (this.requestsOpen >= clusterThresholds(cluster).maxRequests) {
      this.stat("upstream_rq_pending_overflow");
      return { ok: false, reason: "overflow" };
    }
    this.requestsOpen += 1;
    pool.active += 1;
    connection.state = "busy";
    this.stat("upstream_rq_total");
    return { ok: true, connection };
  }

  /** Opens a connection when fewer are connecting than requests wait (max_connections permitting). */
  private maybeConnect(cluster: Cluster, pool: HostPool): void {
    if (pool.connecting() >= pool.pending.length) return;
    const thresholds = clusterThresholds(cluster);
    if (this.connectionsOpen >= thresholds.maxConnections) {
      this.stat("upstream_cx_overflow");
      // With no connection at all to this host, Envoy opens one anyway so pending requests are not stranded.
      if (pool.connections.length > 0) return;
    }
    const connection = new UpstreamConnection(++this.connectionIds, pool.host, this.deps.nextLocalPort());
    pool.connections.push(connection);
    this.connectionsOpen += 1;
    this.stat("upstream_cx_total");
    const { behaviour, latencyMs, reached } = this.deps.connect(pool.host);
    connection.reached = reached;
    const connectTimeout = parseDurationMs(cluster.connect_timeout) ?? 5000;
    if (behaviour === "accept") {
      this.deps.clock.setTimer(latencyMs, () => this.onConnected(cluster, pool, connection));
    } else if (behaviour === "refuse") {
      this.deps.clock.setTimer(latencyMs, () => this.onConnectFailed(pool, connection, "remote connection failure", "delayed connect error: Connection refused"));
    } else {
      this.deps.clock.setTimer(connectTimeout, () => {
        this.stat("upstream_cx_connect_timeout");
        this.onConnectFailed(pool, connection, "connection timeout", "");
      });
    }
  }

  private onConnected(cluster: Cluster, pool: HostPool, connection: UpstreamConnection): void {
    if (connection.state !== "connecting") return;
    connection.state = "ready";
    this.servePending(cluster, pool);
  }

  private onConnectFailed(pool: HostPool, connection: UpstreamConnection, reason: string, transport: string): void {
    if (connection.state !== "connecting") return;
    connection.state = "closed";
    pool.remove(connection);
    this.connectionsOpen -= 1;
    this.stat("upstream_cx_connect_fail");
    this.stat("upstream_cx_destroy");
    // Requests that no other connecting connection can take fail with this connection's error.
    const stranded = pool.pending.length - pool.connecting();
    for (let index = 0; index < stranded; index++) {
      const request = pool.pending.shift();
      if (!request) break;
      this.pendingOpen -= 1;
      request.gate.open({ ok: false, reason: reason === "connection timeout" ? "connect_timeout" : "connect_failure", detail: transport ? `${reason}, transport failure reason: ${transport}` : reason });
    }
  }

  private servePending(cluster: Cluster, pool: HostPool): void {
    for (;;) {
      const ready = pool.ready();
      const request = pool.pending[0];
      if (!ready || !request) break;
      pool.pending.shift();
      this.pendingOpen -= 1;
      request.gate.open(this.attach(cluster, pool, ready));
    }
    this.maybeConnect(cluster, pool);
  }

  /** The response was fully received: the connection returns to the pool, or closes at max_requests_per_connection. */
  release(cluster: Cluster, connection: UpstreamConnection): void {
    const pool = this.pool(connection.host);
    this.requestsOpen -= 1;
    pool.active -= 1;
    connection.served += 1;
    const limit = maxRequestsPerConnection(cluster);
    if (limit > 0 && connection.served >= limit) {
      this.stat("upstream_cx_max_requests");
      this.close(pool, connection, false);
    } else {
      connection.state = "ready";
    }
    this.servePending(cluster, pool);
  }

  /** The request was reset mid-flight (timeout or downstream gone): HTTP/1.1 closes the connection. */
  reset(cluster: Cluster, connection: UpstreamConnection): void {
    const pool = this.pool(connection.host);
    this.requestsOpen -= 1;
    pool.active -= 1;
    this.stat("upstream_rq_tx_reset");
    this.close(pool, connection, true);
    this.servePending(cluster, pool);
  }

  private close(pool: HostPool, connection: UpstreamConnection, local: boolean): void {
    connection.state = "closed";
    pool.remove(connection);
    this.connectionsOpen -= 1;
    this.stat("upstream_cx_destroy");
    if (local) this.stat("upstream_cx_destroy_local");
  }

  // --- gauges --------------------------------------------------------------------------------------------------

  /** Live gauges, by Envoy stat suffix. */
  gauges(cluster: Cluster, hosts: UpstreamHost[]): Record<string, number> {
    const thresholds = clusterThresholds(cluster);
    const trackRemaining = cluster.circuit_breakers?.thresholds.some((threshold) => threshold.track_remaining) ?? false;
    const healthyHosts = hosts.filter(isHealthy).length;
    const out: Record<string, number> = {
      upstream_cx_active: this.connectionsOpen,
      upstream_rq_active: this.requestsOpen,
      upstream_rq_pending_active: this.pendingOpen,
      membership_total: hosts.length,
      membership_healthy: Math.max(0, healthyHosts - this.ejectedCount(hosts)),
      membership_degraded: 0,
      "circuit_breakers.default.cx_open": this.connectionsOpen >= thresholds.maxConnections ? 1 : 0,
      "circuit_breakers.default.cx_pool_open": 0,
      "circuit_breakers.default.rq_pending_open": this.pendingOpen >= thresholds.maxPendingRequests ? 1 : 0,
      "circuit_breakers.default.rq_open": this.requestsOpen >= thresholds.maxRequests ? 1 : 0,
      "circuit_breakers.default.rq_retry_open": this.retriesOpen >= thresholds.maxRetries ? 1 : 0,
      "circuit_breakers.high.cx_open": 0,
      "circuit_breakers.high.cx_pool_open": 0,
      "circuit_breakers.high.rq_pending_open": 0,
      "circuit_breakers.high.rq_open": 0,
      "circuit_breakers.high.rq_retry_open": 0,
    };
    if (trackRemaining) {
      out["circuit_breakers.default.remaining_cx"] = Math.max(0, Math.min(UNLIMITED, thresholds.maxConnections) - this.connectionsOpen);
      out["circuit_breakers.default.remaining_pending"] = Math.max(0, thresholds.maxPendingRequests - this.pendingOpen);
      out["circuit_breakers.default.remaining_rq"] = Math.max(0, thresholds.maxRequests - this.requestsOpen);
      out["circuit_breakers.default.remaining_retries"] = Math.max(0, thresholds.maxRetries - this.retriesOpen);
    }
    if (cluster.outlier_detection) out["outlier_detection.ejections_active"] = this.ejectedCount(hosts);
    return out;
  }

  /** Per-host rows for `/clusters` (active requests and connections, outlier health flag). */
  hostRows(hosts: UpstreamHost[]): { address: string; cxActive: number; rqActive: number; ejected: boolean }[] {
    const now = this.deps.clock.now();
    return hosts.map((host) => {
      const pool = this.pools.get(host.address);
      return { address: host.address, cxActive: pool?.connections.length ?? 0, rqActive: pool?.active ?? 0, ejected: this.isEjected(host.address, now) };
    });
  }
}
