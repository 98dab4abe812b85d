// One lesson, prerendered at build time (a broken lesson file fails the build): outcomes, contents, the rendered
// text with working code blocks, progress, and what to do next.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { allLessons, findLesson, findQuiz, nextLesson } from "@/content/course";
import { CodeBlockActions } from "../../_components/code-block-actions";
import { LessonProgress } from "../../_components/lesson-progress";
import "../../_components/prose.css";

export const dynamic = "force-static";
export const dynamicParams = false;

export function generateStaticParams(): { lessonId: string }[] {
  return allLessons().map((lesson) => ({ lessonId: lesson.id }));
}

type Props = { params: Promise<{ lessonId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const lesson = findLesson((await params).lessonId);
  return lesson ? { title: lesson.title, description: lesson.summary } : {};
}

export default async function LessonPage({ params }: Props) {
  const lesson = findLesson((await params).lessonId);
  if (!lesson) notFound();
  const next = nextLesson(lesson.id);
  const previous = allLessons().find((l) => l.order < lesson.order && nextLesson(l.id)?.id === lesson.id);
  const quiz = lesson.quiz ? findQuiz(lesson.quiz) : undefined;
  return (
    <div className="grid gap-10 lg:grid-cols-[minmax(0,1fr)_16rem]">
      <article className="min-w-0 space-y-6">
        <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
          <Link href="/lessons" className="hover:text-sky-700">Lessons</Link> › Lesson {lesson.order}
        </nav>
        <header className="space-y-3">
          <h1 className="text-3xl font-bold tracking-tight">{lesson.title}</h1>
          <p className="text-lg text-slate-600">{lesson.summary}</p>
          <p className="text-sm text-slate-500">{lesson.minutes} minutes</p>
          <section aria-labelledby="outcomes" className="rounded-lg border border-emerald-200 bg-emerald-50 p-4">
            <h2 id="outcomes" className="font-semibold text-emerald-900">After this lesson you can</h2>
            <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-emerald-900">
              {lesson.outcomes.map((o) => <li key={o}>{o}</li>)}
            </ul>
          </section>
        </header>
        <CodeBlockActions labId={lesson.lab} className="prose max-w-3xl">
          <div dangerouslySetInnerHTML={{ __html: lesson.html }} />
        </CodeBlockActions>
        <footer className="max-w-3xl space-y-6 border-t border-slate-200 pt-6">
          <LessonProgress lessonId={lesson.id} />
          <div className="flex flex-wrap gap-3 text-sm">
            {quiz && (
              <Link href={`/quizzes/${quiz.id}`} className="rounded border border-sky-700 px-3 py-2 font-medium text-sky-800 hover:bg-sky-50">
                Test yourself: {quiz.title}
              </Link>
            )}
            <Link href={`/labs/${lesson.lab}`} className="rounded border border-slate-300 bg-white px-3 py-2 font-medium hover:bg-slate-100">Open the lab</Link>
          </div>
          <nav aria-label="Lessons" className="flex justify-between gap-4 text-sm">
            {previous ? <Link href={`/lessons/${previous.id}`} className="text-sky-700 underline">← {previous.title}</Link> : <span />}
            {next && <Link href={`/lessons/${next.id}`} className="text-right text-sky-700 underline">{next.title} →</Link>}
          </nav>
        </footer>
      </article>
      <aside className="hidden lg:block">
        <nav aria-label="On this page" className="sticky top-4 space-y-2 text-sm">
          <p className="font-semibold text-slate-700">On this page</p>
          <ul className="space-y-1 border-l border-slate-200">
            {lesson.headings.map((h) => (
              <li key={h.id}><a href={`#${h.id}`} className="-ml-px block border-l border-transparent pl-3 text-slate-600 hover:border-sky-600 hover:text-sky-700">{h.text}</a></li>
            ))}
          </ul>
        </nav>
      </aside>
    </div>
  );
}
