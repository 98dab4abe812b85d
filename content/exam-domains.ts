// The ICA exam's domains and weights (exams from 2025-08-12 on): the catalog and mock exams are organised by them.
export const examDomains = [
  {
    id: "installation-upgrades-configuration",
    title: "Installation, Upgrades and Configuration",
    weight: 20,
    summary: "Install Istio with istioctl or Helm, pick a profile, enable sidecar injection, upgrade safely with revisions.",
  },
  {
    id: "traffic-management",
    title: "Traffic Management",
    weight: 35,
    summary: "Route by header, path and weight; canary and blue-green; timeouts, retries, circuit breaking, faults, mirroring, ingress and egress.",
  },
  {
    id: "securing-workloads",
    title: "Securing Workloads",
    weight: 25,
    summary: "Mutual TLS with PeerAuthentication, AuthorizationPolicy, end-user authentication with RequestAuthentication and JWTs.",
  },
  {
    id: "troubleshooting",
    title: "Troubleshooting",
    weight: 20,
    summary: "Read istioctl analyze, proxy-status and proxy-config, Envoy access-log response flags, and fix broken meshes.",
  },
] as const;

export type ExamDomainId = (typeof examDomains)[number]["id"];
