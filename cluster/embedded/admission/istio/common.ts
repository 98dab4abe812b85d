// Schemas and rules shared by the Istio kinds: durations, percentages, StringMatch, Destination, selectors, exportTo, protocols.
import { z } from "zod";
import {
  durationFormatProblem,
  fqdnProblem,
  durationPrecisionProblem,
  ipOrCidrProblem,
  isIstioDnsLabel,
  labelValueProblem,
  parseDurationNanos,
  portProblem,
  qualifiedNameProblem,
  re2Problem,
  wildcardDomainProblem,
} from "../primitives";
import { schemaRule, webhookRule, type Path, type Report } from "../report";

/** An int32 field. */
export const int32 = z.int();
/** A uint32 field (the CRD declares minimum 0). */
export const uint32 = z.int().min(0, { message: "must be greater than or equal to 0" });
/** A protobuf wrapper (UInt32Value) written as a plain number in YAML. */
export const uint32Value = uint32;
/** A double field. */
export const double = z.number();
/** A string→string map (labels, header values). */
export const stringMap = z.record(z.string(), z.string());

/** A protobuf Duration written the way Istio accepts it (`3s`, `3000ms`, `0.5s`, `1m`, `1h`), at least 1ms. */
export const duration = z
  .string()
  .superRefine(
    schemaRule((text: string, report) => {
      const problem = durationFormatProblem(text);
      if (problem) report.invalid([], text, problem);
    }),
  )
  .superRefine(
    webhookRule((text: string, report) => {
      const problem = durationPrecisionProblem(text);
      if (problem) report.invalid([], text, problem);
    }),
  );

/** A protobuf Duration where 0 is meaningful (e.g. a session cookie's `ttl: 0s`): well-formed and not negative. */
export const nonNegativeDuration = z.string().superRefine(
  schemaRule((text: string, report) => {
    const nanos = parseDurationNanos(text);
    if (nanos === null) report.invalid([], text, "not a valid duration; use a number with a unit such as 0s, 3s, 500ms, 1m or 1h");
    else if (nanos < 0n) report.invalid([], text, "duration must not be negative");
  }),
);

/** Reports when more than one member of a protobuf `oneof` is set (the CRD's oneOf constraint). */
export function onlyOneOf<T extends object>(keys: readonly (keyof T & string)[]): (value: T, report: Report) => void {
  return (value, report) => {
    const present = keys.filter((key) => value[key] !== undefined);
    const [, second] = present;
    if (second !== undefined) report.invalid([second], value[second], `only one of ${keys.join(", ")} may be set (found ${present.join(" and ")})`);
  };
}

/** Istio's Percent message: a fraction 0..100 (values between 0 and 0.0001 cannot be represented). */
export const percent = z.strictObject({ value: double.optional() }).superRefine(
  webhookRule((percentage: { value?: number | undefined }, report) => {
    const value = percentage.value ?? 0;
    if (value < 0 || value > 100 || (value > 0 && value < 0.0001)) {
      report.invalid(["value"], value, "percentage must be 0.0 or in the range [0.0001, 100.0]");
    }
  }),
);

/** StringMatch: exactly one of exact, prefix or RE2 regex. */
export const stringMatch = z
  .strictObject({ exact: z.string().optional(), prefix: z.string().optional(), regex: z.string().optional() })
  .superRefine(schemaRule(onlyOneOf(["exact", "prefix", "regex"])));
export type StringMatch = z.infer<typeof stringMatch>;

/** Validates a StringMatch like Istio's webhook: RE2 regexes that compile, and non-empty prefixes where Envoy needs them. */
export function checkStringMatch(match: StringMatch, path: Path, report: Report, options: { allowEmptyPrefix?: boolean } = {}): void {
  if (match.prefix !== undefined && match.prefix === "" && !options.allowEmptyPrefix) {
    report.invalid([...path, "prefix"], match.prefix, "prefix string match should not be empty");
  }
  if (match.regex !== undefined) checkRegex(match.regex, [...path, "regex"], report);
}

/** Validates an RE2 regex (Istio compiles with Go's regexp; lookarounds and backreferences are refused). */
export function checkRegex(pattern: string, path: Path, report: Report): void {
  if (pattern === "") {
    report.invalid(path, pattern, "regex string match should not be empty");
    return;
  }
  const problem = re2Problem(pattern);
  if (problem) report.invalid(path, pattern, `${problem}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)`);
}

