// The kind driver on a fake Docker host: what it asks kind and istioctl to do (pinned images, unique names, no
// fixed host ports), what it installs through the API, retries and cleanup, listing, and preflight messages.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { parse } from "yaml";
import { parseManifests } from "@/cluster/apply";
import { EmbeddedDriver } from "@/cluster/embedded/driver";
import { KIND_NODE_IMAGE, validateClusterName, WORKLOAD_MANIFESTS, workloadManifest } from "@/cluster/kind/config";
import { ProvisionError } from "@/cluster/kind/driver";
import { formatPreflight, PreflightError, runPreflight } from "@/cluster/kind/preflight";
import { FakeKindHost } from "./fake-host";

const embedded = new EmbeddedDriver();
afterAll(() => embedded.close());
let host: FakeKindHost;
beforeEach(async () => {
  for (const name of await embedded.list()) await embedded.delete(name);
  host = new FakeKindHost(embedded);
});

describe("creating a cluster", () => {
  it("asks kind for a uniquely named cluster from the pinned node image, API on loopback, no fixed host port", async () => {
    const cluster = await host.driver().create({ name: "ica-ada-1" });
    expect(cluster.id).toBe("ica-ada-1");
    const create = host.commands.find((c) => c.program === "kind" && c.args[0] === "create")!;
    expect(create.args).toEqual(["create", "cluster", "--name", "ica-ada-1", "--config", expect.any(String), "--wait", "180s"]);
    const config = parse(create.files["--config"]!) as { name: string; networking: unknown; nodes: { image: string; extraPortMappings: unknown[] }[] };
    expect(config.name).toBe("ica-ada-1");
    expect(config.networking).toEqual({ apiServerAddress: "127.0.0.1" });
    expect(config.nodes[0]!.image).toBe(KIND_NODE_IMAGE);
    expect(KIND_NODE_IMAGE).toMatch(/^kindest\/node:v1\.32\.\d+@sha256:[0-9a-f]{64}$/);
    expect(config.nodes[0]!.extraPortMappings).toEqual([{ containerPort: 30080, hostPort: 0, listenAddress: "127.0.0.1", protocol: "TCP" }]);
  });

  it("installs Istio's demo profile with a NodePort ingress through istioctl and the cluster's own kubeconfig", async () => {
    await host.driver().create({ name: "ica-bo-2" });
    const install = host.commands.find((c) => c.program === "istioctl" && c.args[0] === "install")!;
    expect(install.files["--kubeconfig"]).toBe((await embedded.get("ica-bo-2"))!.kubeconfigYaml());
    const operator = parse(install.files["-f"]!) as { spec: { profile: string; components: { ingressGateways: { k8s: { service: { type: string; ports: { nodePort?: number }[] } } }[] } } };
    expect(operator.spec.profile).toBe("demo");
    const service = operator.spec.components.ingressGateways[0]!.k8s.service;
    expect(service.type).toBe("NodePort");
    expect(service.ports.some((p) => p.nodePort === 30080)).toBe(true);
  });

  it("labels default for injection and deploys Bookinfo, the sample DestinationRules and Gateway, sleep and fortio", async () => {
    const cluster = await host.driver().create({ name: "ica-cy-3" });
    const kc = cluster.kubeConfig();
    const ns = await kc.makeApiClient(CoreV1Api).readNamespace({ name: "default" });
    expect(ns.metadata?.labels?.["istio-injection"]).toBe("enabled");
    const deployments = (await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: "default" })).items.map((d) => d.metadata!.name).sort();
    expect(deployments).toEqual(["details-v1", "fortio-deploy", "productpage-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3", "sleep"]);
  });

  it("pins every workload image to a tag and uses IfNotPresent, so preloaded images are used", () => {
    const containers = WORKLOAD_MANIFESTS.flatMap((file) => parseManifests(workloadManifest(file), file))
      .filter((o) => o.kind === "Deployment")
      .flatMap((o) => (o as unknown as { spec: { template: { spec: { containers: { image: string; imagePullPolicy: string }[] } } } }).spec.template.spec.containers);
    expect(containers).toHaveLength(8);
    for (const c of containers) {
      expect(c.image).toMatch(/:[0-9][\w.-]*$/);
      expect(c.image).not.toMatch(/latest/);
      expect(c.imagePullPolicy).toBe("IfNotPresent");
    }
  });

  it("reports progress through named steps", async () => {
    const steps: string[] = [];
    await host.driver().create({ name: "ica-dee-4", onProgress: (p) => steps.push(`${p.percent}% ${p.step}`) });
    expect(steps[0]).toBe("0% Checking Docker, kind and istioctl");
    expect(steps.at(-1)).toBe("100% Ready");
    expect(steps).toHaveLength(9);
  });

  it("retries `kind create` after deleting the half-made cluster", async () => {
    host.failures.push({ when: (c) => c.program === "kind" && c.args[0] === "create", result: { stdout: "", stderr: 'ERROR: failed to create cluster: could not find a log line that matches "Reached target .*Multi-User System.*"\n', exitCode: 1 } });
    const sleeps: number[] = [];
    await host.driver({ backoffMs: 2000, sleep: async (ms) => void sleeps.push(ms) }).create({ name: "ica-eve-5" });
    const kindLines = host.lines().filter((l) => l.startsWith("kind create") || l.startsWith("kind delete"));
    expect(kindLines).toEqual(["kind create cluster --name ica-eve-5 --config <file> --wait 180s", "kind delete cluster --name ica-eve-5", "kind create cluster --name ica-eve-5 --config <file> --wait 180s"]);
    expect(sleeps).toContain(2000);
  });

  it("names the failed step and deletes the cluster when a step fails", async () => {
    host.failures.push({ when: (c) => c.program === "istioctl" && c.args[0] === "install", result: { stdout: "", stderr: "Error: failed to install manifests: resources not ready after 5m0s\n", exitCode: 1 } });
    const attempt = host.driver().create({ name: "ica-fay-6" });
    await expect(attempt).rejects.toBeInstanceOf(ProvisionError);
    await expect(attempt).rejects.toMatchObject({ step: "Installing Istio 1.26.2 (demo profile)" });
    expect(host.lines().at(-1)).toBe("kind delete cluster --name ica-fay-6");
    expect(await embedded.list()).toEqual([]);
  });

  it("names the step when Istio never becomes Available", async () => {
    host.failures.push({
      when: (c) => c.program === "istioctl" && c.args[0] === "install",
      result: { stdout: "", stderr: "", exitCode: 0 },
    });
    const driver = host.driver({ readyTimeoutMs: 0 });
    const original = host.run.bind(host);
    host.run = async (program, args, options) => {
      const result = await original(program, args, options);
      if (program === "kind" && args[0] === "get" && args[1] === "kubeconfig") {
        const cluster = (await embedded.get(args[3]!))!;
        await cluster.kubeConfig().makeApiClient(AppsV1Api).deleteNamespacedDeployment({ name: "istio-egressgateway", namespace: "istio-system" });
      }
      return result;
    };
    const attempt = driver.create({ name: "ica-gus-7" });
    await expect(attempt).rejects.toMatchObject({ step: "Waiting for istiod and the gateways" });
    await expect(attempt).rejects.toThrow(/timed out waiting for Istio's Deployments: istio-system\/istio-egressgateway does not exist/);
    expect(await embedded.list()).toEqual([]);
  });

  it("refuses names kind or reconciliation could not handle", () => {
    expect(() => validateClusterName("learner-1")).toThrow(/must start with "ica-"/);
    expect(() => validateClusterName(`ica-${"x".repeat(50)}`)).toThrow(/longer than 50/);
    expect(() => validateClusterName("ica-Ada")).toThrow(/lowercase/);
  });
});

