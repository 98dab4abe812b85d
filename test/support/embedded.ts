// Test helper: one embedded driver per test file, and fresh clusters with manifests applied through the API.
import { readFileSync } from "node:fs";
import { applyObjects, parseManifests } from "@/cluster/apply";
import { EmbeddedDriver, type EmbeddedLabCluster } from "@/cluster/embedded/driver";

/** A cluster with Bookinfo plus the given manifest files (or YAML texts) applied in order. */
export async function clusterWith(driver: EmbeddedDriver, manifests: { file?: string; text?: string }[]): Promise<EmbeddedLabCluster> {
  const cluster = await driver.create();
  for (const manifest of manifests) {
    const text = manifest.text ?? readFileSync(manifest.file!, "utf8");
    await applyObjects(cluster.kubeConfig(), parseManifests(text, manifest.file));
  }
  return cluster;
}
