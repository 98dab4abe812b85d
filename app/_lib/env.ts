// The web app's environment, validated once: bad settings stop the start with a message naming the variable.
import { z } from "zod";

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  ICA_DATA_DIR: z.string().min(1).default("./data"),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24 * 14),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  GRADER_URL: z.url().optional(),
  GRADER_SECRET: z.string().min(16).optional(),
});

export type AppEnv = z.infer<typeof envSchema>;

/** Parses an environment (process.env by default) into typed settings, or throws listing every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): AppEnv {
  const blanksRemoved = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(blanksRemoved);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: AppEnv | undefined;
/** The process's settings, parsed on first use. */
export function env(): AppEnv {
  cached ??= parseEnv();
  return cached;
}
