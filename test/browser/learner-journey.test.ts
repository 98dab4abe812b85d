// A learner's first session, in Debian's Chromium against the built app: sign up, read a lesson (diagram, Run in
// my lab, mark as read), pass a scenario quiz, then in the Bookinfo lab pass baseline-v1 by applying YAML from the
// editor and canary-80-20 by typing a heredoc into the terminal, and see both objectives turn green with evidence.
// Screenshots of every page go to test-results/browser/. No request may leave the machine.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findQuiz } from "@/content/course";
import { startApp, type RunningApp } from "../support/app-server";

const chromiumPath = "/usr/bin/chromium";
const screenshots = path.resolve(import.meta.dirname, "../../test-results/browser");
const labId = "bookinfo-traffic-management";

const baselineYaml = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
`;

const canaryLines = [
  "kubectl apply -f - <<EOF",
  "apiVersion: networking.istio.io/v1",
  "kind: VirtualService",
  "metadata:",
  "  name: reviews",
  "spec:",
  "  hosts:",
  "  - reviews",
  "  http:",
  "  - route:",
  "    - destination:",
  "        host: reviews",
  "        subset: v1",
  "      weight: 80",
  "    - destination:",
  "        host: reviews",
  "        subset: v2",
  "      weight: 20",
  "EOF",
];

let app: RunningApp;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const offMachineRequests: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is not installed at ${chromiumPath}: run \`apt-get install -y chromium\` (.ci/run does this).`);
  }
  mkdirSync(screenshots, { recursive: true });
  app = await startApp(mkdtempSync(path.join(tmpdir(), "ica-browser-")));
  userDataDir = mkdtempSync(path.join(tmpdir(), "ica-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1440, height: 1000 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  context.setDefaultTimeout(60_000);
  page = context.pages()[0] ?? (await context.newPage());
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (!["127.0.0.1", "localhost"].includes(url.hostname) && !["data:", "blob:"].includes(url.protocol)) offMachineRequests.push(request.url());
  });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await app?.stop();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

