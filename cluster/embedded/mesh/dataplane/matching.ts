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
  const fold = (text: string): string => (ignoreCase ? text.toLowerCase() : text);
  if (matcher.exact !== undefined) return subject === fold(matcher.exact);
  if (matcher.prefix !== undefined) return subject.startsWith(fold(matcher.prefix));
  if (matcher.suffix !== undefined) return subject.endsWith(fold(matcher.suffix));
  if (matcher.contains !== undefined) return subject.includes(fold(matcher.contains));
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
    if (match.headers && !match.headers.every((matcher) => headerMatches(matcher, request))) continue;
    if (match.query_parameters && match.query_parameters.length > 0) {
      parameters ??= queryParameters(request.path);
      const params = parameters;
      if (!match.query_parameters.every((matcher) => queryMatches(matcher, params))) continue;
    }
    return route;
  }
  return undefined;
}

function wildcardSuffixMatch(domain: string, host: string): boolean {
  return host.length > domain.length - 1 && host.endsWith(domain.slice(1));
}

function wildcardPrefixMatch(domain: string, host: string): boolean {
  return host.length > domain.length - 1 && host.startsWith(domain.slice(0, -1));
}

/**
 * Envoy's virtual host choice: exact domain, then the longest `*suffix`, then the longest `prefix*`, then `*`.
 * Domains compare case-insensitively; the port stays part of the Host unless the config says to ignore it.
 */
export function selectVirtualHost(config: RouteConfiguration, authority: string): VirtualHost | undefined {
  let host = authority.toLowerCase();
  if (config.ignore_port_in_host_matching) host = host.replace(/:\d+$/, "");
  let bestSuffix: { vhost: VirtualHost; length: number } | undefined;
  let bestPrefix: { vhost: VirtualHost; length: number } | undefined;
  let catchAll: VirtualHost | undefined;
  for (const vhost of config.virtual_hosts) {
    for (const raw of vhost.domains) {
      const domain = raw.toLowerCase();
      if (domain === "*") {
        catchAll ??= vhost;
      } else if (domain.startsWith("*")) {
        if (wildcardSuffixMatch(domain, host) && (!bestSuffix || domain.length > bestSuffix.length)) bestSuffix = { vhost, length: domain.length };
      } else if (domain.endsWith("*")) {
        if (wildcardPrefixMatch(domain, host) && (!bestPrefix || domain.length > bestPrefix.length)) bestPrefix = { vhost, length: domain.length };
      } else if (domain === host) {
        return vhost;
      }
    }
  }
  return bestSuffix?.vhost ?? bestPrefix?.vhost ?? catchAll;
}
