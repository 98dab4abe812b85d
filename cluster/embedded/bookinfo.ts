// Manifests of a fresh learner cluster: a kind-like node and kube-system, Istio 1.26 (demo profile, sidecar mode)
// in istio-system, and Bookinfo plus the sleep and fortio clients in the injected default namespace.

import type { JsonObject } from "./objects";
import { ISTIO_VERSION, PROXY_IMAGE } from "./injection";
import { NODE_IP, NODE_NAME } from "./controllers";
import { resourceTypes, type ResourceId } from "./resources";
import type { ObjectInput } from "./store";

export const BOOKINFO_IMAGE_TAG = "1.20.3";
export const KUBERNETES_VERSION = "v1.32.2";

export interface ManifestPhase {
  /** When these objects were created, in seconds relative to the cluster's creation (negative: before). */
  offsetSeconds: number;
  objects: { resource: ResourceId; object: ObjectInput }[];
}

function item(resource: ResourceId, object: ObjectInput): { resource: ResourceId; object: ObjectInput } {
  return { resource, object };
}

function namespace(name: string, labels: Record<string, string> = {}): ObjectInput {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

function serviceAccount(ns: string, name: string, labels?: Record<string, string>): ObjectInput {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: labels ? { name, namespace: ns, labels } : { name, namespace: ns } };
}

interface ServicePort {
  name: string;
  port: number;
  targetPort?: number;
  protocol?: string;
}

function service(ns: string, name: string, options: { labels: Record<string, string>; selector?: Record<string, string>; ports: ServicePort[]; type?: string; clusterIP?: string }): ObjectInput {
  const spec: JsonObject = { ports: options.ports.map((port) => ({ ...port })) };
  if (options.selector) spec.selector = options.selector;
  if (options.type) spec.type = options.type;
  if (options.clusterIP) spec.clusterIP = options.clusterIP;
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns, labels: options.labels }, spec };
}

function deployment(
  ns: string,
  name: string,
  options: { labels: Record<string, string>; selector: Record<string, string>; podLabels?: Record<string, string>; podAnnotations?: Record<string, string>; replicas?: number; podSpec: JsonObject },
): ObjectInput {
  const templateMeta: JsonObject = { labels: { ...options.selector, ...options.podLabels } };
  if (options.podAnnotations) templateMeta.annotations = options.podAnnotations;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels: options.labels },
    spec: {
      replicas: options.replicas ?? 1,
      selector: { matchLabels: options.selector },
      template: { metadata: templateMeta, spec: options.podSpec },
    },
  };
}

