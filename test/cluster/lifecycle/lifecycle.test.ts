// The learner-cluster lifecycle end to end without Docker: kind driver over a recording fake host whose clusters
// are embedded ones; create with progress, pool claims, grading, reaper, caps, failures and crash recovery.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applyObjects, parseManifests } from "@/cluster/apply";
import { EmbeddedDriver } from "@/cluster/embedded/driver";
import { KIND_PROVISION_STEPS } from "@/cluster/kind/driver";
import { EnvironmentError, type EnvironmentStatus } from "@/cluster/lifecycle/lifecycle";
import { gradeObjective } from "@/grader/grade";
import type { Database } from "@/prisma/database";
import { sharedDatabase, world, type World } from "./support";
import { reviewsRouteObjective, reviewsRoutedTo } from "@/test/support/bookinfo-networking";

let db: Database;
let w: World;
beforeAll(async () => {
  db = await sharedDatabase();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  w = await world(db);
});
afterEach(async () => {
  await w.close();
});

const reviewsToV1 = reviewsRoutedTo("v1");
const routeToSubset = (subset: string) => reviewsRouteObjective(subset);

const istioInstallFailure = {
  when: (c: { program: string; args: string[] }) => c.program === "istioctl" && c.args[0] === "install",
  result: { stdout: "", stderr: "✘ Ingress gateways encountered an error: failed to wait for resource: resources not ready after 5m0s: context deadline exceeded\nError: failed to install manifests\n", exitCode: 1 },
};

describe("creating a kind environment", () => {
  it("goes requested → provisioning → ready through every named step, and seals the kubeconfig", async () => {
    const lifecycle = w.lifecycle();
    const learner = await w.user("ada@example.com");
    const requested = await lifecycle.request(learner, "kind");
    expect(requested.state).toBe("REQUESTED");
    expect(requested).not.toHaveProperty("kubeconfigSealed");
    const seen: EnvironmentStatus[] = [];
    lifecycle.subscribe(requested.id, (status) => seen.push(status));
    await lifecycle.settled();

    const ready = (await lifecycle.status(requested.id))!;
    expect(ready).toMatchObject({ state: "READY", progressPct: 100, progressStep: "Ready", ownerId: learner, driver: "kind" });
    expect(Date.parse(ready.expiresAt!) - Date.parse(ready.readyAt!)).toBe(4 * 60 * 60_000);
    const steps = [...new Set(seen.map((s) => s.progressStep))];
    expect(steps).toEqual(["Starting", ...KIND_PROVISION_STEPS.map((s) => s.step).filter((step) => step !== "Ready"), "Ready"]);
    const percents = seen.map((s) => s.progressPct);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));

    const row = await w.db.prisma.clusterEnvironment.findUniqueOrThrow({ where: { id: requested.id } });
    expect(row.kubeconfigSealed).toMatch(/^v1:/);
    expect(row.kubeconfigSealed).not.toContain("server:");
    expect(w.sealer.open(row.kubeconfigSealed!)).toContain(`clusters`);
    expect(w.host.lines()).toContain(`kind create cluster --name ${ready.clusterName} --config <file> --wait 180s`);
  });

  it("hands the learner the same environment while one is active", async () => {
    const lifecycle = w.lifecycle();
    const learner = await w.user("bo@example.com");
    const first = await lifecycle.request(learner, "kind");
    const again = await lifecycle.request(learner, "kind");
    expect(again.id).toBe(first.id);
    await lifecycle.settled();
    expect(w.host.lines().filter((l) => l.startsWith("kind create")).length).toBe(1);
  });

  it("grades objectives on the resulting cluster: pass when the route is right, fail when it is not", async () => {
    const lifecycle = w.lifecycle();
    const learner = await w.user("cy@example.com");
    const { id } = await lifecycle.request(learner, "kind");
    await lifecycle.settled();
    const cluster = await lifecycle.connect(id);
    await applyObjects(cluster.kubeConfig(), parseManifests(reviewsToV1));

    const pass = await gradeObjective(cluster, routeToSubset("v1"));
    expect(pass.status).toBe("pass");
    const fail = await gradeObjective(cluster, routeToSubset("v3"));
    expect(fail.status).toBe("fail");
  });

  it("refuses to connect to an environment that is not ready yet", async () => {
    const lifecycle = w.lifecycle();
    const { id } = await lifecycle.request(await w.user("dee@example.com"), "kind");
    await expect(lifecycle.connect(id)).rejects.toMatchObject({ code: "not_ready" });
    await lifecycle.settled();
  });
});

