// The registry of every analyzer. Please keep this list sorted by metadata name.
import type { Analyzer } from "../analyzer";
import { caCertificateAnalyzer } from "./destinationrule/ca-certificates";
import { subsetSelectPodAnalyzer } from "./destinationrule/subset-select-pods";
import { conflictingGatewayAnalyzer } from "./gateway/conflicting-gateways";
import { ingressGatewayPortAnalyzer } from "./gateway/ingress-gateway-port";
import { secretAnalyzer } from "./gateway/secret";
import { injectionAnalyzer } from "./injection/injection";
import { schemaValidationAnalyzer } from "./schema/validation";
import { protocolAddressesAnalyzer } from "./serviceentry/protocol-addresses";
import { conflictingServiceEntryProtocolAnalyzer } from "./serviceentry/conflicting-protocol";
import { conflictingMeshGatewayHostsAnalyzer } from "./virtualservice/conflicting-mesh-gateway-hosts";
import { destinationHostAnalyzer } from "./virtualservice/destination-hosts";
import { destinationRuleAnalyzer } from "./virtualservice/destination-rules";
import { gatewayAnalyzer } from "./virtualservice/gateways";
import { unreachableRulesAnalyzer } from "./virtualservice/unreachable-rules";

export const ALL_ANALYZERS: readonly Analyzer[] = [
  caCertificateAnalyzer, // destinationrule.CaCertificateAnalyzer
  subsetSelectPodAnalyzer, // destinationrule.SubsetSelectPodAnalyzer
  conflictingGatewayAnalyzer, // gateway.ConflictingGatewayAnalyzer
  ingressGatewayPortAnalyzer, // gateway.IngressGatewayPortAnalyzer
  secretAnalyzer, // gateway.SecretAnalyzer
  injectionAnalyzer, // injection.Analyzer
  schemaValidationAnalyzer, // schema.ValidationAnalyzer
  protocolAddressesAnalyzer, // serviceentry.Analyzer
  conflictingServiceEntryProtocolAnalyzer, // serviceentry.ConflictingServiceEntryProtocolAnalyzer
  conflictingMeshGatewayHostsAnalyzer, // virtualservice.ConflictingMeshGatewayHostsAnalyzer
  destinationHostAnalyzer, // virtualservice.DestinationHostAnalyzer
  destinationRuleAnalyzer, // virtualservice.DestinationRuleAnalyzer
  gatewayAnalyzer, // virtualservice.GatewayAnalyzer
  unreachableRulesAnalyzer, // virtualservice.UnreachableRulesAnalyzer
];

export {
  caCertificateAnalyzer,
  subsetSelectPodAnalyzer,
  conflictingGatewayAnalyzer,
  ingressGatewayPortAnalyzer,
  secretAnalyzer,
  injectionAnalyzer,
  schemaValidationAnalyzer,
  protocolAddressesAnalyzer,
  conflictingServiceEntryProtocolAnalyzer,
  conflictingMeshGatewayHostsAnalyzer,
  destinationHostAnalyzer,
  destinationRuleAnalyzer,
  gatewayAnalyzer,
  unreachableRulesAnalyzer,
};
