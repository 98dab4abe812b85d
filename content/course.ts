// The course as the app sees it: every lesson and quiz, loaded and cross-checked once per process (lesson ↔ quiz
// links, labs that exist). Loading throws ContentError on the first broken file.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { contentDir, ContentError, loadLessonsFrom, type Lesson } from "./lessons";
import { loadQuizzesFrom, type Quiz } from "./quizzes";

export { ContentError };
export type { Lesson, Quiz };

export interface Course {
  lessons: Lesson[];
  quizzes: Quiz[];
}

/** Ids of the labs under a labs folder (folders holding a lab.yaml); read from disk so content never imports labs. */
export function labIdsIn(labsDir: string): Set<string> {
  if (!existsSync(labsDir)) return new Set();
  return new Set(
    readdirSync(labsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(path.join(labsDir, entry.name, "lab.yaml")))
      .map((entry) => entry.name),
  );
}

/** Loads a course from a content folder (lessons/ and quizzes/) and checks the links between them. */
export function loadCourse(dir: string, labsDir: string): Course {
  const quizzes = loadQuizzesFrom(path.join(dir, "quizzes"));
  const quizIds = new Set(quizzes.map((q) => q.id));
  const lessons = loadLessonsFrom(path.join(dir, "lessons"), { quizIds, labIds: labIdsIn(labsDir) });
  const lessonIds = new Set(lessons.map((l) => l.id));
  for (const quiz of quizzes) {
    const missing = quiz.lessons.find((id) => !lessonIds.has(id));
    if (missing) throw new ContentError(`${path.relative(process.cwd(), quiz.file)}: lessons: no lesson "${missing}"`);
  }
  return { lessons, quizzes };
}

let cached: Course | undefined;

/** The product's course (content/ next to this file, labs/ beside it), loaded once. */
export function course(): Course {
  cached ??= loadCourse(contentDir, path.join(path.dirname(contentDir), "labs"));
  return cached;
}

export function allLessons(): Lesson[] {
  return course().lessons;
}

export function findLesson(id: string): Lesson | undefined {
  return course().lessons.find((l) => l.id === id);
}

export function allQuizzes(): Quiz[] {
  return course().quizzes;
}

export function findQuiz(id: string): Quiz | undefined {
  return course().quizzes.find((q) => q.id === id);
}

/** The lesson after this one, in course order. */
export function nextLesson(id: string): Lesson | undefined {
  const lessons = course().lessons;
  const index = lessons.findIndex((l) => l.id === id);
  return index >= 0 ? lessons[index + 1] : undefined;
}
