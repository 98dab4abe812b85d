// The IST message catalog for the codes our analyzers emit (istio's pkg/config/analysis/msg/messages.yaml, ordered by code).

/** Message severity, worst first. */
export type Level = "Error" | "Warning" | "Info";

/** Levels in istio's sort order (Error sorts before Warning before Info). */
export const LEVELS: readonly Level[] = ["Error", "Warning", "Info"];

/** Rank of a level: lower is worse. */
export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** True when `level` is at least as severe as `threshold` (istio's IsWorseThanOrEqualTo). */
export function isAtLeast(level: Level, threshold: Level): boolean {
  return levelRank(level) <= levelRank(threshold);
}

/** Parses a level name case-insensitively, as `--failure-threshold` and `--output-threshold` accept it. */
export function parseLevel(value: string): Level | null {
  return LEVELS.find((level) => level.toLowerCase() === value.toLowerCase()) ?? null;
}

/** One message type: stable code and name, level, a description and a Go-style template (%s %q %v %d). */
export interface MessageType<Args extends readonly unknown[] = readonly unknown[]> {
  readonly code: string;
  readonly name: string;
  readonly level: Level;
  readonly description: string;
  readonly template: string;
  /** Phantom marker carrying the argument tuple type; never set at runtime. */
  readonly args?: Args;
}

function messageType<Args extends readonly unknown[]>(definition: Omit<MessageType<Args>, "args">): MessageType<Args> {
  return definition;
}

export const InternalError = messageType<[detail: string]>({
  code: "IST0001",
  name: "InternalError",
  level: "Error",
  description: "There was an internal error in the toolchain. This is almost always a bug in the implementation.",
  template: "Internal error: %v",
});

export const ReferencedResourceNotFound = messageType<[reftype: string, refval: string]>({
  code: "IST0101",
  name: "ReferencedResourceNotFound",
  level: "Error",
  description: "A resource being referenced does not exist.",
  template: "Referenced %s not found: %q",
});

export const NamespaceNotInjected = messageType<[namespace: string, namespace2: string]>({
  code: "IST0102",
  name: "NamespaceNotInjected",
  level: "Info",
  description: "A namespace is not enabled for Istio injection.",
  template:
    "The namespace is not enabled for Istio injection. Run 'kubectl label namespace %s istio-injection=enabled' to enable it, or 'kubectl label namespace %s istio-injection=disabled' to explicitly mark it as not needing injection.",
});

export const PodMissingProxy = messageType<[podName: string]>({
  code: "IST0103",
  name: "PodMissingProxy",
  level: "Warning",
  description: "A pod is missing the Istio proxy.",
  template: "The pod %s is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.",
});

// IST0104 GatewayPortNotOnWorkload RETIRED (replaced by IST0162 GatewayPortNotDefinedOnService).
// IST0105 RETIRED

export const SchemaValidationError = messageType<[err: string]>({
  code: "IST0106",
  name: "SchemaValidationError",
  level: "Error",
  description: "The resource has a schema validation error.",
  template: "Schema validation error: %v",
});

export const ConflictingMeshGatewayVirtualServiceHosts = messageType<[virtualServices: string, host: string]>({
  code: "IST0109",
  name: "ConflictingMeshGatewayVirtualServiceHosts",
  level: "Error",
  description: "Conflicting hosts on VirtualServices associated with mesh gateway",
  template:
    "The VirtualServices %s associated with mesh gateway define the same host %s which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.",
});

export const VirtualServiceDestinationPortSelectorRequired = messageType<[destHost: string, destPorts: readonly number[]]>({
  code: "IST0112",
  name: "VirtualServiceDestinationPortSelectorRequired",
  level: "Error",
  description: "A VirtualService routes to a service with more than one port exposed, but does not specify which to use.",
  template: "This VirtualService routes to a service %q that exposes multiple ports %v. Specifying a port in the destination is required to disambiguate.",
});

// IST0114, IST0115, IST0117, IST0120, IST0121 RETIRED
// IST0122 InvalidRegexp: its analyzer was removed from istio in release-1.23; not emitted.

export const NoServerCertificateVerificationDestinationLevel = messageType<[destinationRule: string, namespace: string, mode: string, host: string]>({
  code: "IST0128",
  name: "NoServerCertificateVerificationDestinationLevel",
  level: "Warning",
  description: "No caCertificates are set in DestinationRule, this results in no verification of presented server certificate.",
  template: "DestinationRule %s in namespace %s has TLS mode set to %s but no caCertificates are set to validate server identity for host: %s",
});

export const NoServerCertificateVerificationPortLevel = messageType<[destinationRule: string, namespace: string, mode: string, host: string, port: string]>({
  code: "IST0129",
  name: "NoServerCertificateVerificationPortLevel",
  level: "Warning",
  description: "No caCertificates are set in DestinationRule, this results in no verification of presented server certificate for traffic to a given port.",
  template: "DestinationRule %s in namespace %s has TLS mode set to %s but no caCertificates are set to validate server identity for host: %s at port %s",
});

export const VirtualServiceUnreachableRule = messageType<[ruleNo: string, reason: string]>({
  code: "IST0130",
  name: "VirtualServiceUnreachableRule",
  level: "Warning",
  description: "A VirtualService rule will never be used because a previous rule uses the same match.",
  template: "VirtualService rule %v not used (%s).",
});

export const VirtualServiceIneffectiveMatch = messageType<[ruleNo: string, matchNo: string, dupNo: string]>({
  code: "IST0131",
  name: "VirtualServiceIneffectiveMatch",
  level: "Info",
  description: "A VirtualService rule match duplicates a match in a previous rule.",
  template: "VirtualService rule %v match %v is not used (duplicate/overlapping match in rule %v).",
});

export const VirtualServiceHostNotFoundInGateway = messageType<[hosts: readonly string[], virtualService: string, gateway: string]>({
  code: "IST0132",
  name: "VirtualServiceHostNotFoundInGateway",
  level: "Warning",
  description: "Host defined in VirtualService not found in Gateway.",
  template: "one or more host %v defined in VirtualService %s not found in Gateway %s.",
});

export const ServiceEntryAddressesRequired = messageType<[]>({
  code: "IST0134",
  name: "ServiceEntryAddressesRequired",
  level: "Warning",
  description: "Virtual IP addresses are required for ports serving TCP (or unset) protocol",
  template: "ServiceEntry addresses are required for this protocol.",
});

export const IngressRouteRulesNotAffected = messageType<[virtualServiceSubset: string, virtualService: string]>({
  code: "IST0140",
  name: "IngressRouteRulesNotAffected",
  level: "Warning",
  description: "Route rules have no effect on ingress gateway requests",
  template: "Subset in virtual service %s has no effect on ingress gateway %s requests",
});

export const ConflictingGateways = messageType<[gateways: string, selector: string, portNumber: string, hosts: string]>({
  code: "IST0145",
  name: "ConflictingGateways",
  level: "Error",
  description: "Gateway should not have the same selector, port and matched hosts of server",
  template: "Conflict with gateways %s (workload selector %s, port %s, hosts %v).",
});

export const GatewayPortNotDefinedOnService = messageType<[port: number, selector: string]>({
  code: "IST0162",
  name: "GatewayPortNotDefinedOnService",
  level: "Warning",
  description: "Gateway port not exposed by service",
  template:
    "The gateway is listening on a target port (port %d) that is not defined in the Service associated with its workload instances (Pod selector %s). If you need to access the gateway port through the gateway Service, it will not be available.",
});

export const DestinationRuleSubsetNotSelectPods = messageType<[subset: string]>({
  code: "IST0173",
  name: "DestinationRuleSubsetNotSelectPods",
  level: "Error",
  description:
    "A DestinationRule subset selects no pods (istioctl reports this from release-1.27). Evaluated only when the analysis knows the workload pods, i.e. on a live cluster or when Pods are among the files.",
  template: "The Subset %s defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).",
});

export const UnknownDestinationRuleHost = messageType<[host: string]>({
  code: "IST0174",
  name: "UnknownDestinationRuleHost",
  level: "Warning",
  description: "A DestinationRule host matches no Service or ServiceEntry in the mesh (istioctl reports this from release-1.27).",
  template: "The host %s defined in the DestinationRule does not match any services in the mesh.",
});

export const ConflictingServiceEntryProtocol = messageType<[serviceEntries: string, host: string, port: number, protocols: string]>({
  code: "IST0177",
  name: "ConflictingServiceEntryProtocol",
  level: "Warning",
  description: "Multiple ServiceEntries define the same host and port with different protocols.",
  template: "Multiple ServiceEntries (%s) define the same host %q and port %d with conflicting protocols (%s).",
});

/** Every message type we can emit, ordered by code. */
export const ALL_MESSAGE_TYPES: readonly MessageType[] = [
  InternalError,
  ReferencedResourceNotFound,
  NamespaceNotInjected,
  PodMissingProxy,
  SchemaValidationError,
  ConflictingMeshGatewayVirtualServiceHosts,
  VirtualServiceDestinationPortSelectorRequired,
  NoServerCertificateVerificationDestinationLevel,
  NoServerCertificateVerificationPortLevel,
  VirtualServiceUnreachableRule,
  VirtualServiceIneffectiveMatch,
  VirtualServiceHostNotFoundInGateway,
  ServiceEntryAddressesRequired,
  IngressRouteRulesNotAffected,
  ConflictingGateways,
  GatewayPortNotDefinedOnService,
  DestinationRuleSubsetNotSelectPods,
  UnknownDestinationRuleHost,
  ConflictingServiceEntryProtocol,
];

/** Go's strconv.Quote for the strings we print (JSON escaping matches it for printable text). */
function goQuote(value: string): string {
  return JSON.stringify(value);
}

/** Go's %v for the argument shapes our templates use: slices print as `[a b]`. */
function goValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
  return String(value);
}

/** Renders a Go fmt template with %s, %q, %v, %d and %% verbs. */
export function renderTemplate(template: string, args: readonly unknown[]): string {
  let next = 0;
  return template.replace(/%([sqvd%])/g, (_verb, kind: string) => {
    if (kind === "%") return "%";
    const arg = args[next++];
    if (kind === "q") return goQuote(String(arg));
    if (kind === "d") return String(typeof arg === "number" ? Math.trunc(arg) : arg);
    return goValue(arg);
  });
}
