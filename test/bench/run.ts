// Runs every test/bench/*.bench.ts in turn (`npm run bench`); each exports `run()` and prints its own figures.

import { readdirSync } from "node:fs";

const benchDir = new URL("./", import.meta.url);
const only = process.argv.slice(2);

const files = readdirSync(benchDir)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

let failed = false;
for (const file of files) {
  console.log(`\n== ${file}`);
  const started = performance.now();
  try {
    const bench = (await import(new URL(file, benchDir).href)) as { run?: () => Promise<unknown> };
    if (typeof bench.run !== "function") throw new Error(`${file} does not export run()`);
    await bench.run();
    console.log(`== ${file} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    failed = true;
    console.error(`== ${file} failed: ${(error as Error).stack ?? String(error)}`);
  }
}
process.exitCode = failed ? 1 : 0;
