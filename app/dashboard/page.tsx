// The learner's dashboard: progress so far and where to go next.
import type { Metadata } from "next";
import Link from "next/link";
import { ProgressSummary } from "../_components/progress-summary";
import { requireUser } from "../_lib/auth/session";
import { getPrisma } from "../_lib/db";
import { learnerProgress } from "../_lib/queries/progress";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser("/dashboard");
  const progress = await learnerProgress(getPrisma(), user.id);
  return (
    <div className="space-y-6">
      <h1 className="text-3xl font-bold">{`Welcome, ${user.name}`}</h1>
      {progress && <ProgressSummary progress={progress} />}
      <p>
        Next: <Link href="/catalog" className="text-sky-700 underline">pick a lab from the catalog</Link>.
      </p>
    </div>
  );
}