describe("finding clusters", () => {
  it("lists only our clusters, gets one by name, and deletes idempotently", async () => {
    const driver = host.driver();
    await driver.create({ name: "ica-hal-8" });
    await embedded.create({ name: "someone-else" });
    expect(await driver.list()).toEqual(["ica-hal-8"]);
    expect((await driver.get("ica-hal-8"))?.id).toBe("ica-hal-8");
    expect(await driver.get("ica-missing")).toBeUndefined();
    expect(await driver.get("someone-else")).toBeUndefined();
    await driver.delete("ica-hal-8");
    await driver.delete("ica-hal-8");
    expect(await driver.list()).toEqual([]);
  });
});

describe("preflight", () => {
  const limits = (watches: string, instances: string) => async (file: string) => (file.endsWith("max_user_watches") ? watches : instances);

  it("passes on a host with docker, kind, istioctl 1.26 and raised inotify limits", async () => {
    const report = await runPreflight(host, { readTextFile: limits("524288", "512") });
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => `${c.name}:${c.severity}`)).toEqual(["docker:ok", "docker-daemon:ok", "kind:ok", "istioctl:ok", "inotify:ok"]);
  });

  it("names every missing tool with how to install it", async () => {
    host.installed = new Set();
    const report = await runPreflight(host, { readTextFile: limits("524288", "512") });
    expect(report.ok).toBe(false);
    const text = new PreflightError(report).message;
    expect(text).toContain("(3 missing)");
    expect(text).toMatch(/✘ docker: docker is not installed[\s\S]*fix: Install Docker Engine/);
    expect(text).toMatch(/✘ kind: kind is not installed[\s\S]*fix: Install kind v0\.27\.0/);
    expect(text).toMatch(/✘ istioctl: istioctl is not installed[\s\S]*ISTIO_VERSION=1\.26\.2/);
  });

  it("tells a daemon that is down from a CLI that is missing", async () => {
    host.daemonRunning = false;
    const report = await runPreflight(host, { readTextFile: limits("524288", "512") });
    const daemon = report.checks.find((c) => c.name === "docker-daemon")!;
    expect(daemon.severity).toBe("error");
    expect(daemon.detail).toContain("Cannot connect to the Docker daemon");
    expect(daemon.fix).toContain("/var/run/docker.sock");
  });

  it("refuses an istioctl from another Istio release", async () => {
    host.istioctlVersion = "1.28.0";
    const report = await runPreflight(host, { readTextFile: limits("524288", "512") });
    expect(report.checks.find((c) => c.name === "istioctl")).toMatchObject({ severity: "error", detail: expect.stringContaining("istioctl 1.28.0") });
  });

  it("warns (without blocking) about low inotify limits, with the sysctl to fix them", async () => {
    const report = await runPreflight(host, { readTextFile: limits("8192", "128") });
    expect(report.ok).toBe(true);
    const inotify = report.checks.find((c) => c.name === "inotify")!;
    expect(inotify.severity).toBe("warning");
    expect(inotify.fix).toContain("sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512");
    expect(formatPreflight(report)).toContain("! inotify: fs.inotify.max_user_watches=8192");
  });

  it("stops create before touching kind when something is missing", async () => {
    host.installed = new Set(["docker"]);
    const attempt = host.driver().create({ name: "ica-ivy-9" });
    await expect(attempt).rejects.toBeInstanceOf(PreflightError);
    await expect(attempt).rejects.toThrow(/the kind driver cannot create clusters on this machine \(2 missing\)/);
    expect(host.lines().some((l) => l.startsWith("kind create"))).toBe(false);
  });
});
