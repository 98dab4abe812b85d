// Server-side lab sessions: one embedded cluster per learner and lab, prepared with the lab's setup, snapshotted to
// ClusterEnvironment.snapshot after every change (a restart restores it), with the learner's shell, YAML apply,
// objective checks stored as GradeRun/ObjectiveResult, traffic samples for the service graph, and reset.
// Every function takes the signed-in user's id: sessions are looked up by (user, lab), so nobody reaches another's.
import { randomBytes } from "node:crypto";
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Finding } from "@/grader/check";
import type { Lab } from "@/labs/schema";
import { Prisma, type PrismaClient } from "@/prisma/generated/client/client";
import { AppError } from "../errors";
import { labRegistry, serialised, type LiveEnvironment, type TrafficSample } from "./registry";
import type { ApplyResultView, EnvironmentView, LabSessionView, ObjectiveResultView, ObjectiveView, ShellResultView } from "./types";

/** Longest script the shell accepts from the browser, and the longest output it returns. */
export const maxScriptBytes = 32 * 1024;
const maxOutputChars = 200_000;

type SessionWithEnvironment = Prisma.LabSessionGetPayload<{ include: { environment: true } }>;

function asJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

function clip(text: string): string {
  return text.length > maxOutputChars ? `${text.slice(0, maxOutputChars)}\n… output cut at ${maxOutputChars} characters\n` : text;
}

/** The learner's active session for a lab, creating it (and its environment record) when there is none. */
export async function openLabSession(prisma: PrismaClient, userId: string, lab: Lab): Promise<SessionWithEnvironment> {
  const existing = await prisma.labSession.findFirst({
    where: { userId, labId: lab.id, state: { not: "ABANDONED" }, environment: { state: { notIn: ["DELETED"] } } },
    include: { environment: true },
    orderBy: { startedAt: "desc" },
  });
  if (existing?.environment) return existing;
  const environment = await prisma.clusterEnvironment.create({
    data: { userId, driver: "EMBEDDED", state: "REQUESTED", clusterName: `lab-${randomBytes(6).toString("hex")}`, progressStep: "Waiting to start", progressPct: 0 },
  });
  return prisma.labSession.create({ data: { userId, labId: lab.id, environmentId: environment.id }, include: { environment: true } });
}

/** The learner's active session for a lab, or null when they never opened it (or reset it and have not reopened). */
export async function findLabSession(prisma: PrismaClient, userId: string, labId: string): Promise<SessionWithEnvironment | null> {
  return prisma.labSession.findFirst({
    where: { userId, labId, state: { not: "ABANDONED" }, environment: { state: { notIn: ["DELETED"] } } },
    include: { environment: true },
    orderBy: { startedAt: "desc" },
  });
}

async function progress(prisma: PrismaClient, environmentId: string, data: Prisma.ClusterEnvironmentUpdateInput): Promise<void> {
  await prisma.clusterEnvironment.update({ where: { id: environmentId }, data });
}

/** Writes the cluster's state to the database unless it is unchanged since the last write. */
async function saveSnapshot(prisma: PrismaClient, live: LiveEnvironment): Promise<void> {
  const { driver } = labRegistry();
  const snapshot = JSON.stringify(driver.snapshot(live.cluster.id));
  if (snapshot === live.savedSnapshot) {
    await progress(prisma, live.environmentId, { lastUsedAt: new Date() });
    return;
  }
  await progress(prisma, live.environmentId, { snapshot: JSON.parse(snapshot) as Prisma.InputJsonValue, lastUsedAt: new Date() });
  live.savedSnapshot = snapshot;
}

