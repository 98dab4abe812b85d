// Test helper: a fresh, migrated in-memory PGlite database.
import { openDatabase, type Database } from "@/prisma/database";
import { deployMigrations } from "@/prisma/migrate";

export async function migratedMemoryDatabase(): Promise<Database> {
  const db = openDatabase({ memory: true });
  await deployMigrations(db.target);
  return db;
}
