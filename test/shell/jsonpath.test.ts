// kubectl JSONPath templates as learners write them in `-o jsonpath=…`.
import { describe, expect, it } from "vitest";
import { JsonPathError, renderJsonPath } from "@/shell/kube/jsonpath";

const list = {
  kind: "List",
  items: [
    { metadata: { name: "reviews-v1", labels: { app: "reviews", "app.kubernetes.io/version": "1" } }, status: { podIP: "10.0.0.1", phase: "Running" } },
    { metadata: { name: "reviews-v2", labels: { app: "reviews" } }, status: { podIP: "10.0.0.2", phase: "Pending" } },
  ],
};

describe("jsonpath", () => {
  it("reads fields, indexes and wildcards (results joined by spaces)", () => {
    expect(renderJsonPath("{.items[0].metadata.name}", list)).toBe("reviews-v1");
    expect(renderJsonPath("{.items[*].status.podIP}", list)).toBe("10.0.0.1 10.0.0.2");
    expect(renderJsonPath("{.items[-1].metadata.name}", list)).toBe("reviews-v2");
    expect(renderJsonPath("{.items[0].metadata.labels}", list)).toBe(`{"app":"reviews","app.kubernetes.io/version":"1"}`);
  });

  it("supports quoted keys, escaped dots, filters, recursion and literal text", () => {
    expect(renderJsonPath("{.items[0].metadata.labels['app.kubernetes.io/version']}", list)).toBe("1");
    expect(renderJsonPath("{.items[0].metadata.labels.app\\.kubernetes\\.io/version}", list)).toBe("1");
    expect(renderJsonPath(`{.items[?(@.status.phase=="Pending")].metadata.name}`, list)).toBe("reviews-v2");
    expect(renderJsonPath("{..podIP}", list)).toBe("10.0.0.1 10.0.0.2");
    expect(renderJsonPath(`name: {.items[1].metadata.name}{"\\n"}`, list)).toBe("name: reviews-v2\n");
  });

  it("range … end repeats its body per item", () => {
    expect(renderJsonPath(`{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}`, list)).toBe("reviews-v1\tRunning\nreviews-v2\tPending\n");
  });

  it("missing keys print nothing; a bad index is an error", () => {
    expect(renderJsonPath("{.items[0].spec.nodeName}", list)).toBe("");
    expect(() => renderJsonPath("{.items[5].metadata.name}", list)).toThrow(new JsonPathError("array index out of bounds: index 5, length 2"));
    expect(() => renderJsonPath("{range .items[*]}{.metadata.name}", list)).toThrow(JsonPathError);
  });
});
