// Envoy's request matching: virtual host selection by Host/:authority and first-match route selection
// (path/prefix/safe_regex, header and query-parameter matchers, case sensitivity).

import { RE2JS } from "re2js";
import type { HeaderMatcher, QueryParameterMatcher, Route, RouteConfiguration, StringMatcher, VirtualHost } from "../envoy-types";
import { pathOnly, queryParameters, type HttpRequest } from "./http";

const compiled = new Map<string, RE2JS | null>();

/** RE2 full match, as Envoy's safe_regex does; an invalid pattern never matches. */
export function regexFullMatch(pattern: string, input: string): boolean {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      regex = RE2JS.compile(pattern);
    } catch {
      regex = null;
    }
    compiled.set(pattern, regex);
  }
  return regex ? regex.matches(input) : false;
}

export function stringMatches(matcher: StringMatcher, value: string): boolean {
  const ignoreCase = matcher.ignore_case === true;
  const subject = ignoreCase ? value.toLowerCase() : value;
  if (matcher.exact !== undefined) return subject === (ignoreCase ? matcher.exact.toLowerCase() : matcher.exact);
  if (matcher.prefix !== undefined) return subject.startsWith(ignoreCase ? matcher.prefix.toLowerCase() : matcher.prefix);
  if (matcher.suffix !== undefined) return subject.endsWith(ignoreCase ? matcher.suffix.toLowerCase() : matcher.suffix);
  if (matcher.contains !== undefined) return subject.includes(ignoreCase ? matcher.contains.toLowerCase() : matcher.contains);
  if (matcher.safe_regex !== undefined) return regexFullMatch(matcher.safe_regex.regex, value);
  return true;
}

/** The value of a header or pseudo-header (:authority, :method, :path, :scheme) for matching. */
export function headerValue(request: HttpRequest, name: string): string | undefined {
  switch (name.toLowerCase()) {
    case ":authority":
    case "host":
      return request.authority;
    case ":method":
      return request.method;
    case ":path":
      return request.path;
    case ":scheme":
      return request.scheme;
    default:
      return request.headers[name.toLowerCase()];
  }
}

export function headerMatches(matcher: HeaderMatcher, request: HttpRequest): boolean {
  const raw = headerValue(request, matcher.name);
  const value = raw === undefined && matcher.treat_missing_header_as_empty ? "" : raw;
  const invert = matcher.invert_match === true;
  if (matcher.present_match !== undefined) return (value !== undefined) === matcher.present_match !== invert;
  if (value === undefined) return invert;
  const matched = matcher.string_match ? stringMatches(matcher.string_match, value) : true;
  return matched !== invert;
}

function queryMatches(matcher: QueryParameterMatcher, parameters: Map<string, string>): boolean {
  const value = parameters.get(matcher.name);
  if (matcher.present_match !== undefined) return (value !== undefined) === matcher.present_match;
  if (value === undefined) return false;
  return matcher.string_match ? stringMatches(matcher.string_match, value) : true;
}

function allHeadersMatch(matchers: HeaderMatcher[], request: HttpRequest): boolean {
  for (const matcher of matchers) if (!headerMatches(matcher, request)) return false;
  return true;
}

function allQueryParametersMatch(matchers: QueryParameterMatcher[], parameters: Map<string, string>): boolean {
  for (const matcher of matchers) if (!queryMatches(matcher, parameters)) return false;
  return true;
}

/** First route whose match accepts the request, in order. */
export function selectRoute(virtualHost: VirtualHost, request: HttpRequest): Route | undefined {
  const path = pathOnly(request.path);
  let parameters: Map<string, string> | undefined;
  for (const route of virtualHost.routes) {
    const match = route.match;
    const caseSensitive = match.case_sensitive !== false;
    if (match.prefix !== undefined) {
      if (caseSensitive ? !path.startsWith(match.prefix) : !path.toLowerCase().startsWith(match.prefix.toLowerCase())) continue;
    } else if (match.path !== undefined) {
      if (caseSensitive ? path !== match.path : path.toLowerCase() !== match.path.toLowerCase()) continue;
    } else if (match.safe_regex !== undefined) {
      if (!regexFullMatch(match.safe_regex.regex, path)) continue;
    }
    if (match.headers && !allHeadersMatch(match.headers, request)) continue;
    if (match.query_parameters && match.query_parameters.length > 0) {
      parameters ??= queryParameters(request.path);
      if (!allQueryParametersMatch(match.query_parameters, parameters)) continue;
    }
    return route;
  }
  return undefined;
}

/** A wildcard domain: its length with the `*`, and the part the Host must end (suffix) or start (prefix) with. */
interface WildcardDomain {
  length: number;
  stem: string;
  vhost: VirtualHost;
}

/** A route configuration's domains, prepared once: exact names, `*suffix` and `prefix*` wildcards (lowercased, in order), `*`. */
interface DomainTable {
  exact: Map<string, VirtualHost>;
  suffixes: WildcardDomain[];
  prefixes: WildcardDomain[];
  catchAll: VirtualHost | undefined;
}

const domainTables = new WeakMap<RouteConfiguration, DomainTable>();

function domainTable(config: RouteConfiguration): DomainTable {
  let table = domainTables.get(config);
  if (!table) {
    table = { exact: new Map(), suffixes: [], prefixes: [], catchAll: undefined };
    for (const vhost of config.virtual_hosts) {
      for (const raw of vhost.domains) {
        const domain = raw.toLowerCase();
        if (domain === "*") table.catchAll ??= vhost;
        else if (domain.startsWith("*")) table.suffixes.push({ length: domain.length, stem: domain.slice(1), vhost });
        else if (domain.endsWith("*")) table.prefixes.push({ length: domain.length, stem: domain.slice(0, -1), vhost });
        else if (!table.exact.has(domain)) table.exact.set(domain, vhost);
      }
    }
    domainTables.set(config, table);
  }
  return table;
}

/** The Host without a trailing `:port`. */
function withoutPort(host: string): string {
  const colon = host.lastIndexOf(":");
  if (colon === -1 || colon === host.length - 1) return host;
  for (let index = colon + 1; index < host.length; index++) {
    const code = host.charCodeAt(index);
    if (code < 48 || code > 57) return host;
  }
  return host.slice(0, colon);
}

/**
 * Envoy's virtual host choice: exact domain, then the longest `*suffix`, then the longest `prefix*`, then `*`.
 * Domains compare case-insensitively; the port stays part of the Host unless the config says to ignore it.
 */
export function selectVirtualHost(config: RouteConfiguration, authority: string): VirtualHost | undefined {
  let host = authority.toLowerCase();
  if (config.ignore_port_in_host_matching) host = withoutPort(host);
  const table = domainTable(config);
  const exact = table.exact.get(host);
  if (exact) return exact;
  // The wildcard has to stand for at least one character, so the Host must be longer than the stem.
  let best: WildcardDomain | undefined;
  for (const entry of table.suffixes) {
    if (host.length > entry.stem.length && host.endsWith(entry.stem) && (!best || entry.length > best.length)) best = entry;
  }
  if (best) return best.vhost;
  for (const entry of table.prefixes) {
    if (host.length > entry.stem.length && host.startsWith(entry.stem) && (!best || entry.length > best.length)) best = entry;
  }
  return best?.vhost ?? table.catchAll;
}
