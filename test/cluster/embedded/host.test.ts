// The cluster host serves every cluster from one HTTPS server, even when clusters are created concurrently.
import { describe, expect, it } from "vitest";
import { ClusterHost } from "@/cluster/embedded/host";

describe("ClusterHost.listen", () => {
  it("starts one server for concurrent callers and stops it on close", async () => {
    const host = new ClusterHost();
    const [a, b] = await Promise.all([host.listen(), host.listen()]);
    expect(a).toBe(b);
    const { id } = host.create();
    expect(host.url(id)).toBe(`${a}/clusters/${id}`);
    await host.close();
    expect(() => host.url(id)).toThrow(/not listening/);
    const again = await host.listen();
    expect(again).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await host.close();
  });
});
