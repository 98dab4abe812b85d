// One scenario quiz: the questions (answers stay on the server until submitted) and the learner's earlier attempts.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { findLesson, findQuiz } from "@/content/course";
import { renderInlineMarkdown } from "@/content/markdown";
import { publicQuestions } from "@/content/quizzes";
import { QuizRunner, type QuizQuestionView } from "../../_components/quiz-runner";
import { requireUser } from "../../_lib/auth/session";
import { getPrisma } from "../../_lib/db";
import { attemptsOf } from "../_lib/attempts";
import "../../_components/prose.css";

type Props = { params: Promise<{ quizId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const quiz = findQuiz((await params).quizId);
  return quiz ? { title: quiz.title } : {};
}

export default async function QuizPage({ params }: Props) {
  const { quizId } = await params;
  const quiz = findQuiz(quizId);
  if (!quiz) notFound();
  const user = await requireUser(`/quizzes/${quiz.id}`);
  const attempts = await attemptsOf(getPrisma(), user.id, quiz.id);
  const questions: QuizQuestionView[] = publicQuestions(quiz).map((q) => ({
    id: q.id,
    type: q.type,
    kind: q.kind,
    promptHtml: renderInlineMarkdown(q.prompt),
    snippet: q.snippet,
    choices: q.choices,
  }));
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link href="/quizzes" className="hover:text-sky-700">Quizzes</Link> › {quiz.title}
      </nav>
      <header className="space-y-2">
        <h1 className="text-3xl font-bold">{quiz.title}</h1>
        <p className="text-slate-600">{quiz.summary}</p>
        <p className="text-sm text-slate-500">
          Revise:{" "}
          {quiz.lessons.map((id, i) => {
            const lesson = findLesson(id);
            return (
              <span key={id}>
                {i > 0 && " · "}
                <Link href={`/lessons/${id}`} className="text-sky-700 underline">{lesson?.title ?? id}</Link>
              </span>
            );
          })}
        </p>
        {attempts.length > 0 && (
          <details className="rounded border border-slate-200 bg-white p-3 text-sm" data-testid="previous-attempts">
            <summary className="cursor-pointer font-medium">
              Your attempts: {attempts.length} · best {Math.max(...attempts.map((a) => a.score))}/{quiz.questions.length}
            </summary>
            <ul className="mt-2 space-y-1 text-slate-600">
              {attempts.map((a) => (
                <li key={a.id}>{new Date(a.submittedAt).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC — {a.score}/{a.maxScore}</li>
              ))}
            </ul>
          </details>
        )}
      </header>
      <QuizRunner quizId={quiz.id} passPercent={quiz.passPercent} questions={questions} />
    </div>
  );
}
