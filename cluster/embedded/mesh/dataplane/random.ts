// Seeded randomness for the data plane: one reproducible stream per purpose, so the same seed gives the same
// weighted picks, fault draws, jitter and request ids on every run.

/** A seeded pseudo-random stream (mulberry32). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform 32-bit unsigned integer, like Envoy's random generator feeding `random % total`. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Integer in [0, bound). */
  below(bound: number): number {
    return bound <= 0 ? 0 : this.nextUint32() % bound;
  }

  /** `base` ± `spread`, never below zero (service-time jitter). */
  jitter(base: number, spread: number): number {
    return Math.max(0, base + (this.next() * 2 - 1) * spread);
  }

  /** Lowercase hex string of `length` characters. */
  hex(length: number): string {
    let out = "";
    while (out.length < length) out += hex8(this.nextUint32());
    return out.slice(0, length);
  }

  /** A v4 UUID, as Envoy generates for x-request-id. */
  uuid(): string {
    const a = hex8(this.nextUint32());
    const b = hex8(((this.nextUint32() & 0xffff0fff) | 0x00004000) >>> 0);
    const c = hex8(((this.nextUint32() & 0x3fffffff) | 0x80000000) >>> 0);
    const d = hex8(this.nextUint32());
    return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
  }

  /** A derived independent stream (e.g. one per proxy). */
  fork(salt: number): SeededRandom {
    return new SeededRandom((this.nextUint32() ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0);
  }
}

const HEX_BYTES = Array.from({ length: 256 }, (_, value) => value.toString(16).padStart(2, "0"));

/** Eight lowercase hex digits of an unsigned 32-bit value. */
function hex8(value: number): string {
  return (HEX_BYTES[value >>> 24] as string) + (HEX_BYTES[(value >>> 16) & 255] as string) + (HEX_BYTES[(value >>> 8) & 255] as string) + (HEX_BYTES[value & 255] as string);
}

/** A stable 32-bit hash of a string (FNV-1a), for deriving per-name seeds. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
