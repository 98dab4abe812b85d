// Drives the real kubectl (/usr/bin/kubectl 1.32) against an embedded cluster, the way a learner would.

import { spawn } from "node:child_process";
import https from "node:https";
import WebSocket from "ws";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Mesh } from "@/cluster/embedded/mesh";
import { KUBECTL, startHarness, type Harness } from "./support";
import { bookinfoGateway } from "../../support/bookinfo-networking";

const squash = (text: string): string => text.replace(/[ \t]+/g, " ");

const reviewsRouting = (v1: number, v2: number): string => `apiVersion: networking.istio.io/v1
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
      weight: ${v1}
    - destination:
        host: reviews
        subset: v2
      weight: ${v2}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v3
    labels:
      version: v3
`;

const httpbinManifest = `apiVersion: v1
kind: Service
metadata:
  name: httpbin
  labels:
    app: httpbin
spec:
  ports:
  - name: http
    port: 8000
    targetPort: 8080
  selector:
    app: httpbin
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: httpbin
spec:
  replicas: 1
  selector:
    matchLabels:
      app: httpbin
      version: v1
  template:
    metadata:
      labels:
        app: httpbin
        version: v1
    spec:
      containers:
      - name: httpbin
        image: docker.io/mccutchen/go-httpbin:v2.15.0
        ports:
        - containerPort: 8080
        env:
        - name: MAX_BODY_SIZE
          value: "1024"
`;

