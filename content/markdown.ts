// Lesson Markdown to HTML: checks what a lesson may contain (no raw HTML, no diagram source, known code languages,
// pictures that exist) and renders code blocks with Copy / "Run in my lab" buttons and diagrams as <figure><img>.
import { Marked, type Token, type Tokens } from "marked";
import { parseAllDocuments } from "yaml";

/** Languages a lesson code block may declare. `sh`/`bash` run as commands; whole YAML objects run as `kubectl apply`. */
export const codeLanguages = ["sh", "bash", "yaml", "text", "console", "json"] as const;

/** Fence languages that hold diagram source: lessons show pictures instead. */
const diagramSourceLanguages = new Set(["mermaid", "plantuml", "dot", "graphviz", "d2", "ascii", "ditaa"]);

/** How a code block can be sent to the lab shell. */
export type RunKind = "command" | "apply" | "none";

/** A diagram a lesson may show: its file name under content/lessons/diagrams and its intrinsic size. */
export interface DiagramInfo {
  width: number;
  height: number;
}

export interface RenderContext {
  /** Diagrams that exist, by file name (`canary-steps.svg`). */
  diagrams: ReadonlyMap<string, DiagramInfo>;
  /** Lesson ids that exist (for links between lessons). */
  lessonIds: ReadonlySet<string>;
  /** Quiz ids that exist (for links to quizzes). */
  quizIds: ReadonlySet<string>;
  /** Lab ids that exist (for links to lab workspaces). */
  labIds: ReadonlySet<string>;
}

