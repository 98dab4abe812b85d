// The catalog: labs grouped by ICA domain, open to everyone.
import type { Metadata } from "next";
import { examDomains } from "@/content/exam-domains";
import { labCatalog } from "@/labs/catalog";

export const metadata: Metadata = { title: "Catalog" };

export default function CatalogPage() {
  const catalog = labCatalog();
  return (
    <div className="space-y-8">
      <h1 className="text-3xl font-bold">Catalog</h1>
      {examDomains.map((domain) => {
        const labs = catalog.filter((lab) => lab.domain === domain.id);
        return (
          <section key={domain.id} aria-labelledby={`domain-${domain.id}`} className="space-y-3">
            <h2 id={`domain-${domain.id}`} className="text-xl font-semibold">
              {domain.title} <span className="text-sm font-normal text-slate-500">· {domain.weight}%</span>
            </h2>
            <p className="text-sm text-slate-600">{domain.summary}</p>
            {labs.length === 0 ? (
              <p className="text-sm italic text-slate-500">Labs for this domain are being written.</p>
            ) : (
              <ul className="grid gap-3 sm:grid-cols-2">
                {labs.map((lab) => (
                  <li key={lab.id} className="rounded-lg border border-slate-200 bg-white p-4" data-lab-id={lab.id}>
                    <p className="font-semibold">{lab.title}</p>
                    <p className="mt-1 text-sm text-slate-600">{lab.summary}</p>
                    <p className="mt-2 text-xs text-slate-500">{`About ${lab.minutes} minutes · ${lab.objectives} objectives · hands-on`}</p>
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </div>
  );
}