/** PortSelector: the port of the destination service. */
export const portSelector = z.strictObject({ number: uint32.optional() });
export type PortSelector = z.infer<typeof portSelector>;

/** Destination: a service host (short name or FQDN), optional DestinationRule subset and port. */
export const destination = z.strictObject({ host: z.string(), subset: z.string().optional(), port: portSelector.optional() });
export type Destination = z.infer<typeof destination>;

/** Validates a Destination like Istio's webhook. */
export function checkDestination(target: Destination, path: Path, report: Report): void {
  if (target.host === "*") {
    report.invalid([...path, "host"], target.host, "invalid destination host *");
  } else {
    const problem = wildcardDomainProblem(target.host);
    if (problem) report.invalid([...path, "host"], target.host, problem);
  }
  if (target.subset !== undefined) checkSubsetName(target.subset, [...path, "subset"], report);
  if (target.port !== undefined) {
    const number = target.port.number ?? 0;
    const problem = portProblem(number);
    if (problem) report.invalid([...path, "port", "number"], number, problem);
  }
}

/** Validates a DestinationRule subset name (a DNS-1123 label). */
export function checkSubsetName(name: string, path: Path, report: Report): void {
  if (name === "") report.required(path, "subset name cannot be empty");
  else if (!isIstioDnsLabel(name)) report.invalid(path, name, "subset name must be a valid DNS-1123 label");
}

/** Validates a label map (keys are qualified names, values valid label values), as Istio's labels.Instance.Validate. */
export function checkLabels(labels: Readonly<Record<string, string>> | undefined, path: Path, report: Report): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) report.invalid([...path, key], key, `invalid label key: ${keyProblem}`);
    const valueProblem = labelValueProblem(value);
    if (valueProblem) report.invalid([...path, key], value, `invalid label value: ${valueProblem}`);
  }
}

/** WorkloadSelector of security and DestinationRule APIs (`matchLabels`). */
export const workloadSelector = z.strictObject({ matchLabels: stringMap.optional() });
export type WorkloadSelector = z.infer<typeof workloadSelector>;

/** WorkloadSelector of Sidecar and ServiceEntry (`labels`). */
export const networkingWorkloadSelector = z.strictObject({ labels: stringMap.optional() });
export type NetworkingWorkloadSelector = z.infer<typeof networkingWorkloadSelector>;

/** Selector labels must have non-empty keys and no `*` wildcards. */
export function checkSelectorLabels(labels: Readonly<Record<string, string>> | undefined, path: Path, report: Report): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (key === "") report.invalid([...path, key], `${key}=${value}`, "empty key is not supported in selector");
    if (key.includes("*") || value.includes("*")) report.invalid([...path, key], `${key}=${value}`, "wildcard is not supported in selector");
  }
}

/** Validates exportTo: `.`, `*`, namespace names (and `~` for ServiceEntry), no duplicates, `*` alone. */
export function checkExportTo(exportTo: readonly string[] | undefined, path: Path, report: Report, options: { allowNone: boolean }): void {
  if (!exportTo || exportTo.length === 0) return;
  const seen = new Set<string>();
  for (const [index, entry] of exportTo.entries()) {
    if (seen.has(entry)) {
      report.duplicate([...path, index], entry, "duplicate entries in exportTo");
      continue;
    }
    seen.add(entry);
    const wellKnown = entry === "." || entry === "*" || (options.allowNone && entry === "~");
    if (!wellKnown && !isIstioDnsLabel(entry)) {
      report.invalid([...path, index], entry, `only ${options.allowNone ? ". or * or ~" : ". or *"} or a valid DNS-1123 label is allowed as an exportTo entry`);
    }
  }
  if (seen.has("*") && exportTo.length > 1) report.invalid(path, exportTo, "cannot have both public (*) and non-public exportTo values for a resource");
  if (seen.has("~") && exportTo.length > 1) report.invalid(path, exportTo, "cannot export service entry to no one (~) and someone");
}

/** Validates VirtualService gateway references: `mesh`, `name`, `namespace/name`. */
export function checkGatewayNames(gateways: readonly string[] | undefined, path: Path, report: Report): void {
  for (const [index, gateway] of (gateways ?? []).entries()) {
    const parts = gateway.split("/");
    if (parts.length === 1) {
      const problem = fqdnProblem(gateway);
      if (problem) report.invalid([...path, index], gateway, problem);
      continue;
    }
    const [namespace = "", name = ""] = [parts[0], parts.slice(1).join("/")];
    if (namespace === "" || name === "") {
      report.invalid([...path, index], gateway, "config namespace and gateway name cannot be empty");
    } else if (!isIstioDnsLabel(namespace)) {
      report.invalid([...path, index], gateway, `invalid value for namespace: "${namespace}"`);
    } else if (!isIstioDnsLabel(name)) {
      report.invalid([...path, index], gateway, `invalid value for gateway name: "${name}"`);
    }
  }
}

