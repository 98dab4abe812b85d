// GET /lessons/diagrams/<name>.svg — the hand-written lesson diagrams, served as static images built ahead of time.
import { readFileSync } from "node:fs";
import path from "node:path";
import { contentDir, loadDiagrams } from "@/content/lessons";

export const dynamic = "force-static";
export const dynamicParams = false;

const diagramsDir = path.join(contentDir, "lessons");

export function generateStaticParams(): { file: string }[] {
  return [...loadDiagrams(diagramsDir).keys()].map((file) => ({ file }));
}

export async function GET(_: Request, context: { params: Promise<{ file: string }> }): Promise<Response> {
  const { file } = await context.params;
  if (!loadDiagrams(diagramsDir).has(file)) return new Response("Not found", { status: 404 });
  const svg = readFileSync(path.join(diagramsDir, "diagrams", file), "utf8");
  return new Response(svg, {
    headers: {
      "content-type": "image/svg+xml; charset=utf-8",
      "cache-control": "public, max-age=3600",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "x-content-type-options": "nosniff",
    },
  });
}