/** Creates (or restores from its snapshot) the cluster of an environment, reporting progress in the database. */
async function prepare(prisma: PrismaClient, lab: Lab, environmentId: string): Promise<LiveEnvironment> {
  const registry = labRegistry();
  const { driver, toolkit } = registry;
  const row = await prisma.clusterEnvironment.findUniqueOrThrow({ where: { id: environmentId } });
  try {
    let cluster = await driver.get(row.clusterName);
    let restored = false;
    if (!cluster && row.snapshot && row.state === "READY") {
      await progress(prisma, environmentId, { state: "PROVISIONING", progressStep: "Restoring your cluster", progressPct: 40 });
      cluster = await driver.restore(row.snapshot);
      restored = true;
    }
    if (!cluster) {
      await progress(prisma, environmentId, { state: "PROVISIONING", progressStep: "Starting the embedded cluster (Kubernetes API, istiod, Bookinfo)", progressPct: 15 });
      cluster = await driver.create({ name: row.clusterName });
      await progress(prisma, environmentId, { progressStep: "Applying the lab's setup", progressPct: 60 });
      await toolkit.runSteps(cluster, lab, lab.setup);
    }
    const live: LiveEnvironment = {
      environmentId,
      cluster,
      shell: toolkit.createLabShell(cluster, { namespace: "default" }),
      queue: Promise.resolve(),
      savedSnapshot: restored ? JSON.stringify(row.snapshot) : undefined,
    };
    registry.live.set(environmentId, live);
    await saveSnapshot(prisma, live);
    await progress(prisma, environmentId, { state: "READY", progressStep: restored ? "Restored" : "Ready", progressPct: 100, readyAt: new Date(), failureReason: null });
    return live;
  } catch (error) {
    console.error(`lab environment ${environmentId} failed to start`, error);
    await progress(prisma, environmentId, { state: "FAILED", failedAt: new Date(), failureReason: (error as Error).message.slice(0, 500), progressStep: "Failed" });
    throw new AppError("internal_error", "Your lab environment could not be started. Reset the lab to try again.");
  }
}

/** Starts preparing the environment if nobody has; resolves when it is live. */
export function liveEnvironment(prisma: PrismaClient, lab: Lab, environmentId: string): Promise<LiveEnvironment> {
  const registry = labRegistry();
  const live = registry.live.get(environmentId);
  if (live) return Promise.resolve(live);
  let pending = registry.preparing.get(environmentId);
  if (!pending) {
    pending = prepare(prisma, lab, environmentId).finally(() => registry.preparing.delete(environmentId));
    registry.preparing.set(environmentId, pending);
  }
  return pending;
}

/**
 * Drops live clusters whose environment was ended elsewhere (the environments lifecycle reaps idle clusters and
 * marks their rows deleted), so memory follows the database.
 */
async function forgetEndedEnvironments(prisma: PrismaClient): Promise<void> {
  const registry = labRegistry();
  if (registry.live.size === 0) return;
  const ended = await prisma.clusterEnvironment.findMany({
    where: { id: { in: [...registry.live.keys()] }, state: { in: ["EXPIRING", "DELETED", "FAILED"] } },
    select: { id: true },
  });
  for (const { id } of ended) {
    const live = registry.live.get(id);
    registry.live.delete(id);
    if (live) await serialised(live, () => registry.driver.delete(live.cluster.id));
  }
}

/** Opens the learner's session and its environment; the environment becomes live in the background. */
export async function startLabSession(prisma: PrismaClient, userId: string, lab: Lab): Promise<LabSessionView> {
  await forgetEndedEnvironments(prisma);
  const session = await openLabSession(prisma, userId, lab);
  const environment = session.environment!;
  if (environment.state !== "FAILED") {
    liveEnvironment(prisma, lab, environment.id).catch(() => undefined);
  }
  return sessionView(prisma, lab, (await findLabSession(prisma, userId, lab.id)) ?? session);
}

/** The session, ready to use; AppError when the learner has not started the lab or its environment failed. */
async function readySession(prisma: PrismaClient, userId: string, lab: Lab): Promise<{ session: SessionWithEnvironment; live: LiveEnvironment }> {
  const session = (await findLabSession(prisma, userId, lab.id)) ?? (await openLabSession(prisma, userId, lab));
  const environment = session.environment!;
  if (environment.state === "FAILED") throw new AppError("conflict", `Your lab environment failed: ${environment.failureReason ?? "unknown reason"}. Reset the lab.`);
  return { session, live: await liveEnvironment(prisma, lab, environment.id) };
}

function environmentView(row: NonNullable<SessionWithEnvironment["environment"]>): EnvironmentView {
  return { state: row.state, driver: row.driver, progressStep: row.progressStep, progressPct: row.progressPct, failureReason: row.failureReason };
}

interface StoredEvidence {
  checkId?: string;
  reason?: string;
  findings?: Finding[];
}

/** Reviews versions served, read from a check's probe evidence (only probes that name versions count). */
function trafficFromFindings(findings: readonly Finding[], at: Date): TrafficSample | undefined {
  for (const finding of findings) {
    const histogram = finding.probe?.histogram;
    if (histogram && Object.keys(histogram).some((label) => /^v\d+$/.test(label))) {
      return { source: "check", at: at.toISOString(), requests: finding.probe!.requests, histogram };
    }
  }
  return undefined;
}

