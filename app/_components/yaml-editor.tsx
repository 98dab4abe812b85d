"use client";
// The lab's YAML editor: CodeMirror with YAML highlighting and live analyzer lint (codes and messages on the lines
// they concern, in the gutter and in a list below), plus Apply. Esc then Tab leaves the editor by keyboard.
import { indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { forceLinting, linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { basicSetup, EditorView } from "codemirror";
import { useEffect, useRef, useState } from "react";
import type { KubeObject } from "@/grader/analyze/core";
import { lintManifest, type LintDiagnostic } from "./yaml-lint";

export interface YamlEditorProps {
  initialText: string;
  /** The learner's cluster objects, so references to existing subsets and hosts resolve. */
  clusterObjects: readonly KubeObject[];
  onApply: (text: string) => Promise<void>;
  applying: boolean;
}

export function YamlEditor({ initialText, clusterObjects, onApply, applying }: YamlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const objects = useRef(clusterObjects);
  const [problems, setProblems] = useState<LintDiagnostic[]>([]);

  useEffect(() => {
    if (!host.current) return;
    const source = (v: EditorView): Diagnostic[] => {
      const found = lintManifest(v.state.doc.toString(), objects.current);
      setProblems(found);
      return found.map((d) => ({ from: d.from, to: d.to, severity: d.severity, message: d.message, source: d.code }));
    };
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initialText,
        extensions: [
          basicSetup,
          yaml(),
          keymap.of([indentWithTab]),
          lintGutter(),
          linter(source, { delay: 300 }),
          EditorView.contentAttributes.of({ "aria-label": "YAML manifest editor", "data-testid": "yaml-editor" }),
          EditorView.theme({ "&": { fontSize: "13px", height: "100%" }, ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" } }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // Created once: later changes to the cluster objects reach the linter through a ref.
  }, [initialText]);

  useEffect(() => {
    objects.current = clusterObjects;
    if (view.current) forceLinting(view.current);
  }, [clusterObjects]);

  const errors = problems.filter((p) => p.severity === "error").length;
  return (
    <section aria-labelledby="editor-title" className="flex min-h-0 flex-col rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2">
        <h2 id="editor-title" className="mr-auto font-semibold">YAML editor</h2>
        <span className="text-xs text-slate-500" aria-live="polite" data-testid="lint-summary">
          {problems.length === 0 ? "istioctl analyze: no issues" : `${problems.length} issue${problems.length === 1 ? "" : "s"} found`}
        </span>
        <button
          type="button"
          onClick={() => view.current && onApply(view.current.state.doc.toString())}
          disabled={applying}
          title={errors ? "The analyzer reports errors; you can still apply to see what happens." : undefined}
          data-testid="apply-yaml"
          className="rounded bg-sky-700 px-4 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60"
        >
          {applying ? "Applying…" : "Apply"}
        </button>
      </header>
      <div ref={host} className="h-72 min-h-0 overflow-hidden lg:h-80" />
      {problems.length > 0 && (
        <ul className="max-h-28 space-y-1 overflow-y-auto border-t border-slate-200 px-4 py-2 text-xs" aria-label="Analyzer messages">
          {problems.map((p, i) => (
            <li key={`${p.line}-${p.code}-${i}`} className={p.severity === "error" ? "text-red-700" : p.severity === "warning" ? "text-amber-700" : "text-slate-600"}>
              <span className="font-mono">line {p.line}</span> · {p.message}
            </li>
          ))}
        </ul>
      )}
      <p className="border-t border-slate-100 px-4 py-1.5 text-xs text-slate-500">Tab indents; press Esc then Tab to leave the editor.</p>
    </section>
  );
}
