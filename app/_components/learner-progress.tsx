// The learner's dashboard panels: lessons read, quiz best scores, lab objectives passed, with progress bars and links.
import Link from "next/link";
import type { LearnerProgress } from "../_lib/queries/progress";
import type { CourseOutline } from "../dashboard/next-step";

function Bar({ value, max, label }: { value: number; max: number; label: string }) {
  const percent = max ? Math.round((value / max) * 100) : 0;
  return (
    <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value} className="h-2 overflow-hidden rounded bg-slate-200">
      <div className="h-full bg-sky-600" style={{ width: `${percent}%` }} />
    </div>
  );
}

export function LearnerProgressPanels({ progress, outline }: { progress: LearnerProgress; outline: CourseOutline }) {
  const read = new Set(progress.lessonsCompleted);
  const quizzes = new Map(progress.quizzes.map((q) => [q.quizId, q]));
  const labs = new Map(progress.labs.map((l) => [l.labId, l]));
  const lessonsRead = outline.lessons.filter((l) => read.has(l.id)).length;
  const started = outline.labs.filter((l) => labs.has(l.id));
  const shownLabs = started.length ? started : outline.labs.slice(0, 1);
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="p-lessons">
        <h2 id="p-lessons" className="font-semibold">Lessons read</h2>
        <p className="text-3xl font-bold" data-testid="lessons-completed">{lessonsRead}<span className="text-base font-normal text-slate-500"> / {outline.lessons.length}</span></p>
        <Bar value={lessonsRead} max={outline.lessons.length} label="Lessons read" />
        <ul className="space-y-1 text-sm">
          {outline.lessons.map((l) => (
            <li key={l.id} className="flex gap-2">
              <span aria-hidden="true" className={read.has(l.id) ? "text-emerald-600" : "text-slate-300"}>{read.has(l.id) ? "✓" : "○"}</span>
              <Link href={`/lessons/${l.id}`} className="hover:text-sky-700">{l.title}</Link>
              <span className="sr-only">{read.has(l.id) ? "(read)" : "(not read)"}</span>
            </li>
          ))}
        </ul>
      </section>
      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="p-quizzes">
        <h2 id="p-quizzes" className="font-semibold">Quiz scores</h2>
        <ul className="space-y-3 text-sm" data-testid="quiz-scores">
          {outline.quizzes.map((q) => {
            const mine = quizzes.get(q.id);
            const passed = mine ? mine.bestScore * 100 >= q.passPercent * mine.maxScore : false;
            return (
              <li key={q.id} className="space-y-1">
                <Link href={`/quizzes/${q.id}`} className="font-medium hover:text-sky-700">{q.title}</Link>
                <p className="text-slate-600">
                  {mine ? `Best ${mine.bestScore}/${mine.maxScore} · ${mine.attempts} attempt${mine.attempts === 1 ? "" : "s"}${passed ? " · passed" : ""}` : "Not taken yet"}
                </p>
                <Bar value={mine?.bestScore ?? 0} max={mine?.maxScore ?? q.questions} label={`${q.title}: best score`} />
              </li>
            );
          })}
        </ul>
      </section>
      <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="p-labs">
        <h2 id="p-labs" className="font-semibold">Labs</h2>
        <ul className="space-y-3 text-sm" data-testid="lab-progress">
          {shownLabs.map((lab) => {
            const mine = labs.get(lab.id);
            const passed = new Set(mine?.objectivesPassed ?? []);
            return (
              <li key={lab.id} className="space-y-1">
                <Link href={`/labs/${lab.id}`} className="font-medium hover:text-sky-700">{lab.title}</Link>
                <p className="text-slate-600">{passed.size} of {lab.objectives.length} objectives passed{mine ? "" : " · not started"}</p>
                <Bar value={passed.size} max={lab.objectives.length} label={`${lab.title}: objectives passed`} />
              </li>
            );
          })}
        </ul>
        <p className="text-sm"><Link href="/labs" className="text-sky-700 underline">All {outline.labs.length} labs</Link></p>
      </section>
    </div>
  );
}
