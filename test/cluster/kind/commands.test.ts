// The process runner behind the kind driver: output and exit codes, a missing program as its own error (preflight
// turns it into an install hint), stdin, and commands killed at their time limit.
import { describe, expect, it } from "vitest";
import { CommandFailedError, CommandNotFoundError, ProcessCommandRunner, runChecked } from "@/cluster/kind/commands";

const runner = new ProcessCommandRunner();

describe("ProcessCommandRunner", () => {
  it("returns stdout, stderr and the exit code without a shell in between", async () => {
    expect(await runner.run("sh", ["-c", "echo out; echo err >&2; exit 3"])).toEqual({ stdout: "out\n", stderr: "err\n", exitCode: 3 });
    expect((await runner.run("echo", ["$HOME", "a b"])).stdout).toBe("$HOME a b\n");
  });

  it("feeds stdin and passes extra environment variables", async () => {
    expect((await runner.run("sh", ["-c", 'cat; printf "%s" "$ICA_X"'], { input: "in-", env: { ICA_X: "x" } })).stdout).toBe("in-x");
  });

  it("reports a program that is not installed as CommandNotFoundError", async () => {
    await expect(runner.run("ica-no-such-tool", ["version"])).rejects.toBeInstanceOf(CommandNotFoundError);
  });

  it("kills a command at its time limit and says so", async () => {
    const result = await runner.run("sleep", ["30"], { timeoutMs: 50 });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("sleep timed out after 50 ms");
  });

  it("runChecked turns a non-zero exit into an error carrying the last stderr lines", async () => {
    const failing = runChecked(runner, "sh", ["-c", "echo 'ERROR: failed to create cluster: boom' >&2; exit 1"]);
    await expect(failing).rejects.toBeInstanceOf(CommandFailedError);
    await expect(failing).rejects.toThrow("exited with 1: ERROR: failed to create cluster: boom");
  });
});
