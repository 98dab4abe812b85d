"use client";
// The lab workspace: environment status and reset, the objective checklist with Check and evidence, the task text
// (snippets run in the terminal), the YAML editor with live lint and Apply, the terminal, and the service graph.
import dynamic from "next/dynamic";
import { useCallback, useEffect, useRef, useState } from "react";
import type { KubeObject } from "@/grader/analyze/core";
import { CodeBlockActions } from "../../_components/code-block-actions";
import { EnvironmentStatus } from "../../_components/environment-status";
import type { LabTerminalHandle, ShellOutput } from "../../_components/lab-terminal";
import { ObjectiveList } from "../../_components/objective-list";
import type { ApplyResultView, LabSessionView, ObjectiveResultView, TrafficView } from "../../_lib/lab-sessions/types";

const YamlEditor = dynamic(() => import("../../_components/yaml-editor").then((m) => m.YamlEditor), {
  ssr: false,
  loading: () => <div className="h-80 animate-pulse rounded-lg border border-slate-200 bg-white" aria-label="Loading the editor" />,
});
const LabTerminal = dynamic(() => import("../../_components/lab-terminal").then((m) => m.LabTerminal), {
  ssr: false,
  loading: () => <div className="h-80 animate-pulse rounded-lg bg-slate-900" aria-label="Loading the terminal" />,
});
const ServiceGraph = dynamic(() => import("../../_components/service-graph").then((m) => m.ServiceGraph), {
  ssr: false,
  loading: () => <div className="h-80 animate-pulse rounded-lg border border-slate-200 bg-white" aria-label="Loading the service graph" />,
});

interface ApiError {
  error?: { message: string };
}

