"use server";
// Server actions behind the sign-up, sign-in and sign-out forms: zod-validated, errors returned to the form.
import { redirect } from "next/navigation";
import type { z } from "zod";
import { createAccount, authenticate, signInInput, signUpInput } from "../_lib/auth/accounts";
import { endSession, startSession } from "../_lib/auth/session";
import { getPrisma } from "../_lib/db";
import { AppError, fieldErrorsFrom } from "../_lib/errors";

export interface AuthFormState {
  error?: string;
  fields?: Record<string, string>;
}

/** Only same-site paths are allowed as a post-login destination. */
function safeNext(value: FormDataEntryValue | null): string {
  const next = typeof value === "string" ? value : "";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/dashboard";
}

function formFailure(error: unknown): AuthFormState {
  if (error instanceof AppError) {
    return { error: error.message, fields: Object.fromEntries(error.fields.map((f) => [f.path, f.message])) };
  }
  throw error;
}

/** Validates the form, runs the account step, starts a session and redirects; failures go back to the form. */
async function signInWith<S extends z.ZodType>(
  schema: S,
  form: FormData,
  findUser: (input: z.infer<S>) => Promise<{ id: string }>,
): Promise<AuthFormState> {
  const parsed = schema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    const fields = fieldErrorsFrom(parsed.error).map((f) => [f.path, f.message]);
    return { error: "Please fix the highlighted fields.", fields: Object.fromEntries(fields) };
  }
  try {
    const user = await findUser(parsed.data);
    await startSession(user.id);
  } catch (error) {
    return formFailure(error);
  }
  redirect(safeNext(form.get("next")));
}

export async function signUpAction(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  return signInWith(signUpInput, form, (input) => createAccount(getPrisma(), input));
}

export async function signInAction(_: AuthFormState, form: FormData): Promise<AuthFormState> {
  return signInWith(signInInput, form, (input) => authenticate(getPrisma(), input));
}

export async function signOutAction(): Promise<void> {
  await endSession();
  redirect("/");
}
