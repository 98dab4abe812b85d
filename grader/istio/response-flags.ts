// What Envoy's access-log response flags mean, and where a learner looks next when one shows up.

const meanings: Record<string, { meaning: string; look: string }> = {
  NC: { meaning: "no cluster: the route names a cluster the proxy does not have", look: "a route to a subset no DestinationRule defines (istioctl analyze reports IST0101; istioctl proxy-config cluster lacks it)" },
  UH: { meaning: "no healthy upstream: the cluster has no usable endpoint", look: "a subset whose labels select no pod (istioctl proxy-config endpoints --cluster shows none)" },
  NR: { meaning: "no route: no virtual host or route takes the request", look: "hosts, gateways and match rules (istioctl proxy-config routes)" },
  UO: { meaning: "upstream overflow: a circuit breaker refused the request", look: "the DestinationRule's connectionPool limits" },
  UF: { meaning: "upstream connection failure", look: "the destination pod and port (is anything listening?)" },
  UT: { meaning: "upstream request timeout", look: "the route's timeout and retries" },
  URX: { meaning: "the retry limit was reached", look: "the route's retries" },
  FI: { meaning: "aborted by fault injection", look: "the route's fault.abort" },
  DI: { meaning: "delayed by fault injection", look: "the route's fault.delay" },
};

/** A short explanation of a response's flags (`UH` → "no healthy upstream: …"), or undefined when there are none. */
export function explainFlags(flags: string): string | undefined {
  const parts = flags
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f && f !== "-");
  const known = parts.map((f) => meanings[f]).filter((m): m is { meaning: string; look: string } => m !== undefined);
  if (known.length === 0) return undefined;
  return known.map((m) => `${m.meaning}; look at ${m.look}`).join(". ");
}
