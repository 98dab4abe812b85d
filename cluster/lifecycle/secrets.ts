// Sealing learner kubeconfigs at rest: AES-256-GCM with the server's key (ICA_KUBECONFIG_KEY, or a key file
// created once in the data folder), so a database dump alone never yields cluster-admin credentials.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const format = "v1";

export class KubeconfigSealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("the kubeconfig sealing key must be 32 bytes");
  }

  /** `v1:<base64 of iv | tag | ciphertext>`. */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${format}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
  }

  /** The kubeconfig back; throws when the text was sealed with another key or altered. */
  open(sealed: string): string {
    const [version, data] = sealed.split(":", 2);
    if (version !== format || !data) throw new Error("not a sealed kubeconfig");
    const raw = Buffer.from(data, "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    } catch {
      throw new Error("the sealed kubeconfig does not open with this server's key (was ICA_KUBECONFIG_KEY changed?)");
    }
  }
}

const keySchema = z
  .string()
  .transform((value) => Buffer.from(value, "base64"))
  .refine((key) => key.length === 32, "must be 32 random bytes, base64-encoded (openssl rand -base64 32)");

/**
 * The sealing key: ICA_KUBECONFIG_KEY when set, else `<dataDir>/kubeconfig.key` (created with mode 600 on first
 * use). With ICA_REQUIRE_KUBECONFIG_KEY=true (separate web and runner processes) the variable is mandatory.
 */
export function loadSealingKey(env: Record<string, string | undefined>, dataDir: string): Buffer {
  const fromEnv = env.ICA_KUBECONFIG_KEY?.trim();
  if (fromEnv) {
    const parsed = keySchema.safeParse(fromEnv);
    if (!parsed.success) throw new Error(`ICA_KUBECONFIG_KEY ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }
  if (env.ICA_REQUIRE_KUBECONFIG_KEY === "true") {
    throw new Error("ICA_KUBECONFIG_KEY is not set: the web app and the cluster runner must share it (generate one with `openssl rand -base64 32`)");
  }
  const file = path.resolve(dataDir, "kubeconfig.key");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
  }
  const parsed = keySchema.safeParse(readFileSync(file, "utf8").trim());
  if (!parsed.success) throw new Error(`${file} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
