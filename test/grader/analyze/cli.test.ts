// `ica analyze`: exit codes, stdout/stderr split, thresholds, output formats, and live mode against a fake API.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "@/cli/index";
import type { KubeObject } from "@/grader/analyze";
import { startFakeApiServer, type FakeApiServer } from "./fake-apiserver";
import { TESTDATA } from "./support";

const bookinfo = (file: string) => path.join(TESTDATA, "bookinfo", file);

/** Runs `ica analyze ...` through the CLI dispatcher, capturing what it prints. */
async function ica(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(["analyze", ...argv], { out: (text) => void (stdout += `${text}\n`), err: (text) => void (stderr += `${text}\n`) });
  return { code, stdout, stderr };
}

describe("ica analyze with files", () => {
  it("exits 79 from the installed command (node bin/ica.mjs analyze -f ...)", () => {
    const repo = path.resolve(import.meta.dirname, "../../..");
    const result = spawnSync(process.execPath, ["bin/ica.mjs", "analyze", "-f", bookinfo("bookinfo.yaml"), "-f", bookinfo("virtual-service-all-v1.yaml")], { cwd: repo, encoding: "utf8" });
    expect(result.status).toBe(79);
    const withoutLocation = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => line.replace(/ \S+\.yaml:\d+\)/, ")"));
    expect(withoutLocation).toStrictEqual(
      ["details", "productpage", "ratings", "reviews"].map((name) => `Error [IST0101] (VirtualService default/${name}) Referenced host+subset in destinationrule not found: "${name}+v1"`),
    );
    expect(result.stderr).toContain("Error: Analyzers found issues when analyzing namespace: default.");
  });

  it("exits 79 and prints the messages on stdout when an Error is found", async () => {
    const result = await ica("-f", bookinfo("bookinfo.yaml"), "-f", bookinfo("virtual-service-all-v1.yaml"));
    expect(result.code).toBe(79);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(4);
    expect(result.stdout).toContain(`Error [IST0101] (VirtualService default/reviews ${bookinfo("virtual-service-all-v1.yaml")}:24) Referenced host+subset in destinationrule not found: "reviews+v1"`);
    expect(result.stderr).toBe("Error: Analyzers found issues when analyzing namespace: default.\nSee https://istio.io/latest/docs/reference/config/analysis for more information about causes and resolutions.\n");
  });

  it("prints istioctl's clean-run line on stderr and exits 0", async () => {
    const one = await ica(bookinfo("bookinfo.yaml"));
    expect(one.code).toBe(0);
    expect(one.stdout).toBe("\n");
    expect(one.stderr).toBe(`\u2714 No validation issues found when analyzing ${bookinfo("bookinfo.yaml")}.\n`);
    const two = await ica("-f", bookinfo("bookinfo.yaml"), "-f", bookinfo("destination-rule-all.yaml"));
    expect(two.stderr).toBe(`\u2714 No validation issues found when analyzing:\n  - ${bookinfo("bookinfo.yaml")}\n  - ${bookinfo("destination-rule-all.yaml")}\n`);
  });

  it("keeps warnings at exit 0 unless --failure-threshold lowers the bar", async () => {
    const files = ["-f", bookinfo("bookinfo.yaml"), "-f", bookinfo("virtual-service-all-v1.yaml"), "-f", bookinfo("destination-rule-all.yaml"), "-f", bookinfo("bookinfo-gateway.yaml")];
    const warnings = await ica(...files);
    expect(warnings.code).toBe(0);
    expect(warnings.stdout).toMatch(/^Warning \[IST0140\].*\nWarning \[IST0162\].*\n$/);
    expect((await ica(...files, "--failure-threshold", "Warning")).code).toBe(79);
    const hidden = await ica(...files, "--output-threshold", "error", "--failure-threshold", "warning");
    expect(hidden.stdout).toBe("\n");
    expect(hidden.code).toBe(79);
  });

  it("reads a directory and prints JSON with -o json (exit 0, as istioctl does for non-log formats)", async () => {
    const result = await ica("-f", path.join(TESTDATA, "bookinfo"), "-o", "json");
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { code: string }[]).map((entry) => entry.code)).toStrictEqual(["IST0140", "IST0162"]);
  });

  it("analyzes all namespaces with -A and objects without a namespace stay unqualified", async () => {
    const result = await ica("-A", "-f", path.join(TESTDATA, "virtualservice_gateways.yaml"));
    expect(result.stdout).toContain('Error [IST0101] (VirtualService httpbin-bogus ');
    expect(result.code).toBe(79);
  });

  it("exits 65 when a file cannot be parsed and nothing else is wrong", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ica-analyze-"));
    const file = path.join(dir, "broken.yaml");
    writeFileSync(file, "apiVersion: v1\nkind: [oops\n");
    const result = await ica("-f", file);
    expect(result.code).toBe(65);
    expect(result.stderr).toContain("No validation issues found when analyzing namespace: default (but 1 file could not be parsed).");
  });

  it("exits 2 on usage errors", async () => {
    expect((await ica()).code).toBe(2);
    expect((await ica("-f", bookinfo("bookinfo.yaml"), "--output-threshold", "loud")).code).toBe(2);
    expect((await ica("-f", bookinfo("bookinfo.yaml"), "-o", "xml")).code).toBe(2);
    expect((await ica("--bogus")).code).toBe(2);
  });

  it("lists the analyzers", async () => {
    const result = await ica("-L");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("* virtualservice.DestinationHostAnalyzer:\n    Checks the destination hosts associated with each virtual service\n");
  });
});

