// Kubeconfigs sealed at rest, and the operating limits read from the environment.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { enabledDriverKinds, queuedDriverKinds } from "@/cluster/lifecycle/runtime";
import { KubeconfigSealer, loadSealingKey } from "@/cluster/lifecycle/secrets";
import { readLifecycleSettings } from "@/cluster/lifecycle/settings";

const dir = mkdtempSync(path.join(tmpdir(), "ica-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kubeconfig = "apiVersion: v1\nkind: Config\nusers:\n- name: kind-ica-1\n  user: {client-key-data: c2VjcmV0}\n";

describe("sealing kubeconfigs", () => {
  it("round-trips, never stores the plaintext, and differs each time", () => {
    const sealer = new KubeconfigSealer(randomBytes(32));
    const a = sealer.seal(kubeconfig);
    expect(a).not.toContain("client-key-data");
    expect(a).not.toBe(sealer.seal(kubeconfig));
    expect(sealer.open(a)).toBe(kubeconfig);
  });

  it("refuses a wrong key or altered text", () => {
    const sealed = new KubeconfigSealer(randomBytes(32)).seal(kubeconfig);
    expect(() => new KubeconfigSealer(randomBytes(32)).open(sealed)).toThrow(/does not open with this server's key/);
    expect(() => new KubeconfigSealer(randomBytes(32)).open("plain text")).toThrow(/not a sealed kubeconfig/);
  });

  it("takes the key from ICA_KUBECONFIG_KEY, or creates a private key file once", () => {
    const key = randomBytes(32);
    expect(loadSealingKey({ ICA_KUBECONFIG_KEY: key.toString("base64") }, dir).equals(key)).toBe(true);
    expect(() => loadSealingKey({ ICA_KUBECONFIG_KEY: "short" }, dir)).toThrow(/ICA_KUBECONFIG_KEY must be 32 random bytes/);
    expect(() => loadSealingKey({ ICA_REQUIRE_KUBECONFIG_KEY: "true" }, dir)).toThrow(/must share it/);
    const first = loadSealingKey({}, dir);
    expect(loadSealingKey({}, dir).equals(first)).toBe(true);
    const file = path.join(dir, "kubeconfig.key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, "utf8").trim(), "base64").equals(first)).toBe(true);
  });
});

describe("settings", () => {
  it("has safe defaults and reads every limit", () => {
    expect(readLifecycleSettings({})).toEqual({ poolSize: { embedded: 0, kind: 0 }, ttlMs: 240 * 60_000, idleMs: 60 * 60_000, maxClusters: 8, maxParallelCreates: 2, provisionAttempts: 2, backoffMs: 15_000 });
    expect(readLifecycleSettings({ ICA_POOL_KIND: "3", ICA_MAX_CLUSTERS: "20", ICA_MAX_PARALLEL_CREATES: "4", ICA_CLUSTER_TTL_MINUTES: "90", ICA_CLUSTER_IDLE_MINUTES: "", ICA_PROVISION_BACKOFF_SECONDS: "2.5" })).toMatchObject({
      poolSize: { kind: 3 },
      maxClusters: 20,
      maxParallelCreates: 4,
      ttlMs: 90 * 60_000,
      idleMs: 60 * 60_000,
      backoffMs: 2500,
    });
  });

  it("names bad variables", () => {
    expect(() => readLifecycleSettings({ ICA_MAX_CLUSTERS: "0", ICA_POOL_KIND: "lots" })).toThrow(/ICA_POOL_KIND.*; ICA_MAX_CLUSTERS|ICA_MAX_CLUSTERS.*; ICA_POOL_KIND/);
    expect(() => enabledDriverKinds({ ICA_CLUSTER_DRIVERS: "kind,minikube" })).toThrow(/ICA_CLUSTER_DRIVERS/);
    expect(() => queuedDriverKinds({ ICA_KIND_PROVISIONER: "elsewhere" })).toThrow(/ICA_KIND_PROVISIONER/);
  });

  it("chooses drivers and who provisions kind", () => {
    expect(enabledDriverKinds({})).toEqual(["embedded"]);
    expect(enabledDriverKinds({ ICA_CLUSTER_DRIVERS: " kind , embedded,kind" })).toEqual(["kind", "embedded"]);
    expect(queuedDriverKinds({})).toEqual([]);
    expect(queuedDriverKinds({ ICA_KIND_PROVISIONER: "runner" })).toEqual(["kind"]);
  });
});
