// The public catalog of labs: what a visitor can browse before signing in.
import type { ExamDomainId } from "@/content/exam-domains";

export interface LabSummary {
  id: string;
  title: string;
  domain: ExamDomainId;
  minutes: number;
  summary: string;
}

export const labCatalog: LabSummary[] = [
  {
    id: "bookinfo-traffic-management",
    title: "Bookinfo traffic management: baseline, canary, delay, circuit breaker",
    domain: "traffic-management",
    minutes: 45,
    summary:
      "Pin reviews to v1, shift 20% to v2, inject a 3s delay on ratings, trip a circuit breaker with fortio, keep istioctl analyze clean and clean up.",
  },
];
