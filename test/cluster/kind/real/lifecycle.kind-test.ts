// The real flow end to end on Docker: a kind cluster with Istio 1.26 and Bookinfo created into the warm pool with
// progress, claimed by a learner, graded on real Envoy (config_dump, syncz, probes), reconciled, and reaped.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyObjects, parseManifests } from "@/cluster/apply";
import type { LabCluster } from "@/cluster/driver";
import { ProcessCommandRunner } from "@/cluster/kind/commands";
import { KindDriver } from "@/cluster/kind/driver";
import { EnvironmentLifecycle, type EnvironmentStatus } from "@/cluster/lifecycle/lifecycle";
import { KubeconfigSealer } from "@/cluster/lifecycle/secrets";
import { gradeObjective } from "@/grader/grade";
import type { Database } from "@/prisma/database";
import { migratedMemoryDatabase } from "@/test/support/database";
import { reviewsRouteObjective, reviewsRoutedTo } from "@/test/support/bookinfo-networking";

const runner = new ProcessCommandRunner();
const driver = new KindDriver({ runner });
let db: Database;
let lifecycle: EnvironmentLifecycle;
let now = new Date();
let environment: EnvironmentStatus;
let cluster: LabCluster;
const progress: string[] = [];

beforeAll(async () => {
  db = await migratedMemoryDatabase();
  lifecycle = new EnvironmentLifecycle({
    prisma: db.prisma,
    drivers: { kind: driver },
    sealer: new KubeconfigSealer(randomBytes(32)),
    settings: { poolSize: { embedded: 0, kind: 1 }, ttlMs: 60 * 60_000, idleMs: 30 * 60_000, maxClusters: 2, maxParallelCreates: 1, provisionAttempts: 2, backoffMs: 10_000 },
    now: () => now,
  });
});

afterAll(async () => {
  await lifecycle.settled();
  for (const name of await driver.list()) if (name === environment?.clusterName) await driver.delete(name);
  await db.close();
});

describe("a real kind environment", () => {
  it("is created into the warm pool through every step", async () => {
    const [id] = await lifecycle.fillPool();
    lifecycle.subscribe(id!, (status) => progress.push(`${status.progressPct}% ${status.progressStep}`));
    await lifecycle.settled();
    const pooled = (await lifecycle.status(id!))!;
    expect(pooled.state, pooled.failureReason ?? "").toBe("READY");
    expect(progress).toContain("40% Installing Istio 1.26.2 (demo profile)");
    expect(await driver.list()).toContain(pooled.clusterName);
  });

  it("is claimed by a learner without creating anything", async () => {
    const user = await db.prisma.user.create({ data: { email: "kind@example.com", name: "Kind", passwordHash: "-" } });
    const before = (await driver.list()).length;
    environment = await lifecycle.request(user.id, "kind");
    expect(environment.state).toBe("READY");
    expect((await driver.list()).length).toBe(before);
    cluster = await lifecycle.connect(environment.id);
  });

  it("reads real Envoy config, stats and proxy status", async () => {
    const rows = await cluster.proxyStatus();
    expect(rows.some((r) => r.proxy.name.startsWith("productpage-v1-") && r.cds === "SYNCED")).toBe(true);
    const pods = rows.filter((r) => r.proxy.namespace === "default");
    const productpage = pods.find((r) => r.proxy.name.startsWith("productpage-v1-"))!.proxy;
    const dump = (await cluster.configDump(productpage, { includeEds: true })) as { configs: { "@type": string }[] };
    expect(dump.configs.map((c) => c["@type"])).toContain("type.googleapis.com/envoy.admin.v3.ClustersConfigDump");
    expect(await cluster.proxyStats(productpage)).toMatch(/^cluster_manager\.cds\.update_success: \d+$/m);
  });

  it("sends traffic from sleep (curl) and fortio, with Envoy's view of each response", async () => {
    const fromSleep = await cluster.probe({ from: { namespace: "default", app: "sleep" }, url: "http://reviews:9080/reviews/0", requests: 6, concurrency: 2 });
    expect(fromSleep.responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(fromSleep.responses.every((r) => r.upstreamCluster === "outbound|9080||reviews.default.svc.cluster.local")).toBe(true);
    expect(fromSleep.responses.every((r) => /^reviews-v[123]-/.test(r.upstreamPod ?? ""))).toBe(true);
    const fromFortio = await cluster.probe({ from: { namespace: "default", app: "fortio" }, url: "http://productpage:9080/productpage", requests: 10, concurrency: 2 });
    expect(fromFortio.responses.filter((r) => r.status === 200)).toHaveLength(10);
  });

  it("grades an objective: pass when reviews goes to v1, fail when v3 is asked for", async () => {
    await applyObjects(
      cluster.kubeConfig(),
      parseManifests(reviewsRoutedTo("v1")),
    );
    const spec = (subset: string) => reviewsRouteObjective(subset);
    const pass = await gradeObjective(cluster, spec("v1"), { syncTimeoutMs: 60_000 });
    expect(pass.status, JSON.stringify(pass.findings, null, 2)).toBe("pass");
    expect((await gradeObjective(cluster, spec("v3"), { syncTimeoutMs: 60_000 })).status).toBe("fail");
  });

  it("is adopted by reconciliation, and deleted by the reaper once idle", async () => {
    const report = await lifecycle.reconcile();
    expect(report.adopted).toContain(environment.clusterName);
    now = new Date(now.getTime() + 31 * 60_000);
    const reaped = await lifecycle.reap();
    expect(reaped.map((r) => r.clusterName)).toContain(environment.clusterName);
    expect(await driver.list()).not.toContain(environment.clusterName);
  });
});
