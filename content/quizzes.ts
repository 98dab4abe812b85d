// Scenario quizzes under content/quizzes: one YAML file per quiz, validated with zod (answer keys, explanations,
// YAML snippets that parse), a public view without the answers, and grading of a submitted attempt.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { z } from "zod";
import { ContentError } from "./lessons";

const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "use lowercase words joined by '-'");

export const questionKinds = ["symptom-to-cause", "common-mistake", "find-the-bug", "concept"] as const;

const choice = z
  .object({
    id: z.string().regex(/^[a-z]$/, "choice ids are single letters a–z"),
    text: z.string().min(1).max(400),
    correct: z.boolean().default(false),
    /** Why this choice is right or wrong; shown after the attempt. */
    why: z.string().min(15).max(600),
  })
  .strict();

export const question = z
  .object({
    id,
    /** single: exactly one answer (radio buttons); multiple: every correct answer must be ticked (checkboxes). */
    type: z.enum(["single", "multiple"]),
    kind: z.enum(questionKinds),
    prompt: z.string().min(20).max(1200),
    /** A manifest or output the question is about (required for find-the-bug). */
    snippet: z.string().min(10).max(3000).optional(),
    snippetLanguage: z.enum(["yaml", "text"]).default("yaml"),
    choices: z.array(choice).min(2).max(6),
    /** The takeaway, shown after the attempt whatever was answered. */
    explanation: z.string().min(30).max(1200),
  })
  .strict()
  .superRefine((q, ctx) => {
    const ids = q.choices.map((c) => c.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", path: ["choices"], message: "choice ids must be unique" });
    const correct = q.choices.filter((c) => c.correct).length;
    if (q.type === "single" && correct !== 1) ctx.addIssue({ code: "custom", path: ["choices"], message: `a single-choice question needs exactly one correct choice (has ${correct})` });
    if (q.type === "multiple" && (correct < 2 || correct === q.choices.length)) {
      ctx.addIssue({ code: "custom", path: ["choices"], message: "a multiple-choice question needs at least two correct and one wrong choice" });
    }
    if (q.kind === "find-the-bug" && !q.snippet) ctx.addIssue({ code: "custom", path: ["snippet"], message: "a find-the-bug question shows the YAML with the bug" });
    if (q.snippet && q.snippetLanguage === "yaml") {
      for (const doc of parseAllDocuments(q.snippet)) {
        if (doc.errors.length) ctx.addIssue({ code: "custom", path: ["snippet"], message: `the snippet does not parse as YAML: ${doc.errors[0]!.message.split("\n")[0]}` });
      }
    }
  });

export type Question = z.infer<typeof question>;

export const quizSchema = z
  .object({
    id,
    title: z.string().min(5).max(120),
    summary: z.string().min(20).max(400),
    /** Lessons this quiz practises (shown as "revise" links). */
    lessons: z.array(id).min(1),
    /** Share of correct answers that counts as a pass. */
    passPercent: z.number().int().min(1).max(100).default(70),
    questions: z.array(question).min(5),
  })
  .strict()
  .superRefine((quiz, ctx) => {
    const ids = quiz.questions.map((q) => q.id);
    const dup = ids.find((qid, i) => ids.indexOf(qid) !== i);
    if (dup) ctx.addIssue({ code: "custom", path: ["questions"], message: `question id "${dup}" is used twice` });
  });

export type Quiz = z.infer<typeof quizSchema> & { file: string };

/** Loads and validates one quiz file; the file name must be `<id>.yaml`. */
export function loadQuizFile(file: string): Quiz {
  const where = path.relative(process.cwd(), file);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ContentError(`${where}: not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const parsed = quizSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ContentError(`${where}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(quiz)"}: ${i.message}`).join("; ")}`);
  }
  if (path.basename(file, ".yaml") !== parsed.data.id) throw new ContentError(`${where}: id "${parsed.data.id}" must equal the file name`);
  return { ...parsed.data, file };
}

/** Every quiz of a folder, sorted by id. */
export function loadQuizzesFrom(dir: string): Quiz[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((name) => loadQuizFile(path.join(dir, name)));
}

/** What the browser sees before answering: no correct flags, no explanations. */
export interface PublicQuestion {
  id: string;
  type: Question["type"];
  kind: Question["kind"];
  prompt: string;
  snippet?: string;
  snippetLanguage: Question["snippetLanguage"];
  choices: { id: string; text: string }[];
}

export function publicQuestions(quiz: Quiz): PublicQuestion[] {
  return quiz.questions.map((q) => ({
    id: q.id,
    type: q.type,
    kind: q.kind,
    prompt: q.prompt,
    snippet: q.snippet,
    snippetLanguage: q.snippetLanguage,
    choices: q.choices.map((c) => ({ id: c.id, text: c.text })),
  }));
}

/** One submitted answer. */
export interface SubmittedAnswer {
  questionId: string;
  choiceIds: string[];
}

/** The verdict on one question, with every explanation. */
export interface QuestionResult {
  questionId: string;
  correct: boolean;
  selected: string[];
  correctChoiceIds: string[];
  choices: { id: string; correct: boolean; why: string }[];
  explanation: string;
}

export interface QuizGrade {
  score: number;
  maxScore: number;
  passed: boolean;
  results: QuestionResult[];
}

/** A problem with a submission (unknown question or choice, two answers to a single-choice question). */
export class AnswerError extends Error {
  constructor(message: string, readonly path: string) {
    super(message);
  }
}

/**
 * Grades answers: a question counts when exactly its correct choices are selected. Unanswered questions count as
 * wrong. Throws AnswerError for answers that do not fit the quiz.
 */
export function gradeQuiz(quiz: Quiz, answers: readonly SubmittedAnswer[]): QuizGrade {
  const byId = new Map(quiz.questions.map((q) => [q.id, q]));
  const chosen = new Map<string, string[]>();
  answers.forEach((answer, index) => {
    const q = byId.get(answer.questionId);
    if (!q) throw new AnswerError(`There is no question "${answer.questionId}" in this quiz.`, `answers[${index}].questionId`);
    if (chosen.has(q.id)) throw new AnswerError(`Question "${q.id}" is answered twice.`, `answers[${index}].questionId`);
    const unique = [...new Set(answer.choiceIds)];
    const unknown = unique.find((c) => !q.choices.some((choice) => choice.id === c));
    if (unknown) throw new AnswerError(`Question "${q.id}" has no choice "${unknown}".`, `answers[${index}].choiceIds`);
    if (q.type === "single" && unique.length > 1) throw new AnswerError(`Question "${q.id}" takes one answer.`, `answers[${index}].choiceIds`);
    chosen.set(q.id, unique.sort());
  });
  const results = quiz.questions.map((q): QuestionResult => {
    const selected = chosen.get(q.id) ?? [];
    const correctChoiceIds = q.choices.filter((c) => c.correct).map((c) => c.id).sort();
    return {
      questionId: q.id,
      correct: selected.length === correctChoiceIds.length && selected.every((c, i) => c === correctChoiceIds[i]),
      selected,
      correctChoiceIds,
      choices: q.choices.map((c) => ({ id: c.id, correct: c.correct, why: c.why })),
      explanation: q.explanation,
    };
  });
  const score = results.filter((r) => r.correct).length;
  const maxScore = quiz.questions.length;
  return { score, maxScore, passed: score * 100 >= quiz.passPercent * maxScore, results };
}