describe("the warm pool", () => {
  it("keeps ready clusters, hands one out without creating, and refills", async () => {
    const lifecycle = w.lifecycle({ poolSize: { embedded: 0, kind: 1 } });
    await lifecycle.fillPool();
    await lifecycle.settled();
    const pooled = await lifecycle.list();
    expect(pooled).toHaveLength(1);
    expect(pooled[0]).toMatchObject({ state: "READY", ownerId: null, expiresAt: null });

    const createsBefore = w.host.lines().filter((l) => l.startsWith("kind create")).length;
    const learner = await w.user("eve@example.com");
    const claimed = await lifecycle.request(learner, "kind");
    expect(claimed).toMatchObject({ id: pooled[0]!.id, state: "READY", ownerId: learner });
    expect(Date.parse(claimed.expiresAt!) - w.clock.current.getTime()).toBe(4 * 60 * 60_000);
    expect(w.host.lines().filter((l) => l.startsWith("kind create")).length).toBe(createsBefore);

    await lifecycle.settled();
    const after = await lifecycle.list();
    expect(after.filter((e) => e.ownerId === null && e.state === "READY")).toHaveLength(1);
    expect(w.host.lines().filter((l) => l.startsWith("kind create")).length).toBe(createsBefore + 1);
  });

  it("never hands one pooled cluster to two learners", async () => {
    const lifecycle = w.lifecycle({ poolSize: { embedded: 0, kind: 1 } });
    await lifecycle.fillPool();
    await lifecycle.settled();
    const [a, b] = await Promise.all([lifecycle.request(await w.user("f1@example.com"), "kind"), lifecycle.request(await w.user("f2@example.com"), "kind")]);
    expect(a.id).not.toBe(b.id);
    expect([a.state, b.state].sort()).toEqual(["READY", "REQUESTED"]);
    await lifecycle.settled();
  });
});

describe("limits", () => {
  it("caps live clusters and says so", async () => {
    const lifecycle = w.lifecycle({ maxClusters: 1 });
    await lifecycle.request(await w.user("g1@example.com"), "kind");
    const refused = lifecycle.request(await w.user("g2@example.com"), "kind");
    await expect(refused).rejects.toBeInstanceOf(EnvironmentError);
    await expect(refused).rejects.toMatchObject({ code: "capacity", message: expect.stringContaining("All 1 cluster slots") });
    await lifecycle.settled();
  });

  it("creates at most maxParallelCreates clusters at once; the others wait their turn", async () => {
    const lifecycle = w.lifecycle({ maxParallelCreates: 1 });
    const first = await lifecycle.request(await w.user("h1@example.com"), "kind");
    const second = await lifecycle.request(await w.user("h2@example.com"), "kind");
    expect((await lifecycle.status(second.id))!.progressStep).toBe("Waiting for a free creation slot");
    await lifecycle.settled();
    const lines = w.host.lines();
    const firstDone = lines.findIndex((l) => l.startsWith("istioctl install"));
    const secondCreate = lines.findIndex((l) => l.startsWith(`kind create cluster --name ${second.clusterName}`));
    expect(lines.findIndex((l) => l.startsWith(`kind create cluster --name ${first.clusterName}`))).toBeLessThan(firstDone);
    expect(secondCreate).toBeGreaterThan(firstDone);
  });

  it("rejects a kind request on a host without kind and istioctl, naming both and how to install them", async () => {
    w.host.installed = new Set(["docker"]);
    const lifecycle = w.lifecycle();
    const refused = lifecycle.request(await w.user("i@example.com"), "kind");
    await expect(refused).rejects.toMatchObject({ code: "driver_unavailable" });
    await expect(refused).rejects.toThrow(/kind is not installed[\s\S]*kind\.sigs\.k8s\.io\/dl\/v0\.27\.0[\s\S]*istioctl is not installed[\s\S]*downloadIstio/);
    expect(await lifecycle.list({ includeFinished: true })).toEqual([]);
  });
});

