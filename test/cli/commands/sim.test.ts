// `ica sim serve` and the CLI's usage handling: a standalone embedded cluster (API and mesh) that real kubectl can use.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "@/cli/index";

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return { out: (text) => (out += `${text}\n`), err: (text) => (err += `${text}\n`), stdout: () => out, stderr: () => err };
}

describe("ica CLI usage", () => {
  it("prints usage with the sim command for --help", async () => {
    const io = capture();
    expect(await main(["--help"], io)).toBe(0);
    expect(io.stdout()).toContain("Usage: ica <command>");
    expect(io.stdout()).toMatch(/\n\s+sim\s+Run an embedded/);
  });

  it("prints sim and serve usage", async () => {
    const sim = capture();
    expect(await main(["sim", "--help"], sim)).toBe(0);
    expect(sim.stdout()).toContain("serve");
    const serve = capture();
    expect(await main(["sim", "serve", "--help"], serve)).toBe(0);
    expect(serve.stdout()).toContain("--kubeconfig-out");
    expect(serve.stdout()).toContain("--port");
  });

  it("exits 2 with a clear message for unknown commands, flags and bad values", async () => {
    const command = capture();
    expect(await main(["teleport"], command)).toBe(2);
    expect(command.stderr()).toContain('unknown command "teleport"');
    const flag = capture();
    expect(await main(["sim", "serve", "--bogus"], flag)).toBe(2);
    expect(flag.stderr()).toContain("unknown flag: --bogus");
    const port = capture();
    expect(await main(["sim", "serve", "--port", "http"], port)).toBe(2);
    expect(port.stderr()).toContain("--port must be an integer between 0 and 65535");
    const subcommand = capture();
    expect(await main(["sim", "launch"], subcommand)).toBe(2);
    expect(subcommand.stderr()).toContain('unknown subcommand "launch"');
  });
});

describe("ica sim serve", () => {
  const dir = mkdtempSync(join(tmpdir(), "ica-sim-"));

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves a cluster kubectl can drive, writes the kubeconfig, and stops cleanly on SIGTERM", async () => {
    const kubeconfig = join(dir, "sim.kubeconfig");
    const child = spawn(process.execPath, ["bin/ica.mjs", "sim", "serve", "--port", "0", "--kubeconfig-out", kubeconfig], { cwd: join(import.meta.dirname, "../../.."), stdio: "pipe" });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", () => {
        if (stdout.includes("Press Ctrl+C to stop.")) resolve();
      });
      child.on("exit", () => reject(new Error(`ica exited early: ${stdout}`)));
    });
    expect(stdout).toMatch(/serving at https:\/\/127\.0\.0\.1:\d+\/clusters\/sim/);
    expect(stdout).toContain(`Kubeconfig written to ${kubeconfig}`);
    expect(stdout).toContain(`Try: kubectl --kubeconfig ${kubeconfig} get pods`);
    expect(readFileSync(kubeconfig, "utf8")).toContain("insecure-skip-tls-verify: true");

    const kubectl = (...args: string[]) =>
      new Promise<string>((resolve, reject) => {
        const run = spawn("/usr/bin/kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args], { stdio: "pipe" });
        let text = "";
        run.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
        run.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`kubectl ${args.join(" ")} exited ${code}`))));
      });
    expect(await kubectl("get", "pods")).toMatch(/productpage-v1-\S+\s+2\/2\s+Running/);
    // The mesh runs behind the API: exec and logs reach the pods.
    expect(await kubectl("exec", "deploy/sleep", "--", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://productpage:9080/productpage")).toBe("200");
    expect(await kubectl("logs", "deploy/sleep", "-c", "istio-proxy", "--tail=1")).toContain('"GET /productpage HTTP/1.1" 200');

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stdout).toContain("Stopped (SIGTERM).");
  });
});
