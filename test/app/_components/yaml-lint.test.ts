// The editor's live lint: YAML mistakes and istioctl analyze messages land on the line they concern, and objects
// already in the learner's cluster count as context (a subset defined there is not reported missing).
import { describe, expect, it } from "vitest";
import { lintManifest } from "@/app/_components/yaml-lint";
import type { KubeObject } from "@/grader/analyze/core";

const reviewsService: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name: "reviews", namespace: "default" }, spec: { selector: { app: "reviews" }, ports: [{ name: "http", port: 9080 }] } };
const reviewsRule: KubeObject = {
  apiVersion: "networking.istio.io/v1",
  kind: "DestinationRule",
  metadata: { name: "reviews", namespace: "default" },
  spec: { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }, { name: "v2", labels: { version: "v2" } }] },
};

function virtualService(subset: string): string {
  return ["apiVersion: networking.istio.io/v1", "kind: VirtualService", "metadata:", "  name: reviews", "spec:", "  hosts:", "  - reviews", "  http:", "  - route:", "    - destination:", "        host: reviews", `        subset: ${subset}`, ""].join("\n");
}

describe("lintManifest", () => {
  it("is quiet for a route to a subset the cluster's DestinationRule defines", () => {
    expect(lintManifest(virtualService("v1"), [reviewsService, reviewsRule])).toEqual([]);
  });

  it("reports IST0101 for an undefined subset on the destination's line, with code and message", () => {
    const text = virtualService("v9");
    const [problem, ...rest] = lintManifest(text, [reviewsService, reviewsRule]);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ line: 11, severity: "error", code: "IST0101", message: 'IST0101 Referenced host+subset in destinationrule not found: "reviews+v9"' });
    expect(text.slice(problem!.from, problem!.to)).toBe("host: reviews");
  });

  it("lets a DestinationRule in the editor replace the cluster's one of the same name", () => {
    const rule = ["---", "apiVersion: networking.istio.io/v1", "kind: DestinationRule", "metadata:", "  name: reviews", "spec:", "  host: reviews", "  subsets:", "  - name: v3", "    labels:", "      version: v3", ""].join("\n");
    const codes = lintManifest(virtualService("v1") + rule, [reviewsService, reviewsRule]).map((d) => d.code);
    expect(codes).toEqual(["IST0101"]);
  });

  it("puts YAML syntax errors on their line and skips analysis until the text parses", () => {
    const text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n";
    const problems = lintManifest(text, []);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.code === "YAML" && p.severity === "error")).toBe(true);
  });

  it("asks for apiVersion, kind and metadata.name", () => {
    expect(lintManifest("kind: VirtualService\nspec: {}\n", [])).toMatchObject([{ line: 1, code: "YAML", message: "Every object needs apiVersion, kind and metadata.name." }]);
  });
});
