// The lessons of the traffic-management module, in course order (static: built with the app).
import type { Metadata } from "next";
import Link from "next/link";
import { allLessons, allQuizzes } from "@/content/course";

export const metadata: Metadata = { title: "Lessons" };
export const dynamic = "force-static";

export default function LessonsPage() {
  const lessons = allLessons();
  const quizzes = allQuizzes();
  const minutes = lessons.reduce((sum, l) => sum + l.minutes, 0);
  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <p className="text-sm font-semibold uppercase tracking-wide text-sky-700">Traffic Management · 35% of the exam</p>
        <h1 className="text-3xl font-bold">Lessons</h1>
        <p className="max-w-3xl text-slate-600">
          {lessons.length} short lessons, about {minutes} minutes in all. Every snippet can be copied or run in your own
          lab cluster; each lesson ends with links to the scenario quizzes and the hands-on lab.
        </p>
      </header>
      <ol className="grid gap-4 md:grid-cols-2">
        {lessons.map((lesson) => (
          <li key={lesson.id} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
            <p className="text-xs font-semibold text-slate-500">Lesson {lesson.order} · {lesson.minutes} min</p>
            <h2 className="mt-1 text-lg font-semibold">
              <Link href={`/lessons/${lesson.id}`} className="hover:text-sky-700 focus-visible:text-sky-700">{lesson.title}</Link>
            </h2>
            <p className="mt-2 text-sm text-slate-600">{lesson.summary}</p>
          </li>
        ))}
      </ol>
      <section aria-labelledby="practice" className="rounded-lg border border-sky-200 bg-sky-50 p-5">
        <h2 id="practice" className="text-lg font-semibold">Practise</h2>
        <ul className="mt-2 space-y-1 text-sm">
          {quizzes.map((q) => (
            <li key={q.id}><Link href={`/quizzes/${q.id}`} className="text-sky-800 underline">{q.title}</Link> · {q.questions.length} questions</li>
          ))}
          <li><Link href="/labs/bookinfo-traffic-management" className="text-sky-800 underline">Lab: Bookinfo traffic management</Link></li>
        </ul>
      </section>
    </div>
  );
}
