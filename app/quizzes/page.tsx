// The scenario quizzes, with the signed-in learner's best score on each.
import type { Metadata } from "next";
import Link from "next/link";
import { allQuizzes } from "@/content/course";
import { currentUser } from "../_lib/auth/session";
import { getPrisma } from "../_lib/db";

export const metadata: Metadata = { title: "Quizzes" };

export default async function QuizzesPage() {
  const user = await currentUser();
  const attempts = user
    ? await getPrisma().quizAttempt.groupBy({ by: ["quizId"], where: { userId: user.id, submittedAt: { not: null } }, _max: { score: true }, _count: { _all: true } })
    : [];
  const best = new Map(attempts.map((a) => [a.quizId, { score: a._max.score ?? 0, count: a._count._all }]));
  return (
    <div className="space-y-6">
      <h1 className="text-3xl font-bold">Scenario quizzes</h1>
      <p className="max-w-3xl text-slate-600">
        Questions the way the exam and production ask them: a symptom, a manifest, a decision. Every answer is explained,
        attempts are saved, and you can retry as often as you like.
      </p>
      <ul className="grid gap-4 md:grid-cols-2">
        {allQuizzes().map((quiz) => {
          const mine = best.get(quiz.id);
          return (
            <li key={quiz.id} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
              <h2 className="text-lg font-semibold">
                <Link href={`/quizzes/${quiz.id}`} className="hover:text-sky-700">{quiz.title}</Link>
              </h2>
              <p className="mt-2 text-sm text-slate-600">{quiz.summary}</p>
              <p className="mt-3 text-xs text-slate-500">
                {quiz.questions.length} questions · pass at {quiz.passPercent}%
                {mine ? ` · your best: ${mine.score}/${quiz.questions.length} in ${mine.count} attempt${mine.count === 1 ? "" : "s"}` : ""}
              </p>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
