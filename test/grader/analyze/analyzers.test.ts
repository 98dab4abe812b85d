// One table for every analyzer: a case that fires and cases that must stay silent (no false positives).
import { describe, expect, it } from "vitest";
import { CASES } from "./cases";
import { codesAndOrigins, inlineObjects, runOne, sortPairs } from "./support";

describe("analyzers", () => {
  it.each(CASES)("$analyzer.metadata.name: $name", ({ analyzer, yaml, expected, texts }) => {
    const messages = runOne(analyzer, inlineObjects(yaml));
    expect(codesAndOrigins(messages)).toStrictEqual(sortPairs(expected));
    if (texts) {
      const rendered = messages.map((message) => message.text);
      for (const text of texts) expect(rendered.some((candidate) => candidate.includes(text)), `missing text: ${text}\nin: ${rendered.join("\n")}`).toBe(true);
    }
  });
});
