// The kind cluster driver: one kind cluster per learner with Istio 1.26 (demo profile) and Bookinfo, created
// through the host's docker/kind/istioctl (a CommandRunner) and made ready through the Kubernetes API.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment } from "@kubernetes/client-node";
import { applyObjects, parseManifests } from "../apply";
import type { ClusterDriver, LabCluster, ProvisionProgress } from "../driver";
import { CommandFailedError, ProcessCommandRunner, runChecked, type CommandRunner } from "./commands";
import { CLUSTER_NAME_PREFIX, ISTIO_DEPLOYMENTS, ISTIO_VERSION, istioOperatorConfig, kindClusterConfig, KIND_NODE_IMAGE, validateClusterName, WORKLOAD_MANIFESTS, WORKLOAD_NAMESPACE, workloadManifest } from "./config";
import { KubeLabCluster } from "./lab-cluster";
import { PreflightError, runPreflight, type PreflightReport } from "./preflight";

/** The named steps of creating a kind learner cluster, with the progress reached when each starts. */
export const KIND_PROVISION_STEPS = [
  { step: "Checking Docker, kind and istioctl", percent: 0 },
  { step: "Creating the kind cluster", percent: 5 },
  { step: "Reading the kubeconfig", percent: 35 },
  { step: `Installing Istio ${ISTIO_VERSION} (demo profile)`, percent: 40 },
  { step: "Waiting for istiod and the gateways", percent: 65 },
  { step: `Enabling sidecar injection in ${WORKLOAD_NAMESPACE}`, percent: 72 },
  { step: "Deploying Bookinfo, sleep and fortio", percent: 75 },
  { step: "Waiting for the workloads and their sidecars", percent: 82 },
  { step: "Ready", percent: 100 },
] as const;

type StepName = (typeof KIND_PROVISION_STEPS)[number]["step"];