function clusterBootstrap(): ManifestPhase {
  const node: ObjectInput = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: NODE_NAME,
      labels: {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": NODE_NAME,
        "kubernetes.io/os": "linux",
        "node-role.kubernetes.io/control-plane": "",
      },
      annotations: { "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
    },
    spec: { podCIDR: "10.244.0.0/24", podCIDRs: ["10.244.0.0/24"], providerID: `kind://docker/ica/${NODE_NAME}` },
    status: {
      addresses: [
        { address: NODE_IP, type: "InternalIP" },
        { address: NODE_NAME, type: "Hostname" },
      ],
      allocatable: { cpu: "8", "ephemeral-storage": "102626232Ki", memory: "16318412Ki", pods: "110" },
      capacity: { cpu: "8", "ephemeral-storage": "102626232Ki", memory: "16318412Ki", pods: "110" },
      conditions: [
        ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
        ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
        ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
        ["Ready", "True", "KubeletReady", "kubelet is posting ready status"],
      ].map(([type, status, reason, message]): JsonObject => ({ type: type ?? "", status: status ?? "", reason: reason ?? "", message: message ?? "", lastHeartbeatTime: "@ica-time:0", lastTransitionTime: "@ica-time:-600" })),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: "amd64",
        bootID: "6f1d3c1e-8a43-4c1b-9d55-1a3b0f7d2c11",
        containerRuntimeVersion: "containerd://2.0.2",
        kernelVersion: "6.1.0-37-cloud-amd64",
        kubeProxyVersion: KUBERNETES_VERSION,
        kubeletVersion: KUBERNETES_VERSION,
        machineID: "3c1f0b9b1f7e4e0c9a6d2b8e5f4a7c10",
        operatingSystem: "linux",
        osImage: "Debian GNU/Linux 12 (bookworm)",
        systemUUID: "3c1f0b9b-1f7e-4e0c-9a6d-2b8e5f4a7c10",
      },
    },
  };
  const kubernetesService = service("default", "kubernetes", {
    labels: { component: "apiserver", provider: "kubernetes" },
    ports: [{ name: "https", port: 443, targetPort: 6443 }],
    clusterIP: "10.96.0.1",
  });
  const kubernetesEndpoints: ObjectInput = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "kubernetes", namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
    subsets: [{ addresses: [{ ip: NODE_IP }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] }],
  };
  const coredns = deployment("kube-system", "coredns", {
    labels: { "k8s-app": "kube-dns" },
    selector: { "k8s-app": "kube-dns" },
    replicas: 2,
    podSpec: {
      containers: [
        {
          name: "coredns",
          image: "registry.k8s.io/coredns/coredns:v1.11.3",
          args: ["-conf", "/etc/coredns/Corefile"],
          ports: [
            { containerPort: 53, name: "dns", protocol: "UDP" },
            { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
            { containerPort: 9153, name: "metrics", protocol: "TCP" },
          ],
          resources: { limits: { memory: "170Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
          volumeMounts: [{ mountPath: "/etc/coredns", name: "config-volume", readOnly: true }],
        },
      ],
      dnsPolicy: "Default",
      priorityClassName: "system-cluster-critical",
      serviceAccountName: "coredns",
      volumes: [{ configMap: { defaultMode: 420, items: [{ key: "Corefile", path: "Corefile" }], name: "coredns" }, name: "config-volume" }],
    },
  });
  const corefile = [
    ".:53 {",
    "    errors",
    "    health {",
    "       lameduck 5s",
    "    }",
    "    ready",
    "    kubernetes cluster.local in-addr.arpa ip6.arpa {",
    "       pods insecure",
    "       fallthrough in-addr.arpa ip6.arpa",
    "       ttl 30",
    "    }",
    "    prometheus :9153",
    "    forward . /etc/resolv.conf {",
    "       max_concurrent 1000",
    "    }",
    "    cache 30",
    "    loop",
    "    reload",
    "    loadbalance",
    "}",
    "",
  ].join("\n");
  return {
    offsetSeconds: -600,
    objects: [
      item("namespaces", namespace("kube-system")),
      item("namespaces", namespace("kube-public")),
      item("namespaces", namespace("kube-node-lease")),
      item("namespaces", namespace("default", { "istio-injection": "enabled" })),
      item("nodes", node),
      item("services", kubernetesService),
      item("endpoints", kubernetesEndpoints),
      item("discovery.k8s.io/endpointslices", {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: "kubernetes", namespace: "default", labels: { "kubernetes.io/service-name": "kubernetes" } },
        addressType: "IPv4",
        endpoints: [{ addresses: [NODE_IP], conditions: { ready: true } }],
        ports: [{ name: "https", port: 6443, protocol: "TCP" }],
      }),
      item("serviceaccounts", serviceAccount("kube-system", "coredns")),
      item("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns", namespace: "kube-system" }, data: { Corefile: corefile } }),
      item(
        "services",
        service("kube-system", "kube-dns", {
          labels: { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" },
          selector: { "k8s-app": "kube-dns" },
          clusterIP: "10.96.0.10",
          ports: [
            { name: "dns", port: 53, targetPort: 53, protocol: "UDP" },
            { name: "dns-tcp", port: 53, targetPort: 53, protocol: "TCP" },
            { name: "metrics", port: 9153, targetPort: 9153, protocol: "TCP" },
          ],
        }),
      ),
      item("apps/deployments", coredns),
    ],
  };
}

/** CustomResourceDefinition objects for every Istio kind the API serves (what `kubectl get crd` lists). */
function istioCrds(): ObjectInput[] {
  return resourceTypes
    .filter((type) => type.group.endsWith(".istio.io"))
    .map((type) => {
      const storageVersion = type.versions[type.versions.length - 1];
      return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: {
          name: `${type.plural}.${type.group}`,
          labels: { app: "istio-pilot", chart: "istio", heritage: "Tiller", release: "istio", "app.kubernetes.io/part-of": "istio" },
          annotations: { "helm.sh/resource-policy": "keep" },
        },
        spec: {
          conversion: { strategy: "None" },
          group: type.group,
          names: {
            categories: [...type.categories],
            kind: type.kind,
            listKind: `${type.kind}List`,
            plural: type.plural,
            shortNames: [...type.shortNames],
            singular: type.singular,
          },
          scope: "Namespaced",
          versions: type.versions.map((version) => ({
            name: version,
            served: true,
            storage: version === storageVersion,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
            subresources: { status: {} },
          })),
        },
        status: {
          acceptedNames: { categories: [...type.categories], kind: type.kind, listKind: `${type.kind}List`, plural: type.plural, shortNames: [...type.shortNames], singular: type.singular },
          conditions: [
            { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found", lastTransitionTime: "@ica-time:-300" },
            { type: "Established", status: "True", reason: "InitialNamesAccepted", message: "the initial names have been accepted", lastTransitionTime: "@ica-time:-300" },
          ],
          storedVersions: [storageVersion ?? "v1"],
        },
      };
    });
}

