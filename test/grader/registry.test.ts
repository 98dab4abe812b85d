// The check registry and the message catalog stay consistent: unique ids and codes, every emitted code catalogued.
import { describe, expect, it } from "vitest";
import { checks, findCheck } from "@/grader/checks";
import { messages, messageSpec } from "@/grader/messages";

describe("registry", () => {
  it("lists checks sorted by id, each id unique and dotted as <area>.<rule>", () => {
    const ids = checks.map((c) => c.id);
    expect(ids).toStrictEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
    expect(findCheck("virtualservice.weighted-split")?.title).toBe("Traffic to a host is split across subsets by weight");
    expect(findCheck("nope.nothing")).toBeUndefined();
  });

  it("every check has a title, a description and codes from the catalog", () => {
    for (const check of checks) {
      expect(check.title.length).toBeGreaterThan(5);
      expect(check.description.length).toBeGreaterThan(20);
      expect(check.codes.length).toBeGreaterThan(0);
      for (const code of check.codes) expect(messageSpec(code), `${check.id} emits ${code}`).toBeDefined();
    }
  });

  it("keeps the catalog sorted by code with unique codes and names", () => {
    const codes = messages.map((m) => m.code);
    expect(codes).toStrictEqual([...codes].sort());
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(messages.map((m) => m.name)).size).toBe(messages.length);
    for (const m of messages) expect(m.code).toMatch(/^ICA\d{4}$/);
  });
});
