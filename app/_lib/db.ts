// The app's database handle: one Prisma client per process (embedded PGlite, or PostgreSQL with DATABASE_URL).
export { getPrisma } from "@/prisma/database";
