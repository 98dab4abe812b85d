// Vitest settings for the real kind suite only (long timeouts, one file at a time); `npm test` never loads it.
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "../../../..");

export default defineConfig({
  root,
  resolve: { alias: { "@": root } },
  test: {
    include: ["test/cluster/kind/real/**/*.kind-test.ts"],
    environment: "node",
    pool: "forks",
    fileParallelism: false,
    testTimeout: 20 * 60_000,
    hookTimeout: 20 * 60_000,
  },
});
