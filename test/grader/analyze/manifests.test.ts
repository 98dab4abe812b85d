// Manifest parsing: documents split like istioctl's file reader, start lines, field lines, Lists and parse errors.
import { describe, expect, it } from "vitest";
import { analyzeObjects, parseManifests } from "@/grader/analyze";
import { inlineObjects } from "./support";

describe("parseManifests", () => {
  it("starts each document at its first non-blank line, comments included", () => {
    const text = `# Gateway with a comment header
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: gw
spec:
  selector:
    istio: ingressgateway
---

apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: vs
spec:
  gateways:
  - gw
`;
    const { objects, errors } = parseManifests(text, "a.yaml");
    expect(errors).toStrictEqual([]);
    expect(objects.map((entry) => entry.source?.line)).toStrictEqual([1, 11]);
    expect(objects[0]?.source?.fieldLines?.get("spec.selector.istio")).toBe(8);
    expect(objects[1]?.source?.fieldLines?.get("spec.gateways[0]")).toBe(17);
    expect(objects[1]?.source?.fieldLines?.get("metadata.name")).toBe(14);
  });

  it("expands List documents into their items, each at its own line", () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: a
- apiVersion: v1
  kind: Namespace
  metadata:
    name: b
`;
    const { objects } = parseManifests(text, "list.yaml");
    expect(objects.map((entry) => [(entry.object as { metadata: { name: string } }).metadata.name, entry.source?.line])).toStrictEqual([
      ["a", 4],
      ["b", 8],
    ]);
    expect(objects[1]?.source?.fieldLines?.get("metadata.name")).toBe(11);
  });

  it("reports documents that are not valid YAML and keeps the others", () => {
    const text = `apiVersion: v1
kind: Namespace
metadata: { name: ok }
---
kind: [unclosed
---
just a string
`;
    const { objects, errors } = parseManifests(text, "bad.yaml");
    expect(objects).toHaveLength(1);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^error processing bad\.yaml\[1\]: /);
  });

  it("skips empty and comment-only documents", () => {
    expect(parseManifests("---\n# nothing here\n---\n\n", "empty.yaml")).toStrictEqual({ objects: [], errors: [] });
  });
});

describe("reading objects", () => {
  it("lists objects without apiVersion, kind or name as unreadable and analyzes the rest", () => {
    const result = analyzeObjects([{ apiVersion: "v1", kind: "Service" }, { object: { metadata: { name: "x" } } }, { apiVersion: "v1", kind: "Namespace", metadata: { name: "plain" } }], {});
    expect(result.unreadable).toStrictEqual([{ reason: "object has no metadata" }, { reason: "object has no apiVersion" }]);
    expect(result.messages.map((message) => message.code)).toStrictEqual(["IST0102"]);
  });

  it("ignores kinds no analyzer reads, even without metadata (e.g. a kustomization.yaml)", () => {
    const result = analyzeObjects(inlineObjects("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n"), {});
    expect(result).toMatchObject({ messages: [], unreadable: [] });
  });

  it("ignores kinds of other API groups, such as the Kubernetes Gateway API", () => {
    const result = analyzeObjects([{ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "gw", namespace: "default" }, spec: {} }], { namespace: "default" });
    expect(result.messages).toStrictEqual([]);
  });

  it("reads fields of the wrong type as absent instead of failing", () => {
    const result = analyzeObjects(
      [{ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "odd", namespace: "default" }, spec: { hosts: "reviews", http: [{ route: "nowhere" }, 7] } }],
      { namespace: "default" },
    );
    const codes = result.messages.map((message) => message.code);
    expect(codes).toContain("IST0106");
    expect(codes).not.toContain("IST0001");
  });
});
