// `ica shell` end to end through node bin/ica.mjs: a fresh embedded cluster with manifests applied, a learner's
// commands and their output and exit code; an existing cluster through --kubeconfig; usage errors.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "@/cli/index";
import { EmbeddedDriver } from "@/cluster/embedded/driver";
import { FIXTURES } from "./support";

const REPO = path.resolve(import.meta.dirname, "../..");

/** Runs `node bin/ica.mjs shell …` without blocking this process (which may host the cluster the child talks to). */
function icaShell(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/ica.mjs", "shell", ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("ica shell --embedded", () => {
  it("applies the manifests in order, runs the commands and exits with the script's status", async () => {
    const script = [
      "kubectl get vs",
      `for i in $(seq 1 3); do curl -s http://productpage:9080/productpage | grep -o "glyphicon-star" | wc -l; done`,
      "istioctl proxy-config routes deploy/productpage-v1 --name 9080 | grep -c reviews.default$",
      "kubectl get vs nope",
    ].join("\n");
    const result = await icaShell(["--embedded", "--apply", path.join(FIXTURES, "destination-rule-all.yaml"), "--apply", path.join(FIXTURES, "reviews-v1.yaml"), "-c", script]);
    expect(result.code).toBe(1);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^NAME {6}GATEWAYS {3}HOSTS {9}AGE$/);
    expect(lines[1]).toMatch(/^reviews {14}\["reviews"\] {3}\d+s$/);
    expect(lines.slice(2, 6)).toEqual(["0", "0", "0", "1"]);
    expect(result.stderr).toBe(`Error from server (NotFound): virtualservices.networking.istio.io "nope" not found\n`);
  });

  it("rejects bad usage with exit code 2", async () => {
    const run = async (args: string[]) => {
      let stderr = "";
      const code = await main(["shell", ...args], { out: () => undefined, err: (text) => void (stderr += `${text}\n`) });
      return { code, stderr };
    };
    const neither = await run(["-c", "kubectl get pods"]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain("ica shell: choose --embedded or --kubeconfig FILE");
    const noCommand = await run(["--embedded"]);
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toContain("give the commands to run with -c 'COMMANDS'");
    const applyWithoutEmbedded = await run(["--kubeconfig", "x", "--apply", "y", "-c", "true"]);
    expect(applyWithoutEmbedded.stderr).toContain("--apply needs --embedded");
  });
});

describe("ica shell --kubeconfig", () => {
  let driver: EmbeddedDriver;
  let kubeconfigPath: string;

  beforeAll(async () => {
    driver = new EmbeddedDriver();
    const cluster = await driver.create();
    kubeconfigPath = path.join(mkdtempSync(path.join(tmpdir(), "ica-shell-")), "kubeconfig.yaml");
    writeFileSync(kubeconfigPath, cluster.kubeconfigYaml());
  });
  afterAll(() => driver.close());

  it("runs kubectl, istioctl and curl from the sleep pod through the cluster's API (exec over WebSocket, pods/log)", async () => {
    const commands = [
      "kubectl get deploy -l app=ratings -o name && istioctl analyze",
      "curl -s -o /dev/null -w '%{http_code}\\n' http://productpage:9080/productpage",
      "kubectl exec deploy/sleep -- curl -s http://ratings:9080/ratings/0; echo",
      "kubectl logs deploy/sleep -c istio-proxy --tail 1",
      "istioctl proxy-config clusters deploy/productpage-v1 | grep -c 'reviews.default.svc.cluster.local'",
      "curl -sf http://productpage:9080/nothing",
    ].join("\n");
    const result = await icaShell(["--kubeconfig", kubeconfigPath, "-c", commands]);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("deployment.apps/ratings-v1");
    expect(result.stderr).toContain("\u2714 No validation issues found when analyzing namespace: default.");
    expect(lines[1]).toBe("200");
    expect(lines[2]).toBe('{"id":0,"ratings":{"Reviewer1":5,"Reviewer2":4}}');
    expect(lines[3]).toMatch(/^\[.+\] "GET \/ratings\/0 HTTP\/1\.1" 200 - via_upstream .* outbound\|9080\|\|ratings\.default\.svc\.cluster\.local /);
    expect(Number(lines[4])).toBeGreaterThanOrEqual(1);
    // The last command's exit code is the shell's: curl -f on a 404 exits 22 inside the pod.
    expect(result.code).toBe(22);
  });
});
