/** Fails when istioctl-compatible analysis of the cluster reports a message at or above the threshold; evidence: each message as istioctl prints it. */
import { z } from "zod";
import { defineCheck, type Finding } from "../../check";
import { formatMessage, isAtLeast, parseLevel } from "../../analyze";

export default defineCheck({
  id: "analyze.clean",
  title: "istioctl analyze finds no errors",
  description: "Runs the same analyzers as istioctl analyze over the cluster's objects and fails on any message at or above the failure threshold.",
  codes: ["ICA0401", "ICA0402"],
  params: z
    .object({
      namespace: z.string().optional(),
      failureThreshold: z.enum(["Info", "Warning", "Error"]).default("Error"),
    })
    .strict(),
  inputs: () => ({ kinds: [], proxies: [], probes: [], analysis: true }),
  analyze(snapshot, p) {
    const threshold = parseLevel(p.failureThreshold)!;
    const messages = snapshot.analysis().filter((m) => p.namespace === undefined || !m.origin || m.origin.namespace === p.namespace || m.origin.namespace === "");
    const failing = messages.filter((m) => isAtLeast(m.level, threshold));
    if (failing.length === 0) {
      return [{ code: "ICA0402", severity: "info", message: `istioctl analyze reports nothing at ${p.failureThreshold} level or above${messages.length ? ` (${messages.length} lower-level messages)` : ""}.`, actual: messages.map(formatMessage) }];
    }
    return failing.map(
      (m): Finding => ({
        code: "ICA0401",
        severity: "error",
        message: formatMessage(m),
        resource: m.origin ? { kind: m.origin.kind, namespace: m.origin.namespace || undefined, name: m.origin.name } : undefined,
        path: m.field,
        hint: `See what ${m.code} (${m.name}) means and how to fix it.`,
        docsUrl: `https://istio.io/latest/docs/reference/config/analysis/${m.code.toLowerCase()}/`,
      }),
    );
  },
});
