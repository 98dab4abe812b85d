"use client";
// The lesson's progress control: records the visit for signed-in learners and lets them mark the lesson read.
// Lesson pages are static, so who is reading is asked from the API after the page loads.
import Link from "next/link";
import { useEffect, useState } from "react";

interface Progress {
  signedIn: boolean;
  completed: boolean;
}

export function LessonProgress({ lessonId }: { lessonId: string }) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const current = (await (await fetch(`/api/lessons/${lessonId}/progress`)).json()) as Progress;
      if (cancelled) return;
      setProgress(current);
      if (current.signedIn) {
        await fetch(`/api/lessons/${lessonId}/progress`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      }
    })().catch(() => setError("Could not load your progress."));
    return () => {
      cancelled = true;
    };
  }, [lessonId]);

  async function toggle() {
    if (!progress) return;
    setSaving(true);
    setError(null);
    try {
      const response = await fetch(`/api/lessons/${lessonId}/progress`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ completed: !progress.completed }),
      });
      if (!response.ok) throw new Error(String(response.status));
      setProgress((await response.json()) as Progress);
    } catch {
      setError("Could not save. Try again.");
    } finally {
      setSaving(false);
    }
  }

  if (!progress) return <p className="text-sm text-slate-500" aria-live="polite">{error ?? "Loading your progress…"}</p>;
  if (!progress.signedIn) {
    return (
      <p className="text-sm text-slate-600">
        <Link href={`/sign-in?next=/lessons/${lessonId}`} className="text-sky-700 underline">Sign in</Link> to track your progress and run snippets in your own lab.
      </p>
    );
  }
  return (
    <div className="flex flex-wrap items-center gap-3">
      <button
        type="button"
        onClick={toggle}
        disabled={saving}
        aria-pressed={progress.completed}
        data-testid="mark-read"
        className={`rounded px-4 py-2 text-sm font-medium disabled:opacity-60 ${progress.completed ? "border border-emerald-600 bg-emerald-50 text-emerald-800 hover:bg-emerald-100" : "bg-sky-700 text-white hover:bg-sky-800"}`}
      >
        {progress.completed ? "✓ Read — mark as unread" : "Mark as read"}
      </button>
      <span className="text-sm text-slate-500" aria-live="polite">{error ?? (progress.completed ? "Counted on your dashboard." : "")}</span>
    </div>
  );
}
