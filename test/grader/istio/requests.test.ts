// Following a request through VirtualService rules as istiod would: match semantics, rule order and request shapes.
import { describe, expect, it } from "vitest";
import type { VirtualServiceSpec } from "@/cluster/embedded/admission";
import { firstAcceptingRoute, matchAccepts, requestFromUrl, routeAccepts } from "@/grader/istio/requests";
import { explainFlags } from "@/grader/istio/response-flags";

const jason = requestFromUrl("http://reviews:9080/reviews/0", { "End-User": "jason" });
const anonymous = requestFromUrl("http://reviews:9080/reviews/0");

describe("requestFromUrl", () => {
  it("lower-cases header names, takes the authority from a Host header and keeps the query in the path", () => {
    const request = requestFromUrl("http://istio-ingressgateway.istio-system/productpage?u=normal", { Host: "bookinfo.example.com" });
    expect(request).toMatchObject({ authority: "bookinfo.example.com", path: "/productpage?u=normal", port: 80, headers: {} });
    expect(jason.headers).toStrictEqual({ "end-user": "jason" });
    expect(jason.port).toBe(9080);
  });
});

describe("matchAccepts", () => {
  it("matches header values exactly and case-sensitively, by prefix, and by RE2 full match", () => {
    expect(matchAccepts({ headers: { "end-user": { exact: "jason" } } }, jason)).toBe(true);
    expect(matchAccepts({ headers: { "end-user": { exact: "Jason" } } }, jason)).toBe(false);
    expect(matchAccepts({ headers: { "end-user": { prefix: "jas" } } }, jason)).toBe(true);
    expect(matchAccepts({ headers: { "end-user": { regex: "jas" } } }, jason)).toBe(false);
    expect(matchAccepts({ headers: { "end-user": { regex: "jas.*" } } }, jason)).toBe(true);
    expect(matchAccepts({ headers: { "end-user": { exact: "jason" } } }, anonymous)).toBe(false);
  });

  it("treats withoutHeaders as a negation and an empty match as presence", () => {
    expect(matchAccepts({ withoutHeaders: { "end-user": { exact: "jason" } } }, jason)).toBe(false);
    expect(matchAccepts({ withoutHeaders: { "end-user": { exact: "jason" } } }, anonymous)).toBe(true);
    expect(matchAccepts({ headers: { "end-user": {} } }, jason)).toBe(true);
    expect(matchAccepts({ headers: { "end-user": {} } }, anonymous)).toBe(false);
  });

  it("compares the URI without its query, honouring ignoreUriCase, and checks query parameters, port and gateways", () => {
    const request = requestFromUrl("http://productpage:9080/ProductPage?u=test");
    expect(matchAccepts({ uri: { exact: "/productpage" } }, request)).toBe(false);
    expect(matchAccepts({ uri: { exact: "/productpage" }, ignoreUriCase: true }, request)).toBe(true);
    expect(matchAccepts({ queryParams: { u: { exact: "test" } } }, request)).toBe(true);
    expect(matchAccepts({ port: 9080 }, request)).toBe(true);
    expect(matchAccepts({ port: 80 }, request)).toBe(false);
    expect(matchAccepts({ gateways: ["mesh"] }, request)).toBe(true);
    expect(matchAccepts({ gateways: ["bookinfo-gateway"] }, request)).toBe(false);
    expect(matchAccepts({ gateways: ["bookinfo-gateway"] }, requestFromUrl("http://x/", {}, { gateway: "default/bookinfo-gateway" }))).toBe(true);
  });

  it("checks source labels against the calling pod", () => {
    const fromProductpage = requestFromUrl("http://reviews:9080/", {}, { labels: { app: "productpage", version: "v1" } });
    expect(matchAccepts({ sourceLabels: { app: "productpage" } }, fromProductpage)).toBe(true);
    expect(matchAccepts({ sourceLabels: { app: "sleep" } }, fromProductpage)).toBe(false);
  });
});

describe("firstAcceptingRoute", () => {
  const v = (subset: string) => [{ destination: { host: "reviews", subset } }];
  const catchAllFirst: VirtualServiceSpec = { hosts: ["reviews"], http: [{ route: v("v1") }, { match: [{ headers: { "end-user": { exact: "jason" } } }], route: v("v2") }] };
  const ordered: VirtualServiceSpec = { hosts: ["reviews"], http: [...catchAllFirst.http!].reverse() };

  it("takes the first rule that matches, so a rule without match hides every rule below it", () => {
    expect(firstAcceptingRoute(catchAllFirst, jason)).toBe(0);
    expect(firstAcceptingRoute(ordered, jason)).toBe(0);
    expect(firstAcceptingRoute(ordered, anonymous)).toBe(1);
    expect(routeAccepts(catchAllFirst.http![1]!, jason)).toBe(true);
  });

  it("returns -1 when no rule takes the request (Envoy answers 404 NR)", () => {
    expect(firstAcceptingRoute({ hosts: ["reviews"], http: [ordered.http![0]!] }, anonymous)).toBe(-1);
  });
});

describe("explainFlags", () => {
  it("says what NC, UH and NR mean and where to look; nothing for a clean response", () => {
    expect(explainFlags("NC")).toMatch(/no cluster.*IST0101/);
    expect(explainFlags("UH")).toMatch(/no healthy upstream.*proxy-config endpoints/);
    expect(explainFlags("UT,URX")).toMatch(/timeout.*retry limit/);
    expect(explainFlags("-")).toBeUndefined();
  });
});
