// Decoding of Kubernetes protobuf bodies (`application/vnd.kubernetes.protobuf`), which `kubectl create <kind>`
// sends for built-in kinds. Covers the kinds and fields kubectl's create generators emit; zero values are dropped
// the way the API server's JSON encoding drops them (omitempty), so the result equals the JSON kubectl would send.

import type { Json, JsonObject } from "../objects";
import { badRequest } from "./errors";

type Scalar = "string" | "int" | "bool" | "bytes" | "intOrString" | "quantity" | "time";

type ValueType = Scalar | { message: string };

interface Field {
  name: string;
  type: ValueType | { map: ValueType };
  repeated?: boolean;
  /** Pointer fields in the Go types: a zero value that was sent is kept (e.g. `replicas: 0`). */
  keepZero?: boolean;
}

type Message = Record<number, Field>;

const s = (name: string): Field => ({ name, type: "string" });
const i = (name: string, keepZero = false): Field => ({ name, type: "int", keepZero });
const b = (name: string, keepZero = false): Field => ({ name, type: "bool", keepZero });
const m = (name: string, message: string, repeated = false): Field => ({ name, type: { message }, repeated });
const strings = (name: string): Field => ({ name, type: "string", repeated: true });
const stringMap = (name: string): Field => ({ name, type: { map: "string" } });

/** Field numbers from k8s.io/api and apimachinery generated.proto, for the messages kubectl create sends. */
const messages: Record<string, Message> = {
  ObjectMeta: { 1: s("name"), 2: s("generateName"), 3: s("namespace"), 5: s("uid"), 6: s("resourceVersion"), 7: i("generation"), 8: { name: "creationTimestamp", type: "time" }, 11: stringMap("labels"), 12: stringMap("annotations"), 13: m("ownerReferences", "OwnerReference", true), 14: strings("finalizers") },
  OwnerReference: { 1: s("kind"), 3: s("name"), 4: s("uid"), 5: s("apiVersion"), 6: b("controller", true), 7: b("blockOwnerDeletion", true) },
  LabelSelector: { 1: stringMap("matchLabels"), 2: m("matchExpressions", "LabelSelectorRequirement", true) },
  LabelSelectorRequirement: { 1: s("key"), 2: s("operator"), 3: strings("values") },
  ObjectReference: { 1: s("kind"), 2: s("namespace"), 3: s("name"), 4: s("uid"), 5: s("apiVersion"), 6: s("resourceVersion"), 7: s("fieldPath") },
  LocalObjectReference: { 1: s("name") },
  Namespace: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "NamespaceSpec") },
  NamespaceSpec: { 1: strings("finalizers") },
  ConfigMap: { 1: m("metadata", "ObjectMeta"), 2: stringMap("data"), 3: { name: "binaryData", type: { map: "bytes" } }, 4: b("immutable", true) },
  Secret: { 1: m("metadata", "ObjectMeta"), 2: { name: "data", type: { map: "bytes" } }, 3: s("type"), 4: stringMap("stringData"), 5: b("immutable", true) },
  ServiceAccount: { 1: m("metadata", "ObjectMeta"), 2: m("secrets", "ObjectReference", true), 3: m("imagePullSecrets", "LocalObjectReference", true), 4: b("automountServiceAccountToken", true) },
  Service: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "ServiceSpec") },
  ServiceSpec: {
    1: m("ports", "ServicePort", true),
    2: stringMap("selector"),
    3: s("clusterIP"),
    4: s("type"),
    5: strings("externalIPs"),
    7: s("sessionAffinity"),
    8: s("loadBalancerIP"),
    9: strings("loadBalancerSourceRanges"),
    10: s("externalName"),
    11: s("externalTrafficPolicy"),
    12: i("healthCheckNodePort"),
    13: b("publishNotReadyAddresses"),
  },
  ServicePort: { 1: s("name"), 2: s("protocol"), 3: i("port"), 4: { name: "targetPort", type: "intOrString" }, 5: i("nodePort"), 6: s("appProtocol") },
  Deployment: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "DeploymentSpec") },
  DeploymentSpec: { 1: i("replicas", true), 2: m("selector", "LabelSelector"), 3: m("template", "PodTemplateSpec"), 4: m("strategy", "DeploymentStrategy"), 5: i("minReadySeconds"), 6: i("revisionHistoryLimit", true), 7: b("paused"), 9: i("progressDeadlineSeconds", true) },
  DeploymentStrategy: { 1: s("type"), 2: m("rollingUpdate", "RollingUpdateDeployment") },
  RollingUpdateDeployment: { 1: { name: "maxUnavailable", type: "intOrString" }, 2: { name: "maxSurge", type: "intOrString" } },
  Pod: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "PodSpec") },
  PodTemplateSpec: { 1: m("metadata", "ObjectMeta"), 2: m("spec", "PodSpec") },
  PodSpec: {
    2: m("containers", "Container", true),
    3: s("restartPolicy"),
    4: i("terminationGracePeriodSeconds", true),
    5: i("activeDeadlineSeconds", true),
    6: s("dnsPolicy"),
    7: stringMap("nodeSelector"),
    8: s("serviceAccountName"),
    9: s("serviceAccount"),
    10: s("nodeName"),
    11: b("hostNetwork"),
    12: b("hostPID"),
    13: b("hostIPC"),
    15: m("imagePullSecrets", "LocalObjectReference", true),
    16: s("hostname"),
    17: s("subdomain"),
    19: s("schedulerName"),
    20: m("initContainers", "Container", true),
    24: s("priorityClassName"),
  },
  Container: {
    1: s("name"),
    2: s("image"),
    3: strings("command"),
    4: strings("args"),
    5: s("workingDir"),
    6: m("ports", "ContainerPort", true),
    7: m("env", "EnvVar", true),
    8: m("resources", "ResourceRequirements"),
    13: s("terminationMessagePath"),
    14: s("imagePullPolicy"),
    16: b("stdin"),
    17: b("stdinOnce"),
    18: b("tty"),
    20: s("terminationMessagePolicy"),
  },
  ContainerPort: { 1: s("name"), 2: i("hostPort"), 3: i("containerPort"), 4: s("protocol"), 5: s("hostIP") },
  EnvVar: { 1: s("name"), 2: s("value") },
  ResourceRequirements: { 1: { name: "limits", type: { map: "quantity" } }, 2: { name: "requests", type: { map: "quantity" } } },
};

