// Create a learner account.
import type { Metadata } from "next";
import Link from "next/link";
import { signUpAction } from "../actions";
import { AuthForm } from "../auth-form";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <div className="mx-auto max-w-sm space-y-6">
      <h1 className="text-2xl font-bold">Create your account</h1>
      <AuthForm
        action={signUpAction}
        next={next}
        submitLabel="Sign up"
        fields={[
          { name: "name", label: "Name", type: "text", autoComplete: "name" },
          { name: "email", label: "Email", type: "email", autoComplete: "email" },
          { name: "password", label: "Password (10 characters or more)", type: "password", autoComplete: "new-password" },
        ]}
      />
      <p className="text-sm text-slate-600">
        Already registered? <Link href="/sign-in" className="text-sky-700 underline">Sign in</Link>
      </p>
    </div>
  );
}
