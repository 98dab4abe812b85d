// The learner's dashboard: progress from the database (lessons read, quiz scores, lab objectives passed) and the
// one thing to do next.
import type { Metadata } from "next";
import Link from "next/link";
import { allLessons, allQuizzes } from "@/content/course";
import { loadableLabs } from "../_lib/lab-sessions/labs";
import { LearnerProgressPanels } from "../_components/learner-progress";
import { requireUser } from "../_lib/auth/session";
import { getPrisma } from "../_lib/db";
import { learnerProgress } from "../_lib/queries/progress";
import { nextStep, type CourseOutline } from "./next-step";

export const metadata: Metadata = { title: "Dashboard" };

/** The seed lab comes first among labs not started yet: the lessons lead to it. */
const firstLab = "bookinfo-traffic-management";

function outline(startedLabIds: ReadonlySet<string>): CourseOutline {
  const rank = (id: string) => (startedLabIds.has(id) ? 0 : id === firstLab ? 1 : 2);
  return {
    lessons: allLessons().map((l) => ({ id: l.id, title: l.title })),
    quizzes: allQuizzes().map((q) => ({ id: q.id, title: q.title, questions: q.questions.length, passPercent: q.passPercent })),
    labs: loadableLabs()
      .sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id))
      .map((l) => ({ id: l.id, title: l.title, objectives: l.objectives.map((o) => ({ id: o.id, title: o.title })) })),
  };
}

export default async function DashboardPage() {
  const user = await requireUser("/dashboard");
  const progress = await learnerProgress(getPrisma(), user.id);
  const course = outline(new Set(progress?.labs.map((l) => l.labId)));
  const next = progress ? nextStep(progress, course) : null;
  return (
    <div className="space-y-6">
      <h1 className="text-3xl font-bold">{`Welcome, ${user.name}`}</h1>
      {next && (
        <section aria-labelledby="next-title" className="flex flex-wrap items-center gap-4 rounded-lg border border-sky-200 bg-sky-50 p-5" data-testid="next-step">
          <div className="mr-auto">
            <h2 id="next-title" className="text-sm font-semibold uppercase tracking-wide text-sky-800">What to do next</h2>
            <p className="mt-1 text-lg font-semibold">{next.title}</p>
            <p className="text-sm text-slate-700">{next.why}</p>
          </div>
          <Link href={next.href} className="rounded bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800">
            {next.kind === "lesson" ? "Read" : next.kind === "quiz" ? "Take the quiz" : next.kind === "lab" ? "Open the lab" : "Browse"}
          </Link>
        </section>
      )}
      {progress && <LearnerProgressPanels progress={progress} outline={course} />}
    </div>
  );
}
