// `pilot-agent request <METHOD> <path>` inside istio-proxy: a call to the local Envoy admin (port 15000),
// printing Envoy's body unmodified (stats, config_dump, clusters, ready).

import type { ExecResult } from "@/cluster/driver";
import { adminBody } from "./curl";
import type { ProxyAdmin } from "./index";

export function runPilotAgent(args: string[], admin: ProxyAdmin): ExecResult {
  if (args[0] !== "request") {
    return { stdout: "", stderr: `Error: unknown command "${args[0] ?? ""}" for "pilot-agent"\nRun 'pilot-agent --help' for usage.\n`, exitCode: 1 };
  }
  const positional = args.slice(1).filter((arg) => !arg.startsWith("--"));
  const [method, path] = positional;
  if (!method || !path) return { stdout: "", stderr: "Error: requires at least 2 arg(s), only received " + positional.length + "\n", exitCode: 1 };
  if (method.toUpperCase() !== "GET" && method.toUpperCase() !== "POST") {
    return { stdout: "", stderr: `Error: ${method} is not a supported method\n`, exitCode: 1 };
  }
  const reply = adminBody(admin, path.startsWith("/") ? path : `/${path}`);
  if (reply.status !== 200) return { stdout: "", stderr: `Error: received unsuccessful status code ${reply.status}: ${reply.text}`, exitCode: 1 };
  return { stdout: reply.text, stderr: "", exitCode: 0 };
}