const CLUSTER: KubeObject[] = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "default", labels: { "istio-injection": "enabled" }, creationTimestamp: "2025-01-01T00:00:00Z" } },
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "istio-system" } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "reviews", namespace: "default" }, spec: { selector: { app: "reviews" }, ports: [{ name: "http", port: 9080, protocol: "TCP" }] } },
  { apiVersion: "v1", kind: "Pod", metadata: { name: "reviews-v1-x", namespace: "default", labels: { app: "reviews", version: "v1" } }, spec: { containers: [{ name: "reviews" }, { name: "istio-proxy" }] } },
  { apiVersion: "v1", kind: "Pod", metadata: { name: "ingress-x", namespace: "istio-system", labels: { istio: "ingressgateway" } }, spec: { containers: [{ name: "istio-proxy" }] } },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "istio-ingressgateway", namespace: "istio-system" },
    spec: { selector: { istio: "ingressgateway" }, ports: [{ name: "http2", port: 80, targetPort: 8080, protocol: "TCP" }] },
  },
  { apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "reviews", namespace: "default" }, spec: { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }, { name: "v2", labels: { version: "v2" } }] } },
  { apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name: "gw", namespace: "default" }, spec: { selector: { istio: "ingressgateway" }, servers: [{ port: { number: 8080, name: "http", protocol: "HTTP" }, hosts: ["*"] }] } },
];

describe("ica analyze --kubeconfig (live mode)", () => {
  let server: FakeApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("analyzes the cluster's objects without offline defaults: target port 8080 is fine, the unused subset is not", async () => {
    server = await startFakeApiServer(CLUSTER);
    const result = await ica("--kubeconfig", server.kubeconfigPath);
    expect(result.stdout.trimEnd().split("\n")).toStrictEqual(["Error [IST0173] (DestinationRule default/reviews) The Subset v2 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream)."]);
    expect(result.code).toBe(79);
    expect(server.requests).toContain("/apis/networking.istio.io/v1/virtualservices");
    expect(server.requests).toContain("/api/v1/pods");
  });

  it("overlays -f files on the cluster, like istioctl analyze with --use-kube", async () => {
    server = await startFakeApiServer(CLUSTER);
    const dir = mkdtempSync(path.join(tmpdir(), "ica-analyze-"));
    const file = path.join(dir, "vs.yaml");
    writeFileSync(file, "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\nspec:\n  hosts: [reviews]\n  http:\n  - route:\n    - destination: { host: reviews, subset: v3 }\n");
    const result = await ica("--kubeconfig", server.kubeconfigPath, "-f", file, "--output-threshold", "Error");
    expect(result.stdout).toContain(`Error [IST0101] (VirtualService default/reviews ${file}:9) Referenced host+subset in destinationrule not found: "reviews+v3"`);
  });

  it("uses the kubeconfig context's namespace and reports a missing -n namespace", async () => {
    server = await startFakeApiServer(CLUSTER, "istio-system");
    const scoped = await ica("--kubeconfig", server.kubeconfigPath);
    expect(scoped.code).toBe(0);
    expect(scoped.stderr).toBe("\u2714 No validation issues found when analyzing namespace: istio-system.\n");
    const missing = await ica("--kubeconfig", server.kubeconfigPath, "-n", "nope");
    expect(missing.stderr).toBe('namespace "nope" not found\n');
    expect(missing.code).toBe(0);
  });

  it("fails with exit 1 when the cluster cannot be reached", async () => {
    server = await startFakeApiServer([]);
    const kubeconfig = server.kubeconfigPath;
    await server.close();
    server = undefined;
    const result = await ica("--kubeconfig", kubeconfig);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: cannot analyze the cluster: /);
  });
});
