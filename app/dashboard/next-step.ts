// What a learner should do next, from their progress: the next unread lesson, then a quiz not yet passed, then a lab
// objective not yet passed; finished learners are pointed at the catalog.
import type { LearnerProgress } from "../_lib/queries/progress";

export interface CourseOutline {
  lessons: { id: string; title: string }[];
  quizzes: { id: string; title: string; questions: number; passPercent: number }[];
  labs: { id: string; title: string; objectives: { id: string; title: string }[] }[];
}

export interface NextStep {
  kind: "lesson" | "quiz" | "lab" | "done";
  title: string;
  href: string;
  why: string;
}

export function nextStep(progress: LearnerProgress, outline: CourseOutline): NextStep {
  const read = new Set(progress.lessonsCompleted);
  const lesson = outline.lessons.find((l) => !read.has(l.id));
  const quizScores = new Map(progress.quizzes.map((q) => [q.quizId, q]));
  const passedQuiz = (q: CourseOutline["quizzes"][number]) => {
    const mine = quizScores.get(q.id);
    return mine !== undefined && mine.bestScore * 100 >= q.passPercent * mine.maxScore;
  };
  if (lesson) {
    return { kind: "lesson", title: lesson.title, href: `/lessons/${lesson.id}`, why: read.size === 0 ? "Start with the first lesson of the traffic-management module." : "Continue where you stopped reading." };
  }
  const quiz = outline.quizzes.find((q) => !passedQuiz(q));
  if (quiz) {
    const mine = quizScores.get(quiz.id);
    return {
      kind: "quiz",
      title: quiz.title,
      href: `/quizzes/${quiz.id}`,
      why: mine ? `Your best is ${mine.bestScore}/${mine.maxScore}; ${quiz.passPercent}% passes.` : "Check your understanding with scenario questions.",
    };
  }
  const passedObjectives = new Map(progress.labs.map((l) => [l.labId, new Set(l.objectivesPassed)]));
  for (const lab of outline.labs) {
    const passed = passedObjectives.get(lab.id) ?? new Set<string>();
    const objective = lab.objectives.find((o) => !passed.has(o.id));
    if (objective) return { kind: "lab", title: lab.title, href: `/labs/${lab.id}`, why: `Next objective: ${objective.title}.` };
  }
  return { kind: "done", title: "Browse the catalog", href: "/catalog", why: "You have finished every lesson, quiz and lab objective here." };
}