describe("real kubectl against the embedded cluster", () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  it("lists the Bookinfo pods with -o wide: 2/2 Running with a sidecar, pod IPs and the node", async () => {
    const result = await harness.kubectl(["get", "pods", "-o", "wide"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(squash(lines[0] ?? "")).toBe("NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES");
    for (const app of ["details-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3", "productpage-v1", "sleep", "fortio-deploy"]) {
      const row = lines.find((line) => new RegExp(`^${app}-[a-z0-9]{8,10}-[a-z0-9]{5} `).test(line));
      expect(row, `a pod row for ${app}`).toBeDefined();
      expect(squash(row ?? "")).toMatch(/ 2\/2 Running 0 \S+ 10\.244\.\d+\.\d+ ica-control-plane <none> <none>$/);
    }
  });

  it("applies a multi-document file, reports unchanged on a repeat and configured after a change", async () => {
    const path = harness.file("reviews.yaml", reviewsRouting(80, 20));
    const first = await harness.kubectl(["apply", "-f", path]);
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain("virtualservice.networking.istio.io/reviews created");
    expect(first.stdout).toContain("destinationrule.networking.istio.io/reviews created");

    const again = await harness.kubectl(["apply", "-f", path]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("virtualservice.networking.istio.io/reviews unchanged");
    expect(again.stdout).toContain("destinationrule.networking.istio.io/reviews unchanged");

    harness.file("reviews.yaml", reviewsRouting(50, 50));
    const changed = await harness.kubectl(["apply", "-f", path]);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain("virtualservice.networking.istio.io/reviews configured");
    expect(changed.stdout).toContain("destinationrule.networking.istio.io/reviews unchanged");
    const weights = await harness.kubectl(["get", "vs", "reviews", "-o", "jsonpath={.spec.http[0].route[*].weight}"]);
    expect(weights.stdout).toBe("50 50");
  });

  it("applies a directory holding Istio config and built-in kinds, and re-applies it unchanged", async () => {
    const dir = join(harness.dir, "manifests");
    mkdirSync(dir);
    writeFileSync(join(dir, "gateway.yaml"), bookinfoGateway);
    writeFileSync(join(dir, "httpbin.yaml"), httpbinManifest);
    const first = await harness.kubectl(["apply", "-f", dir]);
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain("gateway.networking.istio.io/bookinfo-gateway created");
    expect(first.stdout).toContain("virtualservice.networking.istio.io/bookinfo created");
    expect(first.stdout).toContain("service/httpbin created");
    expect(first.stdout).toContain("deployment.apps/httpbin created");

    const again = await harness.kubectl(["apply", "-f", dir]);
    expect(again.stdout).toContain("deployment.apps/httpbin unchanged");
    expect(again.stdout).toContain("service/httpbin unchanged");
    expect(again.stdout).toContain("gateway.networking.istio.io/bookinfo-gateway unchanged");

    writeFileSync(join(dir, "httpbin.yaml"), httpbinManifest.replace('value: "1024"', 'value: "2048"'));
    const changed = await harness.kubectl(["apply", "-f", dir]);
    expect(changed.stdout).toContain("deployment.apps/httpbin configured");
    const env = await harness.kubectl(["get", "deploy", "httpbin", "-o", "jsonpath={.spec.template.spec.containers[0].env[0].value}"]);
    expect(env.stdout).toBe("2048");
    const pods = await harness.kubectl(["get", "pods", "-l", "app=httpbin"]);
    expect(pods.stdout.trim().split("\n")).toHaveLength(2);
    expect(squash(pods.stdout)).toMatch(/httpbin-[a-z0-9]+-[a-z0-9]{5} 2\/2 Running/);
  });

  it("applies multi-document YAML from stdin", async () => {
    const manifest = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts: [ratings]
  http:
  - fault:
      delay:
        percentage:
          value: 100.0
        fixedDelay: 7s
    match:
    - headers:
        end-user:
          exact: jason
    route:
    - destination: {host: ratings, subset: v1}
  - route:
    - destination: {host: ratings, subset: v1}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
spec:
  host: ratings
  subsets:
  - name: v1
    labels: {version: v1}
`;
    const result = await harness.kubectl(["apply", "-f", "-"], manifest);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("virtualservice.networking.istio.io/ratings created");
    expect(result.stdout).toContain("destinationrule.networking.istio.io/ratings created");
  });

  it("applies Istio config written for older API versions and serves it at every version", async () => {
    const manifest = `apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: productpage
spec:
  host: productpage
  subsets:
  - name: v1
    labels: {version: v1}
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata:
  name: default
spec:
  mtls:
    mode: STRICT
`;
    const first = await harness.kubectl(["apply", "-f", "-"], manifest);
    expect(first.stdout).toContain("destinationrule.networking.istio.io/productpage created");
    expect(first.stdout).toContain("peerauthentication.security.istio.io/default created");
    const again = await harness.kubectl(["apply", "-f", "-"], manifest);
    expect(again.stdout).toContain("destinationrule.networking.istio.io/productpage unchanged");
    expect(again.stdout).toContain("peerauthentication.security.istio.io/default unchanged");
    expect(squash((await harness.kubectl(["get", "peerauthentication"])).stdout)).toMatch(/NAME MODE AGE\ndefault STRICT \d+s/);
    const v1beta1 = await harness.kubectl(["get", "destinationrules.v1beta1.networking.istio.io", "productpage", "-o", "jsonpath={.apiVersion}"]);
    expect(v1beta1.stdout).toBe("networking.istio.io/v1beta1");
  });

  it("lists VirtualServices, DestinationRules and Gateways together with Istio's columns", async () => {
    const result = await harness.kubectl(["get", "vs,dr,gw"]);
    expect(result.code).toBe(0);
    const text = squash(result.stdout);
    expect(text).toContain("NAME GATEWAYS HOSTS AGE");
    expect(text).toMatch(/virtualservice\.networking\.istio\.io\/bookinfo \["bookinfo-gateway"\] \["\*"\] \d+s/);
    expect(text).toMatch(/virtualservice\.networking\.istio\.io\/reviews \["reviews"\] \d+s/);
    expect(text).toContain("NAME HOST AGE");
    expect(text).toMatch(/destinationrule\.networking\.istio\.io\/reviews reviews \d+s/);
    expect(text).toContain("gateway.networking.istio.io/bookinfo-gateway");
  });

  it("prints a Deployment as YAML with its spec and status", async () => {
    const result = await harness.kubectl(["get", "deploy", "reviews-v2", "-o", "yaml"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("kind: Deployment");
    expect(result.stdout).toContain("image: docker.io/istio/examples-bookinfo-reviews-v2:1.20.3");
    expect(result.stdout).toContain("serviceAccountName: bookinfo-reviews");
    expect(result.stdout).toMatch(/matchLabels:\n\s+app: reviews\n\s+version: v2/);
    expect(result.stdout).toContain("readyReplicas: 1");
    expect(result.stdout).toContain("deployment.kubernetes.io/revision:");
  });

  it("patches with --type merge and --type json", async () => {
    const merge = await harness.kubectl(["patch", "vs", "reviews", "--type", "merge", "-p", '{"spec":{"http":[{"route":[{"destination":{"host":"reviews","subset":"v3"}}]}]}}']);
    expect(merge.stdout).toContain("virtualservice.networking.istio.io/reviews patched");
    const json = await harness.kubectl(["patch", "vs", "reviews", "--type", "json", "-p", '[{"op":"add","path":"/spec/http/0/timeout","value":"0.5s"}]']);
    expect(json.stdout).toContain("virtualservice.networking.istio.io/reviews patched");
    const route = await harness.kubectl(["get", "vs", "reviews", "-o", "jsonpath={.spec.http[0].route[0].destination.subset} {.spec.http[0].timeout}"]);
    expect(route.stdout).toBe("v3 0.5s");
    const strategic = await harness.kubectl(["patch", "deployment", "httpbin", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"httpbin","image":"docker.io/mccutchen/go-httpbin:v2.16.0"}]}}}}']);
    expect(strategic.stdout).toContain("deployment.apps/httpbin patched");
    const image = await harness.kubectl(["get", "deploy", "httpbin", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].name}"]);
    expect(image.stdout).toBe("docker.io/mccutchen/go-httpbin:v2.16.0 MAX_BODY_SIZE");
  });

  it("labels a pod, and a label edit moves the pod out of its Service's endpoints", async () => {
    const name = (await harness.kubectl(["get", "pods", "-l", "app=reviews,version=v1", "-o", "jsonpath={.items[0].metadata.name}"])).stdout;
    const ip = (await harness.kubectl(["get", "pod", name, "-o", "jsonpath={.status.podIP}"])).stdout;
    const labeled = await harness.kubectl(["label", "pod", name, "canary=true"]);
    expect(labeled.stdout).toContain(`pod/${name} labeled`);
    const shown = await harness.kubectl(["get", "pods", "-l", "canary=true", "--show-labels"]);
    expect(shown.stdout).toContain(name);
    expect(shown.stdout).toContain("canary=true");
    expect((await harness.kubectl(["get", "endpoints", "reviews", "-o", "jsonpath={.subsets[0].addresses[*].ip}"])).stdout.split(" ")).toContain(ip);

    const moved = await harness.kubectl(["label", "pod", name, "app=reviews-debug", "--overwrite"]);
    expect(moved.stdout).toContain(`pod/${name} labeled`);
    const endpoints = (await harness.kubectl(["get", "endpoints", "reviews", "-o", "jsonpath={.subsets[0].addresses[*].ip}"])).stdout.split(" ");
    expect(endpoints).not.toContain(ip);
    expect(endpoints).toHaveLength(3);
    const described = squash((await harness.kubectl(["describe", "service", "reviews"])).stdout);
    expect(described).toMatch(/Endpoints: 10\.244\.\d+\.\d+:9080,10\.244\.\d+\.\d+:9080,10\.244\.\d+\.\d+:9080/);
    expect(described).not.toContain(`${ip}:9080`);
    const replacement = await harness.kubectl(["get", "pods", "-l", "app=reviews,version=v1", "-o", "name"]);
    expect(replacement.stdout.trim().split("\n")).toHaveLength(1);
    expect(replacement.stdout).not.toContain(name);
  });

  it("scales a deployment up and down: pods appear and disappear", async () => {
    const up = await harness.kubectl(["scale", "deployment", "reviews-v2", "--replicas=3"]);
    expect(up.stdout).toContain("deployment.apps/reviews-v2 scaled");
    const three = await harness.kubectl(["get", "pods", "-l", "app=reviews,version=v2", "--no-headers"]);
    expect(three.stdout.trim().split("\n")).toHaveLength(3);
    expect(squash(three.stdout).match(/2\/2 Running/g)).toHaveLength(3);
    const ready = await harness.kubectl(["get", "deploy", "reviews-v2", "--no-headers"]);
    expect(squash(ready.stdout)).toMatch(/^reviews-v2 3\/3 3 3 /);

    const down = await harness.kubectl(["scale", "deploy/reviews-v2", "--replicas=1"]);
    expect(down.stdout).toContain("deployment.apps/reviews-v2 scaled");
    const one = await harness.kubectl(["get", "pods", "-l", "app=reviews,version=v2", "-o", "name"]);
    expect(one.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("streams pod changes with get -w while a deployment scales", async () => {
    const watcher = spawn(KUBECTL, ["--kubeconfig", harness.kubeconfigPath, "--cache-dir", join(harness.dir, "kube-cache"), "get", "pods", "-l", "app=productpage", "-w"], { stdio: "pipe" });
    let output = "";
    const podNames = (): Set<string> => new Set(output.match(/productpage-v1-\S+(?=\s+2\/2\s+Running)/g) ?? []);
    const waiting: { count: number; resolve: () => void }[] = [];
    watcher.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      for (const entry of [...waiting]) {
        if (podNames().size < entry.count) continue;
        waiting.splice(waiting.indexOf(entry), 1);
        entry.resolve();
      }
    });
    const seenPods = (count: number) => new Promise<void>((resolve) => (podNames().size >= count ? resolve() : waiting.push({ count, resolve })));
    await seenPods(1);
    await harness.kubectl(["scale", "deployment", "productpage-v1", "--replicas=2"]);
    await seenPods(2);
    watcher.kill();
    const rows = output.trim().split("\n");
    expect(squash(rows[0] ?? "")).toBe("NAME READY STATUS RESTARTS AGE");
    expect(new Set(rows.slice(1).map((row) => row.split(/\s+/)[0])).size).toBe(2);
    await harness.kubectl(["scale", "deployment", "productpage-v1", "--replicas=1"]);
  });

  it("server-side applies with field ownership: conflicts between managers unless forced", async () => {
    const route = (v1: number) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: details
spec:
  hosts: [details]
  http:
  - route:
    - destination: {host: details, subset: v1}
      weight: ${v1}
    - destination: {host: details, subset: v2}
      weight: ${100 - v1}
`;
    const alice = await harness.kubectl(["apply", "--server-side", "--field-manager=alice", "-f", "-"], route(90));
    expect(alice.stdout).toContain("virtualservice.networking.istio.io/details serverside-applied");
    expect((await harness.kubectl(["apply", "--server-side", "--field-manager=alice", "-f", "-"], route(90))).stdout).toContain("serverside-applied");
    const bob = await harness.kubectl(["apply", "--server-side", "--field-manager=bob", "-f", "-"], route(50));
    expect(bob.code).toBe(1);
    expect(bob.stderr).toContain('Apply failed with 1 conflict: conflict with "alice" using networking.istio.io/v1: .spec.http');
    const forced = await harness.kubectl(["apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", "-"], route(50));
    expect(forced.stdout).toContain("virtualservice.networking.istio.io/details serverside-applied");
    const managers = await harness.kubectl(["get", "vs", "details", "--show-managed-fields", "-o", "jsonpath={range .metadata.managedFields[*]}{.manager}={.fieldsV1.f:spec}{\"\\n\"}{end}"]);
    const owners = Object.fromEntries(managers.stdout.trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), JSON.parse(line.slice(line.indexOf("=") + 1)) as Record<string, unknown>]));
    expect(Object.keys(owners.alice ?? {})).toEqual(["f:hosts"]);
    expect(Object.keys(owners.bob ?? {}).sort()).toEqual(["f:hosts", "f:http"]);
    expect((await harness.kubectl(["get", "vs", "details", "-o", "jsonpath={.spec.http[0].route[*].weight}"])).stdout).toBe("50 50");
  });

  it("deletes what a file created", async () => {
    const path = join(harness.dir, "reviews.yaml");
    const result = await harness.kubectl(["delete", "-f", path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('virtualservice.networking.istio.io "reviews" deleted');
    expect(result.stdout).toContain('destinationrule.networking.istio.io "reviews" deleted');
    const gone = await harness.kubectl(["get", "vs", "reviews"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('Error from server (NotFound): virtualservices.networking.istio.io "reviews" not found');
  });

  it("waits for every pod to be Ready", async () => {
    const result = await harness.kubectl(["wait", "--for=condition=Ready", "pod", "--all", "--timeout=20s"]);
    expect(result.code).toBe(0);
    const met = result.stdout.trim().split("\n");
    expect(met.length).toBeGreaterThanOrEqual(9);
    for (const line of met) expect(line).toMatch(/^pod\/\S+ condition met$/);
  });

  it("describes a pod with its sidecar, node, IP and conditions", async () => {
    const name = (await harness.kubectl(["get", "pods", "-l", "app=productpage", "-o", "jsonpath={.items[0].metadata.name}"])).stdout;
    const result = await harness.kubectl(["describe", "pod", name]);
    expect(result.code).toBe(0);
    const text = squash(result.stdout);
    expect(text).toContain(`Name: ${name}`);
    expect(text).toContain("Namespace: default");
    expect(text).toContain("Node: ica-control-plane/172.18.0.2");
    expect(text).toContain("Status: Running");
    expect(text).toMatch(/Controlled By: ReplicaSet\/productpage-v1-[a-z0-9]+/);
    expect(text).toContain("istio-init:");
    expect(text).toContain("istio-proxy:");
    expect(text).toContain("Image: docker.io/istio/examples-bookinfo-productpage-v1:1.20.3");
    expect(text).toMatch(/Ready True/);
    expect(text).toContain("Type Reason Age From Message");
    expect(text).toMatch(new RegExp(`Normal Scheduled \\S+ default-scheduler Successfully assigned default/${name} to ica-control-plane`));
    expect(text).toMatch(/Normal Started \S+ kubelet Started container istio-proxy/);
  });

  it("creates built-in objects with kubectl create (protobuf bodies) and runs them with sidecars", async () => {
    expect((await harness.kubectl(["create", "namespace", "team-a"])).stdout).toContain("namespace/team-a created");
    expect((await harness.kubectl(["label", "namespace", "team-a", "istio-injection=enabled"])).stdout).toContain("namespace/team-a labeled");
    const deployment = await harness.kubectl(["-n", "team-a", "create", "deployment", "web", "--image=nginx:1.27", "--port=8080", "--replicas=2"]);
    expect(deployment.stdout).toContain("deployment.apps/web created");
    expect((await harness.kubectl(["-n", "team-a", "create", "service", "clusterip", "web", "--tcp=80:8080"])).stdout).toContain("service/web created");
    expect((await harness.kubectl(["-n", "team-a", "create", "configmap", "settings", "--from-literal=mode=canary"])).stdout).toContain("configmap/settings created");
    expect((await harness.kubectl(["-n", "team-a", "create", "secret", "generic", "creds", "--from-literal=user=admin"])).stdout).toContain("secret/creds created");
    expect((await harness.kubectl(["-n", "team-a", "create", "serviceaccount", "robot"])).stdout).toContain("serviceaccount/robot created");

    const all = squash((await harness.kubectl(["-n", "team-a", "get", "all"])).stdout);
    expect(all.match(/pod\/web-[a-z0-9]+-[a-z0-9]{5} 2\/2 Running/g)).toHaveLength(2);
    expect(all).toMatch(/service\/web ClusterIP 10\.96\.\d+\.\d+ <none> 80\/TCP/);
    expect(all).toMatch(/deployment\.apps\/web 2\/2 2 2/);
    const endpoints = await harness.kubectl(["-n", "team-a", "get", "endpoints", "web", "-o", "jsonpath={.subsets[0].ports[0].port} {.subsets[0].addresses[*].ip}"]);
    expect(endpoints.stdout).toMatch(/^8080 10\.244\.\d+\.\d+ 10\.244\.\d+\.\d+$/);
    const secret = await harness.kubectl(["-n", "team-a", "get", "secret", "creds", "-o", "jsonpath={.type} {.data.user}"]);
    expect(secret.stdout).toBe("Opaque YWRtaW4=");
    const deleted = await harness.kubectl(["delete", "namespace", "team-a"]);
    expect(deleted.stdout).toContain('namespace "team-a" deleted');
    expect((await harness.kubectl(["get", "all", "-n", "team-a"])).stderr).toContain("No resources found in team-a namespace.");
  });

  it("runs, exposes, updates images, restarts and reports rollouts", async () => {
    expect((await harness.kubectl(["run", "debug", "--image=curlimages/curl", "--restart=Never", "--", "sleep", "3600"])).stdout).toContain("pod/debug created");
    expect(squash((await harness.kubectl(["get", "pod", "debug", "--no-headers"])).stdout)).toMatch(/^debug 2\/2 Running 0/);
    expect((await harness.kubectl(["expose", "deployment", "reviews-v3", "--port=9080", "--name=reviews-v3"])).stdout).toContain("service/reviews-v3 exposed");
    const exposed = await harness.kubectl(["get", "endpoints", "reviews-v3", "-o", "jsonpath={.subsets[0].addresses[*].targetRef.name}"]);
    expect(exposed.stdout).toMatch(/^reviews-v3-/);
    expect((await harness.kubectl(["set", "image", "deployment/ratings-v1", "ratings=docker.io/istio/examples-bookinfo-ratings-v2:1.20.3"])).stdout).toContain("deployment.apps/ratings-v1 image updated");
    expect((await harness.kubectl(["rollout", "status", "deployment/ratings-v1", "--timeout=10s"])).stdout).toContain('deployment "ratings-v1" successfully rolled out');
    expect((await harness.kubectl(["rollout", "restart", "deployment/details-v1"])).stdout).toContain("deployment.apps/details-v1 restarted");
    const history = squash((await harness.kubectl(["rollout", "history", "deployment/details-v1"])).stdout);
    expect(history).toContain("REVISION CHANGE-CAUSE");
    expect(history).toMatch(/\n2 <none>/);
    const sets = await harness.kubectl(["get", "rs", "-l", "app=details", "--no-headers"]);
    expect(squash(sets.stdout).trim().split("\n").map((line) => line.split(" ").slice(1, 4).join(" ")).sort()).toEqual(["0 0 0", "1 1 1"]);
    expect((await harness.kubectl(["annotate", "pod", "debug", "owner=learner"])).stdout).toContain("pod/debug annotated");
  });

  it("enforces what updates may change: pod specs beyond images, and Deployment selectors", async () => {
    const name = (await harness.kubectl(["get", "pods", "-l", "app=details", "-o", "jsonpath={.items[0].metadata.name}"])).stdout;
    const refused = await harness.kubectl(["patch", "pod", name, "-p", '{"spec":{"containers":[{"name":"details","ports":[{"containerPort":9999}]}]}}']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The Pod "${name}" is invalid: spec: Forbidden: pod updates may not change fields other than`);
    const image = await harness.kubectl(["set", "image", `pod/${name}`, "details=docker.io/istio/examples-bookinfo-details-v1:1.20.2"]);
    expect(image.stdout).toContain(`pod/${name} image updated`);
    const selector = await harness.kubectl(["patch", "deployment", "httpbin", "--type", "merge", "-p", '{"spec":{"selector":{"matchLabels":{"app":"httpbin","version":"v2"}}}}']);
    expect(selector.code).toBe(1);
    expect(selector.stderr).toContain('The Deployment "httpbin" is invalid: spec.selector: Invalid value:');
    expect(selector.stderr).toContain("field is immutable");
  });

  it("refuses an invalid VirtualService and names the field", async () => {
    const manifest = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: broken
spec:
  hosts: [ratings]
  http:
  - route:
    - destination:
        subset: v1
`;
    const result = await harness.kubectl(["apply", "-f", "-"], manifest);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("spec.http[0].route[0].destination.host");
    expect(result.stderr).toContain('"broken" is invalid');
    const absent = await harness.kubectl(["get", "vs", "broken"]);
    expect(absent.code).toBe(1);
  });
});

describe("real kubectl reaching into pods (logs, exec over WebSocket)", () => {
  let harness: Harness;
  let mesh: Mesh;

  beforeAll(async () => {
    harness = await startHarness();
    mesh = new Mesh(harness.host.get(harness.id)!);
  });

  afterAll(async () => {
    mesh.dispose();
    await harness.close();
  });

  it("kubectl exec runs curl in the sleep pod through its sidecar and kubectl logs shows the Envoy access log line", async () => {
    const curl = await harness.kubectl(["exec", "deploy/sleep", "--", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://productpage:9080/productpage"]);
    expect(curl).toMatchObject({ code: 0, stdout: "200" });
    const log = await harness.kubectl(["logs", "deploy/sleep", "-c", "istio-proxy", "--tail=1"]);
    expect(log.code).toBe(0);
    expect(log.stdout).toMatch(/^\[.+\] "GET \/productpage HTTP\/1\.1" 200 - via_upstream .* outbound\|9080\|\|productpage\.default\.svc\.cluster\.local .*\n$/);
    const proxy = await harness.kubectl(["exec", "deploy/productpage-v1", "-c", "istio-proxy", "--", "pilot-agent", "request", "GET", "stats"]);
    expect(proxy.stdout).toMatch(/^cluster_manager\.active_clusters: \d+$/m);
  });

  it("passes a command's exit code and stderr through, as a kubelet does", async () => {
    const failing = await harness.kubectl(["exec", "deploy/sleep", "--", "curl", "-sSf", "http://productpage:9080/nothing"]);
    expect(failing.code).toBe(22);
    expect(failing.stderr).toContain("curl: (22) The requested URL returned error: 404");
    expect(failing.stderr).toContain("command terminated with exit code 22");
    const missing = await harness.kubectl(["exec", "deploy/sleep", "--", "wget", "-q", "http://productpage:9080/"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "wget": executable file not found in $PATH: unknown\n');
  });

  it("closes a stream whose client sends an oversized frame, and keeps serving", async () => {
    const pod = (await harness.kubectl(["get", "pods", "-l", "app=sleep", "-o", "jsonpath={.items[0].metadata.name}"])).stdout;
    // A command that runs for 2 s, so the oversized frame arrives while the stream is open.
    const query = new URLSearchParams([["command", "curl"], ["command", "-s"], ["command", "http://fortio:8080/echo?delay=2s"], ["container", "sleep"], ["stdin", "true"], ["stdout", "true"]]);
    const url = `${harness.baseUrl.replace(/^https/, "wss")}/clusters/${harness.id}/api/v1/namespaces/default/pods/${pod}/exec?${query}`;
    const client = new WebSocket(url, ["v5.channel.k8s.io"], { rejectUnauthorized: false, headers: { authorization: `Bearer ${harness.token}` } });
    const closed = new Promise<number>((resolve) => client.on("close", (code) => resolve(code)));
    client.on("error", () => undefined);
    await new Promise((resolve) => client.once("open", resolve));
    expect(client.protocol).toBe("v5.channel.k8s.io");
    client.send(Buffer.concat([Buffer.from([0]), Buffer.alloc(100 * 1024, 120)]));
    expect(await closed).toBe(1009);
    const after = await harness.kubectl(["exec", pod, "-c", "sleep", "--", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://ratings:9080/ratings/0"]);
    expect(after).toMatchObject({ code: 0, stdout: "200" });
  });

  it("refuses unknown containers and asks which container when a pod has several", async () => {
    const pod = (await harness.kubectl(["get", "pods", "-l", "app=sleep", "-o", "jsonpath={.items[0].metadata.name}"])).stdout;
    const unknown = await harness.kubectl(["exec", pod, "-c", "nope", "--", "curl", "http://ratings:9080/"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`container nope is not valid for pod ${pod}`);
    // The API server itself does not read the default-container annotation kubectl uses.
    const log = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = `${harness.baseUrl}/clusters/${harness.id}/api/v1/namespaces/default/pods/${pod}/log`;
      https
        .get(url, { rejectUnauthorized: false, headers: { authorization: `Bearer ${harness.token}` } }, (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on("error", reject);
    });
    expect(log.status).toBe(400);
    expect(JSON.parse(log.body)).toMatchObject({
      kind: "Status",
      reason: "BadRequest",
      message: `a container name must be specified for pod ${pod}, choose one of: [sleep istio-proxy] or one of the init containers: [istio-init]`,
    });
  });
});

