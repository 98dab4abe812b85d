// Exact istioctl rendering: log lines with origin and file:line, sorting and de-duplication, JSON and YAML output.
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { analyzeObjects, formatMessages, type AnalysisMessage } from "@/grader/analyze";
import { inlineObjects } from "./support";

const FILE = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: default
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews-bogussubset
  namespace: default
spec:
  hosts:
  - reviews
  gateways:
  - bookinfo-gateway
  http:
  - route:
    - destination:
        host: reviews
        subset: bogus
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews-mesh
  namespace: default
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews-mesh-2
  namespace: default
spec:
  hosts:
  - reviews.default.svc.cluster.local
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
---
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: default
spec:
  selector:
    app: reviews
  ports:
  - name: http
    port: 9080
`;

function analyze(): AnalysisMessage[] {
  return analyzeObjects(inlineObjects(FILE, "file.yaml"), { namespace: "default", offlineDefaults: true }).messages;
}

describe("message rendering", () => {
  it("prints IST0101, IST0109 and IST0132 exactly as istioctl, sorted by level, code and resource", () => {
    expect(formatMessages(analyze()).split("\n")).toStrictEqual([
      'Error [IST0101] (VirtualService default/reviews-bogussubset file.yaml:22) Referenced gateway not found: "bookinfo-gateway"',
      'Error [IST0101] (VirtualService default/reviews-bogussubset file.yaml:26) Referenced host+subset in destinationrule not found: "reviews+bogus"',
      "Error [IST0109] (VirtualService default/reviews-mesh-2 file.yaml:46) The VirtualServices default/reviews-mesh,default/reviews-mesh-2 associated with mesh gateway define the same host */reviews.default.svc.cluster.local which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.",
      "Error [IST0109] (VirtualService default/reviews-mesh file.yaml:32) The VirtualServices default/reviews-mesh,default/reviews-mesh-2 associated with mesh gateway define the same host */reviews.default.svc.cluster.local which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.",
      "Warning [IST0132] (VirtualService default/reviews-bogussubset file.yaml:22) one or more host [reviews] defined in VirtualService default/reviews-bogussubset not found in Gateway default/bookinfo-gateway.",
    ]);
  });

  it("prints the origin without a location for objects not read from a file", () => {
    const objects = inlineObjects(FILE).map((entry) => entry.object as { kind: string; apiVersion: string });
    const lines = formatMessages(analyzeObjects(objects, { namespace: "default" }).messages).split("\n");
    expect(lines[0]).toBe('Error [IST0101] (VirtualService default/reviews-bogussubset) Referenced gateway not found: "bookinfo-gateway"');
  });

  it("omits the line for JSON files, like istioctl", () => {
    const json = JSON.stringify({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "r", namespace: "default" }, spec: { hosts: ["r"], http: [{ route: [{ destination: { host: "nowhere" } }] }] } });
    const messages = analyzeObjects(inlineObjects(json, "vs.json"), { namespace: "default" }).messages;
    expect(formatMessages(messages)).toBe('Error [IST0101] (VirtualService default/r vs.json) Referenced host not found: "nowhere"');
  });

  it("drops messages that print identically", () => {
    const twice = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: r, namespace: default }
spec: { hosts: [r], http: [{ route: [{ destination: { host: nowhere } }, { destination: { host: nowhere } }] }] }
`;
    expect(analyzeObjects(inlineObjects(twice), { namespace: "default" }).messages.filter((message) => message.code === "IST0101")).toHaveLength(1);
  });

  it("renders JSON and YAML like istioctl -o json / -o yaml", () => {
    const messages = analyze();
    const json = formatMessages(messages, "json");
    expect(json.split("\n")[1]).toBe("\t{");
    const first = (JSON.parse(json) as Record<string, string>[])[0];
    expect(first).toStrictEqual({
      code: "IST0101",
      documentationUrl: "https://istio.io/latest/docs/reference/config/analysis/ist0101/?ref=istioctl-analyze",
      level: "Error",
      message: 'Referenced gateway not found: "bookinfo-gateway"',
      origin: "VirtualService default/reviews-bogussubset",
      reference: "file.yaml:22",
    });
    expect(Object.keys(first ?? {})).toStrictEqual(["code", "documentationUrl", "level", "message", "origin", "reference"]);
    expect(parseYaml(formatMessages(messages, "yaml"))).toStrictEqual(JSON.parse(json));
    expect(formatMessages([], "json")).toBe("[]");
  });
});

describe("suppression and namespaces", () => {
  it("honours the galley.istio.io/analyze-suppress annotation", () => {
    const suppressed = FILE.replace("  name: reviews-bogussubset\n", '  name: reviews-bogussubset\n  annotations:\n    galley.istio.io/analyze-suppress: "IST0101,IST0132"\n');
    const codes = analyzeObjects(inlineObjects(suppressed), { namespace: "default" })
      .messages.filter((message) => message.origin?.name === "reviews-bogussubset")
      .map((message) => message.code);
    expect(codes).toStrictEqual([]);
  });

  it("places objects without a namespace in the analyzed namespace", () => {
    const noNamespace = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: r }
spec: { hosts: [r], http: [{ route: [{ destination: { host: nowhere } }] }] }
`;
    expect(analyzeObjects(inlineObjects(noNamespace), { namespace: "shop" }).messages[0]?.origin).toMatchObject({ namespace: "shop", name: "r" });
    expect(analyzeObjects(inlineObjects(noNamespace)).messages[0]?.origin).toMatchObject({ namespace: "", name: "r" });
  });
});
