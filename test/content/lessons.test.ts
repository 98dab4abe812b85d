// Lesson files: every lesson in the repo validates and renders, and each kind of broken file is refused with the
// file and the problem named, before any page is served.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allLessons, ContentError, course, loadCourse } from "@/content/course";
import { renderLessonMarkdown, runKindOf, scriptFor } from "@/content/markdown";

const root = path.resolve(import.meta.dirname, "../..");

/** A copy of the repo's content folder in a temp dir, with one lesson file rewritten. */
function courseWithLesson(file: string, rewrite: (text: string) => string): () => unknown {
  const dir = mkdtempSync(path.join(tmpdir(), "ica-content-"));
  cpSync(path.join(root, "content/lessons"), path.join(dir, "lessons"), { recursive: true });
  cpSync(path.join(root, "content/quizzes"), path.join(dir, "quizzes"), { recursive: true });
  const target = path.join(dir, "lessons", file);
  writeFileSync(target, rewrite(readFileSync(target, "utf8")));
  return () => loadCourse(dir, path.join(root, "labs"));
}

describe("the traffic-management lessons", () => {
  it("all load, in order, each with outcomes and sections", () => {
    const lessons = allLessons();
    expect(lessons.map((l) => l.id)).toEqual([
      "virtualservice-routing",
      "destinationrule-subsets",
      "canary-and-blue-green",
      "timeouts-retries-and-faults",
      "circuit-breaking-and-mirroring",
      "ingress-and-egress",
      "diagnosing-traffic",
    ]);
    for (const lesson of lessons) {
      expect(lesson.outcomes.length).toBeGreaterThan(0);
      expect(lesson.headings.length).toBeGreaterThan(1);
    }
  });

  it("cover the module's outcomes: routing, subsets, releases, resilience, ingress/egress, diagnosis", () => {
    const text = allLessons().map((l) => l.markdown).join("\n");
    for (const topic of [
      "headers:", "uri:", "weight:", "subsets:", "trafficPolicy", "blue-green", "canary", "timeout:", "retries:", "perTryTimeout",
      "connectionPool", "outlierDetection", "fault:", "mirror:", "kind: Gateway", "gateways:", "kind: ServiceEntry", "REGISTRY_ONLY",
      "istioctl analyze", "proxy-config routes", "UO", "UH", "NC", "service graph",
    ]) {
      expect(text, topic).toContain(topic);
    }
  });

  it("show diagrams as pictures and never as diagram source", () => {
    const lessons = allLessons();
    const pictures = lessons.flatMap((l) => [...l.html.matchAll(/<img src="\/lessons\/diagrams\/([a-z0-9-]+\.svg)" alt="([^"]+)"/g)]);
    expect(pictures.length).toBeGreaterThanOrEqual(8);
    for (const [, file] of pictures) expect(existsSync(path.join(root, "content/lessons/diagrams", file!))).toBe(true);
    for (const lesson of lessons) expect(lesson.markdown).not.toMatch(/```(mermaid|plantuml|dot)/);
  });

  it("render code blocks with Copy, and Run in my lab for commands and whole manifests only", () => {
    const html = allLessons().map((l) => l.html).join("");
    expect(html).toContain('data-run="command"');
    expect(html).toContain('data-run="apply"');
    const blocks = [...html.matchAll(/<div [^>]*data-code-block data-run="(\w+)">([\s\S]*?)<\/pre>/g)];
    for (const [, kind, inner] of blocks) {
      expect(inner).toContain('data-action="copy"');
      expect(inner!.includes('data-action="run"')).toBe(kind !== "none");
    }
  });
});

describe("snippets sent to the lab shell", () => {
  it("run shell blocks as written and apply whole YAML objects through a heredoc", () => {
    const manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
    expect(runKindOf("yaml", manifest)).toBe("apply");
    expect(scriptFor("apply", manifest)).toBe(`kubectl apply -f - <<'EOF'\n${manifest.trimEnd()}\nEOF`);
    expect(runKindOf("yaml", "http:\n- route: []\n")).toBe("none");
    expect(runKindOf("sh", "kubectl get pods")).toBe("command");
    expect(runKindOf("text", "kubectl get pods")).toBe("none");
  });

  it("escape code so a snippet can never inject markup", () => {
    const { html } = renderLessonMarkdown("## A\n\n```text\n<script>alert(1)</script>\n```\n", { diagrams: new Map(), lessonIds: new Set(), quizIds: new Set(), labIds: new Set() });
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
  });
});

describe("a broken lesson file fails loading with its path and the problem", () => {
  const file = "1-virtualservice-routing.md";
  it.each([
    ["a missing title", (t: string) => t.replace(/^title: .*\n/m, ""), /1-virtualservice-routing\.md: title: /],
    ["an order that is not a number", (t: string) => t.replace(/^order: 1$/m, "order: first"), /order: /],
    ["an unknown front-matter field", (t: string) => t.replace(/^minutes: /m, "author: me\nminutes: "), /Unrecognized key.*author/],
    ["no front matter", (t: string) => t.replace(/^---\n[\s\S]*?\n---\n/, ""), /starts with YAML front matter/],
    ["a mermaid block", (t: string) => `${t}\n\`\`\`mermaid\ngraph LR; a-->b\n\`\`\`\n`, /diagram source/],
    ["a picture that does not exist", (t: string) => `${t}\n![Missing](diagrams/nope.svg)\n`, /diagrams\/nope\.svg" does not exist/],
    ["a picture from the network", (t: string) => `${t}\n![Remote](https://example.com/a.png)\n`, /must be a diagram under diagrams/],
    ["raw HTML", (t: string) => `${t}\n<div onclick="x()">hi</div>\n`, /raw HTML is not allowed/],
    ["a link to a lesson that does not exist", (t: string) => `${t}\nSee [this](/lessons/no-such-lesson).\n`, /no-such-lesson/],
    ["a quiz that does not exist", (t: string) => t.replace(/^quiz: .*$/m, "quiz: no-such-quiz"), /quiz: no quiz "no-such-quiz"/],
    ["YAML that does not parse", (t: string) => `${t}\n\`\`\`yaml\nkind: [unclosed\n\`\`\`\n`, /yaml block does not parse/],
    ["an unknown code language", (t: string) => `${t}\n\`\`\`python\nprint(1)\n\`\`\`\n`, /language "python"/],
  ])("refuses %s", (_, rewrite, message) => {
    const load = courseWithLesson(file, rewrite);
    expect(load).toThrow(ContentError);
    expect(load).toThrow(message);
  });
});

describe("lesson pages are built ahead of time", () => {
  it("every lesson is a prerendered route of the built app, so a broken file fails `next build`", () => {
    const manifest = JSON.parse(readFileSync(path.join(root, ".next/prerender-manifest.json"), "utf8")) as { routes: Record<string, unknown> };
    for (const lesson of course().lessons) expect(Object.keys(manifest.routes)).toContain(`/lessons/${lesson.id}`);
  });
});
