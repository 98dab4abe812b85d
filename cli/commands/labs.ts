// `ica labs list|prove [LAB_ID]`: list labs, or prove them on the embedded mesh (every objective fails before its
// solution and passes after it, near misses fail, alternatives pass, cleanup restores the baseline).
import { EmbeddedDriver } from "../../cluster/embedded/driver";
import { allLabs, findLab } from "../../labs";
import { proveLab } from "../../labs/prove";
import { parseArgs, describeFlags, UsageError, type FlagSpec } from "../args";
import type { CliCommand } from "../index";

const flags: Record<string, FlagSpec> = {
  json: { type: "boolean", description: "Print the proof as JSON" },
};

const usage = [
  "Usage: ica labs list",
  "       ica labs prove [LAB_ID] [--json]",
  "",
  "prove runs every lab (or one) on a fresh embedded cluster and exits 1 if any lab does not prove itself.",
  "",
  "Flags:",
  describeFlags(flags),
].join("\n");

export const command: CliCommand = {
  name: "labs",
  summary: "List labs, or prove them on the embedded mesh",
  async run(args, io) {
    const { flags: given, positionals } = parseArgs(args, flags);
    const [sub, labId, ...extra] = positionals;
    if (given.help || sub === undefined) {
      io.out(usage);
      return given.help ? 0 : 2;
    }
    if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
    if (sub === "list") {
      for (const lab of allLabs()) io.out(`${lab.id.padEnd(44)} ${lab.domain.padEnd(20)} ${String(lab.minutes).padStart(3)} min  ${lab.objectives.length} objectives`);
      return 0;
    }
    if (sub !== "prove") throw new UsageError(`unknown subcommand "${sub}"`);
    const labs = labId ? [findLab(labId) ?? (() => { throw new UsageError(`no lab "${labId}"`); })()] : allLabs();
    const driver = new EmbeddedDriver();
    let failed = 0;
    const proofs = [];
    try {
      for (const lab of labs) {
        const proof = await proveLab(lab, driver);
        proofs.push(proof);
        if (!proof.ok) failed++;
        if (given.json) continue;
        io.out(`${proof.ok ? "✔" : "✘"} ${lab.id} (${proof.steps.length} steps, ${(proof.durationMs / 1000).toFixed(1)} s)`);
        for (const s of proof.steps) {
          if (!s.ok || labs.length === 1) io.out(`    ${s.ok ? "✔" : "✘"} ${s.objectiveId} · ${s.phase} · ${s.name}: ${s.status}${s.errorCodes.length ? ` [${s.errorCodes.join(" ")}]` : ""}${s.problem ? ` — ${s.problem}` : ""}`);
        }
      }
    } finally {
      await driver.close();
    }
    if (given.json) io.out(JSON.stringify(proofs, null, 2));
    else io.out(`\n${labs.length - failed} of ${labs.length} labs proved`);
    return failed ? 1 : 0;
  },
};