export interface RenderedMarkdown {
  html: string;
  /** Problems that make the lesson unpublishable; empty when the lesson is fine. */
  problems: string[];
  /** Second-level headings, for the lesson's table of contents. */
  headings: { id: string; text: string }[];
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function decodeEntities(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** A heading's anchor id: lowercase words joined by '-'. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]+>/g, "")
    .replace(/&[a-z#0-9]+;/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Whether a YAML snippet is one or more complete Kubernetes objects (so `kubectl apply` can take it). */
export function isCompleteManifest(text: string): boolean {
  try {
    const docs = parseAllDocuments(text).map((d) => (d.errors.length ? null : (d.toJS() as unknown)));
    const objects = docs.filter((d) => d !== null && d !== undefined);
    return (
      objects.length > 0 &&
      objects.every((o) => typeof o === "object" && o !== null && "apiVersion" in o && "kind" in o && "metadata" in o)
    );
  } catch {
    return false;
  }
}

/** How a code block of this language and text would run in the lab shell. */
export function runKindOf(lang: string, text: string): RunKind {
  if (lang === "sh" || lang === "bash") return "command";
  if (lang === "yaml" && isCompleteManifest(text)) return "apply";
  return "none";
}

/** The shell script "Run in my lab" sends for a code block. */
export function scriptFor(kind: RunKind, text: string): string {
  if (kind === "apply") return `kubectl apply -f - <<'EOF'\n${text.replace(/\n+$/, "")}\nEOF`;
  return text;
}

const diagramHref = /^diagrams\/([a-z0-9-]+\.svg)$/;
const internalHref = /^\/(lessons|quizzes|labs)\/([a-z0-9-]+)(#[a-z0-9-]+)?$/;

function codeBlockHtml(text: string, lang: string): string {
  const kind = runKindOf(lang, text);
  const runButton =
    kind === "none"
      ? ""
      : `<button type="button" class="code-btn" data-action="run" title="${kind === "apply" ? "Apply this manifest with kubectl in your lab" : "Run these commands in your lab shell"}">Run in my lab</button>`;
  return (
    `<div class="code-block" data-code-block data-run="${kind}">` +
    `<div class="code-bar"><span class="code-lang">${escapeHtml(lang)}</span><button type="button" class="code-btn" data-action="copy">Copy</button>${runButton}</div>` +
    `<pre><code class="language-${escapeHtml(lang)}">${escapeHtml(text)}</code></pre>` +
    `<div class="code-out" data-output aria-live="polite" hidden></div>` +
    `</div>`
  );
}

/** Renders lesson Markdown; problems (unknown languages, raw HTML, missing pictures, dead links) are collected. */
export function renderLessonMarkdown(source: string, context: RenderContext): RenderedMarkdown {
  const problems: string[] = [];
  const headings: { id: string; text: string }[] = [];
  const usedIds = new Set<string>();
  const marked = new Marked({ gfm: true });

  const check = (token: Token): void => {
    switch (token.type) {
      case "html":
        problems.push(`raw HTML is not allowed in lessons: ${JSON.stringify((token as Tokens.HTML).text.trim().slice(0, 60))}`);
        break;
      case "code": {
        const code = token as Tokens.Code;
        const lang = (code.lang ?? "").trim().split(/\s+/)[0] ?? "";
        if (diagramSourceLanguages.has(lang)) problems.push(`a "${lang}" block is diagram source: draw it as an SVG under diagrams/ and show it with ![alt](diagrams/<name>.svg)`);
        else if (!(codeLanguages as readonly string[]).includes(lang)) problems.push(`code block language "${lang || "(none)"}" is not one of ${codeLanguages.join(", ")}`);
        else if (lang === "yaml") {
          for (const doc of parseAllDocuments(code.text)) if (doc.errors.length) problems.push(`a yaml block does not parse: ${doc.errors[0]!.message.split("\n")[0]}`);
        }
        break;
      }
      case "image": {
        const image = token as Tokens.Image;
        const match = diagramHref.exec(image.href);
        if (!match) problems.push(`image "${image.href}" must be a diagram under diagrams/ (diagrams/<name>.svg)`);
        else if (!context.diagrams.has(match[1]!)) problems.push(`image "${image.href}" does not exist`);
        if (!image.text.trim()) problems.push(`image "${image.href}" needs alt text describing the picture`);
        break;
      }
      case "link": {
        const link = token as Tokens.Link;
        const match = internalHref.exec(link.href);
        if (link.href.startsWith("/") && !match) problems.push(`link "${link.href}" is not a lesson, quiz or lab page`);
        if (match) {
          const [, area, id] = match;
          if (area === "lessons" && !context.lessonIds.has(id!)) problems.push(`link to lesson "${id}", which does not exist`);
          if (area === "quizzes" && !context.quizIds.has(id!)) problems.push(`link to quiz "${id}", which does not exist`);
          if (area === "labs" && !context.labIds.has(id!)) problems.push(`link to lab "${id}", which does not exist`);
        }
        if (/^(javascript|data):/i.test(link.href)) problems.push(`link "${link.href}" uses a forbidden scheme`);
        break;
      }
    }
  };

  marked.use({
    walkTokens: check,
    renderer: {
      code({ text, lang }) {
        return codeBlockHtml(text, (lang ?? "text").trim().split(/\s+/)[0] || "text");
      },
      html() {
        return "";
      },
      heading({ tokens, depth }) {
        const inner = this.parser.parseInline(tokens);
        let id = slugify(inner) || "section";
        for (let n = 2; usedIds.has(id); n++) id = `${slugify(inner)}-${n}`;
        usedIds.add(id);
        if (depth === 2) headings.push({ id, text: decodeEntities(inner.replace(/<[^>]+>/g, "")) });
        return `<h${depth} id="${id}">${inner}</h${depth}>\n`;
      },
      image({ href, text, title }) {
        const match = diagramHref.exec(href);
        const info = match ? context.diagrams.get(match[1]!) : undefined;
        if (!match || !info) return "";
        const caption = title ?? text;
        return `<figure class="diagram"><img src="/lessons/diagrams/${match[1]}" alt="${escapeHtml(text)}" width="${info.width}" height="${info.height}" loading="lazy"><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
      },
      link({ href, title, tokens }) {
        const inner = this.parser.parseInline(tokens);
        const external = /^https?:\/\//.test(href);
        const attrs = external ? ` rel="noopener noreferrer" target="_blank"` : "";
        return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ""}${attrs}>${inner}</a>`;
      },
    },
  });

  const html = marked.parse(source, { async: false });
  return { html, problems, headings };
}

/** Renders a short Markdown text (quiz prompts, explanations): inline formatting and code, no pictures or HTML. */
export function renderInlineMarkdown(source: string): string {
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      html: () => "",
      image: () => "",
      code({ text, lang }) {
        return `<pre class="my-2 overflow-x-auto rounded bg-slate-900 p-3 text-sm text-slate-100"><code class="language-${escapeHtml(lang ?? "text")}">${escapeHtml(text)}</code></pre>`;
      },
      link({ href, tokens }) {
        const inner = this.parser.parseInline(tokens);
        const safe = /^(https?:\/\/|\/)/.test(href) ? href : "#";
        return `<a href="${escapeHtml(safe)}"${safe.startsWith("http") ? ' rel="noopener noreferrer" target="_blank"' : ""}>${inner}</a>`;
      },
    },
  });
  return marked.parse(source, { async: false });
}
