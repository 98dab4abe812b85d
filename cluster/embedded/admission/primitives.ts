// Value-level rules shared by every admitted kind: durations, DNS names, hosts, IPs, ports, labels, RE2 regexes.
import { RE2JS } from "re2js";

/** Nanoseconds per Go duration unit (Istio parses durations like Go's time.ParseDuration). */
const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "µs": 1_000n,
  "μs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const DURATION_TERM = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;
const NANOS_PER_MILLI = 1_000_000n;

/** Parses a duration such as `3s`, `3000ms`, `0.5s`, `1m30s`, `1h`; returns signed nanoseconds or null. */
export function parseDurationNanos(text: string): bigint | null {
  let rest = text;
  let sign = 1n;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest.startsWith("-")) sign = -1n;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") return null;
  let total = 0n;
  DURATION_TERM.lastIndex = 0;
  while (DURATION_TERM.lastIndex < rest.length) {
    const start = DURATION_TERM.lastIndex;
    const term = DURATION_TERM.exec(rest);
    if (!term || term.index !== start) return null;
    const [, whole = "", fraction = "", unitName = ""] = term;
    if (whole === "" && fraction === "") return null;
    const unit = NANOS_PER_UNIT[unitName];
    if (unit === undefined) return null;
    let nanos = BigInt(whole === "" ? "0" : whole) * unit;
    if (fraction !== "") nanos += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    total += nanos;
  }
  return sign * total;
}

/** Milliseconds of a valid duration string (fractions kept), or null when it does not parse. */
export function parseDurationMs(text: string): number | null {
  const nanos = parseDurationNanos(text);
  return nanos === null ? null : Number(nanos) / 1e6;
}

/** Why a duration string is not a protobuf Duration of at least 1ms, or null when it is one. */
export function durationFormatProblem(text: string): string | null {
  const nanos = parseDurationNanos(text);
  if (nanos === null) return "not a valid duration; use a number with a unit such as 3s, 500ms, 1.5s, 1m or 1h";
  if (nanos < NANOS_PER_MILLI) return "duration must be at least 1ms";
  return null;
}

/** Why a duration is finer than Envoy's millisecond precision, or null when it is not. */
export function durationPrecisionProblem(text: string): string | null {
  const nanos = parseDurationNanos(text);
  if (nanos !== null && nanos % NANOS_PER_MILLI !== 0n) return "only durations to ms precision are supported";
  return null;
}

const ISTIO_DNS_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const ISTIO_WILDCARD_LABEL = /^(?:\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;
const K8S_DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const K8S_DNS1035_LABEL = /^[a-z](?:[-a-z0-9]*[a-z0-9])?$/;
const K8S_DNS1123_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/** Istio's DNS-1123 label test (letters of either case, digits, inner hyphens, at most 63 characters). */
export function isIstioDnsLabel(value: string): boolean {
  return value.length <= 63 && ISTIO_DNS_LABEL.test(value);
}

/** Kubernetes DNS-1123 label: lowercase, at most 63 characters. */
export function dns1123LabelProblem(value: string): string | null {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!K8S_DNS1123_LABEL.test(value)) {
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  }
  return null;
}

/** Kubernetes DNS-1035 label (Service names): starts with a letter, lowercase, at most 63 characters. */
export function dns1035LabelProblem(value: string): string | null {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!K8S_DNS1035_LABEL.test(value)) {
    return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (regex '[a-z]([-a-z0-9]*[a-z0-9])?')";
  }
  return null;
}

/** Kubernetes DNS-1123 subdomain: dot-separated lowercase labels, at most 253 characters. */
export function dns1123SubdomainProblem(value: string): string | null {
  if (value.length > 253) return "must be no more than 253 characters";
  if (!K8S_DNS1123_SUBDOMAIN.test(value)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  }
  return null;
}

function domainLengthProblem(domain: string): string | null {
  if (domain.length > 255) return `domain name "${domain}" is too long (max 255)`;
  if (domain.length === 0) return "empty domain name not allowed";
  return null;
}

function dnsLabelsProblem(whole: string, domain: string): string | null {
  const labels = domain.split(".");
  const topLevel = labels[labels.length - 1] ?? "";
  if (/^[+-]?\d+$/.test(topLevel)) return `domain name "${whole}" is invalid (top level domain "${topLevel}" cannot be all-numeric)`;
  for (const [index, label] of labels.entries()) {
    if (index === labels.length - 1 && label === "") return null;
    if (!isIstioDnsLabel(label)) return `domain name "${whole}" is invalid (label "${label}" is invalid)`;
  }
  return null;
}

/** Istio FQDN rule (no wildcard anywhere). */
export function fqdnProblem(domain: string): string | null {
  return domainLengthProblem(domain) ?? dnsLabelsProblem(domain, domain);
}

/** Istio host rule: an FQDN whose first label may be a wildcard (`*`, `*.example.com`); never a wildcard in the middle. */
export function wildcardDomainProblem(domain: string): string | null {
  const length = domainLengthProblem(domain);
  if (length) return length;
  const dot = domain.indexOf(".");
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (first.length > 63 || !ISTIO_WILDCARD_LABEL.test(first)) return `domain name "${domain}" is invalid (label "${first}" is invalid)`;
  return dot < 0 ? null : dnsLabelsProblem(domain, domain.slice(dot + 1));
}

