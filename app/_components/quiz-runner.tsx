"use client";
// Takes a scenario quiz: radio buttons for single-choice and checkboxes for multiple-choice questions, submit,
// then every question marked with the right answer and why each choice is right or wrong; retry starts over.
import { useMemo, useState } from "react";

export interface QuizQuestionView {
  id: string;
  type: "single" | "multiple";
  kind: string;
  /** Prompt rendered from Markdown on the server. */
  promptHtml: string;
  snippet?: string;
  choices: { id: string; text: string }[];
}

interface QuestionResult {
  questionId: string;
  correct: boolean;
  selected: string[];
  correctChoiceIds: string[];
  choices: { id: string; correct: boolean; why: string }[];
  explanation: string;
}

interface Grade {
  attemptId: string;
  score: number;
  maxScore: number;
  passed: boolean;
  results: QuestionResult[];
}

const kindLabels: Record<string, string> = {
  "symptom-to-cause": "Symptom → cause",
  "common-mistake": "Common mistake",
  "find-the-bug": "Find the bug",
  concept: "Concept",
};

export function QuizRunner(props: { quizId: string; passPercent: number; questions: QuizQuestionView[] }) {
  const [answers, setAnswers] = useState<Record<string, string[]>>({});
  const [grade, setGrade] = useState<Grade | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const answered = props.questions.filter((q) => (answers[q.id] ?? []).length > 0).length;
  const results = useMemo(() => new Map(grade?.results.map((r) => [r.questionId, r])), [grade]);

  function choose(question: QuizQuestionView, choiceId: string, checked: boolean) {
    if (grade) return;
    setAnswers((current) => {
      const previous = current[question.id] ?? [];
      const next = question.type === "single" ? [choiceId] : checked ? [...new Set([...previous, choiceId])] : previous.filter((c) => c !== choiceId);
      return { ...current, [question.id]: next };
    });
  }

  async function submit() {
    setSubmitting(true);
    setError(null);
    try {
      const response = await fetch(`/api/quizzes/${props.quizId}/attempts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ answers: props.questions.map((q) => ({ questionId: q.id, choiceIds: answers[q.id] ?? [] })) }),
      });
      const data = (await response.json()) as Grade & { error?: { message: string } };
      if (!response.ok) throw new Error(data.error?.message ?? `The server answered ${response.status}.`);
      setGrade(data);
      requestAnimationFrame(() => document.getElementById("quiz-score")?.focus());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSubmitting(false);
    }
  }

  function retry() {
    setAnswers({});
    setGrade(null);
    setError(null);
    requestAnimationFrame(() => document.getElementById(`q-${props.questions[0]?.id}`)?.focus());
  }

  return (
    <div className="space-y-6">
      {grade && (
        <div
          id="quiz-score"
          tabIndex={-1}
          role="status"
          data-testid="quiz-score"
          className={`rounded-lg border p-4 ${grade.passed ? "border-emerald-300 bg-emerald-50 text-emerald-900" : "border-amber-300 bg-amber-50 text-amber-900"}`}
        >
          <p className="text-lg font-semibold">
            You scored {grade.score} / {grade.maxScore} ({Math.round((grade.score / grade.maxScore) * 100)}%) — {grade.passed ? "passed" : `${props.passPercent}% passes`}.
          </p>
          <p className="text-sm">Read the explanations below, then retry whenever you like. Every attempt is saved.</p>
        </div>
      )}
      <ol className="space-y-6">
        {props.questions.map((q, index) => {
          const result = results.get(q.id);
          const selected = answers[q.id] ?? result?.selected ?? [];
          return (
            <li key={q.id} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-question-id={q.id}>
              <fieldset>
                <legend id={`q-${q.id}`} tabIndex={-1} className="w-full">
                  <span className="text-xs font-semibold uppercase tracking-wide text-slate-500">
                    Question {index + 1} · {kindLabels[q.kind] ?? q.kind} · {q.type === "single" ? "choose one" : "choose all that apply"}
                  </span>
                  <div className="prose prose-sm mt-2 max-w-none" dangerouslySetInnerHTML={{ __html: q.promptHtml }} />
                </legend>
                {q.snippet && (
                  <pre className="mt-3 overflow-x-auto rounded-lg bg-slate-900 p-3 text-sm leading-relaxed text-slate-100"><code>{q.snippet}</code></pre>
                )}
                <div className="mt-4 space-y-2">
                  {q.choices.map((choice) => {
                    const verdict = result?.choices.find((c) => c.id === choice.id);
                    const picked = selected.includes(choice.id);
                    const tone = !result ? "border-slate-200 hover:border-sky-400" : verdict?.correct ? "border-emerald-400 bg-emerald-50" : picked ? "border-red-300 bg-red-50" : "border-slate-200";
                    return (
                      <div key={choice.id} className={`rounded-md border p-3 ${tone}`}>
                        <label className="flex cursor-pointer items-start gap-3">
                          <input
                            type={q.type === "single" ? "radio" : "checkbox"}
                            name={`question-${q.id}`}
                            value={choice.id}
                            checked={picked}
                            disabled={Boolean(grade)}
                            onChange={(e) => choose(q, choice.id, e.target.checked)}
                            className="mt-1 h-4 w-4 accent-sky-700"
                          />
                          <span>{choice.text}</span>
                        </label>
                        {verdict && (
                          <p className={`mt-2 pl-7 text-sm ${verdict.correct ? "text-emerald-800" : "text-slate-700"}`}>
                            <span className="font-semibold">{verdict.correct ? "Right answer. " : picked ? "Not this one. " : ""}</span>
                            {verdict.why}
                          </p>
                        )}
                      </div>
                    );
                  })}
                </div>
                {result && (
                  <div className={`mt-4 rounded-md p-3 text-sm ${result.correct ? "bg-emerald-100 text-emerald-900" : "bg-amber-100 text-amber-900"}`} data-testid="question-verdict">
                    <p className="font-semibold">{result.correct ? "Correct" : "Not quite"}</p>
                    <p className="mt-1">{result.explanation}</p>
                  </div>
                )}
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className="sticky bottom-0 flex flex-wrap items-center gap-4 border-t border-slate-200 bg-slate-50/95 py-3 backdrop-blur">
        {grade ? (
          <button type="button" onClick={retry} className="rounded bg-sky-700 px-5 py-2 font-medium text-white hover:bg-sky-800">Retry the quiz</button>
        ) : (
          <button
            type="button"
            onClick={submit}
            disabled={submitting || answered < props.questions.length}
            className="rounded bg-sky-700 px-5 py-2 font-medium text-white hover:bg-sky-800 disabled:cursor-not-allowed disabled:opacity-50"
          >
            {submitting ? "Checking…" : "Submit answers"}
          </button>
        )}
        <span className="text-sm text-slate-600" aria-live="polite">
          {grade ? `${grade.score} of ${grade.maxScore} correct` : `${answered} of ${props.questions.length} answered`}
        </span>
        {error && <span role="alert" className="text-sm text-red-700">{error}</span>}
      </div>
    </div>
  );
}
