// Every lab, with a link to its workspace.
import type { Metadata } from "next";
import Link from "next/link";
import { examDomains } from "@/content/exam-domains";
import { loadableLabs } from "../_lib/lab-sessions/labs";

export const metadata: Metadata = { title: "Labs" };

export default function LabsPage() {
  const labs = loadableLabs();
  return (
    <div className="space-y-6">
      <h1 className="text-3xl font-bold">Labs</h1>
      <p className="max-w-3xl text-slate-600">Each lab gives you your own cluster with Istio and Bookinfo, an editor, a terminal and a grader that shows its evidence.</p>
      <ul className="grid gap-4 md:grid-cols-2">
        {labs.map((lab) => (
          <li key={lab.id} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
            <p className="text-xs font-semibold text-slate-500">{examDomains.find((d) => d.id === lab.domain)?.title} · {lab.minutes} min · {lab.objectives.length} objectives</p>
            <h2 className="mt-1 text-lg font-semibold"><Link href={`/labs/${lab.id}`} className="hover:text-sky-700">{lab.title}</Link></h2>
            <p className="mt-2 text-sm text-slate-600">{lab.summary}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
