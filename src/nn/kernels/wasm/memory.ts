/** Linear memory: the compiled module's exports, operand layouts and a heap of blocks. */

export interface Exports {
  memory: WebAssembly.Memory;
  gemm(
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    acc: number,
    transA: number,
    transB: number,
    scratch: number,
  ): void;
  /** Bytes of scratch a gemm of this shape needs. */
  gemmScratch(m: number, n: number, k: number): number;
  lstmScratch(rows: number, first: number, hid: number): number;
  attentionScratch(steps: number, headDim: number): number;
  attentionForward(...args: number[]): void;
  attentionBackward(...args: number[]): void;
  layerNormForward(...args: number[]): void;
  layerNormBackward(...args: number[]): void;
  dropoutMask(...args: number[]): void;
  lstmForward(...args: number[]): void;
  lstmBackward(...args: number[]): void;
  packRows(...args: number[]): void;
  unpackRows(...args: number[]): void;
  lastRows(...args: number[]): void;
  sortRows(...args: number[]): void;
  fillRows(...args: number[]): void;
  tokenRows(...args: number[]): void;
  sumTokenRows(...args: number[]): void;
  addKept(...args: number[]): void;
  keepScaled(...args: number[]): void;
  reluKept(...args: number[]): void;
  reluKeptGrad(...args: number[]): void;
  columnSums(...args: number[]): void;
}

/** Byte size rounded up to 16 so every operand starts SIMD-aligned. */
export const aligned = (elements: number) => (elements * 4 + 15) & ~15;

/** Byte offsets of consecutive operands of `counts` 4-byte elements, and their total. */
export function layout(counts: number[]): { at: number[]; bytes: number } {
  const at: number[] = [];
  let bytes = 0;
  for (const n of counts) {
    at.push(bytes);
    bytes += aligned(n);
  }
  return { at, bytes };
}

/**
 * Linear memory as a heap of 16-byte-aligned blocks, first fit, grown on demand. Views are
 * refreshed after growth, so take them after allocating.
 */
export class Arena {
  f32: Float32Array;
  i32: Int32Array;
  u8: Uint8Array;
  /** Free blocks [at, bytes], sorted by address and coalesced. */
  private readonly holes: [number, number][] = [];
  private readonly sizes = new Map<number, number>();
  /** End of the managed space. */
  private top = 0;

  constructor(private readonly memory: WebAssembly.Memory) {
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.u8 = new Uint8Array(memory.buffer);
  }

  alloc(size: number): number {
    const bytes = Math.max(16, (size + 15) & ~15);
    let at = -1;
    const fit = this.holes.findIndex(([, n]) => n >= bytes);
    if (fit >= 0) {
      const [from, n] = this.holes[fit];
      at = from;
      if (n === bytes) this.holes.splice(fit, 1);
      else this.holes[fit] = [from + bytes, n - bytes];
    } else {
      const last = this.holes[this.holes.length - 1];
      at =
        last && last[0] + last[1] === this.top
          ? (this.holes.pop() as [number, number])[0]
          : this.top;
      this.top = at + bytes;
      this.grow(this.top);
    }
    this.sizes.set(at, bytes);
    return at;
  }

  free(at: number): void {
    const bytes = this.sizes.get(at);
    if (bytes === undefined) throw new Error(`wasm arena: no block at ${at}`);
    this.sizes.delete(at);
    let i = this.holes.findIndex(([from]) => from > at);
    if (i < 0) i = this.holes.length;
    this.holes.splice(i, 0, [at, bytes]);
    const next = this.holes[i + 1];
    if (next && at + bytes === next[0]) {
      this.holes[i][1] += next[1];
      this.holes.splice(i + 1, 1);
    }
    const prev = this.holes[i - 1];
    if (prev && prev[0] + prev[1] === at) {
      prev[1] += this.holes[i][1];
      this.holes.splice(i, 1);
    }
  }

  /** Bytes in live blocks. */
  get used(): number {
    let n = 0;
    for (const bytes of this.sizes.values()) n += bytes;
    return n;
  }

  private grow(bytes: number): void {
    const missing = bytes - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / 65536));
    if (this.f32.buffer !== this.memory.buffer) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
      this.u8 = new Uint8Array(this.memory.buffer);
    }
  }

  put(src: Float32Array | Int32Array | Uint8Array, at: number, n = src.length): void {
    if (src instanceof Uint8Array) this.u8.set(src.subarray(0, n), at);
    else (src instanceof Int32Array ? this.i32 : this.f32).set(src.subarray(0, n), at >> 2);
  }

  get(at: number, dst: Float32Array | Int32Array | Uint8Array, n = dst.length): void {
    if (dst instanceof Uint8Array) dst.set(this.u8.subarray(at, at + n));
    else if (dst instanceof Int32Array) dst.set(this.i32.subarray(at >> 2, (at >> 2) + n));
    else dst.set(this.f32.subarray(at >> 2, (at >> 2) + n));
  }

  /** Runs `fn` on a block of `bytes`, freed afterwards whatever happens. */
  with<T>(bytes: number, fn: (at: number) => T): T {
    const at = this.alloc(bytes);
    try {
      return fn(at);
    } finally {
      this.free(at);
    }
  }
}
