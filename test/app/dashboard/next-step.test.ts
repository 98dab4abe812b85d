// The dashboard's "what to do next": unread lessons first, then quizzes not yet passed, then lab objectives.
import { describe, expect, it } from "vitest";
import { nextStep, type CourseOutline } from "@/app/dashboard/next-step";
import type { LearnerProgress } from "@/app/_lib/queries/progress";

const outline: CourseOutline = {
  lessons: [{ id: "one", title: "Lesson one" }, { id: "two", title: "Lesson two" }],
  quizzes: [{ id: "quiz", title: "The quiz", questions: 10, passPercent: 70 }],
  labs: [{ id: "lab", title: "The lab", objectives: [{ id: "a", title: "Objective A" }, { id: "b", title: "Objective B" }] }],
};

function progress(overrides: Partial<LearnerProgress>): LearnerProgress {
  return { learner: { id: "u", name: "U", email: "u@example.com" }, lessonsCompleted: [], quizzes: [], labs: [], ...overrides };
}

describe("nextStep", () => {
  it("starts with the first lesson", () => {
    expect(nextStep(progress({}), outline)).toMatchObject({ kind: "lesson", href: "/lessons/one" });
  });

  it("continues with the first unread lesson", () => {
    expect(nextStep(progress({ lessonsCompleted: ["one"] }), outline)).toMatchObject({ kind: "lesson", href: "/lessons/two", why: "Continue where you stopped reading." });
  });

  it("then sends the learner to a quiz below the pass mark, quoting the best score", () => {
    const step = nextStep(progress({ lessonsCompleted: ["one", "two"], quizzes: [{ quizId: "quiz", bestScore: 6, maxScore: 10, attempts: 2 }] }), outline);
    expect(step).toMatchObject({ kind: "quiz", href: "/quizzes/quiz", why: "Your best is 6/10; 70% passes." });
  });

  it("then to the first lab objective not passed, and finally to the catalog", () => {
    const done = { lessonsCompleted: ["one", "two"], quizzes: [{ quizId: "quiz", bestScore: 7, maxScore: 10, attempts: 1 }] };
    expect(nextStep(progress({ ...done, labs: [{ labId: "lab", sessions: 1, objectivesPassed: ["a"] }] }), outline)).toMatchObject({ kind: "lab", why: "Next objective: Objective B." });
    expect(nextStep(progress({ ...done, labs: [{ labId: "lab", sessions: 1, objectivesPassed: ["a", "b"] }] }), outline)).toMatchObject({ kind: "done", href: "/catalog" });
  });
});
