// `ica cluster create --driver kind` on a machine that cannot run kind: exits 1 naming each missing piece and how
// to install it (run as a real process, with a PATH holding only a docker CLI whose daemon is down).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");
const bin = mkdtempSync(path.join(tmpdir(), "ica-nodocker-"));
afterAll(() => rmSync(bin, { recursive: true, force: true }));
writeFileSync(
  path.join(bin, "docker"),
  `#!/bin/sh
case "$1" in
  --version) echo "Docker version 27.3.1, build ce12230";;
  *) echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1;;
esac
`,
);
chmodSync(path.join(bin, "docker"), 0o755);

function ica(args: string[]) {
  return spawnSync(process.execPath, [path.join(root, "bin/ica.mjs"), ...args], {
    cwd: root,
    env: { ...process.env, PATH: bin, ICA_DATA_DIR: path.join(bin, "data") },
    encoding: "utf8",
  });
}

describe("ica cluster create --driver kind without Docker", () => {
  it("exits 1 and says what is missing and how to install it", () => {
    const run = ica(["cluster", "create", "--driver", "kind"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("the kind driver cannot create clusters on this machine (3 missing)");
    expect(run.stderr).toMatch(/✘ docker-daemon: the Docker daemon is not reachable: Cannot connect to the Docker daemon[\s\S]*fix: Start the daemon/);
    expect(run.stderr).toMatch(/✘ kind: kind is not installed \(no `kind` on PATH\)\n\s+fix: Install kind v0\.27\.0: `curl -Lo \/usr\/local\/bin\/kind https:\/\/kind\.sigs\.k8s\.io\/dl\/v0\.27\.0\/kind-linux-amd64/);
    expect(run.stderr).toMatch(/✘ istioctl: istioctl is not installed[\s\S]*fix: Install istioctl 1\.26\.2: `curl -L https:\/\/istio\.io\/downloadIstio \| ISTIO_VERSION=1\.26\.2 sh -`/);
    expect(run.stdout).toBe("");
  });

  it("rejects an unknown driver as a usage error", () => {
    const run = ica(["cluster", "create", "--driver", "minikube"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--driver must be kind or embedded");
  });
});
