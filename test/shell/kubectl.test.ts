// kubectl in the lab shell: the tables, names, YAML/JSON and JSONPath a learner reads, apply/create/delete/patch/
// label/scale confirmations, exec and logs, and kubectl's exact error lines and exit codes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyHeredoc, fixture, startShellLab, type ShellLab } from "./support";

const BAD_WEIGHT = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
      weight: abc`;

describe("kubectl in the lab shell", () => {
  let lab: ShellLab;

  beforeAll(async () => {
    lab = await startShellLab();
  });
  afterAll(() => lab.close());

  it("--help explains a command with its usage, the flags the shell understands and an example; args after -- are the pod's", async () => {
    const overview = await lab.run("kubectl --help");
    expect(overview.exitCode).toBe(0);
    expect(overview.stdout).toMatch(/^ {2}exec +Run a command in a container/m);
    expect(overview.stdout).toMatch(/^ {2}logs +Print a container's log/m);
    const exec = await lab.run("kubectl exec -h");
    expect(exec.stdout).toContain("Usage:\n  kubectl exec POD|TYPE/NAME [-c CONTAINER] -- COMMAND [ARGS…]");
    expect(exec.stdout).toContain("  -c, --container");
    expect(exec.stdout).toContain("kubectl exec deploy/sleep -- curl -s http://productpage:9080/productpage");
    expect((await lab.run("kubectl")).stdout).toBe(overview.stdout);
    const unknown = await lab.run("kubectl frobnicate --help");
    expect(unknown).toMatchObject({ exitCode: 1, stderr: 'error: unknown command "frobnicate" for "kubectl"\nRun \'kubectl --help\' for the commands the lab shell has.\n' });
    const inPod = await lab.run("kubectl exec deploy/sleep -- curl -h");
    expect(inPod.stderr).toContain("curl: no URL specified");
    const istioctl = await lab.run("istioctl pc --help");
    expect(istioctl.stdout).toMatch(/^Show the Envoy configuration a proxy holds/);
    expect(istioctl.stdout).toContain("istioctl pc routes deploy/productpage-v1 --name 9080 -o json");
    expect((await lab.run("istioctl analyze --help")).stdout).toContain("exit code 79");
  });

  it("get --sort-by orders rows by a field, numbers numerically, and names a path no object has", async () => {
    const byPort = await lab.run("kubectl get svc --sort-by=.spec.ports[0].port --no-headers -o custom-columns=NAME:.metadata.name,PORT:.spec.ports[0].port");
    const ports = byPort.stdout.trim().split("\n").map((line) => Number(line.trim().split(/\s+/)[1]));
    expect(ports.length).toBeGreaterThan(3);
    expect(ports).toEqual([...ports].sort((a, b) => a - b));
    expect(ports.indexOf(80)).toBeLessThan(ports.indexOf(443));
    const table = await lab.run("kubectl get svc --sort-by='{.spec.ports[0].port}'");
    const names = table.stdout.trim().split("\n").slice(1).map((line) => line.split(/\s+/)[0]);
    expect(names.indexOf("sleep")).toBeLessThan(names.indexOf("kubernetes"));
    expect(names.indexOf("kubernetes")).toBeLessThan(names.indexOf("productpage"));
    const missing = await lab.run("kubectl get pods --sort-by=.spec.nothing");
    expect(missing).toMatchObject({ exitCode: 1, stderr: 'error: couldn\'t find any field with path "{.spec.nothing}" in the list of objects\n' });
  });

  it("get pods prints kubectl's table with READY, STATUS and AGE", async () => {
    const result = await lab.run("kubectl get pods");
    expect(result.exitCode).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^NAME {2,}READY {3}STATUS {4}RESTARTS {3}AGE$/);
    expect(rows.some((row) => /^reviews-v2-\S+ +2\/2 +Running +0 +\S+$/.test(row))).toBe(true);
    expect(rows.some((row) => row.startsWith("sleep-"))).toBe(true);
  });

  it("get with short names, several types, -A and -o wide/name", async () => {
    const many = await lab.run("kubectl get svc,deploy");
    expect(many.stdout).toContain("service/productpage");
    expect(many.stdout).toContain("\n\nNAME");
    expect(many.stdout).toContain("deployment.apps/reviews-v3");
    const all = await lab.run("kubectl get po -A -o wide");
    expect(all.stdout.split("\n")[0]).toMatch(/^NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE +IP +NODE +NOMINATED NODE +READINESS GATES$/);
    expect(all.stdout).toMatch(/^istio-system +istiod-/m);
    const names = await lab.run("kubectl get deploy -l app=reviews -o name");
    expect(names.stdout).toBe("deployment.apps/reviews-v1\ndeployment.apps/reviews-v2\ndeployment.apps/reviews-v3\n");
  });

  it("jsonpath: items[0], items[*] and range/end", async () => {
    const first = await lab.run(`kubectl get pod -l app=fortio -o jsonpath='{.items[0].metadata.name}'`);
    expect(first.stdout).toMatch(/^fortio-deploy-[a-z0-9]+-[a-z0-9]+$/);
    const all = await lab.run(`kubectl get pods -l app=reviews -o jsonpath='{.items[*].metadata.labels.version}'`);
    expect(all.stdout).toBe("v1 v2 v3");
    const ranged = await lab.run(`kubectl get svc -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.spec.ports[0].port}{"\\n"}{end}' | grep reviews`);
    expect(ranged.stdout).toBe("reviews\t9080\n");
    const missing = await lab.run(`kubectl get pod -l app=nothing -o jsonpath='{.items[0].metadata.name}'`);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("array index out of bounds: index 0, length 0");
  });

  it("apply from a heredoc: created, unchanged, then configured after a patch changed the live object", async () => {
    const dr = await lab.run(applyHeredoc(fixture("destination-rule-all.yaml")));
    expect(dr.stdout).toBe(
      ["productpage", "reviews", "ratings", "details"].map((name) => `destinationrule.networking.istio.io/${name} created\n`).join(""),
    );
    const vs = await lab.run(applyHeredoc(fixture("reviews-v1.yaml")));
    expect(vs.stdout).toBe("virtualservice.networking.istio.io/reviews created\n");
    expect((await lab.run(applyHeredoc(fixture("reviews-v1.yaml")))).stdout).toBe("virtualservice.networking.istio.io/reviews unchanged\n");
    const patched = await lab.run(`kubectl patch vs reviews --type merge -p '{"spec":{"hosts":["reviews","reviews.default.svc.cluster.local"]}}'`);
    expect(patched.stdout).toBe("virtualservice.networking.istio.io/reviews patched\n");
    const again = await lab.run(`kubectl patch vs reviews --type merge -p '{"spec":{"hosts":["reviews","reviews.default.svc.cluster.local"]}}'`);
    expect(again.stdout).toBe("virtualservice.networking.istio.io/reviews patched (no change)\n");
    expect((await lab.run(applyHeredoc(fixture("reviews-v1.yaml")))).stdout).toBe("virtualservice.networking.istio.io/reviews configured\n");
    const hosts = await lab.run(`kubectl get vs reviews -o jsonpath='{.spec.hosts}'`);
    expect(hosts.stdout).toBe(`["reviews"]`);
  });

  it("get -o yaml and -o json show the stored object with kubectl's key order", async () => {
    const yaml = await lab.run("kubectl get vs reviews -o yaml");
    expect(yaml.stdout.startsWith("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n")).toBe(true);
    expect(yaml.stdout).toContain("spec:\n  hosts:\n  - reviews\n  http:\n  - route:\n    - destination:\n        host: reviews\n        subset: v1\n");
    const json = JSON.parse((await lab.run("kubectl get dr -o json")).stdout) as { kind: string; items: { metadata: { name: string } }[] };
    expect(json.kind).toBe("List");
    expect(json.items.map((item) => item.metadata.name).sort()).toEqual(["details", "productpage", "ratings", "reviews"]);
  });

  it("files: apply -f a file and a directory written in the shell, delete -f", async () => {
    const result = await lab.run(`mkdir -p lab && cat > lab/ratings.yaml <<'EOF'\n${fixture("reviews-v1.yaml").replaceAll("reviews", "ratings")}\nEOF\nkubectl apply -f lab/ratings.yaml && kubectl apply -f lab/ && kubectl delete -f lab/ratings.yaml`);
    expect(result.stdout).toBe("virtualservice.networking.istio.io/ratings created\nvirtualservice.networking.istio.io/ratings unchanged\nvirtualservice.networking.istio.io \"ratings\" deleted\n");
    const missing = await lab.run("kubectl apply -f nowhere.yaml");
    expect(missing.stderr).toBe(`error: the path "nowhere.yaml" does not exist\n`);
    expect(missing.exitCode).toBe(1);
  });

  it("errors read exactly like kubectl's, with exit code 1", async () => {
    const notFound = await lab.run("kubectl get vs nope");
    expect(notFound).toEqual({ stdout: "", stderr: `Error from server (NotFound): virtualservices.networking.istio.io "nope" not found\n`, exitCode: 1 });
    const noType = await lab.run("kubectl get widgets");
    expect(noType.stderr).toBe(`error: the server doesn't have a resource type "widgets"\n`);
    expect(noType.exitCode).toBe(1);
    const invalid = await lab.run(applyHeredoc(BAD_WEIGHT));
    expect(invalid.stderr).toBe(`The VirtualService "reviews" is invalid: spec.http[0].route[0].weight: Invalid value: "abc": must be of type number\n`);
    expect(invalid.exitCode).toBe(1);
    const exists = await lab.run(`kubectl create -f - <<EOF\n${fixture("reviews-v1.yaml")}\nEOF`);
    expect(exists.stderr).toBe(`Error from server (AlreadyExists): error when creating "STDIN": virtualservices.networking.istio.io "reviews" already exists\n`);
    const deleteMissing = await lab.run("kubectl delete dr nope");
    expect(deleteMissing.stderr).toBe(`Error from server (NotFound): destinationrules.networking.istio.io "nope" not found\n`);
    const strategic = await lab.run(`kubectl patch vs reviews -p '{"spec":{"hosts":["reviews"]}}'`);
    expect(strategic.stderr).toMatch(/^error: application\/strategic-merge-patch\+json is not supported by networking\.istio\.io\/v1, Kind=VirtualService: /);
    const unknownFlag = await lab.run("kubectl get pods --bogus");
    expect(unknownFlag.stderr).toBe("error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n");
  });

  it("label and scale print kubectl's confirmations; describe shows the spec", async () => {
    expect((await lab.run("kubectl label vs reviews team=a")).stdout).toBe("virtualservice.networking.istio.io/reviews labeled\n");
    const clash = await lab.run("kubectl label vs reviews team=b");
    expect(clash.stderr).toBe("error: 'team' already has a value (a), and --overwrite is false\n");
    expect((await lab.run("kubectl scale deploy reviews-v3 --replicas=2")).stdout).toBe("deployment.apps/reviews-v3 scaled\n");
    const describe = await lab.run("kubectl describe vs reviews");
    expect(describe.stdout).toMatch(/^Name: {9}reviews\nNamespace: {4}default\nLabels: {7}team=a\n/);
    expect(describe.stdout).toContain("Spec:\n  Hosts:\n    reviews\n  Http:\n    Route:\n      Destination:\n        Host:    reviews\n        Subset:  v1\n");
    const pod = await lab.run("kubectl describe pod -l app=ratings");
    expect(pod.stdout).toMatch(/^Name: +ratings-v1-/);
    expect(pod.stdout).toContain("Containers:\n  ratings:\n");
  });

  it("exec runs curl and pilot-agent in containers; a failing command ends with kubectl's exit line", async () => {
    const curl = await lab.run(`kubectl exec deploy/sleep -- curl -s -o /dev/null -w "%{http_code}" http://ratings:9080/ratings/0`);
    expect(curl.stdout).toBe("200");
    const failing = await lab.run("kubectl exec deploy/sleep -- curl -sS http://nosuchservice:9080/");
    expect(failing.exitCode).toBe(6);
    expect(failing.stderr).toBe("curl: (6) Could not resolve host: nosuchservice\ncommand terminated with exit code 6\n");
    const ready = await lab.run("kubectl exec deploy/productpage-v1 -c istio-proxy -- pilot-agent request GET ready");
    expect(ready.stdout).toBe("LIVE\n");
    const noArgs = await lab.run("kubectl exec deploy/sleep curl http://ratings:9080");
    expect(noArgs.stderr).toBe("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\n");
  });

  it("curl keeps working from the new sleep pod after the old one is deleted", async () => {
    expect((await lab.run(`curl -s -o /dev/null -w "%{http_code}" http://details:9080/details/0`)).stdout).toBe("200");
    const deleted = await lab.run("kubectl delete pod -l app=sleep");
    expect(deleted.stdout).toMatch(/^pod "sleep-\S+" deleted\n$/);
    // The replacement pod's sidecar serves traffic once istiod has pushed its config.
    await lab.settle();
    expect((await lab.run(`curl -s -o /dev/null -w "%{http_code}" http://details:9080/details/0`)).stdout).toBe("200");
  });

  it("logs -c istio-proxy shows Envoy access-log lines for the requests just sent", async () => {
    await lab.run(`for i in 1 2 3; do curl -s -o /dev/null http://details:9080/details/0; done`);
    const logs = await lab.run("kubectl logs deploy/sleep -c istio-proxy --tail 3");
    const lines = logs.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^\[\S+\] "GET \/details\/0 HTTP\/1\.1" 200 - via_upstream .* outbound\|9080\|\|details\.default\.svc\.cluster\.local /);
  });

  it("wait, version and config", async () => {
    const wait = await lab.run("kubectl wait --for=condition=Ready pod -l app=productpage --timeout=10s");
    expect(wait.stdout).toMatch(/^pod\/productpage-v1-\S+ condition met\n$/);
    const version = await lab.run("kubectl version");
    expect(version.stdout).toMatch(/^Client Version: v1\.32\.\d+\nKustomize Version: v5\.5\.0\nServer Version: v1\.32\.\d+\n$/);
    const context = await lab.run("kubectl config current-context");
    expect(context.stdout).toBe(`${lab.cluster.kubeConfig().getCurrentContext()}\n`);
  });

  it("keeps files, working directory, variables and namespace between runs", async () => {
    await lab.run("mkdir -p /tmp/work && cd /tmp/work && echo hello > note.txt && export GREETING=hi && NAME=lab");
    const later = await lab.run(`pwd; cat note.txt; echo "$GREETING $NAME"`);
    expect(later.stdout).toBe("/tmp/work\nhello\nhi lab\n");
    await lab.run("kubectl config set-context --current --namespace=istio-system");
    expect((await lab.run("kubectl get deploy -o name")).stdout).toContain("deployment.apps/istiod\n");
    await lab.run("kubectl config set-context --current --namespace=default");
  });
});
