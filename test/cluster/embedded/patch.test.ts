// Patch flavours and selectors as kubectl and client libraries use them.

import { describe, expect, it } from "vitest";
import type { Json } from "@/cluster/embedded/objects";
import { PatchError, applyJsonPatch, applyMergePatch, strategicMerge } from "@/cluster/embedded/patch";
import { matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError } from "@/cluster/embedded/selectors";

describe("JSON merge patch", () => {
  it("merges maps, replaces lists and deletes with null", () => {
    const target = { metadata: { labels: { app: "reviews", version: "v1" } }, spec: { hosts: ["a", "b"] } };
    const patched = applyMergePatch(target, { metadata: { labels: { version: null, canary: "true" } }, spec: { hosts: ["c"] } });
    expect(patched).toEqual({ metadata: { labels: { app: "reviews", canary: "true" } }, spec: { hosts: ["c"] } });
    expect(target.metadata.labels.version).toBe("v1");
  });
});

describe("JSON patch", () => {
  const doc = { spec: { http: [{ route: [{ weight: 80 }, { weight: 20 }] }] } };

  it("applies add, replace, remove, move, copy and test", () => {
    const patched = applyJsonPatch(doc, [
      { op: "test", path: "/spec/http/0/route/0/weight", value: 80 },
      { op: "replace", path: "/spec/http/0/route/0/weight", value: 50 },
      { op: "add", path: "/spec/http/0/route/-", value: { weight: 30 } },
      { op: "remove", path: "/spec/http/0/route/1" },
      { op: "copy", from: "/spec/http/0/route/0", path: "/spec/first" },
      { op: "move", from: "/spec/first", path: "/spec/moved" },
      { op: "add", path: "/spec/a~1b", value: true },
    ]);
    expect(patched).toEqual({ spec: { http: [{ route: [{ weight: 50 }, { weight: 30 }] }], moved: { weight: 50 }, "a/b": true } });
  });

  it("fails on a failed test, a missing path or a malformed operation", () => {
    expect(() => applyJsonPatch(doc, [{ op: "test", path: "/spec/http/0/route/0/weight", value: 1 }])).toThrow(PatchError);
    expect(() => applyJsonPatch(doc, [{ op: "replace", path: "/spec/nope/x", value: 1 }])).toThrow(/missing path/);
    expect(() => applyJsonPatch(doc, { op: "add" })).toThrow(PatchError);
    expect(() => applyJsonPatch(doc, [{ op: "jump", path: "/spec" }])).toThrow(/Unexpected kind/);
  });
});

describe("strategic merge patch", () => {
  const deployment = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: "app", image: "app:1", ports: [{ containerPort: 9080, protocol: "TCP" }], env: [{ name: "A", value: "1" }] },
            { name: "istio-proxy", image: "proxyv2:1" },
          ],
          volumes: [{ name: "tmp", emptyDir: {} }],
        },
      },
    },
    metadata: { finalizers: ["a"] },
  };

  it("merges containers by name and env by name, keeping what the patch does not mention", () => {
    const patched = strategicMerge(deployment as unknown as Json, { spec: { template: { spec: { containers: [{ name: "app", image: "app:2", env: [{ name: "B", value: "2" }] }] } } } });
    const containers = (patched as typeof deployment).spec.template.spec.containers;
    expect(containers.map((container) => `${container.name}=${container.image}`)).toEqual(["app=app:2", "istio-proxy=proxyv2:1"]);
    expect(containers[0]?.env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    expect(containers[0]?.ports).toEqual([{ containerPort: 9080, protocol: "TCP" }]);
  });

  it("honours $patch delete, $setElementOrder, $deleteFromPrimitiveList and $retainKeys", () => {
    const patched = strategicMerge(deployment as unknown as Json, {
      metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] },
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "istio-proxy" }, { name: "app" }],
            containers: [{ name: "app", $patch: "delete" }],
            volumes: [{ name: "tmp", $retainKeys: ["name", "configMap"], configMap: { name: "cm" } }],
          },
        },
      },
    }) as typeof deployment;
    expect(patched.spec.template.spec.containers.map((container) => container.name)).toEqual(["istio-proxy"]);
    expect(patched.spec.template.spec.volumes).toEqual([{ name: "tmp", configMap: { name: "cm" } }]);
    expect(patched.metadata.finalizers).toEqual([]);
  });

  it("merges Service ports on port and container ports on containerPort", () => {
    const service = { spec: { ports: [{ name: "http", port: 9080 }] } };
    expect(strategicMerge(service, { spec: { ports: [{ port: 9443, name: "https" }] } })).toEqual({ spec: { ports: [{ name: "http", port: 9080 }, { port: 9443, name: "https" }] } });
    const pod = { containers: [{ name: "a", ports: [{ containerPort: 80 }] }] };
    expect(strategicMerge(pod, { containers: [{ name: "a", ports: [{ containerPort: 80, name: "http" }] }] })).toEqual({ containers: [{ name: "a", ports: [{ containerPort: 80, name: "http" }] }] });
  });

  it("replaces lists without a merge key and a whole map under $patch: replace", () => {
    expect(strategicMerge({ args: ["a", "b"] }, { args: ["c"] })).toEqual({ args: ["c"] });
    expect(strategicMerge({ selector: { app: "a", version: "v1" } }, { selector: { $patch: "replace", app: "b" } })).toEqual({ selector: { app: "b" } });
  });
});

describe("selectors", () => {
  it("parse and match equality, set and existence requirements", () => {
    const selector = parseLabelSelector("app=reviews,version in (v2, v3),!legacy,tier");
    expect(matchesLabels(selector, { app: "reviews", version: "v2", tier: "backend" })).toBe(true);
    expect(matchesLabels(selector, { app: "reviews", version: "v1", tier: "backend" })).toBe(false);
    expect(matchesLabels(selector, { app: "reviews", version: "v3", tier: "x", legacy: "yes" })).toBe(false);
    expect(matchesLabels(parseLabelSelector("version!=v1"), {})).toBe(true);
    expect(() => parseLabelSelector("app=(bad")).toThrow(SelectorError);
    expect(parseFieldSelector("metadata.name=ratings,status.phase!=Failed")).toEqual([
      { path: "metadata.name", negate: false, value: "ratings" },
      { path: "status.phase", negate: true, value: "Failed" },
    ]);
  });
});
