// The lab workspace page: the lab's task and objectives, and the learner's own session (started on first visit).
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { renderLessonMarkdown } from "@/content/markdown";
import { labById } from "../../_lib/lab-sessions/labs";
import { requireUser } from "../../_lib/auth/session";
import { getPrisma } from "../../_lib/db";
import { labStatus } from "../../_lib/lab-sessions/sessions";
import { LabWorkspace } from "./workspace";
import "../../_components/prose.css";

type Props = { params: Promise<{ labId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const lab = labById((await params).labId);
  return lab ? { title: lab.title } : {};
}

const starterYaml = `# Write Kubernetes or Istio objects here; the analyzer checks them as you type.
# Apply sends them to your cluster (created, or replaced if they exist).
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
`;

export default async function LabPage({ params }: Props) {
  const { labId } = await params;
  const lab = labById(labId);
  if (!lab) notFound();
  const user = await requireUser(`/labs/${lab.id}`);
  const view = await labStatus(getPrisma(), user.id, lab);
  const task = renderLessonMarkdown(lab.task.replace(/^# .*\n/, ""), { diagrams: new Map(), lessonIds: new Set(), quizIds: new Set(), labIds: new Set() });
  return <LabWorkspace labId={lab.id} title={lab.title} minutes={lab.minutes} taskHtml={task.html} starterYaml={starterYaml} initialView={view} />;
}
