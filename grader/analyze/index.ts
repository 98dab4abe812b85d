// Public API of the istioctl-compatible analyzer: analyze objects, files or a live cluster and render the messages.
// (Browser code should import "./core", which leaves out the filesystem and Kubernetes-client parts.)
export * from "./core";
export { analyzeFiles, loadManifests, MANIFEST_EXTENSIONS, type LoadedManifests } from "./files";
export { analyzeCluster, contextNamespace, listClusterObjects } from "./live";
