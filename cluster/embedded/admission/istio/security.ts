// security.istio.io kinds (PeerAuthentication, AuthorizationPolicy, RequestAuthentication): schemas plus the webhook's rules.
import { z } from "zod";
import { webhookRule, type Path, type Report } from "../report";
import {
  checkIpsOrCidrs,
  checkOneSelectorType,
  checkSelectorLabels,
  checkTargetRef,
  duration,
  policyTargetReference,
  workloadSelector,
  type PolicyTargetReference,
  type WorkloadSelector,
} from "./common";
import { checkHeaderName } from "./virtual-service";

export const mutualTls = z.strictObject({ mode: z.enum(["UNSET", "DISABLE", "PERMISSIVE", "STRICT"]).optional() });
export type MutualTLS = z.infer<typeof mutualTls>;

const peerAuthenticationFields = z.strictObject({
  selector: workloadSelector.optional(),
  mtls: mutualTls.optional(),
  portLevelMtls: z.record(z.string(), mutualTls).optional(),
});
/** PeerAuthentication spec as written in YAML. */
export type PeerAuthenticationSpec = z.infer<typeof peerAuthenticationFields>;

/** Istio's PeerAuthentication webhook rules (port-level mTLS needs a workload selector; ports 1..65535). */
export function checkPeerAuthentication(spec: PeerAuthenticationSpec, report: Report): void {
  const hasSelector = Object.keys(spec.selector?.matchLabels ?? {}).length > 0;
  const ports = Object.keys(spec.portLevelMtls ?? {});
  if (spec.portLevelMtls !== undefined && ports.length === 0) {
    report.required(["portLevelMtls"], "port level mTLS, if defined, must have at least one element");
  }
  if (!hasSelector && ports.length > 0) {
    report.invalid(["portLevelMtls"], ports, "mesh/namespace peer authentication (no selector) cannot have port level mTLS");
  }
  for (const port of ports) {
    const number = Number(port);
    if (!/^\d+$/.test(port) || number < 1 || number > 65535) report.invalid(["portLevelMtls", port], port, "port must be in range 1..65535");
  }
  checkSelectorLabels(spec.selector?.matchLabels, ["selector", "matchLabels"], report);
}

/** PeerAuthentication spec schema. */
export const peerAuthenticationSpec = peerAuthenticationFields.superRefine(webhookRule(checkPeerAuthentication));

const stringList = z.array(z.string()).optional();

export const authorizationSource = z.strictObject({
  principals: stringList,
  notPrincipals: stringList,
  requestPrincipals: stringList,
  notRequestPrincipals: stringList,
  namespaces: stringList,
  notNamespaces: stringList,
  serviceAccounts: stringList,
  notServiceAccounts: stringList,
  ipBlocks: stringList,
  notIpBlocks: stringList,
  remoteIpBlocks: stringList,
  notRemoteIpBlocks: stringList,
});
export type AuthorizationSource = z.infer<typeof authorizationSource>;

export const authorizationOperation = z.strictObject({
  hosts: stringList,
  notHosts: stringList,
  ports: stringList,
  notPorts: stringList,
  methods: stringList,
  notMethods: stringList,
  paths: stringList,
  notPaths: stringList,
});
export type AuthorizationOperation = z.infer<typeof authorizationOperation>;

export const authorizationCondition = z.strictObject({ key: z.string(), values: stringList, notValues: stringList });
export type AuthorizationCondition = z.infer<typeof authorizationCondition>;

export const authorizationRule = z.strictObject({
  from: z.array(z.strictObject({ source: authorizationSource.optional() })).optional(),
  to: z.array(z.strictObject({ operation: authorizationOperation.optional() })).optional(),
  when: z.array(authorizationCondition).optional(),
});
export type AuthorizationRule = z.infer<typeof authorizationRule>;

