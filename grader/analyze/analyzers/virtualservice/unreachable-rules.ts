// IST0130 and IST0131: VirtualService rules that can never match because earlier rules take all their traffic.
import type { AnalysisContext, Analyzer } from "../../analyzer";
import { VirtualServiceIneffectiveMatch, VirtualServiceUnreachableRule } from "../../messages";
import type { Resource } from "../../resources";

type Match = Record<string, unknown>;
interface Rule {
  name: string;
  match: readonly Match[];
}

/** Canonical JSON of a match without its name, dropping zero values as Go's omitempty does. */
function canonical(value: unknown): string | undefined {
  if (value === null || value === undefined || value === false || value === "" || value === 0) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item) ?? "null");
    return items.length === 0 ? undefined : `[${items.join(",")}]`;
  }
  if (typeof value === "object") {
    const entries = Object.keys(value as Match)
      .sort()
      .flatMap((key) => {
        const encoded = canonical((value as Match)[key]);
        return encoded === undefined ? [] : [`${JSON.stringify(key)}:${encoded}`];
      });
    return entries.length === 0 ? undefined : `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

function matchKey(match: Match): string {
  const { name: _name, ...rest } = match;
  return canonical(rest) ?? "{}";
}

function ruleName(rule: Rule, index: number): string {
  return rule.name ? JSON.stringify(rule.name) : `#${index}`;
}

function requestName(match: Match, index: number): string {
  return typeof match.name === "string" && match.name !== "" ? JSON.stringify(match.name) : `#${index}`;
}

/** exact/prefix of a StringMatch as `exact:v` or `prefix:v` ("" when neither). */
function exactOrPrefix(value: unknown): string {
  if (!value || typeof value !== "object") return "";
  const { exact, prefix } = value as { exact?: unknown; prefix?: unknown };
  if (typeof exact === "string" && exact !== "") return `exact:${exact}`;
  if (typeof prefix === "string" && prefix !== "") return `prefix:${prefix}`;
  return "";
}

function stringMatchMap(value: unknown): Map<string, string> {
  if (!value || typeof value !== "object") return new Map();
  return new Map(Object.entries(value as Record<string, unknown>).map(([key, match]) => [key, exactOrPrefix(match)]));
}

/** The parts of a URI-prefix match that decide whether an earlier match covers it. */
interface PrefixMatch {
  rule: string;
  match: string;
  prefix: string;
  port: unknown;
  method: string;
  authority: string;
  headers: Map<string, string>;
  queryParams: Map<string, string>;
  withoutHeaders: Map<string, string>;
}

function prefixMatchOf(rule: string, match: Match, matchIndex: number): PrefixMatch | null {
  const uri = match.uri;
  const prefix = uri && typeof uri === "object" ? (uri as { prefix?: unknown }).prefix : undefined;
  if (typeof prefix !== "string" || prefix === "") return null;
  return {
    rule,
    match: requestName(match, matchIndex),
    prefix,
    port: match.port ?? 0,
    // Without a method the match is treated as GET.
    method: exactOrPrefix(match.method) || "exact:GET",
    authority: exactOrPrefix(match.authority),
    headers: stringMatchMap(match.headers),
    queryParams: stringMatchMap(match.queryParams),
    withoutHeaders: stringMatchMap(match.withoutHeaders),
  };
}

function valueCovers(earlier: string, later: string): boolean {
  return earlier === later || earlier.startsWith(later);
}

function mapCovers(earlier: Map<string, string>, later: Map<string, string>): boolean {
  if (earlier.size !== later.size) return false;
  for (const [key, value] of earlier) {
    const other = later.get(key);
    if (other === undefined || !valueCovers(value, other)) return false;
  }
  return true;
}

/** Whether `earlier` takes every request `later` would match (istio's coveredValidation). */
function covers(earlier: PrefixMatch, later: PrefixMatch): boolean {
  return (
    later.prefix.startsWith(earlier.prefix) &&
    later.port === earlier.port &&
    valueCovers(earlier.method, later.method) &&
    valueCovers(earlier.authority, later.authority) &&
    mapCovers(earlier.headers, later.headers) &&
    mapCovers(earlier.queryParams, later.queryParams) &&
    mapCovers(earlier.withoutHeaders, later.withoutHeaders)
  );
}

function analyzeRules(ctx: AnalysisContext, vs: Resource<"VirtualService">, rules: readonly Rule[], withPrefixes: boolean): void {
  const seen = new Map<string, number>();
  const prefixes: PrefixMatch[] = [];
  let catchAll = -1;
  rules.forEach((rule, index) => {
    const name = ruleName(rule, index);
    if (rule.match.length === 0) {
      if (catchAll >= 0) ctx.report(vs, VirtualServiceUnreachableRule, [name, "only the last rule can have no matches"]);
      catchAll = index;
      return;
    }
    let duplicates = 0;
    rule.match.forEach((match, matchIndex) => {
      if (catchAll >= 0) {
        ctx.report(vs, VirtualServiceUnreachableRule, [name, "route without matches defined before"]);
        return;
      }
      const key = matchKey(match);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        const earlierRule = rules[earlier];
        ctx.report(vs, VirtualServiceIneffectiveMatch, [name, requestName(match, matchIndex), earlierRule ? ruleName(earlierRule, earlier) : `#${earlier}`]);
        duplicates++;
        return;
      }
      seen.set(key, index);
      const prefix = withPrefixes ? prefixMatchOf(name, match, matchIndex) : null;
      if (prefix) prefixes.push(prefix);
    });
    if (duplicates === rule.match.length) ctx.report(vs, VirtualServiceUnreachableRule, [name, "all matches used by prior rules"]);
  });
  prefixes.forEach((earlier, index) => {
    for (const later of prefixes.slice(index + 1)) {
      if (later.prefix === earlier.prefix || !covers(earlier, later)) continue;
      ctx.report(vs, VirtualServiceIneffectiveMatch, [later.rule, `${later.match} of prefix ${later.prefix}`, `${earlier.match} of prefix ${earlier.prefix} on ${earlier.rule}`]);
    }
  });
}

export const unreachableRulesAnalyzer: Analyzer = {
  metadata: {
    name: "virtualservice.UnreachableRulesAnalyzer",
    description: "Checks for VirtualService rules and matches that earlier rules make unreachable",
    inputs: ["VirtualService"],
  },
  analyze(ctx) {
    for (const vs of ctx.list("VirtualService")) {
      analyzeRules(ctx, vs, vs.spec.http, true);
      analyzeRules(ctx, vs, vs.spec.tcp.map((rule) => ({ name: "", match: rule.match })), false);
      analyzeRules(ctx, vs, vs.spec.tls.map((rule) => ({ name: "", match: rule.match })), false);
    }
  },
};
