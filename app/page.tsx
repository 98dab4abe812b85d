// Home: what the platform is and where to start.
import Link from "next/link";
import { examDomains } from "@/content/exam-domains";

export default function HomePage() {
  return (
    <div className="space-y-10">
      <section className="space-y-4">
        <h1 className="text-4xl font-bold tracking-tight">Learn Istio by breaking and fixing a real mesh</h1>
        <p className="max-w-3xl text-lg text-slate-700">
          Every lab gives you your own cluster running Bookinfo with Istio 1.26 in sidecar mode. Apply
          VirtualServices and DestinationRules, watch where traffic actually goes, and get a grade that shows
          the evidence: the object you wrote, the Envoy config it produced, and what the traffic did.
        </p>
        <div className="flex gap-3">
          <Link href="/catalog" className="rounded bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800">
            Browse the catalog
          </Link>
          <Link href="/sign-up" className="rounded border border-slate-300 bg-white px-4 py-2 font-medium hover:bg-slate-100">
            Create a free account
          </Link>
        </div>
      </section>
      <section aria-labelledby="domains" className="space-y-3">
        <h2 id="domains" className="text-2xl font-semibold">Shaped like the ICA exam</h2>
        <ul className="grid gap-4 sm:grid-cols-2">
          {examDomains.map((d) => (
            <li key={d.id} className="rounded-lg border border-slate-200 bg-white p-4">
              <p className="font-semibold">
                {d.title} <span className="text-sm font-normal text-slate-500">· {d.weight}% of the exam</span>
              </p>
              <p className="mt-1 text-sm text-slate-600">{d.summary}</p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
