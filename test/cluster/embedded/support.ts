// Test support for the embedded cluster: a host with one cluster, its kubeconfig on disk, and a real-kubectl runner.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterHost } from "@/cluster/embedded/host";

export const KUBECTL = "/usr/bin/kubectl";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Harness {
  host: ClusterHost;
  id: string;
  token: string;
  baseUrl: string;
  dir: string;
  kubeconfigPath: string;
  /** Runs real kubectl against the cluster (one shared discovery cache per harness). */
  kubectl: (args: string[], stdin?: string) => Promise<KubectlResult>;
  /** Writes a file into the harness's temporary directory and returns its path. */
  file: (name: string, content: string) => string;
  close: () => Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const host = new ClusterHost();
  const baseUrl = await host.listen(0);
  const { id, token } = host.create("learner-1");
  const dir = mkdtempSync(join(tmpdir(), "ica-embedded-"));
  const kubeconfigPath = join(dir, "kubeconfig.yaml");
  writeFileSync(kubeconfigPath, host.kubeconfig(id));
  const cacheDir = join(dir, "kube-cache");
  const kubectl = (args: string[], stdin?: string): Promise<KubectlResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(KUBECTL, ["--kubeconfig", kubeconfigPath, "--cache-dir", cacheDir, ...args], {
        env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfigPath },
        stdio: "pipe",
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(stdin ?? "");
    });
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  return {
    host,
    id,
    token,
    baseUrl,
    dir,
    kubeconfigPath,
    kubectl,
    file,
    close: async () => {
      await host.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fetch against the host that skips certificate checks (the host's certificate is self-signed). */
export async function insecureFetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; headers: Headers; text: string; json: () => unknown }> {
  const { request } = await import("node:https");
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.headers, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const headers = new Headers();
        for (const [key, value] of Object.entries(res.headers)) if (typeof value === "string") headers.set(key, value);
        resolve({ status: res.statusCode ?? 0, headers, text, json: () => JSON.parse(text) as unknown });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}