/** Everything the workspace shows: environment, objectives with their latest results, last traffic. */
export async function sessionView(prisma: PrismaClient, lab: Lab, session: SessionWithEnvironment): Promise<LabSessionView> {
  const results = await prisma.objectiveResult.findMany({
    where: { gradeRun: { labSessionId: session.id } },
    orderBy: { createdAt: "desc" },
    include: { gradeRun: { select: { durationMs: true } } },
  });
  const latest = new Map<string, ObjectiveResultView>();
  let traffic: TrafficSample | undefined;
  for (const r of results) {
    const evidence = (r.evidence ?? {}) as StoredEvidence;
    traffic ??= trafficFromFindings(evidence.findings ?? [], r.createdAt);
    if (latest.has(r.objectiveId)) continue;
    latest.set(r.objectiveId, {
      objectiveId: r.objectiveId,
      status: r.status === "PASS" ? "pass" : r.status === "FAIL" ? "fail" : "error",
      checkedAt: r.createdAt.toISOString(),
      durationMs: r.gradeRun.durationMs,
      reason: evidence.reason,
      findings: evidence.findings ?? [],
    });
  }
  const liveTraffic = session.environment ? labRegistry().live.get(session.environment.id)?.lastTraffic : undefined;
  if (liveTraffic && (!traffic || liveTraffic.at > traffic.at)) traffic = liveTraffic;
  const objectives: ObjectiveView[] = lab.objectives.map((o) => {
    const result = latest.get(o.id);
    return { id: o.id, title: o.title, text: o.text, hint: o.hint, docsUrl: o.docsUrl, weight: o.weight, status: result?.status ?? "unchecked", result };
  });
  return {
    labId: lab.id,
    sessionId: session.id,
    startedAt: session.startedAt.toISOString(),
    environment: environmentView(session.environment!),
    objectives,
    traffic: traffic ?? null,
  };
}

/** The workspace view for the learner's current session, or null when they have none. */
export async function labStatus(prisma: PrismaClient, userId: string, lab: Lab): Promise<LabSessionView | null> {
  const session = await findLabSession(prisma, userId, lab.id);
  return session ? sessionView(prisma, lab, session) : null;
}

/** Runs a script in the learner's lab shell, then snapshots the cluster. */
export async function runInShell(prisma: PrismaClient, userId: string, lab: Lab, script: string): Promise<ShellResultView> {
  const { live } = await readySession(prisma, userId, lab);
  return serialised(live, async () => {
    const result = await live.shell.run(script);
    await saveSnapshot(prisma, live);
    return { stdout: clip(result.stdout), stderr: clip(result.stderr), exitCode: result.exitCode };
  });
}

/** Applies YAML from the editor (create or replace each object, like kubectl apply), then snapshots the cluster. */
export async function applyYaml(prisma: PrismaClient, userId: string, lab: Lab, yaml: string): Promise<ApplyResultView> {
  const { live } = await readySession(prisma, userId, lab);
  const { toolkit } = labRegistry();
  let objects: KubernetesObject[];
  try {
    objects = toolkit.parseManifests(yaml, "editor");
  } catch (error) {
    return { ok: false, output: [], error: (error as Error).message };
  }
  if (objects.length === 0) return { ok: false, output: [], error: "There is nothing to apply: the editor holds no objects." };
  return serialised(live, async () => {
    try {
      const output = await toolkit.applyObjects(live.cluster.kubeConfig(), objects);
      return { ok: true, output };
    } catch (error) {
      if (error instanceof toolkit.ManifestError) return { ok: false, output: [], error: `Error from server: ${error.message}` };
      throw error;
    } finally {
      await saveSnapshot(prisma, live);
    }
  });
}

