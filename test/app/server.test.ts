// The running web app, as a browser and a script see it: public catalog, protected pages, roles, bad input, restarts.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browser, startApp, type RunningApp } from "../support/app-server";

const dataDir = mkdtempSync(path.join(tmpdir(), "ica-app-"));
const adminCredentials = { email: "root@example.com", password: "admin password 123" };
let app: RunningApp;

beforeAll(async () => {
  app = await startApp(dataDir, { ADMIN_EMAIL: adminCredentials.email, ADMIN_PASSWORD: adminCredentials.password });
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

async function signUp(name: string): Promise<{ browser: Browser; id: string }> {
  const browser = new Browser(() => app.url);
  const response = await browser.postJson("/api/auth/sign-up", { name, email: `${name}@example.com`, password: "a long password" });
  expect(response.status).toBe(201);
  const { user } = (await response.json()) as { user: { id: string } };
  return { browser, id: user.id };
}

describe("anonymous visitors", () => {
  it("can open the home page and browse the catalog", async () => {
    const home = await fetch(`${app.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Learn Istio by breaking and fixing a real mesh");
    const catalog = await (await fetch(`${app.url}/catalog`)).text();
    expect(catalog).toContain("Traffic Management");
    expect(catalog).toContain('data-lab-id="bookinfo-traffic-management"');
  });

  it.each(["/dashboard", "/instructor", "/admin", "/instructor/learners/someone"])(
    "are redirected from %s to sign-in, which brings them back",
    async (page) => {
      const response = await new Browser(() => app.url).request(page);
      expect(response.status).toBe(307);
      expect(response.headers.get("location")).toBe(`/sign-in?next=${encodeURIComponent(page)}`);
    },
  );

  it("get 401 from the APIs that need an account", async () => {
    expect((await fetch(`${app.url}/api/me`)).status).toBe(401);
  });
});

describe("accounts", () => {
  it("sign-up sets an HTTP-only, SameSite session cookie and opens the dashboard", async () => {
    const browser = new Browser(() => app.url);
    const response = await browser.postJson("/api/auth/sign-up", { name: "Dana", email: "dana@example.com", password: "a long password" });
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith("ica_session="));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=lax/i);
    expect(cookie).toMatch(/Secure/i);
    const dashboard = await browser.request("/dashboard");
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain("Welcome, Dana");
  });

  it("sign-out ends the session", async () => {
    const { browser } = await signUp("erin");
    expect((await browser.request("/api/auth/sign-out", { method: "POST" })).status).toBe(204);
    expect(browser.signedIn).toBe(false);
    expect((await browser.request("/dashboard")).status).toBe(307);
  });

  it("sign-in with a wrong password is refused without saying which part was wrong", async () => {
    const response = await new Browser(() => app.url).postJson("/api/auth/sign-in", { email: "dana@example.com", password: "wrong password" });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("Email or password is incorrect.");
  });
});

describe("roles", () => {
  it("keeps learners out of instructor and admin pages and out of other learners' data", async () => {
    const { browser: learner, id: learnerId } = await signUp("frank");
    const { id: otherId } = await signUp("gina");
    for (const page of ["/instructor", "/admin", `/instructor/learners/${otherId}`]) {
      const response = await learner.request(page);
      expect(response.status).toBe(307);
      expect(response.headers.get("location")).toMatch(/^\/forbidden/);
    }
    expect((await learner.request(`/api/users/${otherId}/progress`)).status).toBe(403);
    const own = await learner.request(`/api/users/${learnerId}/progress`);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { learner: { name: string } }).learner.name).toBe("frank");
    expect((await learner.request(`/api/admin/users/${otherId}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: '{"role":"ADMIN"}' })).status).toBe(403);
  });

  it("lets an admin promote an instructor, who sees only learners of their own cohorts", async () => {
    const admin = new Browser(() => app.url);
    expect((await admin.postJson("/api/auth/sign-in", adminCredentials)).status).toBe(200);
    expect((await admin.request("/admin")).status).toBe(200);

    const { browser: teacher, id: teacherId } = await signUp("hank");
    const promote = await admin.request(`/api/admin/users/${teacherId}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role: "INSTRUCTOR" }),
    });
    expect(promote.status).toBe(200);

    const cohortResponse = await teacher.postJson("/api/cohorts", { name: "Autumn cohort" });
    expect(cohortResponse.status).toBe(201);
    const { cohort } = (await cohortResponse.json()) as { cohort: { joinCode: string } };

    const { browser: student, id: studentId } = await signUp("ivy");
    const { id: outsiderId } = await signUp("jack");
    expect((await student.postJson("/api/cohorts/join", { joinCode: cohort.joinCode })).status).toBe(200);

    expect((await teacher.request("/instructor")).status).toBe(200);
    const page = await teacher.request(`/instructor/learners/${studentId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("ivy");
    expect((await teacher.request(`/api/users/${outsiderId}/progress`)).status).toBe(403);
  });
});

describe("prerendered lesson pages", () => {
  const lessonPath = "/lessons/virtualservice-routing";

  it("are answered from memory with the page Next prerendered, and revalidate with 304", async () => {
    // A query string takes Next's own path for the same prerendered page; the in-memory answer adds an ETag.
    const fromNext = await fetch(`${app.url}${lessonPath}?via=next`);
    const fromMemory = await fetch(`${app.url}${lessonPath}`);
    expect(fromMemory.status).toBe(200);
    expect(fromNext.headers.get("etag")).toBeNull();
    const etag = fromMemory.headers.get("etag");
    expect(etag).toMatch(/^W\//);
    for (const header of ["content-type", "cache-control", "vary", "x-nextjs-cache"]) {
      expect(fromMemory.headers.get(header), header).toBe(fromNext.headers.get(header));
    }
    const html = await fromMemory.text();
    expect(html).toBe(await fromNext.text());
    expect(html).toContain("Matching on headers");
    const revalidated = await fetch(`${app.url}${lessonPath}`, { headers: { "if-none-match": etag! } });
    expect(revalidated.status).toBe(304);
  });

  it("still give client-side navigation its RSC payload", async () => {
    const navigation = await fetch(`${app.url}${lessonPath}`, { headers: { rsc: "1" } });
    expect(navigation.status).toBe(200);
    expect(navigation.headers.get("content-type")).toContain("text/x-component");
  });

  it("serve their diagrams from memory too", async () => {
    const diagram = await fetch(`${app.url}/lessons/diagrams/vs-dr-split.svg`);
    expect(diagram.status).toBe(200);
    expect(diagram.headers.get("content-type")).toContain("image/svg+xml");
    expect(diagram.headers.get("etag")).toMatch(/^W\//);
    expect(await diagram.text()).toContain("<svg");
  });
});

describe("bad input", () => {
  const email = "mallory@example.com";
  const cases: { name: string; body: string; type?: string; status: number; fields?: string[] }[] = [
    { name: "missing fields", body: "{}", status: 422, fields: ["name", "email", "password"] },
    { name: "wrong types", body: JSON.stringify({ name: 42, email: email, password: ["x"] }), status: 422, fields: ["name", "password"] },
    { name: "an oversized body", body: JSON.stringify({ name: "m".repeat(100_000), email, password: "a long password" }), status: 413 },
    { name: "malformed JSON", body: `{"name": "m", "email": "${email}"`, status: 400 },
    { name: "a form body", body: `name=m&email=${email}&password=long+password`, type: "application/x-www-form-urlencoded", status: 415 },
  ];

  it.each(cases)("$name gets a $status with a clear message and creates nothing", async ({ body, type, status, fields }) => {
    const response = await fetch(`${app.url}/api/auth/sign-up`, { method: "POST", headers: { "content-type": type ?? "application/json" }, body });
    expect(response.status).toBe(status);
    const { error } = (await response.json()) as { error: { message: string; fields: { path: string }[] } };
    expect(error.message.length).toBeGreaterThan(10);
    if (fields) expect(error.fields.map((f) => f.path).sort()).toEqual([...fields].sort());
    const signIn = await new Browser(() => app.url).postJson("/api/auth/sign-in", { email, password: "a long password" });
    expect(signIn.status).toBe(401);
  });
});

describe("restarts", () => {
  it("keep accounts, sessions and cohort memberships, and do not create a second admin", async () => {
    const { browser, id } = await signUp("kate");
    const teacher = new Browser(() => app.url);
    await teacher.postJson("/api/auth/sign-in", adminCredentials);
    const { cohort } = (await (await teacher.postJson("/api/cohorts", { name: "Persistent" })).json()) as { cohort: { joinCode: string } };
    await browser.postJson("/api/cohorts/join", { joinCode: cohort.joinCode });

    await app.stop();
    app = await startApp(dataDir, { ADMIN_EMAIL: adminCredentials.email, ADMIN_PASSWORD: adminCredentials.password });
    expect(app.prepareOutput).not.toContain("Created");

    expect((await browser.request("/dashboard")).status).toBe(200);
    const again = new Browser(() => app.url);
    expect((await again.postJson("/api/auth/sign-in", { email: "kate@example.com", password: "a long password" })).status).toBe(200);
    const progress = await teacher.request(`/api/users/${id}/progress`);
    expect(progress.status).toBe(200);
  }, 90_000);
});
