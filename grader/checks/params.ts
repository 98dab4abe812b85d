// Parameter pieces shared by checks: hosts, proxies, probes (zod, with the defaults Bookinfo labs use).
import { z } from "zod";

export const namespaceParam = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).default("default");

export const proxySelectorParam = z.union([
  z.object({ namespace: namespaceParam, pod: z.string().min(1) }).strict(),
  z.object({ namespace: namespaceParam, app: z.string().min(1) }).strict(),
]);

export const probeParam = z
  .object({
    from: proxySelectorParam,
    url: z.url(),
    headers: z.record(z.string(), z.string()).optional(),
    requests: z.number().int().min(1).max(5000),
    concurrency: z.number().int().min(1).max(64).default(1),
    qps: z.number().min(0).default(0),
  })
  .strict();

export type ProbeParam = z.infer<typeof probeParam>;

/** A duration as Istio writes it (`3s`, `3000ms`, `0.5s`). */
export const durationParam = z.string().regex(/^\d+(\.\d+)?(h|m|s|ms|us|µs|ns)$/, "an Istio duration such as 3s or 3000ms");
