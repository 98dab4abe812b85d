#!/usr/bin/env node
// Entry point of the `ica` command: loads TypeScript through tsx, then hands over to cli/index.ts.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { main } = await import("../cli/index.ts");
process.exitCode = await main(process.argv.slice(2));
