// Meta-tests for the analyzer registry and message catalog: sorted unique names, descriptions, codes in the
// catalog, and each analyzer reading exactly the kinds its metadata declares.
import { describe, expect, it } from "vitest";
import { ALL_ANALYZERS, ALL_MESSAGE_TYPES, analyzeObjects, type Analyzer } from "@/grader/analyze";
import { readResources, runAnalyzers } from "@/grader/analyze/run";
import { CASES } from "./cases";
import { inlineObjects, testdataObjects } from "./support";

const GRID_INPUTS = [
  "virtualservice_destinationhosts.yaml",
  "virtualservice_destinationrules.yaml",
  "virtualservice_gateways.yaml",
  "virtualservice_conflictingmeshgatewayhosts.yaml",
  "gateway-no-port.yaml",
];

/** Every input the tests use: the istio grid files and each case of the table. */
function allInputs() {
  return [...GRID_INPUTS.map((file) => testdataObjects(file)), ...CASES.map((entry) => inlineObjects(entry.yaml))];
}

describe("analyzer registry", () => {
  const names = ALL_ANALYZERS.map((analyzer) => analyzer.metadata.name);

  it("is sorted by name and names are unique", () => {
    expect(names).toStrictEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it("gives every analyzer a description and declared inputs", () => {
    for (const analyzer of ALL_ANALYZERS) {
      expect(analyzer.metadata.description.length, analyzer.metadata.name).toBeGreaterThan(10);
      expect(analyzer.metadata.inputs.length, analyzer.metadata.name).toBeGreaterThan(0);
    }
  });

  it("has a firing case and a silent case in the table for every analyzer", () => {
    for (const analyzer of ALL_ANALYZERS) {
      const cases = CASES.filter((entry) => entry.analyzer === analyzer);
      expect(cases.some((entry) => entry.expected.length > 0), `${analyzer.metadata.name} needs a firing case`).toBe(true);
      expect(cases.some((entry) => entry.expected.length === 0), `${analyzer.metadata.name} needs a no-false-positive case`).toBe(true);
    }
  });

  it("reads exactly the kinds each analyzer declares", () => {
    const read = new Map<Analyzer, Set<string>>(ALL_ANALYZERS.map((analyzer) => [analyzer, new Set<string>()]));
    for (const objects of allInputs()) {
      const { resources } = readResources(objects, { offlineDefaults: true });
      runAnalyzers(resources, ALL_ANALYZERS).forEach((run, index) => {
        const analyzer = ALL_ANALYZERS[index];
        if (analyzer) for (const kind of run.kindsRead) read.get(analyzer)?.add(kind);
      });
    }
    for (const analyzer of ALL_ANALYZERS) {
      // Either the metadata is wrong or the test cases for the analyzer are insufficient.
      expect([...(read.get(analyzer) ?? [])].sort(), analyzer.metadata.name).toStrictEqual([...analyzer.metadata.inputs].sort());
    }
  });

  it("only emits codes from the catalog, without internal errors", () => {
    const known = new Map(ALL_MESSAGE_TYPES.map((type) => [type.code, type]));
    for (const objects of allInputs()) {
      const { resources } = readResources(objects, { offlineDefaults: true });
      for (const run of runAnalyzers(resources, ALL_ANALYZERS)) {
        for (const message of run.messages) {
          expect(message.code, `${run.analyzer}: ${message.text}`).not.toBe("IST0001");
          const type = known.get(message.code);
          expect(type, message.code).toBeDefined();
          expect(message.level).toBe(type?.level);
          expect(message.name).toBe(type?.name);
        }
      }
    }
  });
});

describe("message catalog", () => {
  it("is ordered by code with unique codes and names", () => {
    const codes = ALL_MESSAGE_TYPES.map((type) => type.code);
    expect(codes).toStrictEqual([...codes].sort());
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(ALL_MESSAGE_TYPES.map((type) => type.name)).size).toBe(codes.length);
  });

  it("keeps istio's levels for the networking codes", () => {
    const level = Object.fromEntries(ALL_MESSAGE_TYPES.map((type) => [type.code, type.level]));
    expect(level).toMatchObject({ IST0101: "Error", IST0102: "Info", IST0106: "Error", IST0109: "Error", IST0112: "Error", IST0131: "Info", IST0132: "Warning", IST0140: "Warning", IST0162: "Warning", IST0173: "Error", IST0174: "Warning" });
  });
});

describe("istioctl release compatibility", () => {
  const fakeHost = inlineObjects(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: fake-host, namespace: default }
spec: { host: nowhere }
`);

  it("leaves out checks an older istioctl does not run (IST0174 arrived in 1.27)", () => {
    expect(analyzeObjects(fakeHost, { namespace: "default", istioVersion: "1.26" }).messages).toStrictEqual([]);
    expect(analyzeObjects(fakeHost, { namespace: "default", istioVersion: "1.27.3" }).messages.map((message) => message.code)).toStrictEqual(["IST0174"]);
    expect(analyzeObjects(fakeHost, { namespace: "default" }).messages.map((message) => message.code)).toStrictEqual(["IST0174"]);
  });
});
