// Sign in with email and password; `next` brings the user back to the page that asked.
import type { Metadata } from "next";
import Link from "next/link";
import { signInAction } from "../actions";
import { AuthForm } from "../auth-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <div className="mx-auto max-w-sm space-y-6">
      <h1 className="text-2xl font-bold">Sign in</h1>
      <AuthForm
        action={signInAction}
        next={next}
        submitLabel="Sign in"
        fields={[
          { name: "email", label: "Email", type: "email", autoComplete: "email" },
          { name: "password", label: "Password", type: "password", autoComplete: "current-password" },
        ]}
      />
      <p className="text-sm text-slate-600">
        New here? <Link href={`/sign-up${next ? `?next=${encodeURIComponent(next)}` : ""}`} className="text-sky-700 underline">Create an account</Link>
      </p>
    </div>
  );
}
