// The same learner flows through @kubernetes/client-node 1.4 (what the grader and lab shell use) against the embedded API.

import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./support";

const networking = { group: "networking.istio.io", version: "v1", namespace: "default" };

const reviewsVs = {
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name: "reviews", namespace: "default" },
  spec: {
    hosts: ["reviews"],
    http: [
      {
        route: [
          { destination: { host: "reviews", subset: "v1" }, weight: 90 },
          { destination: { host: "reviews", subset: "v2" }, weight: 10 },
        ],
      },
    ],
  },
};

async function apiError(promise: Promise<unknown>): Promise<k8s.ApiException<string>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof k8s.ApiException) return error as k8s.ApiException<string>;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("@kubernetes/client-node against the embedded cluster", () => {
  let harness: Harness;
  let kc: k8s.KubeConfig;

  beforeAll(async () => {
    harness = await startHarness();
    kc = new k8s.KubeConfig();
    kc.loadFromString(harness.host.kubeconfig(harness.id));
  });

  afterAll(async () => {
    await harness.close();
  });

  it("lists Bookinfo pods, each Running with an istio-proxy sidecar", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=reviews" });
    expect(pods.items.map((pod) => pod.metadata?.labels?.version).sort()).toEqual(["v1", "v2", "v3"]);
    for (const pod of pods.items) {
      expect(pod.status?.phase).toBe("Running");
      expect(pod.spec?.containers.map((container) => container.name)).toEqual(["reviews", "istio-proxy"]);
      expect(pod.status?.podIP).toMatch(/^10\.244\./);
    }
    const gateway = await core.listNamespacedPod({ namespace: "istio-system", labelSelector: "istio=ingressgateway" });
    expect(gateway.items).toHaveLength(1);
    expect(gateway.items[0]?.metadata?.labels?.app).toBe("istio-ingressgateway");
    const service = await core.readNamespacedService({ namespace: "istio-system", name: "istio-ingressgateway" });
    expect(service.spec?.type).toBe("LoadBalancer");
    expect(service.spec?.ports?.map((port) => `${port.port}->${String(port.targetPort)}`)).toEqual(expect.arrayContaining(["80->8080", "443->8443", "15021->15021"]));
  });

  it("creates, reads, lists, merge-patches and deletes a VirtualService", async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const created = (await custom.createNamespacedCustomObject({ ...networking, plural: "virtualservices", body: reviewsVs })) as { metadata: { resourceVersion: string; uid: string } };
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const duplicate = await apiError(custom.createNamespacedCustomObject({ ...networking, plural: "virtualservices", body: reviewsVs }));
    expect(duplicate.code).toBe(409);
    expect(duplicate.body).toContain("AlreadyExists");

    const listed = (await custom.listNamespacedCustomObject({ ...networking, plural: "virtualservices" })) as { items: { metadata: { name: string } }[] };
    expect(listed.items.map((item) => item.metadata.name)).toContain("reviews");

    const patched = (await custom.patchNamespacedCustomObject(
      { ...networking, plural: "virtualservices", name: "reviews", body: { spec: { http: [{ route: [{ destination: { host: "reviews", subset: "v3" } }] }] } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    )) as { metadata: { generation: number }; spec: { http: { route: { destination: { subset: string } }[] }[] } };
    expect(patched.spec.http[0]?.route[0]?.destination.subset).toBe("v3");
    expect(patched.metadata.generation).toBe(2);

    const stale = await apiError(
      custom.replaceNamespacedCustomObject({ ...networking, plural: "virtualservices", name: "reviews", body: { ...reviewsVs, metadata: { ...reviewsVs.metadata, resourceVersion: created.metadata.resourceVersion } } }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body).toContain("the object has been modified");

    const read = (await custom.getNamespacedCustomObject({ ...networking, version: "v1alpha3", plural: "virtualservices", name: "reviews" })) as { apiVersion: string };
    expect(read.apiVersion).toBe("networking.istio.io/v1alpha3");

    await custom.deleteNamespacedCustomObject({ ...networking, plural: "virtualservices", name: "reviews" });
    const missing = await apiError(custom.getNamespacedCustomObject({ ...networking, plural: "virtualservices", name: "reviews" }));
    expect(missing.code).toBe(404);
    expect(JSON.parse(missing.body) as { reason: string }).toMatchObject({ reason: "NotFound" });
  });

  it("rejects an invalid VirtualService with 422 and the field in details.causes", async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const body = { ...reviewsVs, metadata: { name: "broken", namespace: "default" }, spec: { hosts: ["reviews"], http: [{ route: [{ destination: { subset: "v1" } }] }] } };
    const error = await apiError(custom.createNamespacedCustomObject({ ...networking, plural: "virtualservices", body }));
    expect(error.code).toBe(422);
    const status = JSON.parse(error.body) as { reason: string; message: string; details: { causes: { field: string }[] } };
    expect(status.reason).toBe("Invalid");
    expect(status.message).toContain('VirtualService.networking.istio.io "broken" is invalid');
    expect(status.details.causes.map((cause) => cause.field)).toContain("spec.http[0].route[0].destination.host");
  });

  it("server-side applies a VirtualService twice through KubernetesObjectApi", async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const first: k8s.KubernetesObject = await objects.patch(reviewsVs, undefined, undefined, "grader", true, k8s.PatchStrategy.ServerSideApply);
    expect(first.metadata?.managedFields?.[0]?.manager).toBe("grader");
    const changed = { ...reviewsVs, spec: { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews", subset: "v2" } }] }] } };
    const second = (await objects.patch(changed, undefined, undefined, "grader", true, k8s.PatchStrategy.ServerSideApply)) as typeof changed;
    expect(second.spec.http[0]?.route).toEqual([{ destination: { host: "reviews", subset: "v2" } }]);
  });

  it("scales a deployment through the scale subresource and sees the pods follow", async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await apps.patchNamespacedDeploymentScale({ namespace: "default", name: "ratings-v1", body: { spec: { replicas: 3 } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
    const scale = await apps.readNamespacedDeploymentScale({ namespace: "default", name: "ratings-v1" });
    expect(scale.spec?.replicas).toBe(3);
    expect(scale.status?.selector).toBe("app=ratings,version=v1");
    expect((await core.listNamespacedPod({ namespace: "default", labelSelector: "app=ratings" })).items).toHaveLength(3);
    const endpoints = await core.readNamespacedEndpoints({ namespace: "default", name: "ratings" });
    expect(endpoints.subsets?.[0]?.addresses).toHaveLength(3);
    const deployment = await apps.readNamespacedDeployment({ namespace: "default", name: "ratings-v1" });
    expect(deployment.status?.readyReplicas).toBe(3);

    await apps.replaceNamespacedDeploymentScale({ namespace: "default", name: "ratings-v1", body: { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "ratings-v1", namespace: "default" }, spec: { replicas: 1 } } });
    expect((await core.listNamespacedPod({ namespace: "default", labelSelector: "app=ratings" })).items).toHaveLength(1);
  });

  it("labels a pod with a merge patch and the DestinationRule-style selection follows the label", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const pod = (await core.listNamespacedPod({ namespace: "default", labelSelector: "app=details" })).items[0];
    const name = pod?.metadata?.name ?? "";
    await core.patchNamespacedPod({ namespace: "default", name, body: { metadata: { labels: { track: "canary" } } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
    const selected = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=details,track=canary" });
    expect(selected.items.map((item) => item.metadata?.name)).toEqual([name]);
    await core.patchNamespacedPod({ namespace: "default", name, body: [{ op: "remove", path: "/metadata/labels/track" }] }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch));
    expect((await core.listNamespacedPod({ namespace: "default", labelSelector: "track=canary" })).items).toHaveLength(0);
  });

  it("watches pods: a scale-up arrives as ADDED events", async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=reviews,version=v3" });
    const seen: string[] = [];
    let resolveAdded: () => void = () => undefined;
    const added = new Promise<void>((resolve) => (resolveAdded = resolve));
    const controller = await new k8s.Watch(kc).watch(
      "/api/v1/namespaces/default/pods",
      { labelSelector: "app=reviews,version=v3", resourceVersion: list.metadata?.resourceVersion },
      (phase, obj: k8s.V1Pod) => {
        seen.push(`${phase} ${obj.metadata?.name ?? ""}`);
        if (seen.filter((entry) => entry.startsWith("ADDED")).length === 2) resolveAdded();
      },
      () => undefined,
    );
    await apps.patchNamespacedDeployment({ namespace: "default", name: "reviews-v3", body: { spec: { replicas: 3 } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch));
    await added;
    controller.abort();
    expect(seen.filter((entry) => entry.startsWith("ADDED"))).toHaveLength(2);
    expect(seen.every((entry) => /^(ADDED|MODIFIED) reviews-v3-[a-z0-9]+-[a-z0-9]{5}$/.test(entry))).toBe(true);
  });

  it("pages lists with limit and continue, and filters with field selectors", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const all = await core.listPodForAllNamespaces({});
    const first = await core.listPodForAllNamespaces({ limit: 5 });
    expect(first.items).toHaveLength(5);
    expect(first.metadata?.remainingItemCount).toBe(all.items.length - 5);
    const names = first.items.map((pod) => pod.metadata?.name);
    let token = first.metadata?._continue;
    while (token) {
      const page = await core.listPodForAllNamespaces({ limit: 5, _continue: token });
      names.push(...page.items.map((pod) => pod.metadata?.name));
      token = page.metadata?._continue;
    }
    expect(names).toEqual(all.items.map((pod) => pod.metadata?.name));
    const gateways = await core.listPodForAllNamespaces({ fieldSelector: "metadata.namespace=istio-system,status.phase=Running" });
    expect(gateways.items.map((pod) => pod.metadata?.labels?.app).sort()).toEqual(["istio-egressgateway", "istio-ingressgateway", "istiod"]);
  });

  it("writes status only through the status subresource", async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const dr = { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "details", namespace: "default" }, spec: { host: "details" } };
    await custom.createNamespacedCustomObject({ ...networking, plural: "destinationrules", body: { ...dr, status: { observedGeneration: "7" } } });
    const created = (await custom.getNamespacedCustomObject({ ...networking, plural: "destinationrules", name: "details" })) as { status?: unknown };
    expect(created.status).toBeUndefined();
    const withStatus = (await custom.patchNamespacedCustomObjectStatus(
      { ...networking, plural: "destinationrules", name: "details", body: { status: { validationMessages: [] , observedGeneration: "1" }, spec: { host: "ignored" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    )) as { status: { observedGeneration: string }; spec: { host: string } };
    expect(withStatus.status.observedGeneration).toBe("1");
    expect(withStatus.spec.host).toBe("details");
    const mainPatch = (await custom.patchNamespacedCustomObject(
      { ...networking, plural: "destinationrules", name: "details", body: { status: { observedGeneration: "9" }, spec: { host: "details.default.svc.cluster.local" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    )) as { status: { observedGeneration: string }; spec: { host: string } };
    expect(mainPatch.spec.host).toBe("details.default.svc.cluster.local");
    expect(mainPatch.status.observedGeneration).toBe("1");
  });

  it("dry-runs writes without storing them, and deletes collections by label", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const dry = await core.createNamespacedConfigMap({ namespace: "default", dryRun: "All", body: { metadata: { name: "dry" }, data: { a: "b" } } });
    expect(dry.metadata?.name).toBe("dry");
    expect((await apiError(core.readNamespacedConfigMap({ namespace: "default", name: "dry" }))).code).toBe(404);
    for (const name of ["one", "two"]) await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name, labels: { batch: "x" } } } });
    await core.deleteCollectionNamespacedConfigMap({ namespace: "default", labelSelector: "batch=x" });
    expect((await core.listNamespacedConfigMap({ namespace: "default", labelSelector: "batch=x" })).items).toHaveLength(0);
    expect((await core.listNamespacedConfigMap({ namespace: "default" })).items.map((cm) => cm.metadata?.name)).toContain("kube-root-ca.crt");
  });

  it("applies and deletes a multi-document manifest object by object, like apply -f and delete -f", async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const manifest = k8s.loadAllYaml(`apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: bookinfo-gateway
  namespace: default
spec:
  selector:
    istio: ingressgateway
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: default
data:
  mode: canary
`) as k8s.KubernetesObject[];
    for (const spec of manifest) {
      const created = await objects.create(spec);
      expect(created.metadata?.uid).toBeDefined();
    }
    const gateway = (await objects.read({ apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name: "bookinfo-gateway", namespace: "default" } })) as { spec: { selector: Record<string, string> } };
    expect(gateway.spec.selector).toEqual({ istio: "ingressgateway" });
    for (const spec of manifest) await objects.delete(spec);
    const remaining = await objects.list("networking.istio.io/v1", "Gateway", "default");
    expect(remaining.items).toHaveLength(0);
  });

  it("sees every pod Ready, as kubectl wait --for=condition=Ready would", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: "default" });
    expect(pods.items.length).toBeGreaterThanOrEqual(8);
    for (const pod of pods.items) expect(pod.status?.conditions?.find((condition) => condition.type === "Ready")?.status).toBe("True");
  });

  it("creates and deletes a namespace with cascading clean-up", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "team-a", labels: { "istio-injection": "enabled" } } } });
    const accounts = await core.listNamespacedServiceAccount({ namespace: "team-a" });
    expect(accounts.items.map((account) => account.metadata?.name)).toEqual(["default"]);
    await core.createNamespacedPod({ namespace: "team-a", body: { metadata: { name: "client" }, spec: { containers: [{ name: "curl", image: "curlimages/curl" }] } } });
    const pod = await core.readNamespacedPod({ namespace: "team-a", name: "client" });
    expect(pod.spec?.containers.map((container) => container.name)).toEqual(["curl", "istio-proxy"]);
    await core.deleteNamespace({ name: "team-a" });
    expect((await apiError(core.readNamespacedPod({ namespace: "team-a", name: "client" }))).code).toBe(404);
    const protectedNs = await apiError(core.deleteNamespace({ name: "default" }));
    expect(protectedNs.code).toBe(403);
  });
});