/** Grades one objective and stores the run; returns the stored result. */
export async function checkObjective(prisma: PrismaClient, userId: string, lab: Lab, objectiveId: string): Promise<ObjectiveResultView> {
  if (!lab.objectives.some((o) => o.id === objectiveId)) throw new AppError("not_found", `Lab ${lab.id} has no objective "${objectiveId}".`);
  const { session, live } = await readySession(prisma, userId, lab);
  const { toolkit } = labRegistry();
  const result = await serialised(live, () => toolkit.gradeLabObjective(live.cluster, lab, objectiveId));
  const status = result.status === "pass" ? "PASS" : result.status === "fail" ? "FAIL" : "ERROR";
  const run = await prisma.gradeRun.create({
    data: {
      labSessionId: session.id,
      durationMs: Math.round(result.durationMs),
      results: { create: [{ objectiveId, status, evidence: asJson({ checkId: result.checkId, reason: result.reason, findings: result.findings }) }] },
    },
    include: { results: true },
  });
  const stored = run.results[0]!;
  const allPassed = await everyObjectivePassed(prisma, session.id, lab);
  if (allPassed) await prisma.labSession.update({ where: { id: session.id }, data: { state: "COMPLETED", completedAt: new Date() } });
  return { objectiveId, status: result.status, checkedAt: stored.createdAt.toISOString(), durationMs: run.durationMs, reason: result.reason, findings: result.findings };
}

async function everyObjectivePassed(prisma: PrismaClient, sessionId: string, lab: Lab): Promise<boolean> {
  const passed = await prisma.objectiveResult.findMany({
    where: { gradeRun: { labSessionId: sessionId }, status: "PASS" },
    select: { objectiveId: true },
    distinct: ["objectiveId"],
  });
  const ids = new Set(passed.map((p) => p.objectiveId));
  return lab.objectives.every((o) => ids.has(o.id));
}

/** Sends product-page requests from the sleep pod and records which reviews version served each (for the graph). */
export async function sampleTraffic(prisma: PrismaClient, userId: string, lab: Lab, requests: number): Promise<TrafficSample> {
  const { live } = await readySession(prisma, userId, lab);
  const { toolkit } = labRegistry();
  return serialised(live, async () => {
    const result = await live.cluster.probe({ from: { namespace: "default", app: "sleep" }, url: "http://productpage:9080/productpage", requests, concurrency: 4 });
    const histogram: Record<string, number> = {};
    for (const response of result.responses) {
      let label: string;
      if (response.status >= 200 && response.status < 300) {
        const pod = toolkit.readProductPage(response.body).reviewsPod;
        label = (pod && /-(v\d+)-[a-z0-9]+-[a-z0-9]+$/.exec(pod)?.[1]) ?? "unknown";
      } else {
        label = `HTTP ${response.status}${response.flags && response.flags !== "-" ? ` ${response.flags}` : ""}`;
      }
      histogram[label] = (histogram[label] ?? 0) + 1;
    }
    const sample: TrafficSample = {
      source: "probe",
      at: new Date().toISOString(),
      requests: result.responses.length,
      histogram: Object.fromEntries(Object.entries(histogram).sort(([a], [b]) => a.localeCompare(b))),
    };
    live.lastTraffic = sample;
    return sample;
  });
}

/** The cluster's objects of the kinds the analyzer reads, for the editor's live lint. */
export async function clusterObjects(prisma: PrismaClient, userId: string, lab: Lab): Promise<unknown[]> {
  const { live } = await readySession(prisma, userId, lab);
  const { toolkit } = labRegistry();
  const objects = await serialised(live, () => toolkit.listClusterObjects(live.cluster.kubeConfig()));
  return objects.map((o) => {
    const { managedFields: _managed, ...metadata } = (o.metadata ?? {}) as Record<string, unknown>;
    const { status: _status, ...rest } = o as Record<string, unknown>;
    return { ...rest, metadata };
  });
}

/** Throws away the learner's cluster and starts a fresh one from the lab's setup; grade history is kept. */
export async function resetLab(prisma: PrismaClient, userId: string, lab: Lab): Promise<LabSessionView> {
  const registry = labRegistry();
  const session = await findLabSession(prisma, userId, lab.id);
  if (session?.environment) {
    const environmentId = session.environment.id;
    await registry.preparing.get(environmentId)?.catch(() => undefined);
    const live = registry.live.get(environmentId);
    if (live) {
      await serialised(live, async () => {
        await registry.driver.delete(live.cluster.id);
      });
      registry.live.delete(environmentId);
    }
    await prisma.clusterEnvironment.update({ where: { id: environmentId }, data: { state: "DELETED", deletedAt: new Date(), snapshot: Prisma.DbNull, progressStep: "Deleted by reset" } });
    await prisma.labSession.update({ where: { id: session.id }, data: { state: "ABANDONED" } });
  }
  return startLabSession(prisma, userId, lab);
}