describe("a learner in the browser", () => {
  it("signs up and lands on the dashboard with a next step", async () => {
    await page.goto(`${app.url}/sign-up`);
    await page.getByLabel("Name").fill("Robin Learner");
    await page.getByLabel("Email").fill("robin@example.com");
    await page.getByLabel("Password").fill("a long enough password");
    await page.getByRole("button", { name: /sign up|create/i }).click();
    await page.waitForURL(/\/dashboard/);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Welcome, Robin Learner");
    expect(await page.getByTestId("next-step").textContent()).toContain("Routing with VirtualServices");
    await shot("01-dashboard-new");
  }, 120_000);

  it("reads a lesson: diagrams are pictures, a snippet runs in the lab, the lesson is marked read", async () => {
    await page.goto(`${app.url}/lessons/virtualservice-routing`);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toContain("Routing with VirtualServices");
    const diagram = page.locator('img[src="/lessons/diagrams/route-order.svg"]');
    await diagram.scrollIntoViewIfNeeded();
    await expect.poll(() => diagram.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    expect(await page.locator("pre code.language-mermaid").count()).toBe(0);
    await expect.poll(() => page.getByTestId("signed-in-as").textContent()).toBe("Robin Learner");

    const block = page.locator("[data-code-block]", { hasText: "kubectl get destinationrules" });
    await block.getByRole("button", { name: "Run in my lab" }).click();
    await expect.poll(() => block.locator("[data-output]").textContent(), { timeout: 90_000 }).toContain("reviews");

    await page.getByTestId("mark-read").click();
    await expect.poll(() => page.getByTestId("mark-read").getAttribute("aria-pressed")).toBe("true");
    await shot("02-lesson");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("02-lesson-phone");
    await page.setViewportSize({ width: 1440, height: 1000 });
  }, 180_000);

  it("answers a scenario quiz, sees every explanation and the saved score, and can retry", async () => {
    const quiz = findQuiz("traffic-management-scenarios")!;
    await page.goto(`${app.url}/quizzes/${quiz.id}`);
    for (const question of quiz.questions) {
      const card = page.locator(`[data-question-id="${question.id}"]`);
      for (const choice of question.choices.filter((c) => c.correct)) {
        await card.locator(`input[value="${choice.id}"]`).check();
      }
    }
    await page.getByRole("button", { name: "Submit answers" }).click();
    await expect.poll(() => page.getByTestId("quiz-score").textContent()).toContain(`You scored ${quiz.questions.length} / ${quiz.questions.length}`);
    expect(await page.getByTestId("question-verdict").count()).toBe(quiz.questions.length);
    await shot("03-quiz-result");
    await page.getByRole("button", { name: "Retry the quiz" }).click();
    await expect.poll(() => page.locator("input:checked").count()).toBe(0);
    await page.reload();
    await expect.poll(() => page.getByTestId("previous-attempts").textContent()).toContain(`best ${quiz.questions.length}/${quiz.questions.length}`);
  }, 120_000);

  it("passes baseline-v1 with YAML applied from the editor and canary-80-20 with a heredoc typed in the terminal", async () => {
    await page.goto(`${app.url}/labs/${labId}`);
    await expect.poll(() => page.getByTestId("environment-status").getAttribute("data-state"), { timeout: 120_000 }).toBe("READY");
    await page.locator(".cm-editor").waitFor();
    await page.locator(".xterm").waitFor();
    await shot("04-lab-ready");

    // Baseline: replace the editor's text, let the analyzer lint it, apply, check.
    const editor = page.getByTestId("yaml-editor");
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(baselineYaml);
    await expect.poll(() => page.getByTestId("lint-summary").textContent()).toBe("istioctl analyze: no issues");
    await page.getByTestId("apply-yaml").click();
    await expect.poll(() => page.getByTestId("apply-output").textContent()).toMatch(/virtualservice\.networking\.istio\.io\/reviews (created|configured)/);
    await page.getByTestId("check-baseline-v1").click();
    const baseline = page.getByTestId("objective-baseline-v1");
    await expect.poll(() => baseline.getAttribute("data-status"), { timeout: 120_000 }).toBe("pass");
    expect(await baseline.getByTestId("evidence-actual").first().textContent()).toContain('"subset": "v1"');
    expect(await baseline.getByTestId("evidence-envoy").count()).toBeGreaterThan(0);
    expect(await baseline.getByTestId("probe-histogram").first().textContent()).toContain("v1");

    // The live lint flags a route to a subset nobody defined, on the line of that destination.
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(baselineYaml.replace("subset: v1", "subset: v9"));
    await expect.poll(() => page.getByLabel("Analyzer messages").textContent()).toContain('IST0101 Referenced host+subset in destinationrule not found: "reviews+v9"');
    expect(await page.locator(".cm-lint-marker-error").count()).toBeGreaterThan(0);
    await shot("05-lab-editor-lint");

    // Canary: typed into the terminal as a heredoc, line by line.
    await page.getByTestId("terminal").click();
    for (const line of canaryLines) {
      await page.keyboard.type(line);
      await page.keyboard.press("Enter");
    }
    await expect.poll(() => page.getByTestId("terminal").textContent(), { timeout: 90_000 }).toContain("virtualservice.networking.istio.io/reviews configured");
    await page.getByTestId("check-canary-80-20").click();
    const canary = page.getByTestId("objective-canary-80-20");
    await expect.poll(() => canary.getAttribute("data-status"), { timeout: 180_000 }).toBe("pass");
    const histogram = await canary.getByTestId("probe-histogram").first().textContent();
    expect(histogram).toContain("v1");
    expect(histogram).toContain("v2");
    expect(await canary.getByTestId("evidence-path").first().textContent()).toBe("spec.http[0].route");
    expect(await canary.getByTestId("evidence-envoy").count()).toBeGreaterThan(0);
    expect(await baseline.getAttribute("data-status")).toBe("pass");
    expect(await page.getByTestId("objectives-progress").textContent()).toMatch(/^2 of \d+ passed$/);
    await expect.poll(() => page.getByTestId("traffic-split").textContent()).toMatch(/v2 [1-9]\d*/);

    // Keyboard users are never trapped in the terminal: Tab moves on.
    await page.getByTestId("terminal").click();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).not.toBe("terminal-input");
    await shot("06-lab-objectives-passed");
  }, 420_000);

  it("sees the progress on the dashboard, and nothing was ever fetched from another machine", async () => {
    await page.goto(`${app.url}/dashboard`);
    await expect.poll(() => page.getByTestId("lessons-completed").textContent()).toMatch(/^1/);
    expect(await page.getByTestId("quiz-scores").textContent()).toContain("Best 12/12");
    expect(await page.getByTestId("lab-progress").textContent()).toContain("2 of 6 objectives passed");
    await shot("07-dashboard-progress");
    expect(offMachineRequests).toEqual([]);
  }, 60_000);
});
