// Test fixtures for the data plane: a fresh Bookinfo cluster with Pilot on a manual clock and a seeded, virtual-time
// data plane, plus helpers to apply Istio YAML, find pods and load the product page as a (logged-in) user.
import { parseAllDocuments } from "yaml";
import type { PodRef } from "@/cluster/driver";
import { EmbeddedCluster } from "@/cluster/embedded/cluster";
import { prepareObject } from "@/cluster/embedded/controllers";
import { Mesh } from "@/cluster/embedded/mesh";
import type { ClientResult } from "@/cluster/embedded/mesh/dataplane";
import type { OutboundTrafficPolicyMode, Scheduler } from "@/cluster/embedded/mesh/pilot";
import type { KubeObject } from "@/cluster/embedded/objects";
import { findResourceByKind, resourceId } from "@/cluster/embedded/resources";
import type { ObjectInput } from "@/cluster/embedded/store";
import { reviewsTestV2 } from "../../../../support/bookinfo-networking";
export { reviewsTestV2 };

export const CREATED_AT = Date.UTC(2025, 5, 1, 10, 0, 0);

/** Pilot timers that never fire on their own: tests push with `pilot.syncNow()`. */
const manualScheduler: Scheduler = {
  setTimeout: () => ({ pending: true }),
  clearTimeout: () => undefined,
};

export interface TestMesh {
  mesh: Mesh;
  cluster: EmbeddedCluster;
  /** Applies YAML (create or replace) and, unless `push` is false, pushes it to every proxy at once. */
  apply(yamlText: string, options?: { push?: boolean }): void;
  pod(prefix: string, namespace?: string): PodRef;
  sleep: PodRef;
  fortio: PodRef;
}

export function bookinfo(seed = 42, options: { outboundTrafficPolicy?: OutboundTrafficPolicyMode } = {}): TestMesh {
  const cluster = EmbeddedCluster.create(CREATED_AT);
  const mesh = new Mesh(cluster, { pilot: { now: () => CREATED_AT, scheduler: manualScheduler, ...options }, dataPlane: { seed, wallClock: () => CREATED_AT } });
  const pod = (prefix: string, namespace = "default"): PodRef => {
    const found = cluster.store.list("pods", namespace).find((item) => item.metadata.name.startsWith(`${prefix}-`));
    if (!found) throw new Error(`no pod ${namespace}/${prefix}-*`);
    return { namespace, name: found.metadata.name };
  };
  return {
    mesh,
    cluster,
    apply(yamlText, options = {}) {
      applyYaml(cluster, yamlText);
      if (options.push !== false) mesh.pilot.syncNow();
    },
    pod,
    sleep: pod("sleep"),
    fortio: pod("fortio-deploy"),
  };
}

function applyYaml(cluster: EmbeddedCluster, yamlText: string, namespace = "default"): void {
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

/** GET /productpage from the sleep pod, after logging in as `user` when given (the session cookie carries it). */
export async function productPage(test: TestMesh, user?: string): Promise<ClientResult> {
  const headers: Record<string, string> = { "user-agent": "curl/8.11.1" };
  if (user) {
    const login = await test.mesh.request(test.sleep, "http://productpage:9080/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `username=${user}&passwd=password` });
    const cookie = login.headers["set-cookie"]?.split(";")[0];
    if (!cookie) throw new Error(`login failed: ${login.status}`);
    headers.cookie = cookie;
  }
  return test.mesh.request(test.sleep, "http://productpage:9080/productpage", { headers });
}

export function filledStars(html: string): number {
  return (html.match(/glyphicon-star/g) ?? []).length;
}

export const destinationRuleAll = ["productpage:v1", "reviews:v1,v2,v3", "ratings:v1,v2,v2-mysql,v2-mysql-vm", "details:v1,v2"]
  .map((entry) => {
    const [host = "", subsets = ""] = entry.split(":");
    const list = subsets
      .split(",")
      .map((name) => `  - name: ${name}\n    labels:\n      version: ${name}`)
      .join("\n");
    return `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: ${host}\nspec:\n  host: ${host}\n  subsets:\n${list}\n`;
  })
  .join("---\n");

export const virtualServiceAllV1 = ["productpage", "reviews", "ratings", "details"]
  .map((host) => `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: ${host}\nspec:\n  hosts:\n  - ${host}\n  http:\n  - route:\n    - destination:\n        host: ${host}\n        subset: v1\n`)
  .join("---\n");


export function reviewsAll(subset: string, extra = ""): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: ${subset}
${extra}`;
}

export function ratingsFault(fault: string, jasonOnly: boolean): string {
  const indented = fault
    .trim()
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");
  const match = jasonOnly ? `    match:\n    - headers:\n        end-user:\n          exact: jason\n` : "";
  const defaultRoute = jasonOnly ? `  - route:\n    - destination:\n        host: ratings\n        subset: v1\n` : "";
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - fault:
${indented}
${match}    route:
    - destination:
        host: ratings
        subset: v1
${defaultRoute}`;
}