describe("failures", () => {
  it("a failure mid-install is retried with backoff, then recorded with its step; the half-made cluster is deleted", async () => {
    w.host.failures.push({ ...istioInstallFailure, times: 2 });
    const lifecycle = w.lifecycle({ provisionAttempts: 2, backoffMs: 1500 });
    const seen: EnvironmentStatus[] = [];
    const { id, clusterName } = await lifecycle.request(await w.user("jo@example.com"), "kind");
    lifecycle.subscribe(id, (s) => seen.push(s));
    await lifecycle.settled();

    const failed = (await lifecycle.status(id))!;
    expect(failed.state).toBe("FAILED");
    expect(failed.failureReason).toMatch(/^Installing Istio 1\.26\.2 \(demo profile\) failed: istioctl install .* exited with 1: .*resources not ready after 5m0s/s);
    expect(failed.failedAt).not.toBeNull();
    expect(seen.some((s) => s.progressStep?.startsWith("Retrying (attempt 2 of 2) after: Installing Istio"))).toBe(true);
    expect(w.sleeps).toContain(1500);
    expect(w.host.lines().filter((l) => l === `kind delete cluster --name ${clusterName}`).length).toBeGreaterThanOrEqual(2);
    expect(await w.embedded.list()).toEqual([]);
  });

  it("a transient failure is retried and the environment becomes ready", async () => {
    w.host.failures.push({ ...istioInstallFailure, times: 1 });
    const lifecycle = w.lifecycle({ provisionAttempts: 2 });
    const { id, clusterName } = await lifecycle.request(await w.user("kai@example.com"), "kind");
    await lifecycle.settled();
    expect((await lifecycle.status(id))!.state).toBe("READY");
    expect(await w.embedded.list()).toEqual([clusterName]);
  });
});

describe("the reaper", () => {
  it("deletes clusters idle too long and clusters past their TTL, and leaves the rest", async () => {
    const lifecycle = w.lifecycle({ idleMs: 30 * 60_000, ttlMs: 2 * 60 * 60_000 });
    const idle = await lifecycle.request(await w.user("lee@example.com"), "kind");
    const busy = await lifecycle.request(await w.user("max@example.com"), "kind");
    await lifecycle.settled();

    w.clock.advance(20 * 60_000);
    await lifecycle.touch(busy.id);
    expect(await lifecycle.reap()).toEqual([]);
    w.clock.advance(15 * 60_000);
    expect(await lifecycle.reap()).toEqual([{ id: idle.id, clusterName: idle.clusterName, reason: "idle" }]);
    expect((await lifecycle.status(idle.id))!.state).toBe("DELETED");
    expect(await w.embedded.list()).toEqual([busy.clusterName]);

    w.clock.advance(2 * 60 * 60_000);
    await lifecycle.touch(busy.id);
    expect(await lifecycle.reap()).toEqual([{ id: busy.id, clusterName: busy.clusterName, reason: "expired" }]);
    expect(await w.embedded.list()).toEqual([]);
  });

  it("does not reap unclaimed pool clusters", async () => {
    const lifecycle = w.lifecycle({ poolSize: { embedded: 0, kind: 1 }, idleMs: 60_000 });
    await lifecycle.fillPool();
    await lifecycle.settled();
    w.clock.advance(24 * 60 * 60_000);
    expect(await lifecycle.reap()).toEqual([]);
  });
});

describe("releasing", () => {
  it("deletes a ready cluster", async () => {
    const lifecycle = w.lifecycle();
    const { id, clusterName } = await lifecycle.request(await w.user("ned@example.com"), "kind");
    await lifecycle.settled();
    expect((await lifecycle.release(id)).state).toBe("EXPIRING");
    await lifecycle.settled();
    expect(await lifecycle.status(id)).toMatchObject({ state: "DELETED" });
    expect(w.host.lines()).toContain(`kind delete cluster --name ${clusterName}`);
    const row = await w.db.prisma.clusterEnvironment.findUniqueOrThrow({ where: { id } });
    expect(row.kubeconfigSealed).toBeNull();
  });

  it("deletes a cluster released while it was still being created, once creation ends", async () => {
    const lifecycle = w.lifecycle();
    const { id } = await lifecycle.request(await w.user("ola@example.com"), "kind");
    await lifecycle.release(id);
    await lifecycle.settled();
    expect((await lifecycle.status(id))!.state).toBe("DELETED");
    expect(await w.embedded.list()).toEqual([]);
  });
});

