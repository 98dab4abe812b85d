// Loads the lessons under content/lessons: YAML front matter validated with zod, Markdown rendered once, diagrams
// checked. A broken lesson throws a ContentError naming the file and the field, so the build fails, not a page.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { renderLessonMarkdown, type DiagramInfo } from "./markdown";

/** A content file that does not validate: the message starts with the file's path. */
export class ContentError extends Error {
  override name = "ContentError";
}

const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "use lowercase words joined by '-'");

export const lessonFrontMatter = z
  .object({
    id,
    title: z.string().min(5).max(120),
    order: z.number().int().min(1).max(999),
    minutes: z.number().int().min(1).max(90),
    summary: z.string().min(20).max(300),
    outcomes: z.array(z.string().min(10).max(200)).min(1).max(8),
    /** The lab whose shell "Run in my lab" sends snippets to. */
    lab: id.default("bookinfo-traffic-management"),
    /** The quiz to take after the lesson. */
    quiz: id.optional(),
  })
  .strict();

export type LessonFrontMatter = z.infer<typeof lessonFrontMatter>;

export interface Lesson extends LessonFrontMatter {
  /** The Markdown body as written. */
  markdown: string;
  /** The rendered body (trusted: produced by our renderer from validated Markdown). */
  html: string;
  headings: { id: string; text: string }[];
  file: string;
}

/** The content folder: next to this file, or under the working directory when bundled (Next.js). */
export const contentDir =
  [import.meta.dirname, path.join(process.cwd(), "content")].find(
    (dir): dir is string => typeof dir === "string" && existsSync(path.join(dir, "lessons")),
  ) ?? path.join(process.cwd(), "content");

const frontMatterPattern = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** Splits a lesson file into its front matter (validated) and Markdown body. */
export function parseLessonSource(text: string, where: string): { meta: LessonFrontMatter; markdown: string } {
  const match = frontMatterPattern.exec(text);
  if (!match) throw new ContentError(`${where}: a lesson starts with YAML front matter between two '---' lines`);
  let raw: unknown;
  try {
    raw = parseYaml(match[1]!);
  } catch (error) {
    throw new ContentError(`${where}: front matter is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const parsed = lessonFrontMatter.safeParse(raw);
  if (!parsed.success) {
    throw new ContentError(`${where}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(front matter)"}: ${i.message}`).join("; ")}`);
  }
  return { meta: parsed.data, markdown: match[2]! };
}

/** Reads the intrinsic size of a hand-written SVG from its width/height or viewBox. */
export function svgSize(text: string, where: string): DiagramInfo {
  const open = /<svg\b[^>]*>/.exec(text)?.[0];
  if (!open) throw new ContentError(`${where}: not an SVG file`);
  if (/<script\b/i.test(text) || /\son[a-z]+\s*=/i.test(text)) throw new ContentError(`${where}: diagrams may not contain scripts or event handlers`);
  if (/(?:href|src)\s*=\s*"https?:/i.test(text)) throw new ContentError(`${where}: diagrams may not load anything from the network`);
  if (!/<title>[^<]+<\/title>/.test(text)) throw new ContentError(`${where}: give the diagram a <title> for screen readers`);
  const viewBox = /viewBox="\s*[-\d.]+\s+[-\d.]+\s+([\d.]+)\s+([\d.]+)\s*"/.exec(open);
  const width = Number(/\swidth="([\d.]+)"/.exec(open)?.[1] ?? viewBox?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(open)?.[1] ?? viewBox?.[2]);
  if (!(width > 0 && height > 0)) throw new ContentError(`${where}: the <svg> element needs a viewBox or width and height`);
  return { width: Math.round(width), height: Math.round(height) };
}

/** The diagrams of a lessons folder, by file name. */
export function loadDiagrams(lessonsDir: string): Map<string, DiagramInfo> {
  const dir = path.join(lessonsDir, "diagrams");
  const diagrams = new Map<string, DiagramInfo>();
  if (!existsSync(dir)) return diagrams;
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(".svg")) continue;
    if (!/^[a-z0-9-]+\.svg$/.test(name)) throw new ContentError(`${path.join(dir, name)}: name diagrams with lowercase words joined by '-'`);
    diagrams.set(name, svgSize(readFileSync(path.join(dir, name), "utf8"), path.relative(process.cwd(), path.join(dir, name))));
  }
  return diagrams;
}

/**
 * Loads every lesson of a folder (`*.md`), sorted by `order`. `quizIds` are the quizzes lessons may link to;
 * `labIds` the labs they may send snippets to.
 */
export function loadLessonsFrom(lessonsDir: string, refs: { quizIds: ReadonlySet<string>; labIds: ReadonlySet<string> }): Lesson[] {
  const diagrams = loadDiagrams(lessonsDir);
  const files = readdirSync(lessonsDir).filter((name) => name.endsWith(".md")).sort();
  const sources = files.map((name) => {
    const file = path.join(lessonsDir, name);
    const where = path.relative(process.cwd(), file);
    return { file, where, ...parseLessonSource(readFileSync(file, "utf8"), where) };
  });
  const lessonIds = new Set<string>();
  const orders = new Set<number>();
  for (const s of sources) {
    if (lessonIds.has(s.meta.id)) throw new ContentError(`${s.where}: id "${s.meta.id}" is used by another lesson`);
    if (orders.has(s.meta.order)) throw new ContentError(`${s.where}: order ${s.meta.order} is used by another lesson`);
    if (path.basename(s.file, ".md").replace(/^\d+-/, "") !== s.meta.id) {
      throw new ContentError(`${s.where}: the file name must be "<order>-${s.meta.id}.md" (the id after the number)`);
    }
    if (s.meta.quiz && !refs.quizIds.has(s.meta.quiz)) throw new ContentError(`${s.where}: quiz: no quiz "${s.meta.quiz}"`);
    if (!refs.labIds.has(s.meta.lab)) throw new ContentError(`${s.where}: lab: no lab "${s.meta.lab}"`);
    lessonIds.add(s.meta.id);
    orders.add(s.meta.order);
  }
  const lessons = sources.map((s): Lesson => {
    const rendered = renderLessonMarkdown(s.markdown, { diagrams, lessonIds, quizIds: refs.quizIds, labIds: refs.labIds });
    if (rendered.problems.length) throw new ContentError(`${s.where}: ${rendered.problems.join("; ")}`);
    if (rendered.headings.length === 0) throw new ContentError(`${s.where}: a lesson needs at least one '## ' section`);
    return { ...s.meta, markdown: s.markdown, html: rendered.html, headings: rendered.headings, file: s.file };
  });
  return lessons.sort((a, b) => a.order - b.order);
}
