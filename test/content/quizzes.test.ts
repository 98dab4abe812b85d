// Quiz files: the module's scenario quizzes validate and cover what the course promises; broken quiz files are
// refused with their path; grading counts exact answers and rejects answers that do not fit the quiz.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allQuizzes, ContentError, findQuiz, loadCourse } from "@/content/course";
import { AnswerError, gradeQuiz, publicQuestions, type Quiz } from "@/content/quizzes";

const root = path.resolve(import.meta.dirname, "../..");

function courseWithQuiz(file: string, rewrite: (text: string) => string): () => unknown {
  const dir = mkdtempSync(path.join(tmpdir(), "ica-quiz-"));
  cpSync(path.join(root, "content/lessons"), path.join(dir, "lessons"), { recursive: true });
  cpSync(path.join(root, "content/quizzes"), path.join(dir, "quizzes"), { recursive: true });
  const target = path.join(dir, "quizzes", file);
  writeFileSync(target, rewrite(readFileSync(target, "utf8")));
  return () => loadCourse(dir, path.join(root, "labs"));
}

function correctAnswers(quiz: Quiz) {
  return quiz.questions.map((q) => ({ questionId: q.id, choiceIds: q.choices.filter((c) => c.correct).map((c) => c.id) }));
}

describe("the traffic-management quizzes", () => {
  const questions = allQuizzes().flatMap((q) => q.questions);

  it("hold at least 20 questions, single and multiple choice, every choice explained", () => {
    expect(questions.length).toBeGreaterThanOrEqual(20);
    expect(questions.some((q) => q.type === "single")).toBe(true);
    expect(questions.some((q) => q.type === "multiple")).toBe(true);
    for (const q of questions) for (const c of q.choices) expect(c.why.length).toBeGreaterThan(10);
  });

  it("cover symptom-to-cause, common mistakes and find-the-bug with a YAML snippet", () => {
    const kinds = new Set(questions.map((q) => q.kind));
    expect(kinds).toEqual(new Set(["symptom-to-cause", "common-mistake", "find-the-bug", "concept"]));
    for (const q of questions.filter((x) => x.kind === "find-the-bug")) expect(q.snippet).toMatch(/apiVersion: networking\.istio\.io/);
  });

  it("ask the module's seven scenarios", () => {
    const ids = new Set(questions.map((q) => q.id));
    for (const id of [
      "canary-shift-503", "header-canary-never-matches", "retries-cut-by-timeout", "ingress-not-reaching-productpage",
      "mirror-without-impact", "registry-only-egress", "latency-at-fifty-percent",
    ]) expect(ids).toContain(id);
  });

  it("never send answers or explanations to the browser before an attempt", () => {
    const json = JSON.stringify(allQuizzes().map(publicQuestions));
    expect(json).not.toContain('"correct"');
    expect(json).not.toContain('"why"');
    expect(json).not.toContain('"explanation"');
  });
});

describe("grading an attempt", () => {
  const quiz = findQuiz("traffic-management-scenarios")!;

  it("scores full marks for the answer key and explains every question", () => {
    const grade = gradeQuiz(quiz, correctAnswers(quiz));
    expect(grade).toMatchObject({ score: quiz.questions.length, maxScore: quiz.questions.length, passed: true });
    for (const r of grade.results) expect(r.explanation.length).toBeGreaterThan(20);
  });

  it("counts a multiple-choice question only when exactly the right choices are ticked", () => {
    const q = quiz.questions.find((x) => x.type === "multiple")!;
    const right = q.choices.filter((c) => c.correct).map((c) => c.id);
    const partial = gradeQuiz(quiz, [{ questionId: q.id, choiceIds: right.slice(1) }]);
    expect(partial.results.find((r) => r.questionId === q.id)).toMatchObject({ correct: false, correctChoiceIds: right.sort() });
    const wrongExtra = q.choices.find((c) => !c.correct)!.id;
    expect(gradeQuiz(quiz, [{ questionId: q.id, choiceIds: [...right, wrongExtra] }]).score).toBe(0);
    expect(gradeQuiz(quiz, [{ questionId: q.id, choiceIds: right }]).score).toBe(1);
  });

  it("counts unanswered questions as wrong and fails below the pass mark", () => {
    const grade = gradeQuiz(quiz, correctAnswers(quiz).slice(0, 3));
    expect(grade.score).toBe(3);
    expect(grade.passed).toBe(false);
  });

  it.each([
    [[{ questionId: "nope", choiceIds: ["a"] }], /no question "nope"/],
    [[{ questionId: "canary-shift-503", choiceIds: ["z"] }], /no choice "z"/],
    [[{ questionId: "canary-shift-503", choiceIds: ["a", "b"] }], /takes one answer/],
    [[{ questionId: "canary-shift-503", choiceIds: ["a"] }, { questionId: "canary-shift-503", choiceIds: ["a"] }], /answered twice/],
  ])("rejects answers that do not fit the quiz (%j)", (answers, message) => {
    expect(() => gradeQuiz(quiz, answers)).toThrow(AnswerError);
    expect(() => gradeQuiz(quiz, answers)).toThrow(message);
  });
});

describe("a broken quiz file fails loading with its path and the problem", () => {
  const file = "traffic-management-scenarios.yaml";
  it.each([
    ["two correct answers on a single-choice question", (t: string) => t.replace("        why: Unready pods", "        correct: true\n        why: Unready pods"), /questions\.0\.choices: a single-choice question needs exactly one correct choice/],
    ["a question without explanation", (t: string) => t.replace(/\n    explanation: >-\n      Read the response flag[\s\S]*?VirtualService that uses it\.\n/, "\n"), /questions\.0\.explanation/],
    ["a duplicate question id", (t: string) => t.replace("id: header-canary-never-matches", "id: canary-shift-503"), /question id "canary-shift-503" is used twice/],
    ["a lesson that does not exist", (t: string) => t.replace("lessons: [virtualservice-routing", "lessons: [no-such-lesson"), /lessons: no lesson "no-such-lesson"/],
    ["a file that is not YAML", () => "id: [", /not valid YAML/],
  ])("refuses %s", (_, rewrite, message) => {
    const load = courseWithQuiz(file, rewrite);
    expect(load).toThrow(ContentError);
    expect(load).toThrow(message);
  });

  it("refuses a find-the-bug question whose snippet does not parse", () => {
    const load = courseWithQuiz("traffic-management-yaml.yaml", (t) => t.replace("            subset: version-2", "            subset: [version-2"));
    expect(load).toThrow(/questions\.0\.snippet: the snippet does not parse as YAML/);
  });
});