describe("reconciliation after a crash", () => {
  it("fails interrupted creations, adopts live clusters, finishes deletions, and deletes orphans", async () => {
    const before = w.lifecycle();
    const survivor = await before.request(await w.user("pat@example.com"), "kind");
    const vanished = await before.request(await w.user("quinn@example.com"), "kind");
    await before.settled();

    // The crash: a creation stopped half-way, a deletion stopped half-way, a cluster removed behind our back,
    // and a cluster with our prefix that no row knows about.
    const interruptedUser = await w.user("ray@example.com");
    await w.host.run("kind", ["create", "cluster", "--name", "ica-halfway"]);
    const interrupted = await w.db.prisma.clusterEnvironment.create({
      data: { driver: "KIND", userId: interruptedUser, clusterName: "ica-halfway", state: "PROVISIONING", progressStep: "Installing Istio 1.26.2 (demo profile)", progressPct: 40 },
    });
    await w.host.run("kind", ["create", "cluster", "--name", "ica-leaving"]);
    await w.db.prisma.clusterEnvironment.create({ data: { driver: "KIND", clusterName: "ica-leaving", state: "EXPIRING" } });
    await w.embedded.delete(vanished.clusterName);
    await w.host.run("kind", ["create", "cluster", "--name", "ica-orphan"]);
    await w.embedded.create({ name: "someone-elses" });

    const after = w.lifecycle();
    const report = await after.reconcile();
    expect(report).toEqual({
      adopted: [survivor.clusterName],
      restored: [],
      failed: expect.arrayContaining(["ica-halfway", vanished.clusterName]),
      orphansDeleted: ["ica-orphan"],
      deletionsFinished: ["ica-leaving"],
    });
    expect(report.failed).toHaveLength(2);
    expect((await after.status(interrupted.id))!.failureReason).toContain('the server stopped during "Installing Istio 1.26.2 (demo profile)"');
    expect((await after.status(vanished.id))!.failureReason).toContain("no longer exists");
    expect((await w.embedded.list()).sort()).toEqual([survivor.clusterName, "someone-elses"].sort());
    const cluster = await after.connect(survivor.id);
    expect((await gradeObjective(cluster, routeToSubset("v1"))).status).toBe("fail");
  });
});

describe("the embedded driver under the same lifecycle", () => {
  it("creates, and after a restart brings the cluster back from its snapshot", async () => {
    const first = new EmbeddedDriver();
    const lifecycle = w.lifecycle({}, { embedded: first });
    const learner = await w.user("sam@example.com");
    const { id } = await lifecycle.request(learner, "embedded");
    await lifecycle.settled();
    expect((await lifecycle.status(id))!.state).toBe("READY");
    await applyObjects((await lifecycle.connect(id)).kubeConfig(), parseManifests(reviewsToV1));
    await first.close();

    const restarted = new EmbeddedDriver();
    try {
      const again = w.lifecycle({}, { embedded: restarted });
      const report = await again.reconcile();
      expect(report.restored).toHaveLength(1);
      const cluster = await again.connect(id);
      expect((await gradeObjective(cluster, routeToSubset("v1"))).status).toBe("fail");
    } finally {
      await restarted.close();
    }
  });
});

describe("the runner split (web queues, runner provisions)", () => {
  it("the web only queues kind requests; the runner creates them; the web connects through the sealed kubeconfig", async () => {
    const webQueued = w.lifecycle({}, undefined, ["kind"]);
    const runnerHost = w.host;
    const runner = w.lifecycle();

    const learner = await w.user("uma@example.com");
    const queued = await webQueued.request(learner, "kind");
    await webQueued.settled();
    expect((await webQueued.status(queued.id))!.state).toBe("REQUESTED");
    expect(runnerHost.lines()).toEqual([]);

    expect(await runner.provisionQueued()).toEqual({ creating: [queued.clusterName], deleting: [] });
    await runner.settled();
    expect((await webQueued.status(queued.id))!.state).toBe("READY");

    const cluster = await webQueued.connect(queued.id);
    await applyObjects(cluster.kubeConfig(), parseManifests(reviewsToV1));
    expect((await gradeObjective(cluster, routeToSubset("v1"))).status).toBe("pass");

    expect((await webQueued.release(queued.id)).state).toBe("EXPIRING");
    await webQueued.settled();
    expect(runnerHost.lines().filter((l) => l.startsWith("kind delete"))).toEqual([]);
    expect(await runner.provisionQueued()).toEqual({ creating: [], deleting: [queued.clusterName] });
    await runner.settled();
    expect((await runner.status(queued.id))!.state).toBe("DELETED");
    expect(await w.embedded.list()).toEqual([]);
  });

  it("a request still queued when the server stopped is created after the restart, not failed", async () => {
    const learner = await w.user("vic@example.com");
    const row = await w.db.prisma.clusterEnvironment.create({ data: { driver: "KIND", userId: learner, clusterName: "ica-queued", state: "REQUESTED", progressStep: "Waiting for a free creation slot" } });
    const restarted = w.lifecycle();
    const report = await restarted.reconcile();
    expect(report.failed).toEqual([]);
    await restarted.provisionQueued();
    await restarted.settled();
    expect((await restarted.status(row.id))!.state).toBe("READY");
  });

  it("releasing a request nobody has started deletes it at once", async () => {
    const queuedOnly = w.lifecycle({}, undefined, ["kind"]);
    const { id } = await queuedOnly.request(await w.user("wen@example.com"), "kind");
    expect((await queuedOnly.release(id)).state).toBe("DELETED");
  });
});

