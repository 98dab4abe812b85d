// Reading ingress intent: Gateway server host forms, which VirtualServices a host admits, and gateway bindings.
import { describe, expect, it } from "vitest";
import type { Server } from "@/cluster/embedded/admission";
import { boundGateways, resolveGatewayReference, serverAcceptsHost, serverAdmits, splitServerHost } from "@/grader/istio/gateways";
import type { KubeObject } from "@/grader/snapshot/snapshot";

const server = (...hosts: string[]): Server => ({ port: { number: 8080, name: "http", protocol: "HTTP" }, hosts });
const vs = (namespace: string, gateways?: string[]): KubeObject => ({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "bookinfo", namespace }, spec: { hosts: ["bookinfo.example.com"], ...(gateways ? { gateways } : {}) } });

describe("Gateway server hosts", () => {
  it("splits namespace-qualified hosts, resolving ./ to the Gateway's namespace", () => {
    expect(splitServerHost("bookinfo.example.com", "istio-system")).toStrictEqual({ namespace: "*", host: "bookinfo.example.com" });
    expect(splitServerHost("./bookinfo.example.com", "istio-system")).toStrictEqual({ namespace: "istio-system", host: "bookinfo.example.com" });
    expect(splitServerHost("default/*", "istio-system")).toStrictEqual({ namespace: "default", host: "*" });
  });

  it("accepts a Host through exact names and wildcards, never through another name", () => {
    expect(serverAcceptsHost(server("bookinfo.example.com"), "bookinfo.example.com", "default")).toBe(true);
    expect(serverAcceptsHost(server("*.example.com"), "bookinfo.example.com", "default")).toBe(true);
    expect(serverAcceptsHost(server("*"), "bookinfo.example.com", "default")).toBe(true);
    expect(serverAcceptsHost(server("bookinfo.staging.example.com"), "bookinfo.example.com", "default")).toBe(false);
  });

  it("admits VirtualServices only from the namespaces the host entry names", () => {
    expect(serverAdmits(server("default/bookinfo.example.com"), "bookinfo.example.com", "istio-system", "default")).toBe(true);
    expect(serverAdmits(server("default/bookinfo.example.com"), "bookinfo.example.com", "istio-system", "shop")).toBe(false);
    expect(serverAdmits(server("./bookinfo.example.com"), "bookinfo.example.com", "istio-system", "default")).toBe(false);
  });
});

describe("VirtualService gateway bindings", () => {
  it("defaults to mesh, and resolves short names in the VirtualService's namespace", () => {
    expect(boundGateways(vs("default"))).toStrictEqual(["mesh"]);
    expect(boundGateways(vs("default", ["bookinfo-gateway", "mesh"]))).toStrictEqual(["default/bookinfo-gateway", "mesh"]);
    expect(boundGateways(vs("default", ["istio-system/bookinfo-gateway"]))).toStrictEqual(["istio-system/bookinfo-gateway"]);
    expect(resolveGatewayReference("shop", "bookinfo-gateway")).toBe("shop/bookinfo-gateway");
  });
});