const authorizationPolicyFields = z.strictObject({
  selector: workloadSelector.optional(),
  targetRef: policyTargetReference.optional(),
  targetRefs: z.array(policyTargetReference).optional(),
  rules: z.array(authorizationRule).optional(),
  action: z.enum(["ALLOW", "DENY", "AUDIT", "CUSTOM"]).optional(),
  provider: z.strictObject({ name: z.string().optional() }).optional(),
});
/** AuthorizationPolicy spec as written in YAML. */
export type AuthorizationPolicySpec = z.infer<typeof authorizationPolicyFields>;

const SOURCE_FIELDS = [
  "principals",
  "notPrincipals",
  "requestPrincipals",
  "notRequestPrincipals",
  "namespaces",
  "notNamespaces",
  "serviceAccounts",
  "notServiceAccounts",
  "ipBlocks",
  "notIpBlocks",
  "remoteIpBlocks",
  "notRemoteIpBlocks",
] as const;
const OPERATION_FIELDS = ["hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths"] as const;
const PLAIN_ATTRIBUTES = new Set([
  "source.ip",
  "remote.ip",
  "source.namespace",
  "source.principal",
  "source.serviceAccount",
  "request.auth.principal",
  "request.auth.audiences",
  "request.auth.presenter",
  "destination.ip",
  "destination.port",
  "connection.sni",
]);
const MAP_ATTRIBUTE_PREFIXES = ["request.headers", "request.auth.claims", "experimental.envoy.filters."];

function checkNoEmptyValues(values: readonly string[] | undefined, path: Path, report: Report): void {
  for (const [index, value] of (values ?? []).entries()) if (value === "") report.invalid([...path, index], value, "empty value not allowed");
}

function checkPortStrings(values: readonly string[] | undefined, path: Path, report: Report): void {
  for (const [index, value] of (values ?? []).entries()) {
    if (!/^\d+$/.test(value) || Number(value) > 65535) report.invalid([...path, index], value, "invalid port: must be a number 0..65535");
  }
}

function checkPathTemplates(paths: readonly string[] | undefined, path: Path, report: Report): void {
  for (const [index, value] of (paths ?? []).entries()) {
    if (!value.includes("{") && !value.includes("}")) continue;
    const segments = value.replace(/^\//, "").split("/");
    const templated = segments.filter((segment) => segment.includes("{") || segment.includes("}"));
    const malformed = templated.some((segment) => segment !== "{*}" && segment !== "{**}");
    const doubleIndex = segments.indexOf("{**}");
    if (!value.startsWith("/") || malformed || segments.filter((segment) => segment === "{**}").length > 1 || (doubleIndex >= 0 && doubleIndex !== segments.length - 1)) {
      report.invalid([...path, index], value, "invalid path template: use whole segments {*} or {**} (at most one {**}, as the last segment)");
    }
  }
}

function checkServiceAccounts(values: readonly string[] | undefined, path: Path, report: Report): void {
  for (const [index, value] of (values ?? []).entries()) {
    const parts = value.split("/");
    if (value.includes("*") || parts.length > 2 || parts.some((part) => part === "")) {
      report.invalid([...path, index], value, "service account must be <name> or <namespace>/<name> without wildcards");
    }
  }
}

function checkWhenKey(condition: AuthorizationCondition, path: Path, report: Report): void {
  const key = condition.key;
  const isMapKey = MAP_ATTRIBUTE_PREFIXES.some((prefix) => key.startsWith(prefix));
  if (isMapKey) {
    if (key.startsWith("experimental.")) return;
    if (!/^[a-z.]+(?:\[[^\]]+\])+$/.test(key)) report.invalid([...path, "key"], key, "map attributes must be written like request.headers[name]");
    return;
  }
  if (!PLAIN_ATTRIBUTES.has(key)) {
    report.notSupported([...path, "key"], key, [...PLAIN_ATTRIBUTES, "request.headers[<name>]", "request.auth.claims[<name>]"], "unknown attribute");
    return;
  }
  for (const field of ["values", "notValues"] as const) {
    if (key === "source.ip" || key === "remote.ip" || key === "destination.ip") checkIpsOrCidrs(condition[field], [...path, field], report);
    if (key === "destination.port") checkPortStrings(condition[field], [...path, field], report);
  }
}

