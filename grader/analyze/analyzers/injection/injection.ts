// IST0102 (namespace not labelled for injection) and IST0103 (pod in an injected namespace without istio-proxy).
import type { Analyzer } from "../../analyzer";
import { NamespaceNotInjected, PodMissingProxy } from "../../messages";

const INJECTION_LABEL = "istio-injection";
const REVISION_LABEL = "istio.io/rev";
const INJECT_ANNOTATION = "sidecar.istio.io/inject";
const PROXY_CONTAINER = "istio-proxy";
/** Namespaces the injector never touches, plus the control plane's own. */
const IGNORED_NAMESPACES = new Set(["istio-system", "kube-system", "kube-public", "kube-node-lease", "local-path-storage"]);

export const injectionAnalyzer: Analyzer = {
  metadata: {
    name: "injection.Analyzer",
    description: "Checks conditions related to Istio sidecar injection",
    inputs: ["Namespace", "Pod"],
  },
  analyze(ctx) {
    const injected = new Set<string>();
    for (const namespace of ctx.list("Namespace")) {
      if (IGNORED_NAMESPACES.has(namespace.name)) continue;
      const injection = namespace.labels[INJECTION_LABEL];
      const revision = namespace.labels[REVISION_LABEL];
      if (injection === undefined && revision === undefined) {
        ctx.report(namespace, NamespaceNotInjected, [namespace.name, namespace.name], "metadata.name");
        continue;
      }
      // Any value of the legacy label other than "enabled" deliberately opts out.
      if (revision === undefined && injection !== "enabled") continue;
      injected.add(namespace.name);
    }
    for (const pod of ctx.list("Pod")) {
      if (!injected.has(pod.namespace) || pod.spec.hostNetwork) continue;
      const inject = pod.labels[INJECT_ANNOTATION] ?? pod.annotations[INJECT_ANNOTATION] ?? "";
      if (inject.toLowerCase() === "false") continue;
      const hasProxy = [...pod.spec.containers, ...pod.spec.initContainers].some((container) => container.name === PROXY_CONTAINER);
      if (!hasProxy) ctx.report(pod, PodMissingProxy, [pod.fullName]);
    }
  },
};
