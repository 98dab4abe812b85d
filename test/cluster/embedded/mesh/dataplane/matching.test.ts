// Envoy request matching: virtual host precedence by Host, and route matches on path, headers and query.
import { describe, expect, it } from "vitest";
import type { Route, RouteConfiguration } from "@/cluster/embedded/mesh/envoy-types";
import type { HttpRequest } from "@/cluster/embedded/mesh/dataplane/http";
import { selectRoute, selectVirtualHost } from "@/cluster/embedded/mesh/dataplane/matching";

function request(path: string, headers: Record<string, string> = {}, authority = "reviews:9080", method = "GET"): HttpRequest {
  return { method, path, authority, scheme: "http", headers, body: "" };
}

const routeConfig: RouteConfiguration = {
  name: "9080",
  virtual_hosts: [
    { name: "reviews.default.svc.cluster.local:9080", domains: ["reviews.default.svc.cluster.local", "reviews", "reviews:9080"], routes: [] },
    { name: "wildcard-suffix", domains: ["*.example.com"], routes: [] },
    { name: "longer-suffix", domains: ["*.api.example.com"], routes: [] },
    { name: "prefix", domains: ["shop.*"], routes: [] },
    { name: "allow_any", domains: ["*"], routes: [] },
  ],
};

function routesNamed(...routes: Route[]): { name: string; domains: string[]; routes: Route[] } {
  return { name: "vhost", domains: ["*"], routes };
}

describe("virtual host selection", () => {
  it("prefers exact domains, then the longest suffix wildcard, then prefix wildcards, then *", () => {
    expect(selectVirtualHost(routeConfig, "reviews:9080")?.name).toBe("reviews.default.svc.cluster.local:9080");
    expect(selectVirtualHost(routeConfig, "REVIEWS")?.name).toBe("reviews.default.svc.cluster.local:9080");
    expect(selectVirtualHost(routeConfig, "v1.api.example.com")?.name).toBe("longer-suffix");
    expect(selectVirtualHost(routeConfig, "www.example.com")?.name).toBe("wildcard-suffix");
    expect(selectVirtualHost(routeConfig, "shop.local")?.name).toBe("prefix");
    expect(selectVirtualHost(routeConfig, "unknown.org")?.name).toBe("allow_any");
  });

  it("keeps the port in the Host unless the route configuration ignores it", () => {
    const exactOnly: RouteConfiguration = { name: "80", virtual_hosts: [{ name: "a", domains: ["httpbin.org"], routes: [] }] };
    expect(selectVirtualHost(exactOnly, "httpbin.org:80")).toBeUndefined();
    expect(selectVirtualHost({ ...exactOnly, ignore_port_in_host_matching: true }, "httpbin.org:80")?.name).toBe("a");
  });
});

describe("route selection", () => {
  it("takes the first route whose path match accepts the request", () => {
    const vhost = routesNamed(
      { name: "exact", match: { path: "/productpage" }, route: { cluster: "a" } },
      { name: "static", match: { prefix: "/static" }, route: { cluster: "a" } },
      { name: "regex", match: { safe_regex: { regex: "/api/v1/products/[0-9]+" } }, route: { cluster: "a" } },
      { name: "folded", match: { prefix: "/LOGIN", case_sensitive: false }, route: { cluster: "a" } },
    );
    expect(selectRoute(vhost, request("/productpage?u=normal"))?.name).toBe("exact");
    expect(selectRoute(vhost, request("/productpage/x"))).toBeUndefined();
    expect(selectRoute(vhost, request("/static/tailwind.css"))?.name).toBe("static");
    expect(selectRoute(vhost, request("/api/v1/products/12"))?.name).toBe("regex");
    expect(selectRoute(vhost, request("/api/v1/products/12/reviews"))).toBeUndefined();
    expect(selectRoute(vhost, request("/login"))?.name).toBe("folded");
  });

  it("matches headers exactly, by prefix and regex, by presence, inverted, and pseudo-headers", () => {
    const vhost = routesNamed(
      { name: "jason", match: { prefix: "/", headers: [{ name: "end-user", string_match: { exact: "jason" } }] }, route: { cluster: "v2" } },
      { name: "test-users", match: { prefix: "/", headers: [{ name: "end-user", string_match: { prefix: "test-" } }] }, route: { cluster: "v3" } },
      { name: "mobile", match: { prefix: "/", headers: [{ name: "user-agent", string_match: { safe_regex: { regex: ".*Mobile.*" } } }] }, route: { cluster: "m" } },
      { name: "post", match: { prefix: "/", headers: [{ name: ":method", string_match: { exact: "POST" } }] }, route: { cluster: "p" } },
      { name: "debug", match: { prefix: "/", headers: [{ name: "x-debug", present_match: true }] }, route: { cluster: "d" } },
      { name: "not-canary", match: { prefix: "/", headers: [{ name: "x-canary", string_match: { exact: "yes" }, invert_match: true }] }, route: { cluster: "stable" } },
      { name: "rest", match: { prefix: "/" }, route: { cluster: "v1" } },
    );
    expect(selectRoute(vhost, request("/", { "end-user": "jason" }))?.name).toBe("jason");
    expect(selectRoute(vhost, request("/", { "end-user": "Jason" }))?.name).toBe("not-canary");
    expect(selectRoute(vhost, request("/", { "end-user": "test-7" }))?.name).toBe("test-users");
    expect(selectRoute(vhost, request("/", { "user-agent": "Mozilla/5.0 (iPhone) Mobile/15E148" }))?.name).toBe("mobile");
    expect(selectRoute(vhost, request("/", {}, "reviews:9080", "POST"))?.name).toBe("post");
    expect(selectRoute(vhost, request("/", { "x-debug": "" }))?.name).toBe("debug");
    expect(selectRoute(vhost, request("/", { "x-canary": "yes" }))?.name).toBe("rest");
  });

  it("matches query parameters", () => {
    const vhost = routesNamed({ name: "beta", match: { prefix: "/", query_parameters: [{ name: "version", string_match: { exact: "beta" } }] }, route: { cluster: "b" } }, { name: "rest", match: { prefix: "/" }, route: { cluster: "a" } });
    expect(selectRoute(vhost, request("/?version=beta"))?.name).toBe("beta");
    expect(selectRoute(vhost, request("/?version=stable"))?.name).toBe("rest");
    expect(selectRoute(vhost, request("/"))?.name).toBe("rest");
  });
});
