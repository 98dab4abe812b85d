// Test support for the lab shell: a fresh embedded cluster with a batch-mode shell, the Bookinfo manifests the
// seed lab applies, and a helper that lets pushed config reach every proxy.
import { readFileSync } from "node:fs";
import { EmbeddedDriver, type EmbeddedLabCluster } from "@/cluster/embedded/driver";
import { createLabShell, type LabShell, type LabShellOptions, type ShellRunResult } from "@/shell";

export const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

export function fixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, "utf8");
}

export interface ShellLab {
  driver: EmbeddedDriver;
  cluster: EmbeddedLabCluster;
  shell: LabShell;
  run(script: string): Promise<ShellRunResult>;
  /** Waits until every proxy has the latest config (what a learner gets by waiting a moment). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startShellLab(options: LabShellOptions = {}): Promise<ShellLab> {
  const driver = new EmbeddedDriver();
  const cluster = await driver.create();
  const shell = createLabShell(cluster, options);
  return {
    driver,
    cluster,
    shell,
    run: (script) => shell.run(script),
    settle: () => cluster.mesh.waitForSync(5_000),
    close: () => driver.close(),
  };
}

/** `kubectl apply -f - <<EOF … EOF` as a learner types it. */
export function applyHeredoc(yaml: string): string {
  return `kubectl apply -f - <<EOF\n${yaml.trimEnd()}\nEOF`;
}

/** Seconds from bash's `time` report (`real\t0m6.012s`). */
export function realSeconds(stderr: string): number {
  const match = /real\t(\d+)m([\d.]+)s/.exec(stderr);
  if (!match) throw new Error(`no time report in: ${stderr}`);
  return Number(match[1]) * 60 + Number(match[2]);
}
