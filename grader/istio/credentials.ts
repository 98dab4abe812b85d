// Reading a gateway TLS credential the way Istio's SDS does: which Secret a credentialName names, and whether that
// Secret holds a certificate and matching key (kubernetes.io/tls keys or the generic cert/key form) for a host.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { hostsMatch } from "../analyze/hosts";
import type { KubeObject } from "../snapshot/snapshot";

/** The namespace and name a credentialName refers to: `name` lives in the gateway workload's namespace. */
export function credentialRef(credentialName: string, workloadNamespace: string): { namespace: string; name: string } {
  const slash = credentialName.indexOf("/");
  return slash < 0 ? { namespace: workloadNamespace, name: credentialName } : { namespace: credentialName.slice(0, slash), name: credentialName.slice(slash + 1) };
}

/** What a credential Secret offers a TLS server. */
export interface CredentialContents {
  /** Which data keys held the certificate and key (`tls.crt`/`tls.key` or `cert`/`key`). */
  keys?: { cert: string; key: string };
  subjectAltNames: string[];
  validTo?: string;
  /** Why the credential cannot serve the host; empty when it can. */
  problems: string[];
}

function decoded(secret: KubeObject, key: string): string | undefined {
  const data = secret.data as Record<string, string> | undefined;
  const value = data?.[key];
  return typeof value === "string" ? Buffer.from(value, "base64").toString("utf8") : undefined;
}

/** DNS names a certificate covers (subjectAltName DNS entries, else the subject CN as old clients read it). */
function namesOf(cert: X509Certificate): string[] {
  const sans = (cert.subjectAltName ?? "").split(",").map((s) => s.trim()).filter((s) => s.startsWith("DNS:")).map((s) => s.slice(4));
  if (sans.length) return sans;
  const cn = /CN=([^\n,]+)/.exec(cert.subject)?.[1];
  return cn ? [cn] : [];
}

/** Checks a credential Secret against a host, at time `now` (epoch ms); `mutual` also needs a CA bundle for client certificates. */
export function inspectCredential(secret: KubeObject, host: string, now: number, mutual = false): CredentialContents {
  const problems: string[] = [];
  const keys = decoded(secret, "tls.crt") !== undefined || decoded(secret, "tls.key") !== undefined ? { cert: "tls.crt", key: "tls.key" } : { cert: "cert", key: "key" };
  const certText = decoded(secret, keys.cert);
  const keyText = decoded(secret, keys.key);
  if (!certText || !keyText) {
    problems.push(`the Secret has no ${!certText ? keys.cert : keys.key} entry (a TLS credential needs tls.crt and tls.key, or cert and key)`);
    return { subjectAltNames: [], problems };
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certText);
  } catch {
    problems.push(`${keys.cert} is not a PEM certificate`);
    return { keys, subjectAltNames: [], problems };
  }
  const names = namesOf(cert);
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyText))) problems.push(`${keys.key} is not the private key of the certificate in ${keys.cert}`);
  } catch {
    problems.push(`${keys.key} is not a PEM private key`);
  }
  if (!names.some((name) => hostsMatch(name.toLowerCase(), host.toLowerCase()) && (!name.startsWith("*") || host.split(".").length === name.split(".").length))) {
    problems.push(`the certificate is for ${names.join(", ") || "no DNS name"}, not ${host}: clients reject it`);
  }
  if (Date.parse(cert.validTo) < now) problems.push(`the certificate expired on ${cert.validTo}`);
  if (Date.parse(cert.validFrom) > now) problems.push(`the certificate is not valid before ${cert.validFrom}`);
  if (mutual && decoded(secret, "ca.crt") === undefined && decoded(secret, "cacert") === undefined) problems.push("MUTUAL TLS needs a CA bundle for client certificates (ca.crt, or cacert in a generic Secret)");
  return { keys, subjectAltNames: names, validTo: cert.validTo, problems };
}
