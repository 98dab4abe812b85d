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
    while (out.length < length) out += this.nextUint32().toString(16).padStart(8, "0");
    return out.slice(0, length);
  }

  /** A v4 UUID, as Envoy generates for x-request-id. */
  uuid(): string {
    const hex = this.hex(32).split("");
    hex[12] = "4";
    hex[16] = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
    const text = hex.join("");
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
  }

  /** A derived independent stream (e.g. one per proxy). */
  fork(salt: number): SeededRandom {
    return new SeededRandom((this.nextUint32() ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0);
  }
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
