// Shown when a signed-in user opens a page their role does not allow.
import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Not allowed" };

export default function ForbiddenPage() {
  return (
    <div className="space-y-4" data-testid="forbidden">
      <h1 className="text-3xl font-bold">You do not have access to that page</h1>
      <p className="text-slate-600">It is for instructors or administrators. If you think you should have access, ask your instructor.</p>
      <Link href="/dashboard" className="text-sky-700 underline">Back to your dashboard</Link>
    </div>
  );
}