async function call<T>(url: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const response = await fetch(url, {
    method: init?.method ?? "GET",
    headers: init?.body === undefined ? undefined : { "content-type": "application/json" },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const data = (await response.json()) as T & ApiError;
  if (!response.ok && data.error) throw new Error(data.error.message);
  return data;
}

export function LabWorkspace(props: { labId: string; title: string; minutes: number; taskHtml: string; starterYaml: string; initialView: LabSessionView | null }) {
  const { labId } = props;
  const base = `/api/labs/${labId}`;
  const [view, setView] = useState<LabSessionView | null>(props.initialView);
  const [objects, setObjects] = useState<KubeObject[]>([]);
  const [checking, setChecking] = useState<ReadonlySet<string>>(new Set());
  const [changedAt, setChangedAt] = useState<string | null>(null);
  const [applying, setApplying] = useState(false);
  const [applyResult, setApplyResult] = useState<ApplyResultView | null>(null);
  const [sampling, setSampling] = useState(false);
  const [resetting, setResetting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const terminal = useRef<LabTerminalHandle | null>(null);
  const ready = view?.environment.state === "READY";

  const refreshObjects = useCallback(async () => {
    try {
      setObjects((await call<{ objects: KubeObject[] }>(`${base}/objects`)).objects);
    } catch {
      // the editor lints without cluster context until the next refresh
    }
  }, [base]);

  const refreshView = useCallback(async () => {
    setView(await call<LabSessionView>(`${base}/session`));
  }, [base]);

  // Start (or resume) the session, then follow the environment's progress until it is ready.
  useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const current = await call<LabSessionView>(`${base}/session`);
        if (cancelled) return;
        setView(current);
        if (current.environment.state !== "READY" && current.environment.state !== "FAILED") timer = window.setTimeout(poll, 400);
      } catch (e) {
        if (!cancelled) setProblem((e as Error).message);
      }
    };
    if (view?.environment.state === "READY" || view?.environment.state === "FAILED") return;
    (async () => {
      try {
        const started = await call<LabSessionView>(`${base}/session`, { method: "POST" });
        if (cancelled) return;
        setView(started);
        if (started.environment.state !== "READY") timer = window.setTimeout(poll, 300);
      } catch (e) {
        if (!cancelled) setProblem((e as Error).message);
      }
    })();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [base, view?.sessionId, view?.environment.state]);

  useEffect(() => {
    if (ready) void refreshObjects();
  }, [ready, view?.sessionId, refreshObjects]);

  const clusterChanged = useCallback(() => {
    setChangedAt(new Date().toISOString());
    void refreshObjects();
  }, [refreshObjects]);

  async function apply(yaml: string) {
    setApplying(true);
    setProblem(null);
    try {
      setApplyResult(await call<ApplyResultView>(`${base}/apply`, { method: "POST", body: { yaml } }));
      clusterChanged();
    } catch (e) {
      setProblem((e as Error).message);
    } finally {
      setApplying(false);
    }
  }

  const execute = useCallback(
    (script: string) => call<ShellOutput>(`${base}/shell`, { method: "POST", body: { script } }),
    [base],
  );

  async function check(objectiveId: string) {
    setChecking((current) => new Set(current).add(objectiveId));
    setProblem(null);
    try {
      const result = await call<ObjectiveResultView>(`${base}/objectives/${objectiveId}/check`, { method: "POST" });
      setView((current) =>
        current && {
          ...current,
          objectives: current.objectives.map((o) => (o.id === objectiveId ? { ...o, status: result.status, result } : o)),
        },
      );
      await refreshView();
    } catch (e) {
      setProblem((e as Error).message);
    } finally {
      setChecking((current) => {
        const next = new Set(current);
        next.delete(objectiveId);
        return next;
      });
    }
  }

  async function sample() {
    setSampling(true);
    try {
      const traffic = await call<TrafficView>(`${base}/traffic`, { method: "POST", body: { requests: 100 } });
      setView((current) => current && { ...current, traffic });
    } catch (e) {
      setProblem((e as Error).message);
    } finally {
      setSampling(false);
    }
  }

  async function reset() {
    if (!window.confirm("Reset the lab? Your cluster is replaced by a fresh one; your results so far are kept.")) return;
    setResetting(true);
    setProblem(null);
    try {
      setView(await call<LabSessionView>(`${base}/reset`, { method: "POST" }));
      setApplyResult(null);
      setChangedAt(null);
    } catch (e) {
      setProblem((e as Error).message);
    } finally {
      setResetting(false);
    }
  }

  const runInTerminal = useCallback((script: string) => terminal.current?.run(script), []);

  return (
    <div className="space-y-6">
      <header className="flex flex-wrap items-end gap-4 border-b border-slate-200 pb-4">
        <div className="mr-auto min-w-0 space-y-1">
          <p className="text-sm text-slate-500">Lab · about {props.minutes} minutes</p>
          <h1 className="text-2xl font-bold sm:text-3xl">{props.title}</h1>
        </div>
        <EnvironmentStatus environment={view?.environment ?? null} />
        <button
          type="button"
          onClick={reset}
          disabled={resetting || !view}
          className="rounded border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-50"
        >
          {resetting ? "Resetting…" : "Reset lab"}
        </button>
      </header>
      {problem && (
        <p role="alert" className="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800">{problem}</p>
      )}
      <div className="grid gap-6 lg:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
        <div className="min-w-0 space-y-6">
          <ObjectiveList objectives={view?.objectives ?? []} checking={checking} changedAt={changedAt} disabled={!ready} onCheck={check} />
          <ServiceGraph traffic={view?.traffic ?? null} onSample={sample} sampling={sampling} disabled={!ready} />
          <details open className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <summary className="cursor-pointer text-lg font-semibold">Task</summary>
            <CodeBlockActions onRun={runInTerminal} className="prose prose-sm mt-3 max-w-none">
              <div dangerouslySetInnerHTML={{ __html: props.taskHtml }} />
            </CodeBlockActions>
          </details>
        </div>
        <div className="min-w-0 space-y-6 lg:sticky lg:top-4 lg:self-start">
          <div className="space-y-2">
            <YamlEditor initialText={props.starterYaml} clusterObjects={objects} onApply={apply} applying={applying || !ready} />
            {applyResult && (
              <pre
                role="status"
                data-testid="apply-output"
                className={`overflow-x-auto rounded border p-2 font-mono text-xs ${applyResult.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-800"}`}
              >
                {applyResult.ok ? applyResult.output.join("\n") : applyResult.error}
              </pre>
            )}
          </div>
          {ready ? (
            <LabTerminal execute={execute} onRan={clusterChanged} handle={terminal} />
          ) : (
            <div className="flex h-80 items-center justify-center rounded-lg bg-slate-900 text-sm text-slate-300">The terminal opens when your environment is ready.</div>
          )}
        </div>
      </div>
    </div>
  );
}
