// Next.js configuration: a standalone-friendly server with no outbound calls (telemetry off, local fonts).
/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "just-bash", "@kubernetes/client-node", "@prisma/schema-engine-wasm"],
  experimental: { serverActions: { bodySizeLimit: "1mb" } },
};
export default nextConfig;
