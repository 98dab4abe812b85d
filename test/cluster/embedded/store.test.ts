// The fresh-cluster state, controllers, copy-on-write isolation, and exact snapshot/restore of embedded clusters.

import { describe, expect, it } from "vitest";
import { EmbeddedCluster } from "@/cluster/embedded/cluster";
import { ClusterHost } from "@/cluster/embedded/host";
import { cloneJson, isPlainObject, type JsonObject, type KubeObject } from "@/cluster/embedded/objects";

function spec(obj: KubeObject | undefined): JsonObject {
  return obj && isPlainObject(obj.spec) ? obj.spec : {};
}

function status(obj: KubeObject | undefined): JsonObject {
  return obj && isPlainObject(obj.status) ? obj.status : {};
}

function scale(cluster: EmbeddedCluster, name: string, replicas: number): void {
  const current = cluster.store.get("apps/deployments", "default", name);
  if (!current) throw new Error(`no deployment ${name}`);
  const next = cloneJson(current);
  next.spec = { ...spec(current), replicas };
  cluster.store.replace("apps/deployments", next);
  cluster.settle();
}

describe("a fresh embedded cluster", () => {
  const cluster = EmbeddedCluster.create();
  const { store } = cluster;

  it("has the kind-like namespaces, with default labelled for sidecar injection", () => {
    expect(store.list("namespaces").map((ns) => ns.metadata.name)).toEqual(["default", "istio-system", "kube-node-lease", "kube-public", "kube-system"]);
    expect(store.get("namespaces", undefined, "default")?.metadata.labels?.["istio-injection"]).toBe("enabled");
    expect(store.get("nodes", undefined, "ica-control-plane")).toBeDefined();
  });

  it("runs Istio in istio-system: istiod and the ingress gateway with its LoadBalancer ports", () => {
    const deployments = store.list("apps/deployments", "istio-system").map((d) => d.metadata.name);
    expect(deployments).toEqual(["istio-egressgateway", "istio-ingressgateway", "istiod"]);
    const ingress = store.get("services", "istio-system", "istio-ingressgateway");
    expect(spec(ingress).type).toBe("LoadBalancer");
    const ports = (spec(ingress).ports as JsonObject[]).map((port) => `${String(port.port)}:${String(port.targetPort)}`);
    expect(ports).toEqual(expect.arrayContaining(["80:8080", "443:8443", "15021:15021"]));
    const gatewayPods = store.list("pods", "istio-system").filter((pod) => pod.metadata.labels?.istio === "ingressgateway");
    expect(gatewayPods).toHaveLength(1);
    expect(gatewayPods[0]?.metadata.labels?.app).toBe("istio-ingressgateway");
  });

  it("runs Bookinfo with sidecars, versions, service accounts and endpoints", () => {
    const bookinfo = ["details-v1", "productpage-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3"];
    for (const name of bookinfo) {
      const deployment = store.get("apps/deployments", "default", name);
      const template = spec(deployment).template as JsonObject;
      const container = ((template.spec as JsonObject).containers as JsonObject[])[0];
      expect(container?.image).toBe(`docker.io/istio/examples-bookinfo-${name}:1.20.3`);
      expect(status(deployment).readyReplicas).toBe(1);
    }
    for (const service of ["details", "ratings", "reviews", "productpage"]) {
      const ports = spec(store.get("services", "default", service)).ports as JsonObject[];
      expect(ports).toEqual([{ name: "http", port: 9080, protocol: "TCP", targetPort: 9080 }]);
      expect(store.get("serviceaccounts", "default", `bookinfo-${service}`)).toBeDefined();
    }
    const reviewsPods = store.list("pods", "default").filter((pod) => pod.metadata.labels?.app === "reviews");
    expect(reviewsPods.map((pod) => pod.metadata.labels?.version).sort()).toEqual(["v1", "v2", "v3"]);
    for (const pod of reviewsPods) {
      expect(pod.metadata.name).toMatch(/^reviews-v[123]-[bcdfghjklmnpqrstvwxz2456789]{8,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect((spec(pod).containers as JsonObject[]).map((container) => container.name)).toEqual(["reviews", "istio-proxy"]);
      expect(status(pod).phase).toBe("Running");
    }
    const subsets = store.get("endpoints", "default", "reviews")?.subsets as JsonObject[];
    expect((subsets[0]?.addresses as JsonObject[]).map((address) => address.ip).sort()).toEqual(reviewsPods.map((pod) => status(pod).podIP).sort());
    const slice = store.list("discovery.k8s.io/endpointslices", "default").find((candidate) => candidate.metadata.labels?.["kubernetes.io/service-name"] === "reviews");
    expect(slice?.metadata.name).toMatch(/^reviews-[a-z0-9]{5}$/);
    expect((slice?.endpoints as JsonObject[]).map((endpoint) => (endpoint.addresses as string[])[0]).sort()).toEqual(reviewsPods.map((pod) => status(pod).podIP).sort());
    expect(slice?.ports).toEqual([{ name: "http", port: 9080, protocol: "TCP" }]);
    expect(store.get("apps/deployments", "default", "sleep")).toBeDefined();
    expect(store.get("apps/deployments", "default", "fortio-deploy")).toBeDefined();
  });

  it("dates objects relative to the cluster's creation", () => {
    const created = Date.parse(store.get("apps/deployments", "default", "reviews-v1")?.metadata.creationTimestamp ?? "");
    expect(created).toBeLessThan(store.createdAtMs);
    expect(store.createdAtMs - created).toBeLessThanOrEqual(600_000);
  });
});

describe("controllers", () => {
  it("scale a deployment up and down through its ReplicaSet, and endpoints follow", () => {
    const cluster = EmbeddedCluster.create();
    scale(cluster, "reviews-v2", 3);
    const pods = () => cluster.store.list("pods", "default").filter((pod) => pod.metadata.labels?.version === "v2" && pod.metadata.labels?.app === "reviews");
    expect(pods()).toHaveLength(3);
    const addresses = () => ((cluster.store.get("endpoints", "default", "reviews")?.subsets as JsonObject[])[0]?.addresses as JsonObject[]).length;
    expect(addresses()).toBe(5);
    expect(status(cluster.store.get("apps/deployments", "default", "reviews-v2"))).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
    scale(cluster, "reviews-v2", 0);
    expect(pods()).toHaveLength(0);
    expect(addresses()).toBe(2);
  });

  it("replace a deleted pod, and delete dependents when a deployment goes (unless orphaned)", () => {
    const cluster = EmbeddedCluster.create();
    const [pod] = cluster.store.list("pods", "default").filter((candidate) => candidate.metadata.labels?.app === "details");
    cluster.store.remove("pods", "default", pod?.metadata.name ?? "");
    cluster.settle();
    const replacements = cluster.store.list("pods", "default").filter((candidate) => candidate.metadata.labels?.app === "details");
    expect(replacements).toHaveLength(1);
    expect(replacements[0]?.metadata.name).not.toBe(pod?.metadata.name);

    cluster.store.remove("apps/deployments", "default", "details-v1");
    cluster.settle();
    expect(cluster.store.list("apps/replicasets", "default").filter((rs) => rs.metadata.name.startsWith("details-v1-"))).toHaveLength(0);
    expect(cluster.store.list("pods", "default").filter((candidate) => candidate.metadata.labels?.app === "details")).toHaveLength(0);

    cluster.store.remove("apps/deployments", "default", "ratings-v1", "Orphan");
    cluster.settle();
    const orphanedSet = cluster.store.list("apps/replicasets", "default").find((rs) => rs.metadata.name.startsWith("ratings-v1-"));
    expect(orphanedSet?.metadata.ownerReferences).toBeUndefined();
    expect(cluster.store.list("pods", "default").filter((candidate) => candidate.metadata.labels?.app === "ratings")).toHaveLength(1);
  });

  it("roll a deployment to a new ReplicaSet when its pod template changes", () => {
    const cluster = EmbeddedCluster.create();
    const current = cluster.store.get("apps/deployments", "default", "productpage-v1");
    const next = cloneJson(current as KubeObject);
    const template = spec(next).template as JsonObject;
    ((template.spec as JsonObject).containers as JsonObject[])[0] = { ...((template.spec as JsonObject).containers as JsonObject[])[0], image: "docker.io/istio/examples-bookinfo-productpage-v1:1.21.0" };
    cluster.store.replace("apps/deployments", next);
    cluster.settle();
    const sets = cluster.store.list("apps/replicasets", "default").filter((rs) => rs.metadata.name.startsWith("productpage-v1-"));
    expect(sets).toHaveLength(2);
    expect(sets.map((rs) => spec(rs).replicas).sort()).toEqual([0, 1]);
    const [pod] = cluster.store.list("pods", "default").filter((candidate) => candidate.metadata.labels?.app === "productpage");
    expect(((spec(pod).containers as JsonObject[])[0] as JsonObject).image).toBe("docker.io/istio/examples-bookinfo-productpage-v1:1.21.0");
    expect(cluster.store.get("apps/deployments", "default", "productpage-v1")?.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
  });
});

describe("cluster isolation and snapshots", () => {
  it("shares the baseline copy-on-write: a write in one cluster is invisible to another", () => {
    const first = EmbeddedCluster.create();
    const second = EmbeddedCluster.create();
    first.store.remove("services", "default", "ratings");
    first.settle();
    expect(first.store.get("services", "default", "ratings")).toBeUndefined();
    expect(first.store.get("endpoints", "default", "ratings")).toBeUndefined();
    expect(second.store.get("services", "default", "ratings")).toBeDefined();
    expect(second.store.get("endpoints", "default", "ratings")).toBeDefined();
  });

  it("bumps resourceVersion only on real changes", () => {
    const cluster = EmbeddedCluster.create();
    const before = cluster.store.resourceVersion;
    const sa = cluster.store.get("serviceaccounts", "default", "sleep") as KubeObject;
    expect(cluster.store.replace("serviceaccounts", cloneJson(sa))).toBe(sa);
    expect(cluster.store.resourceVersion).toBe(before);
    const labelled = cloneJson(sa);
    labelled.metadata.labels = { team: "a" };
    const stored = cluster.store.replace("serviceaccounts", labelled);
    expect(Number(stored.metadata.resourceVersion)).toBe(Number(before) + 1);
    const events = cluster.store.eventsSince(Number(before));
    expect(events === "expired" ? events : events.map((event) => `${event.type} ${event.object.metadata.name}`)).toEqual(["MODIFIED sleep"]);
  });

  it("restores a snapshot exactly, through JSON, and keeps working afterwards", () => {
    const cluster = EmbeddedCluster.create();
    scale(cluster, "reviews-v3", 2);
    cluster.store.create("networking.istio.io/virtualservices", {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: { name: "reviews", namespace: "default" },
      spec: { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews", subset: "v3" } }] }] },
    });
    cluster.store.remove("services", "default", "details");
    cluster.settle();
    const snapshot = cluster.snapshot();
    const restored = EmbeddedCluster.restore(JSON.parse(JSON.stringify(snapshot)) as typeof snapshot);
    expect(restored.snapshot()).toEqual(snapshot);
    expect(restored.store.get("services", "default", "details")).toBeUndefined();
    expect(restored.store.get("networking.istio.io/virtualservices", "default", "reviews")).toEqual(cluster.store.get("networking.istio.io/virtualservices", "default", "reviews"));

    scale(restored, "reviews-v3", 1);
    expect(restored.store.list("pods", "default").filter((pod) => pod.metadata.labels?.version === "v3")).toHaveLength(1);
    expect(Number(restored.store.resourceVersion)).toBeGreaterThan(Number(snapshot.resourceVersion));
    const ips = restored.store.list("pods").map((pod) => status(pod).podIP);
    expect(new Set(ips).size).toBe(ips.length);
  });

  it("restores a hosted cluster with its token, and refuses malformed snapshots", () => {
    const host = new ClusterHost();
    const { id, token } = host.create("persisted");
    const saved = JSON.parse(JSON.stringify(host.snapshot(id))) as unknown;
    const restartedHost = new ClusterHost();
    expect(restartedHost.restore(saved)).toEqual({ id, token });
    expect(restartedHost.snapshot(id)).toEqual(host.snapshot(id));
    expect(() => restartedHost.restore({ id: "x", token: "short", state: {} })).toThrow();
  });
});
