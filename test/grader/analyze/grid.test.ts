// istioctl's own analyzer test grid (analyzers_test.go testGrid rows for the five copied inputs): same codes on the
// same resources, nothing extra.
import { describe, expect, it } from "vitest";
import {
  conflictingMeshGatewayHostsAnalyzer,
  destinationHostAnalyzer,
  destinationRuleAnalyzer,
  gatewayAnalyzer,
  ingressGatewayPortAnalyzer,
  type Analyzer,
} from "@/grader/analyze";
import { codesAndOrigins, runOne, sortPairs, testdataObjects } from "./support";

interface GridRow {
  name: string;
  input: string;
  analyzer: Analyzer;
  expected: [code: string, origin: string][];
}

const GRID: GridRow[] = [
  {
    name: "virtualServiceDestinationHosts",
    input: "virtualservice_destinationhosts.yaml",
    analyzer: destinationHostAnalyzer,
    expected: [
      ["IST0101", "VirtualService default/reviews-bogushost"],
      ["IST0101", "VirtualService default/reviews-bogushost"],
      ["IST0101", "VirtualService default/reviews-bookinfo-other"],
      ["IST0101", "VirtualService default/reviews-mirror-bogushost"],
      ["IST0101", "VirtualService default/reviews-bogusport"],
      ["IST0112", "VirtualService default/reviews-2port-missing"],
      ["IST0101", "VirtualService istio-system/cross-namespace-details"],
      ["IST0101", "VirtualService hello/hello-export-to-bogus"],
    ],
  },
  {
    name: "virtualServiceDestinationRules",
    input: "virtualservice_destinationrules.yaml",
    analyzer: destinationRuleAnalyzer,
    expected: [
      ["IST0101", "VirtualService default/reviews-bogussubset"],
      ["IST0101", "VirtualService default/reviews-mirror-bogussubset"],
    ],
  },
  {
    name: "virtualServiceGateways",
    input: "virtualservice_gateways.yaml",
    analyzer: gatewayAnalyzer,
    expected: [
      ["IST0101", "VirtualService httpbin-bogus"],
      ["IST0132", "VirtualService default/cross-test"],
      ["IST0132", "VirtualService httpbin-bogus"],
      ["IST0132", "VirtualService httpbin"],
    ],
  },
  {
    name: "virtualServiceConflictingMeshGatewayHosts",
    input: "virtualservice_conflictingmeshgatewayhosts.yaml",
    analyzer: conflictingMeshGatewayHostsAnalyzer,
    expected: [
      ["IST0109", "VirtualService team3/ratings"],
      ["IST0109", "VirtualService team4/ratings"],
      ["IST0109", "VirtualService foo/ratings"],
      ["IST0109", "VirtualService bar/ratings"],
      ["IST0109", "VirtualService foo/productpage"],
      ["IST0109", "VirtualService foo/bogus-productpage"],
      ["IST0109", "VirtualService team2/ratings"],
    ],
  },
  {
    name: "gatewayBadPort",
    input: "gateway-no-port.yaml",
    analyzer: ingressGatewayPortAnalyzer,
    expected: [["IST0162", "Gateway httpbin-gateway"]],
  },
];

describe("istioctl analyzer test grid", () => {
  it.each(GRID)("$name reports exactly istioctl's messages", ({ input, analyzer, expected }) => {
    const messages = runOne(analyzer, testdataObjects(input));
    expect(codesAndOrigins(messages)).toStrictEqual(sortPairs(expected));
  });

  it("renders the destination-host messages with istioctl's texts", () => {
    const texts = runOne(destinationHostAnalyzer, testdataObjects("virtualservice_destinationhosts.yaml")).map((message) => message.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        'Referenced host not found: ""',
        'Referenced host not found: "reviews-bogus"',
        'Referenced mirror host not found: "reviews-bogus"',
        'Referenced host:port not found: "reviews:999"',
        'This VirtualService routes to a service "reviews-2port" that exposes multiple ports [80 443]. Specifying a port in the destination is required to disambiguate.',
      ]),
    );
  });

  it("renders the destination-rule and gateway messages with istioctl's texts", () => {
    const subsetTexts = runOne(destinationRuleAnalyzer, testdataObjects("virtualservice_destinationrules.yaml")).map((message) => message.text);
    expect(subsetTexts.sort()).toStrictEqual([
      'Referenced host+subset in destinationrule not found: "reviews+bogus"',
      'Referenced mirror+subset in destinationrule not found: "reviews+bogus"',
    ]);
    const portTexts = runOne(ingressGatewayPortAnalyzer, testdataObjects("gateway-no-port.yaml")).map((message) => message.text);
    expect(portTexts).toStrictEqual([
      "The gateway is listening on a target port (port 8004) that is not defined in the Service associated with its workload instances (Pod selector istio=ingressgateway). If you need to access the gateway port through the gateway Service, it will not be available.",
    ]);
  });
});