function gatewayDeployment(name: string, istioLabel: string, serviceAccount: string): ObjectInput {
  const labels = { app: name, istio: istioLabel };
  return deployment("istio-system", name, {
    labels: { ...labels, "install.operator.istio.io/owning-resource": "unknown", "istio.io/rev": "default", "operator.istio.io/component": istioLabel === "ingressgateway" ? "IngressGateways" : "EgressGateways" },
    selector: labels,
    podLabels: { chart: "gateways", heritage: "Tiller", "install.operator.istio.io/owning-resource": "unknown", "istio.io/rev": "default", release: "istio", "service.istio.io/canonical-name": name, "service.istio.io/canonical-revision": "latest", "sidecar.istio.io/inject": "false" },
    podAnnotations: { "istio.io/rev": "default", "prometheus.io/path": "/stats/prometheus", "prometheus.io/port": "15020", "prometheus.io/scrape": "true", "sidecar.istio.io/inject": "false" },
    podSpec: {
      serviceAccountName: serviceAccount,
      containers: [
        {
          name: "istio-proxy",
          image: PROXY_IMAGE,
          args: ["proxy", "router", "--domain", "$(POD_NAMESPACE).svc.cluster.local", "--proxyLogLevel=warning", "--proxyComponentLogLevel=misc:error", "--log_output_level=default:info"],
          env: [
            { name: "PILOT_CERT_PROVIDER", value: "istiod" },
            { name: "CA_ADDR", value: "istiod.istio-system.svc:15012" },
            { name: "ISTIO_META_WORKLOAD_NAME", value: name },
            { name: "ISTIO_META_OWNER", value: `kubernetes://apis/apps/v1/namespaces/istio-system/deployments/${name}` },
            { name: "ISTIO_META_MESH_ID", value: "cluster.local" },
            { name: "TRUST_DOMAIN", value: "cluster.local" },
            { name: "ISTIO_META_CLUSTER_ID", value: "Kubernetes" },
          ],
          ports: [
            { containerPort: 15021, name: "status-port", protocol: "TCP" },
            { containerPort: 8080, name: "http2", protocol: "TCP" },
            { containerPort: 8443, name: "https", protocol: "TCP" },
            { containerPort: 15090, name: "http-envoy-prom", protocol: "TCP" },
          ],
          readinessProbe: { failureThreshold: 30, httpGet: { path: "/healthz/ready", port: 15021, scheme: "HTTP" }, initialDelaySeconds: 1, periodSeconds: 2, successThreshold: 1, timeoutSeconds: 1 },
          resources: { limits: { cpu: "2", memory: "1Gi" }, requests: { cpu: "10m", memory: "40Mi" } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, privileged: false, readOnlyRootFilesystem: true },
        },
      ],
      securityContext: { runAsGroup: 1337, runAsNonRoot: true, runAsUser: 1337 },
    },
  });
}

const meshConfig = [
  "accessLogFile: /dev/stdout",
  "defaultConfig:",
  "  discoveryAddress: istiod.istio-system.svc:15012",
  "defaultProviders:",
  "  metrics:",
  "  - prometheus",
  "enablePrometheusMerging: true",
  "extensionProviders:",
  "- envoyOtelAls:",
  "    port: 4317",
  "    service: opentelemetry-collector.observability.svc.cluster.local",
  "  name: otel",
  "rootNamespace: istio-system",
  "trustDomain: cluster.local",
  "",
].join("\n");

