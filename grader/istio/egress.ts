// Reading egress intent from a snapshot: which Sidecar resource configures a workload (and its outbound traffic
// policy), and which ServiceEntries register an external host and port for a namespace.
import type { ServiceEntrySpec, SidecarSpec } from "@/cluster/embedded/admission";
import { hostsMatch } from "../analyze/hosts";
import type { KubeObject, Snapshot } from "../snapshot/snapshot";
import { byCreation, visibleIn } from "./routing";

/** Istio's root namespace in the embedded cluster and in a default install. */
export const rootNamespace = "istio-system";

export function sidecarSpec(sidecar: KubeObject): SidecarSpec {
  return (sidecar.spec ?? {}) as SidecarSpec;
}

export function serviceEntrySpec(entry: KubeObject): ServiceEntrySpec {
  return (entry.spec ?? {}) as ServiceEntrySpec;
}

/** The Sidecar istiod applies to a workload: one selecting it in its namespace, else its namespace's default, else the root namespace's default. */
export function sidecarFor(snapshot: Snapshot, namespace: string, labels: Record<string, string>): KubeObject | undefined {
  const local = snapshot.list("Sidecar", namespace).slice().sort(byCreation);
  const selecting = local.find((s) => {
    const selector = sidecarSpec(s).workloadSelector?.labels;
    return selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
  });
  if (selecting) return selecting;
  const namespaceWide = local.find((s) => !sidecarSpec(s).workloadSelector?.labels);
  if (namespaceWide) return namespaceWide;
  return snapshot.list("Sidecar", rootNamespace).slice().sort(byCreation).find((s) => !sidecarSpec(s).workloadSelector?.labels);
}

/** Protocols that carry a URL's scheme: plain HTTP needs an HTTP-family port, https a TLS-family one. */
function protocolCarries(protocol: string | undefined, scheme: "http" | "https"): boolean {
  const p = (protocol ?? "").toUpperCase();
  return scheme === "http" ? ["HTTP", "HTTP2", "GRPC"].includes(p) : ["HTTPS", "TLS"].includes(p);
}

/** How the ServiceEntries visible from `namespace` cover `host:port`: a full match, or only the host. */
export function serviceEntriesFor(snapshot: Snapshot, namespace: string, host: string, port: number, scheme: "http" | "https"): { matching: KubeObject[]; hostOnly: KubeObject[] } {
  const matching: KubeObject[] = [];
  const hostOnly: KubeObject[] = [];
  for (const entry of snapshot.list("ServiceEntry").slice().sort(byCreation)) {
    if (!visibleIn(entry, namespace)) continue;
    const spec = serviceEntrySpec(entry);
    if (!(spec.hosts ?? []).some((h) => hostsMatch(h, host))) continue;
    if ((spec.ports ?? []).some((p) => p.number === port && protocolCarries(p.protocol, scheme))) matching.push(entry);
    else hostOnly.push(entry);
  }
  return { matching, hostOnly };
}