/** Top-level kinds this decoder understands, by "apiVersion/kind". */
const topLevel: Record<string, string> = {
  "v1/Namespace": "Namespace",
  "v1/ConfigMap": "ConfigMap",
  "v1/Secret": "Secret",
  "v1/ServiceAccount": "ServiceAccount",
  "v1/Service": "Service",
  "v1/Pod": "Pod",
  "apps/v1/Deployment": "Deployment",
};

interface WireField {
  number: number;
  wireType: number;
  varint?: bigint;
  bytes?: Buffer;
}

function readVarint(buffer: Buffer, start: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  let position = start;
  for (;;) {
    if (position >= buffer.length || shift > 63n) throw badRequest("malformed protobuf body: truncated varint");
    const byte = buffer[position++] ?? 0;
    result |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if ((byte & 0x80) === 0) return [result, position];
  }
}

function readFields(buffer: Buffer): WireField[] {
  const fields: WireField[] = [];
  let position = 0;
  while (position < buffer.length) {
    const [key, afterKey] = readVarint(buffer, position);
    position = afterKey;
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (number === 0) throw badRequest("malformed protobuf body: field number 0");
    if (wireType === 0) {
      const [value, next] = readVarint(buffer, position);
      fields.push({ number, wireType, varint: value });
      position = next;
    } else if (wireType === 2) {
      const [length, next] = readVarint(buffer, position);
      const end = next + Number(length);
      if (end > buffer.length) throw badRequest("malformed protobuf body: truncated field");
      fields.push({ number, wireType, bytes: buffer.subarray(next, end) });
      position = end;
    } else if (wireType === 1 || wireType === 5) {
      position += wireType === 1 ? 8 : 4;
      if (position > buffer.length) throw badRequest("malformed protobuf body: truncated field");
    } else {
      throw badRequest(`malformed protobuf body: unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

function signed(value: bigint | undefined): number {
  return Number(BigInt.asIntN(64, value ?? 0n));
}

function decodeScalar(type: Scalar, field: WireField): Json | undefined {
  switch (type) {
    case "string":
      return field.bytes?.toString("utf8") ?? "";
    case "bytes":
      return field.bytes?.toString("base64") ?? "";
    case "int":
      return signed(field.varint);
    case "bool":
      return (field.varint ?? 0n) !== 0n;
    case "quantity": {
      const inner = readFields(field.bytes ?? Buffer.alloc(0)).find((entry) => entry.number === 1);
      return inner?.bytes?.toString("utf8") ?? "0";
    }
    case "time": {
      const inner = readFields(field.bytes ?? Buffer.alloc(0));
      const seconds = signed(inner.find((entry) => entry.number === 1)?.varint);
      return seconds === 0 ? undefined : new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
    }
    case "intOrString": {
      const inner = readFields(field.bytes ?? Buffer.alloc(0));
      const kind = signed(inner.find((entry) => entry.number === 1)?.varint);
      return kind === 1 ? (inner.find((entry) => entry.number === 3)?.bytes?.toString("utf8") ?? "") : signed(inner.find((entry) => entry.number === 2)?.varint);
    }
  }
}

function isEmpty(value: Json | undefined): boolean {
  if (value === undefined || value === null || value === "" || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

const emptyField: WireField = { number: 2, wireType: 2, bytes: Buffer.alloc(0), varint: 0n };

function decodeValue(type: ValueType, field: WireField): Json | undefined {
  return typeof type === "string" ? decodeScalar(type, field) : decodeMessage(type.message, field.bytes ?? Buffer.alloc(0));
}

function decodeMessage(name: string, buffer: Buffer): JsonObject {
  const schema = messages[name];
  if (!schema) throw badRequest(`protobuf message ${name} is not supported`);
  const out: JsonObject = {};
  for (const wire of readFields(buffer)) {
    const field = schema[wire.number];
    if (!field) continue;
    if (typeof field.type === "object" && "map" in field.type) {
      const entry = readFields(wire.bytes ?? Buffer.alloc(0));
      const key = entry.find((part) => part.number === 1)?.bytes?.toString("utf8") ?? "";
      const valueField = entry.find((part) => part.number === 2);
      const value = decodeValue(field.type.map, valueField ?? emptyField);
      const target = (out[field.name] ??= {}) as JsonObject;
      target[key] = value ?? "";
      continue;
    }
    const value = decodeValue(field.type, wire);
    if (field.repeated) {
      const list = (out[field.name] ??= []) as Json[];
      if (value !== undefined) list.push(value);
      continue;
    }
    if (value === undefined || (isEmpty(value) && !(field.keepZero && (value === 0 || value === false)))) continue;
    out[field.name] = value;
  }
  for (const [key, value] of Object.entries(out)) if (Array.isArray(value) && value.length === 0) delete out[key];
  return out;
}

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a `k8s\0`-prefixed runtime.Unknown envelope into the JSON object it carries. */
export function decodeProtobufObject(body: Buffer): JsonObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(magic)) throw badRequest("the protobuf body does not start with the Kubernetes magic prefix");
  const envelope = readFields(body.subarray(4));
  const typeMeta = readFields(envelope.find((field) => field.number === 1)?.bytes ?? Buffer.alloc(0));
  const apiVersion = typeMeta.find((field) => field.number === 1)?.bytes?.toString("utf8") ?? "";
  const kind = typeMeta.find((field) => field.number === 2)?.bytes?.toString("utf8") ?? "";
  const message = topLevel[`${apiVersion}/${kind}`];
  if (!message) throw badRequest(`protobuf bodies for ${apiVersion} ${kind} are not supported; send JSON`);
  const raw = envelope.find((field) => field.number === 2)?.bytes ?? Buffer.alloc(0);
  const decoded = decodeMessage(message, raw);
  return { apiVersion, kind, ...decoded, metadata: (decoded.metadata as JsonObject | undefined) ?? {} };
}
