/**
 * Seedable pseudo-random numbers. Every random choice in TraceCode (generation, inputs,
 * initialisation, dropout, batching, mining) draws from a `Random` derived from one seed,
 * so the same seed and config reproduce the same bytes.
 *
 * Generator: sfc32 (small fast counting, 128-bit state), seeded through splitmix32 so that
 * nearby seeds give unrelated streams. `fork(label)` derives an independent stream by name,
 * so adding draws to one stream never shifts another.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number | string = 0) {
    let s = typeof seed === "number" ? seed >>> 0 : hashString(seed);
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The generator's position, to save with a checkpoint; `setState` returns to it. */
  getState(): number[] {
    return [this.a, this.b, this.c, this.d, this.spareNormal ?? Number.NaN];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 5)
      throw new RangeError(`Random state needs 5 numbers, got ${state.length}`);
    [this.a, this.b, this.c, this.d] = state;
    this.spareNormal = Number.isNaN(state[4]) ? undefined : state[4];
  }

  /** A new independent generator whose stream depends on this one's seed and `label`. */
  fork(label: string): Random {
    return new Random(hashString(`${this.a}:${this.b}:${this.c}:${this.d}:${label}`));
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** The next n draws of nextUint32 at once, into the first n elements of `out` when given. */
  uint32s(n: number, out = new Uint32Array(n)): Uint32Array {
    if (out.length < n) throw new RangeError(`uint32s: ${n} draws do not fit ${out.length}`);
    return this.stream((words) => sfc32Draws(words, n, out));
  }

  /**
   * Continues this stream elsewhere (e.g. a WebAssembly kernel): `fn` gets the generator's four
   * sfc32 words [a, b, c, d] and must leave them advanced past the draws it took, exactly as
   * nextUint32 would have.
   */
  stream<T>(fn: (words: Int32Array) => T): T {
    const words = Int32Array.of(this.a, this.b, this.c, this.d);
    const result = fn(words);
    [this.a, this.b, this.c, this.d] = words;
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Uniform integer in [lo, hi] inclusive (unbiased by rejection). */
  int(lo: number, hi: number): number {
    const span = hi - lo + 1;
    if (!Number.isFinite(span) || span <= 0)
      throw new RangeError(`bad integer range [${lo}, ${hi}]`);
    if (span > 4294967296) return lo + Math.floor(this.float() * span);
    const limit = 4294967296 - (4294967296 % span);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return lo + (x % span);
  }

  bool(pTrue = 0.5): boolean {
    return this.float() < pTrue;
  }

  /** Standard normal via Box–Muller (the second value is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[this.int(0, items.length - 1)];
  }

  /** Fisher–Yates shuffle into a new array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** `k` distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, k);
  }
}

/** 32-bit FNV-1a hash of a string; used for seeding and labels. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The next n draws of sfc32 from its words [a, b, c, d], which are left advanced, into `out`:
 * what Random.nextUint32 does n times, with the state in int32 locals (several times faster).
 */
export function sfc32Draws(words: Int32Array, n: number, out: Uint32Array): Uint32Array {
  let a = words[0] | 0;
  let b = words[1] | 0;
  let c = words[2] | 0;
  let d = words[3] | 0;
  for (let i = 0; i < n; i++) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    out[i] = t; // stored modulo 2^32: the same value as t >>> 0
  }
  words[0] = a;
  words[1] = b;
  words[2] = c;
  words[3] = d;
  return out;
}
