// The embedded API server's self-signed identity is always a certificate TLS accepts (random serials included).
import { createSecureContext } from "node:tls";
import { describe, expect, it } from "vitest";
import { createSelfSignedIdentity } from "@/cluster/embedded/tls";

describe("createSelfSignedIdentity", () => {
  it("produces a loadable key and certificate every time", () => {
    for (let i = 0; i < 400; i++) {
      const identity = createSelfSignedIdentity();
      expect(() => createSecureContext(identity)).not.toThrow();
    }
  });
});