function checkRule(rule: AuthorizationRule, path: Path, report: Report, action: string): void {
  if (rule.from !== undefined && rule.from.length === 0) report.required([...path, "from"], "`from` must not be empty");
  for (const [index, from] of (rule.from ?? []).entries()) {
    const at = [...path, "from", index, "source"];
    const source = from.source;
    if (!source) {
      report.required(at, "`from.source` must not be nil");
      continue;
    }
    if (SOURCE_FIELDS.every((field) => (source[field]?.length ?? 0) === 0)) report.required(at, "`from.source` must not be empty");
    for (const field of SOURCE_FIELDS) checkNoEmptyValues(source[field], [...at, field], report);
    for (const field of ["ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"] as const) checkIpsOrCidrs(source[field], [...at, field], report);
    checkServiceAccounts(source.serviceAccounts, [...at, "serviceAccounts"], report);
    checkServiceAccounts(source.notServiceAccounts, [...at, "notServiceAccounts"], report);
    if (action === "CUSTOM") {
      for (const field of ["namespaces", "notNamespaces", "principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals"] as const) {
        if ((source[field]?.length ?? 0) > 0) report.invalid([...at, field], source[field], `${field} is currently not supported with CUSTOM action`);
      }
    }
  }
  if (rule.to !== undefined && rule.to.length === 0) report.required([...path, "to"], "`to` must not be empty");
  for (const [index, to] of (rule.to ?? []).entries()) {
    const at = [...path, "to", index, "operation"];
    const operation = to.operation;
    if (!operation) {
      report.required(at, "`to.operation` must not be nil");
      continue;
    }
    if (OPERATION_FIELDS.every((field) => (operation[field]?.length ?? 0) === 0)) report.required(at, "`to.operation` must not be empty");
    for (const field of OPERATION_FIELDS) checkNoEmptyValues(operation[field], [...at, field], report);
    checkPortStrings(operation.ports, [...at, "ports"], report);
    checkPortStrings(operation.notPorts, [...at, "notPorts"], report);
    checkPathTemplates(operation.paths, [...at, "paths"], report);
    checkPathTemplates(operation.notPaths, [...at, "notPaths"], report);
  }
  for (const [index, condition] of (rule.when ?? []).entries()) {
    const at = [...path, "when", index];
    if (condition.key === "") {
      report.required([...at, "key"], "`key` must not be empty");
      continue;
    }
    if ((condition.values?.length ?? 0) === 0 && (condition.notValues?.length ?? 0) === 0) {
      report.required([...at, "values"], `at least one of values or notValues must be set for key ${condition.key}`);
      continue;
    }
    checkWhenKey(condition, at, report);
    if (action === "CUSTOM" && (condition.key === "source.namespace" || condition.key === "source.principal" || condition.key.startsWith("request.auth."))) {
      report.invalid([...at, "key"], condition.key, `${condition.key} is currently not supported with CUSTOM action`);
    }
  }
}

function checkTargets(spec: { selector?: WorkloadSelector | undefined; targetRef?: PolicyTargetReference | undefined; targetRefs?: PolicyTargetReference[] | undefined }, report: Report): void {
  checkOneSelectorType(spec, report);
  checkSelectorLabels(spec.selector?.matchLabels, ["selector", "matchLabels"], report);
  if (spec.targetRef) checkTargetRef(spec.targetRef, ["targetRef"], report);
  for (const [index, ref] of (spec.targetRefs ?? []).entries()) checkTargetRef(ref, ["targetRefs", index], report);
}

/** Istio's AuthorizationPolicy webhook rules (targets, CUSTOM/provider pairing, non-empty sources/operations, conditions). */
export function checkAuthorizationPolicy(spec: AuthorizationPolicySpec, report: Report): void {
  checkTargets(spec, report);
  const action = spec.action ?? "ALLOW";
  if (action === "CUSTOM") {
    if (spec.rules === undefined) {
      report.required(["rules"], "CUSTOM action without rules is never triggered; add an empty rule {} to apply it to every request");
    } else if (!spec.provider?.name) {
      report.required(["provider", "name"], "CUSTOM action needs provider.name");
    }
  }
  if (spec.provider && action !== "CUSTOM") report.invalid(["provider"], spec.provider, `provider can only be used with the CUSTOM action, found ${action}`);
  if (action === "DENY" && spec.rules === undefined) {
    report.required(["rules"], "DENY action without rules is never triggered; add an empty rule {} to deny every request");
  }
  for (const [index, rule] of (spec.rules ?? []).entries()) checkRule(rule, ["rules", index], report, action);
}

