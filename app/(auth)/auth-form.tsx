"use client";
// The sign-in / sign-up form: accessible labels, inline field errors, pending state.
import { useActionState } from "react";
import type { AuthFormState } from "./actions";

interface Field {
  name: string;
  label: string;
  type: string;
  autoComplete: string;
}

export function AuthForm(props: {
  action: (state: AuthFormState, form: FormData) => Promise<AuthFormState>;
  fields: Field[];
  submitLabel: string;
  next?: string;
}) {
  const [state, formAction, pending] = useActionState(props.action, {});
  return (
    <form action={formAction} className="space-y-4" noValidate>
      {props.next && <input type="hidden" name="next" value={props.next} />}
      {props.fields.map((field) => {
        const error = state.fields?.[field.name];
        return (
          <div key={field.name} className="space-y-1">
            <label htmlFor={field.name} className="block text-sm font-medium">{field.label}</label>
            <input
              id={field.name}
              name={field.name}
              type={field.type}
              autoComplete={field.autoComplete}
              required
              aria-invalid={Boolean(error)}
              aria-describedby={error ? `${field.name}-error` : undefined}
              className="w-full rounded border border-slate-300 px-3 py-2 aria-[invalid=true]:border-red-500"
            />
            {error && <p id={`${field.name}-error`} className="text-sm text-red-600">{error}</p>}
          </div>
        );
      })}
      {state.error && <p role="alert" className="rounded bg-red-50 p-2 text-sm text-red-700">{state.error}</p>}
      <button type="submit" disabled={pending} className="w-full rounded bg-sky-700 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-60">
        {pending ? "Please wait…" : props.submitLabel}
      </button>
    </form>
  );
}