function istioInstall(): ManifestPhase {
  const istiodLabels = { app: "istiod", istio: "pilot" };
  const istiod = deployment("istio-system", "istiod", {
    labels: { ...istiodLabels, "install.operator.istio.io/owning-resource": "unknown", "istio.io/rev": "default", "operator.istio.io/component": "Pilot", release: "istio" },
    selector: { istio: "pilot" },
    podLabels: { app: "istiod", "install.operator.istio.io/owning-resource": "unknown", "istio.io/rev": "default", "operator.istio.io/component": "Pilot", "sidecar.istio.io/inject": "false" },
    podAnnotations: { "prometheus.io/port": "15014", "prometheus.io/scrape": "true", "sidecar.istio.io/inject": "false" },
    podSpec: {
      serviceAccountName: "istiod",
      containers: [
        {
          name: "discovery",
          image: `docker.io/istio/pilot:${ISTIO_VERSION}`,
          args: ["discovery", "--monitoringAddr=:15014", "--log_output_level=default:info", "--domain", "cluster.local", "--keepaliveMaxServerConnectionAge", "30m"],
          env: [
            { name: "REVISION", value: "default" },
            { name: "PILOT_CERT_PROVIDER", value: "istiod" },
            { name: "ISTIOD_ADDR", value: "istiod.istio-system.svc:15012" },
            { name: "PILOT_ENABLE_ANALYSIS", value: "false" },
            { name: "CLUSTER_ID", value: "Kubernetes" },
          ],
          ports: [
            { containerPort: 8080, name: "http-debug", protocol: "TCP" },
            { containerPort: 15010, name: "grpc-xds", protocol: "TCP" },
            { containerPort: 15012, name: "tls-xds", protocol: "TCP" },
            { containerPort: 15017, name: "https-webhooks", protocol: "TCP" },
            { containerPort: 15014, name: "http-monitoring", protocol: "TCP" },
          ],
          readinessProbe: { failureThreshold: 3, httpGet: { path: "/ready", port: 8080, scheme: "HTTP" }, initialDelaySeconds: 1, periodSeconds: 3, successThreshold: 1, timeoutSeconds: 5 },
          resources: { requests: { cpu: "10m", memory: "100Mi" } },
        },
      ],
    },
  });
  const gatewayServiceLabels = (name: string, istio: string): Record<string, string> => ({
    app: name,
    istio,
    "install.operator.istio.io/owning-resource": "unknown",
    "istio.io/rev": "default",
    "operator.istio.io/component": istio === "ingressgateway" ? "IngressGateways" : "EgressGateways",
    release: "istio",
  });
  return {
    offsetSeconds: -300,
    objects: [
      item("namespaces", namespace("istio-system")),
      ...istioCrds().map((crd) => item("apiextensions.k8s.io/customresourcedefinitions", crd)),
      item("serviceaccounts", serviceAccount("istio-system", "istiod", { app: "istiod", release: "istio" })),
      item("serviceaccounts", serviceAccount("istio-system", "istio-ingressgateway-service-account", { app: "istio-ingressgateway", istio: "ingressgateway" })),
      item("serviceaccounts", serviceAccount("istio-system", "istio-egressgateway-service-account", { app: "istio-egressgateway", istio: "egressgateway" })),
      item("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "istio", namespace: "istio-system", labels: { "istio.io/rev": "default", release: "istio" } }, data: { mesh: meshConfig, meshNetworks: "networks: {}" } }),
      item(
        "services",
        service("istio-system", "istiod", {
          labels: { ...istiodLabels, "istio.io/rev": "default", release: "istio" },
          selector: istiodLabels,
          ports: [
            { name: "grpc-xds", port: 15010, targetPort: 15010 },
            { name: "https-dns", port: 15012, targetPort: 15012 },
            { name: "https-webhook", port: 443, targetPort: 15017 },
            { name: "http-monitoring", port: 15014, targetPort: 15014 },
          ],
        }),
      ),
      item("apps/deployments", istiod),
      item(
        "services",
        service("istio-system", "istio-ingressgateway", {
          labels: gatewayServiceLabels("istio-ingressgateway", "ingressgateway"),
          selector: { app: "istio-ingressgateway", istio: "ingressgateway" },
          type: "LoadBalancer",
          ports: [
            { name: "status-port", port: 15021, targetPort: 15021 },
            { name: "http2", port: 80, targetPort: 8080 },
            { name: "https", port: 443, targetPort: 8443 },
            { name: "tcp", port: 31400, targetPort: 31400 },
            { name: "tls", port: 15443, targetPort: 15443 },
          ],
        }),
      ),
      item("apps/deployments", gatewayDeployment("istio-ingressgateway", "ingressgateway", "istio-ingressgateway-service-account")),
      item(
        "services",
        service("istio-system", "istio-egressgateway", {
          labels: gatewayServiceLabels("istio-egressgateway", "egressgateway"),
          selector: { app: "istio-egressgateway", istio: "egressgateway" },
          ports: [
            { name: "http2", port: 80, targetPort: 8080 },
            { name: "https", port: 443, targetPort: 8443 },
          ],
        }),
      ),
      item("apps/deployments", gatewayDeployment("istio-egressgateway", "egressgateway", "istio-egressgateway-service-account")),
    ],
  };
}

function bookinfoImage(name: string): string {
  return `docker.io/istio/examples-bookinfo-${name}:${BOOKINFO_IMAGE_TAG}`;
}

function bookinfoDeployment(app: string, version: string): ObjectInput {
  const container: JsonObject = {
    name: app,
    image: bookinfoImage(`${app}-${version}`),
    imagePullPolicy: "IfNotPresent",
    ports: [{ containerPort: 9080 }],
  };
  const podSpec: JsonObject = { serviceAccountName: `bookinfo-${app}`, containers: [container] };
  let podAnnotations: Record<string, string> | undefined;
  if (app === "reviews") {
    container.env = [{ name: "LOG_DIR", value: "/tmp/logs" }];
    container.volumeMounts = [
      { name: "tmp", mountPath: "/tmp" },
      { name: "wlp-output", mountPath: "/opt/ibm/wlp/output" },
    ];
    podSpec.volumes = [
      { name: "wlp-output", emptyDir: {} },
      { name: "tmp", emptyDir: {} },
    ];
  }
  if (app === "productpage") {
    container.volumeMounts = [{ name: "tmp", mountPath: "/tmp" }];
    podSpec.volumes = [{ name: "tmp", emptyDir: {} }];
    podAnnotations = { "prometheus.io/scrape": "true", "prometheus.io/port": "9080", "prometheus.io/path": "/metrics" };
  }
  const labels = { app, version };
  return deployment("default", `${app}-${version}`, podAnnotations ? { labels, selector: labels, podAnnotations, podSpec } : { labels, selector: labels, podSpec });
}

function bookinfo(): ManifestPhase {
  const apps = ["details", "ratings", "reviews", "productpage"];
  const objects: ManifestPhase["objects"] = [];
  for (const app of apps) {
    objects.push(item("services", service("default", app, { labels: { app, service: app }, selector: { app }, ports: [{ name: "http", port: 9080 }] })));
    objects.push(item("serviceaccounts", serviceAccount("default", `bookinfo-${app}`, { account: app })));
  }
  for (const [app, version] of [
    ["details", "v1"],
    ["ratings", "v1"],
    ["reviews", "v1"],
    ["reviews", "v2"],
    ["reviews", "v3"],
    ["productpage", "v1"],
  ] as const) {
    objects.push(item("apps/deployments", bookinfoDeployment(app, version)));
  }
  objects.push(
    item("serviceaccounts", serviceAccount("default", "sleep")),
    item("services", service("default", "sleep", { labels: { app: "sleep", service: "sleep" }, selector: { app: "sleep" }, ports: [{ name: "http", port: 80 }] })),
    item(
      "apps/deployments",
      deployment("default", "sleep", {
        labels: {},
        selector: { app: "sleep" },
        podSpec: {
          serviceAccountName: "sleep",
          terminationGracePeriodSeconds: 0,
          containers: [{ name: "sleep", image: "curlimages/curl", command: ["/bin/sleep", "infinity"], imagePullPolicy: "IfNotPresent" }],
        },
      }),
    ),
    item(
      "services",
      service("default", "fortio", {
        labels: { app: "fortio", service: "fortio" },
        selector: { app: "fortio" },
        ports: [{ name: "http", port: 8080 }],
      }),
    ),
    item(
      "apps/deployments",
      deployment("default", "fortio-deploy", {
        labels: { app: "fortio" },
        selector: { app: "fortio" },
        podAnnotations: { "proxy.istio.io/config": '{ "proxyStatsMatcher": { "inclusionPrefixes": ["cluster.outbound", "cluster_manager", "listener_manager", "server", "cluster.xds-grpc"] } }\n' },
        podSpec: {
          containers: [
            {
              name: "fortio",
              image: "fortio/fortio:latest_release",
              imagePullPolicy: "Always",
              ports: [
                { containerPort: 8080, name: "http-fortio" },
                { containerPort: 8079, name: "grpc-ping" },
              ],
            },
          ],
        },
      }),
    ),
  );
  return { offsetSeconds: -120, objects };
}

/** The phases in creation order. */
export function freshClusterManifests(): ManifestPhase[] {
  return [clusterBootstrap(), istioInstall(), bookinfo()];
}
