// IST0134: a ServiceEntry with TCP (or unset-protocol) ports needs addresses, unless some were allocated in its status.
import type { Analyzer } from "../../analyzer";
import { ServiceEntryAddressesRequired } from "../../messages";
import type { Resource } from "../../resources";

function addressAllocated(entry: Resource<"ServiceEntry">): boolean {
  const status = entry.object.status;
  if (!status || typeof status !== "object") return false;
  const addresses = (status as { addresses?: unknown }).addresses;
  return Array.isArray(addresses) && addresses.length > 0;
}

export const protocolAddressesAnalyzer: Analyzer = {
  metadata: {
    name: "serviceentry.Analyzer",
    description: "Checks the validity of ServiceEntry",
    inputs: ["ServiceEntry"],
  },
  analyze(ctx) {
    for (const entry of ctx.list("ServiceEntry")) {
      if (entry.spec.addresses !== undefined || addressAllocated(entry)) continue;
      entry.spec.ports.forEach((port, index) => {
        if (port.protocol === "" || port.protocol.toUpperCase() === "TCP") {
          ctx.report(entry, ServiceEntryAddressesRequired, [], `spec.ports[${index}].name`);
        }
      });
    }
  },
};