/** Partial wildcards such as `foo*.com` are not allowed where Istio expects `*` or `*.suffix`. */
export function partialWildcardProblem(host: string): string | null {
  if (host.includes("*") && host !== "*" && !host.startsWith("*.")) return `partial wildcard "${host}" not allowed`;
  return null;
}

/** True when one host pattern matches the other (Istio host.Name.Matches semantics, either side may be a wildcard). */
export function hostsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const aWild = a.startsWith("*");
  const bWild = b.startsWith("*");
  if (aWild && bWild) return a.length <= b.length ? b.endsWith(a.slice(1)) : a.endsWith(b.slice(1));
  if (aWild) return b.endsWith(a.slice(1));
  if (bWild) return a.endsWith(b.slice(1));
  return false;
}

/** True when every host matched by `narrow` is also matched by `wide` (Istio host.Name.SubsetOf). */
export function hostIsSubsetOf(narrow: string, wide: string): boolean {
  if (narrow === wide || wide === "*") return true;
  if (!wide.startsWith("*")) return false;
  const suffix = wide.slice(1);
  return narrow.startsWith("*") ? narrow.slice(1).endsWith(suffix) : narrow.endsWith(suffix);
}

const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIPv6(text: string): boolean {
  const zone = text.indexOf("%");
  const address = zone >= 0 ? text.slice(0, zone) : text;
  if (address.length === 0 || !/^[0-9a-fA-F:.]+$/.test(address)) return false;
  const halves = address.split("::");
  if (halves.length > 2) return false;
  const groupsOf = (part: string): string[] | null => {
    if (part === "") return [];
    const groups = part.split(":");
    for (const [index, group] of groups.entries()) {
      const isLast = index === groups.length - 1;
      if (isLast && group.includes(".")) {
        if (!IPV4.test(group)) return null;
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    }
    return groups;
  };
  const head = groupsOf(halves[0] ?? "");
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  if (!head || !tail) return false;
  const width = [...head, ...tail].reduce((sum, group) => sum + (group.includes(".") ? 2 : 1), 0);
  return halves.length === 2 ? width < 8 : width === 8;
}

/** True for an IPv4 or IPv6 address literal. */
export function isIPAddress(text: string): boolean {
  return IPV4.test(text) || isIPv6(text);
}

/** Why a value is neither an IP address nor a CIDR block, or null when it is one of them. */
export function ipOrCidrProblem(text: string): string | null {
  const slash = text.split("/");
  if (slash.length === 2) {
    const [address = "", bits = ""] = slash;
    const maxBits = IPV4.test(address) ? 32 : isIPv6(address) ? 128 : -1;
    if (maxBits < 0 || !/^\d{1,3}$/.test(bits) || Number(bits) > maxBits) return `${text} is not a valid CIDR block`;
    return null;
  }
  return isIPAddress(text) ? null : `${text} is not a valid IP`;
}

/** Why a port number is outside 1..65535, or null. */
export function portProblem(port: number): string | null {
  return port >= 1 && port <= 65535 ? null : `port number ${port} must be in the range 1..65535`;
}

const QUALIFIED_NAME = /^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes qualified name (label and annotation keys): optional DNS subdomain prefix and `/`, then a name of at most 63 characters. */
export function qualifiedNameProblem(key: string): string | null {
  const parts = key.split("/");
  if (parts.length > 2) return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  const name = parts.length === 2 ? (parts[1] ?? "") : (parts[0] ?? "");
  if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    if (prefix.length === 0) return "prefix part must be non-empty";
    const problem = dns1123SubdomainProblem(prefix);
    if (problem) return `prefix part ${problem}`;
  }
  if (name.length === 0) return "name part must be non-empty";
  if (name.length > 63) return "name part must be no more than 63 characters";
  if (!QUALIFIED_NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')";
  }
  return null;
}

/** Kubernetes label value: empty, or at most 63 characters of alphanumerics, '-', '_', '.' starting and ending alphanumeric. */
export function labelValueProblem(value: string): string | null {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!LABEL_VALUE.test(value)) {
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345')";
  }
  return null;
}

const REGEX_PROBLEMS = new Map<string, string | null>();
const REGEX_CACHE_LIMIT = 512;

/** Compiles a regex with RE2 semantics (as Istio and Envoy do); returns the error text or null. Results are memoised. */
export function re2Problem(pattern: string): string | null {
  const known = REGEX_PROBLEMS.get(pattern);
  if (known !== undefined) return known;
  let problem: string | null = null;
  if (pattern.length > 1024) {
    problem = "regex is too large, max length allowed is 1024";
  } else {
    try {
      RE2JS.compile(pattern);
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
  }
  if (REGEX_PROBLEMS.size >= REGEX_CACHE_LIMIT) REGEX_PROBLEMS.clear();
  REGEX_PROBLEMS.set(pattern, problem);
  return problem;
}
