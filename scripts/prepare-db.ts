// Start-up step: apply pending migrations, then make sure an admin exists (credentials printed once, or taken from env).
import { ensureAdmin } from "@/app/_lib/auth/accounts";
import { parseEnv } from "@/app/_lib/env";
import { openDatabase } from "@/prisma/database";
import { deployMigrations } from "@/prisma/migrate";

async function main(): Promise<void> {
  const settings = parseEnv();
  const db = openDatabase();
  try {
    const { applied } = await deployMigrations(db.target);
    console.log(
      applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "Database schema is up to date.",
    );
    const admin = await ensureAdmin(db.prisma, { email: settings.ADMIN_EMAIL, password: settings.ADMIN_PASSWORD });
    if (admin.created && admin.generated) {
      console.log(`\nCreated the first admin account (shown only this once):\n  email:    ${admin.email}\n  password: ${admin.password}\n`);
    } else if (admin.created) {
      console.log(`Created the admin account ${admin.email} from ADMIN_EMAIL/ADMIN_PASSWORD.`);
    }
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
