// Instructor home: the cohorts this instructor teaches and their learners.
import type { Metadata } from "next";
import Link from "next/link";
import { requireRole } from "../_lib/auth/session";
import { getPrisma } from "../_lib/db";

export const metadata: Metadata = { title: "Instructor" };

export default async function InstructorPage() {
  const user = await requireRole("/instructor", ["INSTRUCTOR", "ADMIN"]);
  const cohorts = await getPrisma().cohort.findMany({
    where: user.role === "ADMIN" ? {} : { instructorId: user.id },
    include: { memberships: { include: { user: { select: { id: true, name: true, email: true } } } } },
    orderBy: { createdAt: "desc" },
  });
  return (
    <div className="space-y-6">
      <h1 className="text-3xl font-bold">Your cohorts</h1>
      {cohorts.length === 0 && <p className="text-slate-600">You do not teach a cohort yet.</p>}
      {cohorts.map((cohort) => (
        <section key={cohort.id} className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="font-semibold">{cohort.name} <span className="text-sm text-slate-500">· join code {cohort.joinCode}</span></h2>
          <ul className="mt-2 space-y-1 text-sm">
            {cohort.memberships.map((m) => (
              <li key={m.id}>
                <Link href={`/instructor/learners/${m.user.id}`} className="text-sky-700 underline">{m.user.name}</Link>{" "}
                <span className="text-slate-500">{m.user.email}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