/** Validates a list of IP addresses or CIDR blocks. */
export function checkIpsOrCidrs(values: readonly string[] | undefined, path: Path, report: Report): void {
  for (const [index, value] of (values ?? []).entries()) {
    const problem = ipOrCidrProblem(value);
    if (problem) report.invalid([...path, index], value, problem);
  }
}

/** Validates a port number field. */
export function checkPort(port: number, path: Path, report: Report): void {
  const problem = portProblem(port);
  if (problem) report.invalid(path, port, problem);
}

/** Protocols Istio recognises in port declarations (matched case-insensitively), in canonical spelling. */
const PROTOCOLS = ["HTTP", "HTTPS", "GRPC", "GRPC-WEB", "HTTP2", "HTTP_PROXY", "MONGO", "MYSQL", "REDIS", "TCP", "TLS", "UDP"] as const;
export type IstioProtocol = (typeof PROTOCOLS)[number];
const HTTP_PROTOCOLS: ReadonlySet<IstioProtocol> = new Set(["HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB"]);
const TLS_PROTOCOLS: ReadonlySet<IstioProtocol> = new Set(["HTTPS", "TLS"]);

/** The canonical protocol for a port's protocol string, or null when Istio does not support it. */
export function parseProtocol(name: string): IstioProtocol | null {
  const upper = name.toUpperCase();
  return PROTOCOLS.find((protocol) => protocol === upper) ?? null;
}

/** True for protocols Istio treats as HTTP (HTTP, HTTP2, HTTP_PROXY, GRPC, GRPC-WEB). */
export function isHttpProtocol(protocol: IstioProtocol | null): boolean {
  return protocol !== null && HTTP_PROTOCOLS.has(protocol);
}

/** True for protocols that terminate or pass through TLS (HTTPS, TLS). */
export function isTlsProtocol(protocol: IstioProtocol | null): boolean {
  return protocol !== null && TLS_PROTOCOLS.has(protocol);
}

/** Validates an optional protocol string (empty means protocol sniffing). */
export function checkProtocol(protocol: string | undefined, path: Path, report: Report): void {
  if (protocol === undefined || protocol === "") return;
  if (parseProtocol(protocol) === null) report.notSupported(path, protocol, PROTOCOLS, "unsupported protocol");
}

/** Policy target reference (security and telemetry APIs). */
export const policyTargetReference = z.strictObject({
  group: z.string().optional(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});
export type PolicyTargetReference = z.infer<typeof policyTargetReference>;

const TARGET_KINDS: readonly { group: string; kind: string }[] = [
  { group: "", kind: "Service" },
  { group: "networking.istio.io", kind: "ServiceEntry" },
  { group: "gateway.networking.k8s.io", kind: "Gateway" },
  { group: "gateway.networking.k8s.io", kind: "GatewayClass" },
];

/** Validates a policy targetRef: a name, no cross-namespace reference, and a supported kind. */
export function checkTargetRef(ref: PolicyTargetReference, path: Path, report: Report): void {
  if (ref.name === "") report.required([...path, "name"], "targetRef name must be set");
  if (ref.namespace) report.invalid([...path, "namespace"], ref.namespace, "targetRef namespace must not be set; cross namespace referencing is not supported");
  const group = ref.group ?? "";
  if (!TARGET_KINDS.some((target) => target.kind === ref.kind && target.group === group)) {
    report.notSupported(
      [...path, "kind"],
      `${group}/${ref.kind}`,
      TARGET_KINDS.map((target) => `${target.group}/${target.kind}`),
      "unsupported targetRef",
    );
  }
}

/** Only one of selector, targetRef and targetRefs may be set on a policy. */
export function checkOneSelectorType(
  policy: { selector?: unknown; targetRef?: unknown; targetRefs?: readonly unknown[] | undefined },
  report: Report,
): void {
  const used = [policy.selector !== undefined, policy.targetRef !== undefined, (policy.targetRefs?.length ?? 0) > 0].filter(Boolean).length;
  if (used > 1) report.invalid([], "selector/targetRef/targetRefs", "only one of targetRefs or workloadSelector can be set");
}