/** Creation failed at a named step (the cluster has been deleted again). */
export class ProvisionError extends Error {
  constructor(
    readonly step: string,
    readonly cause: unknown,
  ) {
    super(`${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "ProvisionError";
  }
}

export interface KindDriverOptions {
  runner?: CommandRunner;
  /** Turns a kubeconfig into a LabCluster (default: KubeLabCluster over client-node exec). */
  connect?: (name: string, kubeconfigYaml: string) => LabCluster | Promise<LabCluster>;
  /** Replaces the host checks (tests; the default runs docker/kind/istioctl and reads the inotify limits). */
  preflight?: (runner: CommandRunner) => Promise<PreflightReport>;
  nodeImage?: string;
  /** `kind get kubeconfig --internal`: the API as https://<name>-control-plane:6443, for callers on the kind network. */
  internalKubeconfig?: boolean;
  /** Tries of `kind create cluster` (each failed try deletes the half-made cluster, then backs off). */
  createAttempts?: number;
  backoffMs?: number;
  /** How long to wait for Deployments and pods to become ready, and how often to look. */
  readyTimeoutMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Whether a Deployment has as many available replicas as it wants (at least one). */
export function deploymentAvailable(deployment: V1Deployment): boolean {
  const wanted = deployment.spec?.replicas ?? 1;
  const available = deployment.status?.availableReplicas ?? 0;
  const condition = deployment.status?.conditions?.find((c) => c.type === "Available");
  return available >= Math.max(1, wanted) && condition?.status !== "False";
}

export class KindDriver implements ClusterDriver {
  readonly kind = "kind" as const;
  readonly runner: CommandRunner;
  private readonly options: KindDriverOptions;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: KindDriverOptions = {}) {
    this.options = options;
    this.runner = options.runner ?? new ProcessCommandRunner();
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Host checks; throws PreflightError naming every missing piece and how to install it. */
  async preflight(): Promise<PreflightReport> {
    const report = await (this.options.preflight ?? ((runner) => runPreflight(runner)))(this.runner);
    if (!report.ok) throw new PreflightError(report);
    return report;
  }

  /** A LabCluster for a kind cluster whose kubeconfig we already hold (e.g. sealed in the database). */
  fromKubeconfig(name: string, kubeconfigYaml: string): Promise<LabCluster> {
    return Promise.resolve((this.options.connect ?? ((id, yaml) => new KubeLabCluster(id, yaml, { driver: "kind" })))(name, kubeconfigYaml));
  }

  async create(options: { name?: string; onProgress?: (progress: ProvisionProgress) => void } = {}): Promise<LabCluster> {
    const name = options.name ?? `${CLUSTER_NAME_PREFIX}${randomBytes(4).toString("hex")}`;
    validateClusterName(name);
    const report = (step: StepName) => options.onProgress?.({ step, percent: KIND_PROVISION_STEPS.find((s) => s.step === step)!.percent });
    let current: StepName = "Checking Docker, kind and istioctl";
    report(current);
    await this.preflight();

    const workDir = await mkdtemp(path.join(tmpdir(), `${name}-`));
    let clusterStarted = false;
    try {
      current = "Creating the kind cluster";
      report(current);
      const configFile = path.join(workDir, "kind.yaml");
      await writeFile(configFile, kindClusterConfig(name, this.options.nodeImage ?? KIND_NODE_IMAGE));
      clusterStarted = true;
      await this.createWithRetries(name, configFile);

      current = "Reading the kubeconfig";
      report(current);
      const kubeconfigYaml = await this.kubeconfig(name);
      const kubeconfigFile = path.join(workDir, "kubeconfig");
      await writeFile(kubeconfigFile, kubeconfigYaml, { mode: 0o600 });
      const cluster = await this.fromKubeconfig(name, kubeconfigYaml);
      const kubeConfig = cluster.kubeConfig();

      current = `Installing Istio ${ISTIO_VERSION} (demo profile)`;
      report(current);
      const operatorFile = path.join(workDir, "istio-operator.yaml");
      await writeFile(operatorFile, istioOperatorConfig());
      await runChecked(this.runner, "istioctl", ["install", "-y", "-f", operatorFile, "--kubeconfig", kubeconfigFile], { timeoutMs: 10 * 60_000 });

      current = "Waiting for istiod and the gateways";
      report(current);
      await this.waitForDeployments(kubeConfig, ISTIO_DEPLOYMENTS.map((d) => ({ ...d })));

      current = `Enabling sidecar injection in ${WORKLOAD_NAMESPACE}`;
      report(current);
      await kubeConfig.makeApiClient(CoreV1Api).patchNamespace(
        { name: WORKLOAD_NAMESPACE, body: { metadata: { labels: { "istio-injection": "enabled" } } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );

      current = "Deploying Bookinfo, sleep and fortio";
      report(current);
      for (const file of WORKLOAD_MANIFESTS) await applyObjects(kubeConfig, parseManifests(workloadManifest(file), file), WORKLOAD_NAMESPACE);

      current = "Waiting for the workloads and their sidecars";
      report(current);
      await this.waitForWorkloads(kubeConfig, WORKLOAD_NAMESPACE);

      report("Ready");
      return cluster;
    } catch (error) {
      if (clusterStarted) await this.delete(name).catch(() => undefined);
      throw error instanceof ProvisionError ? error : new ProvisionError(current, error);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  private async createWithRetries(name: string, configFile: string): Promise<void> {
    const attempts = Math.max(1, this.options.createAttempts ?? 2);
    for (let attempt = 1; ; attempt++) {
      try {
        await runChecked(this.runner, "kind", ["create", "cluster", "--name", name, "--config", configFile, "--wait", "180s"], { timeoutMs: 6 * 60_000 });
        return;
      } catch (error) {
        if (attempt >= attempts || !(error instanceof CommandFailedError)) throw error;
        await this.delete(name).catch(() => undefined);
        await this.sleep((this.options.backoffMs ?? 5_000) * 2 ** (attempt - 1));
      }
    }
  }

  /** `kind get kubeconfig --name <name>` (with --internal when configured). */
  async kubeconfig(name: string): Promise<string> {
    const args = ["get", "kubeconfig", "--name", name];
    if (this.options.internalKubeconfig) args.push("--internal");
    return (await runChecked(this.runner, "kind", args, { timeoutMs: 30_000 })).stdout;
  }

  private async poll<T>(what: string, look: () => Promise<{ done: true; value: T } | { done: false; waitingFor: string }>): Promise<T> {
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 10 * 60_000);
    let last = "";
    for (;;) {
      try {
        const seen = await look();
        if (seen.done) return seen.value;
        last = seen.waitingFor;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}: ${last}`);
      await this.sleep(this.options.pollMs ?? 2_000);
    }
  }

  private async waitForDeployments(kubeConfig: KubeConfig, deployments: { namespace: string; name: string }[]): Promise<void> {
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    await this.poll("Istio's Deployments", async () => {
      for (const d of deployments) {
        let deployment: V1Deployment;
        try {
          deployment = await apps.readNamespacedDeployment(d);
        } catch (error) {
          if (error instanceof ApiException && error.code === 404) return { done: false, waitingFor: `${d.namespace}/${d.name} does not exist` };
          throw error;
        }
        if (!deploymentAvailable(deployment)) return { done: false, waitingFor: `${d.namespace}/${d.name} is not Available yet` };
      }
      return { done: true, value: undefined };
    });
  }

  /** Every Deployment in the namespace Available, and each of its pods Running with all containers (and istio-proxy) ready. */
  private async waitForWorkloads(kubeConfig: KubeConfig, namespace: string): Promise<void> {
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await this.poll(`the workloads in ${namespace}`, async () => {
      for (const deployment of (await apps.listNamespacedDeployment({ namespace })).items) {
        if (!deploymentAvailable(deployment)) return { done: false, waitingFor: `deployment ${deployment.metadata?.name} is not Available yet` };
      }
      for (const pod of (await core.listNamespacedPod({ namespace })).items) {
        if (pod.metadata?.deletionTimestamp) continue;
        const name = pod.metadata?.name;
        const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []).filter((s) => s.name === "istio-proxy")];
        if (pod.status?.phase !== "Running") return { done: false, waitingFor: `pod ${name} is ${pod.status?.phase ?? "Pending"}` };
        if (!statuses.some((s) => s.name === "istio-proxy")) return { done: false, waitingFor: `pod ${name} has no istio-proxy sidecar (was it created before injection was enabled?)` };
        const waiting = statuses.find((s) => !s.ready);
        if (waiting) return { done: false, waitingFor: `container ${waiting.name} of pod ${name} is not ready${waiting.state?.waiting?.reason ? ` (${waiting.state.waiting.reason})` : ""}` };
      }
      return { done: true, value: undefined };
    });
  }

  async get(id: string): Promise<LabCluster | undefined> {
    if (!id.startsWith(CLUSTER_NAME_PREFIX)) return undefined;
    const result = await this.runner.run("kind", ["get", "kubeconfig", "--name", id, ...(this.options.internalKubeconfig ? ["--internal"] : [])], { timeoutMs: 30_000 });
    if (result.exitCode !== 0) return undefined;
    return this.fromKubeconfig(id, result.stdout);
  }

  /** `kind delete cluster` (deleting a cluster that does not exist is not an error). */
  async delete(id: string): Promise<void> {
    await runChecked(this.runner, "kind", ["delete", "cluster", "--name", id], { timeoutMs: 3 * 60_000 });
  }

  /** Our clusters (name prefix `ica-`), including ones whose nodes are stopped. */
  async list(): Promise<string[]> {
    const result = await runChecked(this.runner, "kind", ["get", "clusters"], { timeoutMs: 30_000 });
    return result.stdout
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith(CLUSTER_NAME_PREFIX))
      .sort();
  }
}
