// Test fixtures for the pilot: a fresh Bookinfo cluster with a pilot on a manual clock, and the Istio samples as YAML.
import { parseAllDocuments } from "yaml";
import type { PodRef } from "@/cluster/driver";
import { EmbeddedCluster } from "@/cluster/embedded/cluster";
import type { Cluster, ProxyConfig, Route, RouteConfiguration, VirtualHost } from "@/cluster/embedded/mesh/envoy-types";
import { Pilot, type PilotOptions, type Scheduler } from "@/cluster/embedded/mesh/pilot";
import type { KubeObject } from "@/cluster/embedded/objects";
import { findResourceByKind, resourceId } from "@/cluster/embedded/resources";
import type { ObjectInput } from "@/cluster/embedded/store";
import { prepareObject } from "@/cluster/embedded/controllers";
import { bookinfoGateway, destinationRuleAll, reviews8020, reviewsCircuitBreaker, reviewsTestV2 } from "../../../../support/bookinfo-networking";
export { bookinfoGateway, destinationRuleAll, reviewsTestV2 };

/** Timers that only fire when the test advances time. */
export class ManualScheduler implements Scheduler {
  private nowMs = 0;
  private sequence = 0;
  private readonly timers = new Map<number, { at: number; order: number; callback: () => void }>();

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = ++this.sequence;
    this.timers.set(id, { at: this.nowMs + delayMs, order: id, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const next = [...this.timers.entries()].filter(([, timer]) => timer.at <= end).sort(([, a], [, b]) => a.at - b.at || a.order - b.order)[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.nowMs = next[1].at;
      next[1].callback();
    }
    this.nowMs = end;
  }

  get pending(): number {
    return this.timers.size;
  }
}

export interface TestMesh {
  cluster: EmbeddedCluster;
  pilot: Pilot;
  scheduler: ManualScheduler;
  apply(yamlText: string, namespace?: string): void;
  remove(resource: string, namespace: string, name: string): void;
  /** Pushes and ACKs everything immediately. */
  sync(): void;
}

export function bookinfoMesh(options: Omit<PilotOptions, "scheduler"> = {}): TestMesh {
  const cluster = EmbeddedCluster.create(Date.UTC(2025, 5, 1, 10, 0, 0));
  const scheduler = new ManualScheduler();
  const pilot = new Pilot(cluster.store, { now: () => Date.UTC(2025, 5, 1, 10, 0, 0), ...options, scheduler });
  const apply = (yamlText: string, namespace = "default"): void => applyTo(cluster, yamlText, namespace);
  return {
    cluster,
    pilot,
    scheduler,
    apply,
    remove(resource, namespace, name) {
      cluster.store.remove(resource, namespace, name);
      cluster.settle();
    },
    sync() {
      pilot.syncNow();
    },
  };
}

/** Creates or replaces every object of a YAML stream (built-in kinds go through the API defaults), then settles. */
export function applyTo(cluster: EmbeddedCluster, yamlText: string, namespace = "default"): void {
  for (const document of parseAllDocuments(yamlText)) {
    const input = document.toJSON() as ObjectInput | null;
    if (!input) continue;
    input.metadata.namespace ??= namespace;
    const slash = input.apiVersion.indexOf("/");
    const type = findResourceByKind(slash < 0 ? "" : input.apiVersion.slice(0, slash), input.kind);
    if (!type) throw new Error(`unknown kind ${input.kind}`);
    const id = resourceId(type);
    const existing = cluster.store.get(id, input.metadata.namespace, input.metadata.name);
    if (type.builtin) prepareObject(cluster.context, id, input, existing);
    if (existing) cluster.store.replace(id, { ...existing, ...(input as unknown as KubeObject), metadata: { ...existing.metadata, ...input.metadata } as KubeObject["metadata"] });
    else cluster.store.create(id, input);
  }
  cluster.settle();
}

export function podOf(mesh: TestMesh, prefix: string, namespace = "default"): PodRef {
  const row = mesh.pilot.proxyStatus().find((item) => item.proxy.namespace === namespace && item.proxy.name.startsWith(prefix));
  if (!row) throw new Error(`no proxy ${namespace}/${prefix}*`);
  return row.proxy;
}

export function configOf(mesh: TestMesh, prefix: string, namespace = "default"): ProxyConfig {
  const config = mesh.pilot.proxyConfig(podOf(mesh, prefix, namespace));
  if (!config) throw new Error(`no config for ${prefix}`);
  return config;
}

export function routeConfig(config: ProxyConfig, name: string): RouteConfiguration {
  const route = config.routes.get(name);
  if (!route) throw new Error(`no route configuration ${name}`);
  return route;
}

export function virtualHost(config: ProxyConfig, routeName: string, vhostName: string): VirtualHost {
  const vhost = routeConfig(config, routeName).virtual_hosts.find((item) => item.name === vhostName);
  if (!vhost) throw new Error(`no virtual host ${vhostName} in ${routeName}`);
  return vhost;
}

export function routesOf(config: ProxyConfig, host: string, port = 9080): Route[] {
  return virtualHost(config, String(port), `${host}.default.svc.cluster.local:${port}`).routes;
}

export function cluster(config: ProxyConfig, name: string): Cluster {
  const found = config.clusters.get(name);
  if (!found) throw new Error(`no cluster ${name}`);
  return found;
}

export const virtualServiceAllV1 = ["productpage", "reviews", "ratings", "details"]
  .map(
    (name) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${name}
spec:
  hosts:
  - ${name}
  http:
  - route:
    - destination:
        host: ${name}
        subset: v1
`,
  )
  .join("---\n");

export { reviews8020 };

export function ratingsDelay(fixedDelay: string): string {
  return `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - fault:
      delay:
        percentage:
          value: 100.0
        fixedDelay: ${fixedDelay}
    route:
    - destination:
        host: ratings
        subset: v1
`;
}

export { reviewsCircuitBreaker };

