// The learning APIs of the running app: lab sessions that belong to one learner, survive a restart and reset on
// demand; validated input everywhere; quiz attempts and lesson progress saved for the dashboard.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findQuiz } from "@/content/course";
import { Browser, startApp, type RunningApp } from "../support/app-server";

const dataDir = mkdtempSync(path.join(tmpdir(), "ica-learning-"));
const lab = "/api/labs/bookinfo-traffic-management";
let app: RunningApp;

const baseline = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
`;

beforeAll(async () => {
  app = await startApp(dataDir);
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

async function learner(name: string): Promise<Browser> {
  const browser = new Browser(() => app.url);
  const response = await browser.postJson("/api/auth/sign-up", { name, email: `${name}@example.com`, password: "a long password" });
  expect(response.status).toBe(201);
  return browser;
}

async function shell(browser: Browser, script: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const response = await browser.postJson(`${lab}/shell`, { script });
  expect(response.status).toBe(200);
  return (await response.json()) as { stdout: string; stderr: string; exitCode: number };
}

describe("lab sessions", () => {
  it("give each learner their own cluster: one learner's changes never show in another's", async () => {
    const ada = await learner("ada");
    const bob = await learner("bob");
    expect((await ada.request(`${lab}/session`)).status).toBe(404);
    const started = await ada.postJson(`${lab}/session`, {});
    expect(started.status).toBe(201);
    const apply = await ada.postJson(`${lab}/apply`, { yaml: baseline });
    expect(await apply.json()).toEqual({ ok: true, output: ["virtualservice.networking.istio.io/reviews created"] });
    expect((await shell(ada, "kubectl get virtualservice reviews -o jsonpath='{.spec.http[0].route[0].destination.subset}'")).stdout).toBe("v1");
    const bobs = await shell(bob, "kubectl get virtualservice reviews");
    expect(bobs.exitCode).not.toBe(0);
    expect(bobs.stderr).toContain('virtualservices.networking.istio.io "reviews" not found');
  }, 120_000);

  it("grade objectives, store every run with its evidence, and report them in the session", async () => {
    const cleo = await learner("cleo");
    await cleo.postJson(`${lab}/apply`, { yaml: baseline.replace("subset: v1", "subset: v2") });
    const failed = (await (await cleo.postJson(`${lab}/objectives/baseline-v1/check`, {})).json()) as { status: string; findings: { code: string; severity: string }[] };
    expect(failed.status).toBe("fail");
    expect(failed.findings.filter((f) => f.severity === "error").map((f) => f.code)).toContain("ICA0302");
    await cleo.postJson(`${lab}/apply`, { yaml: baseline });
    const passed = (await (await cleo.postJson(`${lab}/objectives/baseline-v1/check`, {})).json()) as { status: string };
    expect(passed.status).toBe("pass");
    const view = (await (await cleo.request(`${lab}/session`)).json()) as { objectives: { id: string; status: string }[]; traffic: { histogram: Record<string, number> } };
    expect(view.objectives.find((o) => o.id === "baseline-v1")?.status).toBe("pass");
    expect(view.traffic.histogram).toEqual({ v1: 20 });
    const progress = (await (await cleo.request("/api/me")).json()) as { user: { id: string } };
    const mine = (await (await cleo.request(`/api/users/${progress.user.id}/progress`)).json()) as { labs: { labId: string; objectivesPassed: string[] }[] };
    expect(mine.labs).toEqual([{ labId: "bookinfo-traffic-management", sessions: 1, objectivesPassed: ["baseline-v1"] }]);
  }, 120_000);

  it("reset replaces the cluster with a fresh one and keeps the results", async () => {
    const dana = await learner("dana");
    await dana.postJson(`${lab}/apply`, { yaml: baseline });
    await dana.postJson(`${lab}/objectives/baseline-v1/check`, {});
    const reset = await dana.postJson(`${lab}/reset`, {});
    expect(reset.status).toBe(200);
    expect((await shell(dana, "kubectl get virtualservices")).stderr).toContain("No resources found in default namespace.");
    expect((await shell(dana, "kubectl get destinationrule reviews -o name")).stdout.trim()).toBe("destinationrule.networking.istio.io/reviews");
    const me = (await (await dana.request("/api/me")).json()) as { user: { id: string } };
    const progress = (await (await dana.request(`/api/users/${me.user.id}/progress`)).json()) as { labs: { objectivesPassed: string[] }[] };
    expect(progress.labs[0]?.objectivesPassed).toEqual(["baseline-v1"]);
  }, 120_000);

  it("refuse callers without an account, unknown labs and objectives, and invalid bodies", async () => {
    expect((await new Browser(() => app.url).postJson(`${lab}/shell`, { script: "kubectl get pods" })).status).toBe(401);
    const eve = await learner("eve");
    expect((await eve.postJson("/api/labs/no-such-lab/session", {})).status).toBe(404);
    expect((await eve.postJson(`${lab}/objectives/no-such-objective/check`, {})).status).toBe(404);
    const empty = await eve.postJson(`${lab}/shell`, { script: "" });
    expect(empty.status).toBe(422);
    expect(((await empty.json()) as { error: { fields: { path: string }[] } }).error.fields[0]?.path).toBe("script");
    expect((await eve.postJson(`${lab}/shell`, { script: "ls", extra: 1 })).status).toBe(422);
    expect((await eve.postJson(`${lab}/traffic`, { requests: 100_000 })).status).toBe(422);
    const notYaml = await eve.postJson(`${lab}/apply`, { yaml: "kind: [" });
    expect(notYaml.status).toBe(422);
    expect(((await notYaml.json()) as { ok: boolean }).ok).toBe(false);
  }, 120_000);
});

describe("quiz attempts and lesson progress", () => {
  it("save every attempt with its score and answers, and reject answers that do not fit", async () => {
    const fay = await learner("fay");
    const quiz = findQuiz("traffic-management-yaml")!;
    const answers = quiz.questions.map((q) => ({ questionId: q.id, choiceIds: q.choices.filter((c) => c.correct).map((c) => c.id) }));
    const first = await fay.postJson(`/api/quizzes/${quiz.id}/attempts`, { answers: answers.slice(0, 2) });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ score: 2, maxScore: quiz.questions.length, passed: false });
    const second = await fay.postJson(`/api/quizzes/${quiz.id}/attempts`, { answers });
    expect(await second.json()).toMatchObject({ score: quiz.questions.length, passed: true });
    const attempts = (await (await fay.request(`/api/quizzes/${quiz.id}/attempts`)).json()) as { attempts: { score: number }[] };
    expect(attempts.attempts.map((a) => a.score)).toEqual([quiz.questions.length, 2]);
    const bad = await fay.postJson(`/api/quizzes/${quiz.id}/attempts`, { answers: [{ questionId: "bug-undefined-subset", choiceIds: ["a", "b"] }] });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { fields: { path: string }[] } }).error.fields[0]?.path).toBe("answers[0].choiceIds");
    expect((await new Browser(() => app.url).postJson(`/api/quizzes/${quiz.id}/attempts`, { answers })).status).toBe(401);
  });

  it("records lessons as read for signed-in learners only", async () => {
    const anonymous = await new Browser(() => app.url).request("/api/lessons/ingress-and-egress/progress");
    expect(await anonymous.json()).toMatchObject({ signedIn: false, completed: false });
    expect((await new Browser(() => app.url).postJson("/api/lessons/ingress-and-egress/progress", { completed: true })).status).toBe(401);
    const gil = await learner("gil");
    expect(await (await gil.postJson("/api/lessons/ingress-and-egress/progress", { completed: true })).json()).toMatchObject({ signedIn: true, completed: true });
    expect((await gil.postJson("/api/lessons/no-such-lesson/progress", {})).status).toBe(404);
    const dashboard = await (await gil.request("/dashboard")).text();
    expect(dashboard).toMatch(/data-testid="lessons-completed">1</);
  });
});

describe("after a restart", () => {
  it("a learner's cluster comes back from its snapshot with their changes", async () => {
    const hal = await learner("hal");
    await hal.postJson(`${lab}/apply`, { yaml: baseline });
    await app.stop();
    app = await startApp(dataDir);
    const view = (await (await hal.request(`${lab}/session`)).json()) as { environment: { state: string } };
    expect(view.environment.state).toBe("READY");
    expect((await shell(hal, "kubectl get virtualservice reviews -o jsonpath='{.spec.http[0].route[0].destination.subset}'")).stdout).toBe("v1");
  }, 180_000);
});
