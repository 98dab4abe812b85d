// Migrations, queries and the drift check on an in-memory PGlite (the default embedded database).
import { beforeAll } from "vitest";
import { ensurePgliteTemplate, openDatabase } from "@/prisma/database";
import { defineDataLayerSuite } from "./data-layer-suite";

beforeAll(async () => {
  await ensurePgliteTemplate();
});

defineDataLayerSuite({
  label: "PGlite (in memory)",
  openFreshDatabase: async () => openDatabase({ memory: true }),
});
