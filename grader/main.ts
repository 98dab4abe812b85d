// Entry point of the standalone grader service: `npm run grader` (PORT, GRADER_SECRET from the environment).
import { z } from "zod";
import { startGraderServer } from "./server";

const env = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(4000),
    GRADER_SECRET: z.string().min(16, "GRADER_SECRET must be at least 16 characters"),
  })
  .safeParse(process.env);
if (!env.success) {
  console.error(`grader: ${env.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  process.exit(1);
}
const { url } = await startGraderServer(env.data.PORT, { secret: env.data.GRADER_SECRET });
console.log(`Grader service listening on ${url} (POST /grade, POST /analyze)`);
