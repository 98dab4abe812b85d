// Bookinfo samples analyzed offline, the way a learner runs `istioctl analyze -f` on the lab files.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeFiles, formatMessage } from "@/grader/analyze";
import { codesAndOrigins, TESTDATA } from "./support";

const bookinfo = (...files: string[]) => files.map((file) => path.join(TESTDATA, "bookinfo", file));

describe("Bookinfo samples", () => {
  it("virtual-service-all-v1 without DestinationRules: every subset v1 is missing", async () => {
    const result = await analyzeFiles(bookinfo("bookinfo.yaml", "virtual-service-all-v1.yaml"), { namespace: "default" });
    expect(codesAndOrigins(result.messages)).toStrictEqual([
      ["IST0101", "VirtualService default/details"],
      ["IST0101", "VirtualService default/productpage"],
      ["IST0101", "VirtualService default/ratings"],
      ["IST0101", "VirtualService default/reviews"],
    ]);
    expect(result.messages.map((message) => message.text)).toContain('Referenced host+subset in destinationrule not found: "reviews+v1"');
  });

  it("with destination-rule-all and the gateway: only the offline IST0140 and IST0162 facts", async () => {
    const result = await analyzeFiles(bookinfo("bookinfo.yaml", "virtual-service-all-v1.yaml", "destination-rule-all.yaml", "bookinfo-gateway.yaml"), { namespace: "default" });
    const gatewayFile = bookinfo("bookinfo-gateway.yaml")[0];
    expect(result.messages.map(formatMessage)).toStrictEqual([
      `Warning [IST0140] (VirtualService default/bookinfo ${gatewayFile}:17) Subset in virtual service default/productpage has no effect on ingress gateway default/bookinfo requests`,
      `Warning [IST0162] (Gateway default/bookinfo-gateway ${gatewayFile}:8) The gateway is listening on a target port (port 8080) that is not defined in the Service associated with its workload instances (Pod selector istio=ingressgateway). If you need to access the gateway port through the gateway Service, it will not be available.`,
    ]);
  });

  it("with destination-rule-all and no gateway: clean", async () => {
    const result = await analyzeFiles(bookinfo("bookinfo.yaml", "virtual-service-all-v1.yaml", "destination-rule-all.yaml"), { namespace: "default" });
    expect(result.messages).toStrictEqual([]);
    expect(result.parseErrors).toStrictEqual([]);
  });

  it("analyzing another namespace keeps the default-namespace findings out", async () => {
    const result = await analyzeFiles(bookinfo("bookinfo.yaml", "virtual-service-all-v1.yaml"), { namespace: "default" });
    const elsewhere = await analyzeFiles(bookinfo("virtual-service-all-v1.yaml"), { namespace: "prod" });
    expect(result.messages.length).toBe(4);
    expect(elsewhere.messages.every((message) => message.origin?.namespace === "prod")).toBe(true);
  });
});
