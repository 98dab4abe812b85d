// The public catalog of labs: what a visitor can browse before signing in, derived from the lab files.
import type { ExamDomainId } from "@/content/exam-domains";
import { allLabs } from "./index";

export interface LabSummary {
  id: string;
  title: string;
  domain: ExamDomainId;
  minutes: number;
  summary: string;
  objectives: number;
}

/** Every lab's summary, sorted by domain order then title. */
export function labCatalog(): LabSummary[] {
  return allLabs()
    .map((lab) => ({ id: lab.id, title: lab.title, domain: lab.domain as ExamDomainId, minutes: lab.minutes, summary: lab.summary, objectives: lab.objectives.length }))
    .sort((a, b) => a.title.localeCompare(b.title));
}
