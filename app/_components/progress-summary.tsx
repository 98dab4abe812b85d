// Renders a learner's progress: lessons, quiz scores, labs with passed objectives.
import type { LearnerProgress } from "../_lib/queries/progress";

export function ProgressSummary({ progress }: { progress: LearnerProgress }) {
  return (
    <div className="grid gap-4 md:grid-cols-3">
      <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="p-lessons">
        <h2 id="p-lessons" className="font-semibold">Lessons completed</h2>
        <p className="mt-2 text-3xl font-bold" data-testid="lessons-completed">{progress.lessonsCompleted.length}</p>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="p-quizzes">
        <h2 id="p-quizzes" className="font-semibold">Quizzes</h2>
        {progress.quizzes.length === 0 ? (
          <p className="mt-2 text-sm text-slate-500">No quiz taken yet.</p>
        ) : (
          <ul className="mt-2 space-y-1 text-sm">
            {progress.quizzes.map((q) => (
              <li key={q.quizId}>{q.quizId}: best {q.bestScore}/{q.maxScore} ({q.attempts} attempts)</li>
            ))}
          </ul>
        )}
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="p-labs">
        <h2 id="p-labs" className="font-semibold">Labs</h2>
        {progress.labs.length === 0 ? (
          <p className="mt-2 text-sm text-slate-500">No lab started yet.</p>
        ) : (
          <ul className="mt-2 space-y-1 text-sm">
            {progress.labs.map((l) => (
              <li key={l.labId}>{l.labId}: {l.objectivesPassed.length} objectives passed</li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