/** AuthorizationPolicy spec schema. */
export const authorizationPolicySpec = authorizationPolicyFields.superRefine(webhookRule(checkAuthorizationPolicy));

export const jwtRule = z.strictObject({
  issuer: z.string(),
  audiences: stringList,
  jwksUri: z.string().optional(),
  jwks: z.string().optional(),
  fromHeaders: z.array(z.strictObject({ name: z.string(), prefix: z.string().optional() })).optional(),
  fromParams: stringList,
  fromCookies: stringList,
  outputPayloadToHeader: z.string().optional(),
  forwardOriginalToken: z.boolean().optional(),
  outputClaimToHeaders: z.array(z.strictObject({ header: z.string(), claim: z.string() })).optional(),
  timeout: duration.optional(),
});
export type JWTRule = z.infer<typeof jwtRule>;

const requestAuthenticationFields = z.strictObject({
  selector: workloadSelector.optional(),
  targetRef: policyTargetReference.optional(),
  targetRefs: z.array(policyTargetReference).optional(),
  jwtRules: z.array(jwtRule).optional(),
});
/** RequestAuthentication spec as written in YAML. */
export type RequestAuthenticationSpec = z.infer<typeof requestAuthenticationFields>;

function checkJwtRule(rule: JWTRule, path: Path, report: Report): void {
  if (rule.issuer === "") report.required([...path, "issuer"], "issuer must be set");
  for (const [index, audience] of (rule.audiences ?? []).entries()) if (audience === "") report.invalid([...path, "audiences", index], audience, "audience must be a non-empty string");
  if (rule.jwksUri) {
    let valid = false;
    try {
      const url = new URL(rule.jwksUri);
      valid = (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
    } catch {
      valid = false;
    }
    if (!valid) report.invalid([...path, "jwksUri"], rule.jwksUri, "jwksUri must be an http or https URL with a host");
  }
  if (rule.jwks) {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(rule.jwks);
    } catch {
      parsed = null;
    }
    if (typeof parsed !== "object" || parsed === null) report.invalid([...path, "jwks"], "<jwks>", "jwks must be a JSON Web Key or JSON Web Key Set");
  }
  for (const [index, header] of (rule.fromHeaders ?? []).entries()) {
    if (header.name === "") report.required([...path, "fromHeaders", index, "name"], "location header name must be a non-empty string");
  }
  for (const field of ["fromParams", "fromCookies"] as const) {
    for (const [index, value] of (rule[field] ?? []).entries()) if (value === "") report.invalid([...path, field, index], value, "must be a non-empty string");
  }
  for (const [index, pair] of (rule.outputClaimToHeaders ?? []).entries()) {
    const at = [...path, "outputClaimToHeaders", index];
    if (pair.claim === "") report.required([...at, "claim"], "outputClaimToHeaders claim must be a non-empty string");
    if (pair.header === "") report.required([...at, "header"], "outputClaimToHeaders header must be a non-empty string");
    else checkHeaderName(pair.header, [...at, "header"], report);
  }
}

/** Istio's RequestAuthentication webhook rules (targets and JWT rules). */
export function checkRequestAuthentication(spec: RequestAuthenticationSpec, report: Report): void {
  checkTargets(spec, report);
  for (const [index, rule] of (spec.jwtRules ?? []).entries()) checkJwtRule(rule, ["jwtRules", index], report);
}

/** RequestAuthentication spec schema. */
export const requestAuthenticationSpec = requestAuthenticationFields.superRefine(webhookRule(checkRequestAuthentication));
