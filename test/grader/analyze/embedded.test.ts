// Live analysis of the embedded learner cluster (Istio 1.26 + Bookinfo) through its Kubernetes API and kubeconfig.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterHost } from "@/cluster/embedded/host";
import { main } from "@/cli/index";
import { analyzeCluster, formatMessage } from "@/grader/analyze";
import { testdataObjects, TESTDATA } from "./support";

async function ica(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(["analyze", ...argv], { out: (text) => void (stdout += `${text}\n`), err: (text) => void (stderr += `${text}\n`) });
  return { code, stdout, stderr };
}

describe("analyzing the embedded cluster", () => {
  let host: ClusterHost;
  let kubeconfigPath: string;
  let kubeConfig: KubeConfig;

  beforeAll(async () => {
    host = new ClusterHost();
    await host.listen(0);
    const { id } = host.create("analyze");
    kubeconfigPath = path.join(mkdtempSync(path.join(tmpdir(), "ica-analyze-")), "kubeconfig");
    writeFileSync(kubeconfigPath, host.kubeconfig(id));
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
  });

  afterAll(async () => {
    await host.close();
  });

  it("finds the fresh Bookinfo cluster clean", async () => {
    const result = await ica("--kubeconfig", kubeconfigPath);
    expect(result.stderr).toBe("\u2714 No validation issues found when analyzing namespace: default.\n");
    expect(result.code).toBe(0);
  });

  it("with the Bookinfo samples overlaid: the real ingress maps 80 to 8080, so only the subset findings remain", async () => {
    const files = ["destination-rule-all.yaml", "virtual-service-all-v1.yaml", "bookinfo-gateway.yaml"].flatMap((file) => ["-f", path.join(TESTDATA, "bookinfo", file)]);
    const result = await ica("--kubeconfig", kubeconfigPath, ...files);
    const codes = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => line.replace(/ \S+\.yaml:\d+\)/, ")"));
    expect(codes).toStrictEqual([
      "Error [IST0173] (DestinationRule default/ratings) The Subset v2-mysql defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).",
      "Error [IST0173] (DestinationRule default/ratings) The Subset v2-mysql-vm defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).",
      "Warning [IST0140] (VirtualService default/bookinfo) Subset in virtual service default/productpage has no effect on ingress gateway default/bookinfo requests",
    ]);
    expect(result.code).toBe(79);
  });

  it("behaves like the cluster's istioctl 1.26 when asked: no subset-pod check", async () => {
    const overlay = testdataObjects("bookinfo/destination-rule-all.yaml", "bookinfo/virtual-service-all-v1.yaml", "bookinfo/bookinfo-gateway.yaml");
    const result = await analyzeCluster(kubeConfig, overlay, { namespace: "default", istioVersion: "1.26" });
    expect(result.messages.map(formatMessage)).toStrictEqual([
      "Warning [IST0140] (VirtualService default/bookinfo bookinfo/bookinfo-gateway.yaml:17) Subset in virtual service default/productpage has no effect on ingress gateway default/bookinfo requests",
    ]);
  });
});
