// `npm run test:kind`: the opt-in end-to-end suite on a real kind cluster. Runs the host preflight first and,
// when Docker, kind or istioctl is missing, says what and how to install it, then skips (exit 0) instead of failing.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ProcessCommandRunner } from "@/cluster/kind/commands";
import { formatPreflight, runPreflight } from "@/cluster/kind/preflight";

const root = path.resolve(import.meta.dirname, "../../../..");
const report = await runPreflight(new ProcessCommandRunner());
console.log("Host checks for the real kind suite:");
console.log(formatPreflight(report));
if (!report.ok) {
  console.log("\nSKIPPED: the real kind suite needs a running Docker daemon, kind and istioctl 1.26 (see the fixes above).");
  console.log("It is opt-in and not part of `npm test`; the same flow runs there on a fake host with embedded clusters.");
  process.exit(0);
}
const vitest = path.join(root, "node_modules/vitest/vitest.mjs");
const result = spawnSync(process.execPath, [vitest, "run", "--config", path.join(import.meta.dirname, "vitest.config.ts"), ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
