import { describe, expect, it } from "vitest";
import { Random } from "../../random/index.js";
import {
  type Attention,
  type EncoderGradients,
  type EncoderLayer,
  type EncoderTape,
  type EncoderWeights,
  type Kernels,
  kernels,
  type LstmGradients,
  type LstmLayer,
  type LstmOutputs,
  type LstmTape,
  type LstmUpstream,
  tsKernels,
} from "./index.js";
import { gemmTs } from "./ts/index.js";
import { loadWasmKernels } from "./wasm/index.js";

const wasm = loadWasmKernels();

function random(rng: Random, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

// `npm test` builds first, so the module must be there: a missing build fails here.
describe("wasm gemm", () => {
  it("is built by npm run build and is the default backend", () => {
    expect(wasm?.name).toBe("wasm");
    expect(kernels().name).toBe(process.env.TRACECODE_KERNELS === "ts" ? "ts" : "wasm");
  });

  it("matches the TypeScript reference for every transpose, odd sizes and accumulate", () => {
    const rng = new Random(7);
    const shapes = [
      [1, 1, 1],
      [3, 5, 7],
      [4, 8, 1],
      [5, 9, 13],
      [96, 256, 64],
      [17, 33, 112],
    ];
    for (const [m, n, k] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const accumulate of [false, true]) {
            const a = random(rng, m * k);
            const b = random(rng, k * n);
            const c0 = random(rng, m * n);
            const want = c0.slice();
            const got = c0.slice();
            gemmTs(transA, transB, m, n, k, a, b, want, accumulate);
            wasm?.gemm(transA, transB, m, n, k, a, b, got, accumulate);
            for (let i = 0; i < want.length; i++) {
              expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5 * (1 + Math.abs(want[i])) * k);
            }
          }
        }
      }
    }
  });

  it("writes only the m×n prefix of a longer C and reads views at an offset", () => {
    const rng = new Random(8);
    const big = random(rng, 40);
    const a = big.subarray(3, 3 + 6); // 2×3
    const b = random(rng, 3 * 4);
    const c = new Float32Array(12).fill(5);
    const want = new Float32Array(12).fill(5);
    wasm?.gemm(false, false, 2, 4, 3, a, b, c.subarray(0, 8), false);
    gemmTs(false, false, 2, 4, 3, a, b, want.subarray(0, 8), false);
    for (let i = 0; i < 12; i++) expect(c[i]).toBeCloseTo(want[i], 5);
    expect(c[8]).toBe(5);
  });
});

/**
 * A batch of 4 sequences of lengths 2, 4, 0, 3 padded to 5 steps: sorted order 1, 3, 0, 2, so
 * steps 0..3 run 3, 3, 2, 1 rows.
 */
function layerOf(rng: Random, hid: number, inDim: number): LstmLayer {
  return {
    batch: 4,
    maxSteps: 5,
    inDim,
    hid,
    steps: 4,
    order: Int32Array.from([1, 3, 0, 2]),
    batchSizes: Int32Array.from([3, 3, 2, 1]),
    offsets: Int32Array.from([0, 3, 6, 8, 9]),
    input: random(rng, 4 * 5 * inDim).map((v) => v * 2),
    weightIh: random(rng, 4 * hid * inDim),
    weightHh: random(rng, 4 * hid * hid),
    bias: random(rng, 4 * hid),
  };
}

/** The same layer with its inputs as ids into a table of 7 rows (row 0 padding, not zero). */
function tokensOf(rng: Random, hid: number, inDim: number): LstmLayer {
  const layer = layerOf(rng, hid, inDim);
  const ids = Int32Array.from({ length: 4 * 5 }, () => rng.int(0, 6));
  ids[1] = 0; // padding inside sequence 0's valid steps
  return {
    ...layer,
    input: { ids, table: random(rng, 7 * inDim), vocab: 7, paddingIdx: 0 },
  };
}

/** The dense layer the tokens stand for. */
function lookedUp(layer: LstmLayer): LstmLayer {
  const { input, inDim } = layer;
  if (input instanceof Float32Array) return layer;
  const x = new Float32Array(input.ids.length * inDim);
  input.ids.forEach((id, i) => {
    x.set(input.table.subarray(id * inDim, (id + 1) * inDim), i * inDim);
  });
  return { ...layer, input: x };
}

function outputsOf(layer: LstmLayer): LstmOutputs {
  return {
    output: new Float32Array(layer.batch * layer.maxSteps * layer.hid).fill(9),
    hN: new Float32Array(layer.batch * layer.hid).fill(9),
    cN: new Float32Array(layer.batch * layer.hid).fill(9),
  };
}

function upstreamOf(rng: Random, layer: LstmLayer, finals: boolean): LstmUpstream {
  return {
    gOut: random(rng, layer.batch * layer.maxSteps * layer.hid),
    gh: finals ? random(rng, layer.batch * layer.hid) : null,
    gc: finals ? random(rng, layer.batch * layer.hid) : null,
  };
}

function gradsOf({ hid, inDim, batch, maxSteps, input }: LstmLayer): LstmGradients {
  const rows = input instanceof Float32Array ? batch * maxSteps : input.vocab;
  return {
    dWih: new Float32Array(4 * hid * inDim),
    dWhh: new Float32Array(4 * hid * hid).fill(7), // written, not accumulated
    dBias: new Float32Array(4 * hid),
    dInput: new Float32Array(rows * inDim).fill(7),
  };
}

function expectClose(got: Float32Array, want: Float32Array, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i] - want[i])).toBeLessThan(tol * (1 + Math.abs(want[i])));
  }
}

function expectSameGrads(got: LstmGradients, want: LstmGradients): void {
  for (const key of ["dWih", "dWhh", "dBias", "dInput"] as const)
    expectClose(got[key], want[key], 1e-5);
}

// Hidden sizes 64 (whole SIMD lanes) and 6 (scalar tails); input sizes off the tile grid.
const SIZES = [
  [64, 32],
  [6, 5],
];

const backend = wasm ?? tsKernels;

describe("wasm lstmForward", () => {
  it("matches the TypeScript reference on a padded, unsorted batch", () => {
    const rng = new Random(9);
    for (const [hid, inDim] of SIZES) {
      const layer = layerOf(rng, hid, inDim);
      const want = outputsOf(layer);
      const got = outputsOf(layer);
      expect(tsKernels.lstmForward(layer, want, false)).toBeNull();
      expect(backend.lstmForward(layer, got, false)).toBeNull();
      for (const key of ["output", "hN", "cN"] as const) expectClose(got[key], want[key], 2e-6);
      // Sequence 0 has 2 steps: its steps 2..4 are padding; sequence 2 is empty.
      expect(got.output.subarray(2 * hid, 5 * hid).every((v) => v === 0)).toBe(true);
      expect(got.output.subarray(10 * hid, 15 * hid).every((v) => v === 0)).toBe(true);
      expect(got.hN.subarray(2 * hid, 3 * hid).every((v) => v === 0)).toBe(true);
      expect(got.hN.subarray(0, hid)).toEqual(got.output.subarray(hid, 2 * hid));
    }
  });
});

describe("wasm lstmBackward", () => {
  it("matches the TypeScript reference, with and without final-state gradients", () => {
    const rng = new Random(10);
    for (const [hid, inDim] of SIZES) {
      for (const finals of [true, false]) {
        const layer = layerOf(rng, hid, inDim);
        const upstream = upstreamOf(rng, layer, finals);
        const want = gradsOf(layer);
        const got = gradsOf(layer);
        const tapeTs = tsKernels.lstmForward(layer, outputsOf(layer), true);
        const tape = backend.lstmForward(layer, outputsOf(layer), true);
        if (!tapeTs || !tape) throw new Error("no tape kept");
        tsKernels.lstmBackward(tapeTs, upstream, want);
        backend.lstmBackward(tape, upstream, got);
        expectSameGrads(got, want);
        // Padded positions of x get no gradient.
        expect(got.dInput.subarray(2 * inDim, 5 * inDim).every((v) => v === 0)).toBe(true);
      }
    }
  });

  it("runs token inputs as their looked-up rows, the table gradient skipping the padding row", () => {
    const rng = new Random(13);
    for (const [hid, inDim] of SIZES) {
      const layer = tokensOf(rng, hid, inDim);
      const dense = lookedUp(layer);
      const upstream = upstreamOf(rng, layer, true);
      for (const k of [tsKernels, backend]) {
        const want = outputsOf(dense);
        const got = outputsOf(layer);
        const denseTape = k.lstmForward(dense, want, true);
        const tape = k.lstmForward(layer, got, true);
        if (!denseTape || !tape) throw new Error("no tape kept");
        for (const key of ["output", "hN", "cN"] as const) expectClose(got[key], want[key], 2e-6);
        const dx = gradsOf(dense);
        const grads = gradsOf(layer);
        k.lstmBackward(denseTape, upstream, dx);
        k.lstmBackward(tape, upstream, grads);
        for (const key of ["dWih", "dWhh", "dBias"] as const)
          expectClose(grads[key], dx[key], 1e-5);
        // d table[v] = Σ of dx over the positions holding v, except for the padding row.
        const { ids } = layer.input as { ids: Int32Array };
        const table = new Float32Array(7 * inDim);
        ids.forEach((id, i) => {
          if (id === 0) return;
          for (let c = 0; c < inDim; c++) table[id * inDim + c] += dx.dInput[i * inDim + c];
        });
        expectClose(grads.dInput, table, 1e-5);
        expect(grads.dInput.subarray(0, inDim).every((v) => v === 0)).toBe(true);
      }
    }
  });

  it("refuses a second backward pass and a tape from another backend", () => {
    const rng = new Random(11);
    const layer = layerOf(rng, 6, 5);
    const upstream = upstreamOf(rng, layer, true);
    const tape = backend.lstmForward(layer, outputsOf(layer), true);
    const tapeTs = tsKernels.lstmForward(layer, outputsOf(layer), true);
    if (!tape || !tapeTs) throw new Error("no tape kept");
    backend.lstmBackward(tape, upstream, gradsOf(layer));
    expect(() => backend.lstmBackward(tape, upstream, gradsOf(layer))).toThrow(/second time/);
    if (wasm) expect(() => wasm.lstmBackward(tapeTs, upstream, gradsOf(layer))).toThrow(/ts tape/);
  });
});

describe("wasm LSTM tapes", () => {
  it("spill beyond the cap and come back exact; backward passes free their memory", () => {
    const small = loadWasmKernels({ tapeBytes: 0 });
    if (!small) throw new Error("wasm kernels not built");
    const rng = new Random(12);
    const layers = [layerOf(rng, 64, 32), layerOf(rng, 6, 5), layerOf(rng, 64, 32)];
    const ups = layers.map((l) => upstreamOf(rng, l, true));
    // Each new tape spills the older ones (cap 0), so the first two come back from the heap.
    const tapes = layers.map((l) => small.lstmForward(l, outputsOf(l), true));
    const roomy = loadWasmKernels();
    const kept = layers.map((l) => roomy?.lstmForward(l, outputsOf(l), true));
    // Only the newest tape is resident under the cap; all three are under the default one.
    expect(small.arenaBytes()).toBeGreaterThan(0);
    expect(roomy?.arenaBytes()).toBeGreaterThan(small.arenaBytes());
    for (const [i, tape] of kept.entries())
      roomy?.lstmBackward(tape as LstmTape, ups[i], gradsOf(layers[i]));
    expect(roomy?.arenaBytes()).toBe(0);
    for (let i = layers.length - 1; i >= 0; i--) {
      const want = gradsOf(layers[i]);
      const got = gradsOf(layers[i]);
      const tapeTs = tsKernels.lstmForward(layers[i], outputsOf(layers[i]), true);
      if (!tapeTs || !tapes[i]) throw new Error("no tape kept");
      tsKernels.lstmBackward(tapeTs, ups[i], want);
      small.lstmBackward(tapes[i] as LstmTape, ups[i], got);
      expectSameGrads(got, want);
    }
    expect(small.arenaBytes()).toBe(0);
  });
});

describe("wasm attention", () => {
  /**
   * Batch 3 of lengths 5, 2, 0 (the last has no key at all), padded to `steps` 5; the first
   * also has a padded key inside it (key 1).
   */
  function attentionOf(rng: Random, heads: number, headDim: number, dropout: boolean): Attention {
    const batch = 3;
    const steps = 5;
    const lengths = [5, 2, 0];
    const keyPadding = new Uint8Array(batch * steps);
    for (let b = 0; b < batch; b++)
      for (let t = lengths[b]; t < steps; t++) keyPadding[b * steps + t] = 1;
    keyPadding[1] = 1;
    const weights = batch * heads * steps * steps;
    return {
      batch,
      steps,
      heads,
      headDim,
      qkv: random(rng, batch * steps * 3 * heads * headDim).map((x) => 3 * x),
      keyPadding,
      keep: dropout ? Uint8Array.from({ length: weights }, () => +(rng.float() >= 0.3)) : null,
      keepScale: Math.fround(1 / 0.7),
    };
  }

  it("matches the TypeScript reference forward and backward: masks, dropout, odd head sizes", () => {
    const rng = new Random(11);
    for (const [heads, headDim] of [
      [1, 1],
      [2, 3],
      [4, 8],
      [3, 5],
    ]) {
      for (const dropout of [false, true]) {
        for (const padded of [true, false]) {
          const att = attentionOf(rng, heads, headDim, dropout);
          if (!padded) att.keyPadding = null;
          const outSize = att.batch * att.steps * heads * headDim;
          const probSize = att.batch * heads * att.steps * att.steps;
          const run = (k: Kernels) => {
            const out = new Float32Array(outSize);
            const probs = new Float32Array(probSize);
            k.attentionForward(att, out, probs);
            // Without P kept (no backward pass to follow) the output is the same.
            const bare = new Float32Array(outSize);
            k.attentionForward(att, bare, null);
            expect(bare).toEqual(out);
            const gQkv = new Float32Array(att.qkv.length).fill(0.5);
            k.attentionBackward(att, probs, gOut, gQkv);
            return { out, probs, gQkv };
          };
          const gOut = random(rng, outSize);
          const want = run(tsKernels);
          const got = run(wasm as Kernels);
          for (const key of ["out", "probs", "gQkv"] as const) {
            for (let i = 0; i < want[key].length; i++) {
              expect(Math.abs(got[key][i] - want[key][i])).toBeLessThan(
                2e-6 * (1 + Math.abs(want[key][i])),
              );
            }
          }
          // Padded keys get exactly zero weight; the row without keys is zero throughout.
          if (padded) {
            const { steps } = att;
            for (let h = 0; h < heads; h++)
              for (let i = 0; i < steps; i++)
                for (let j = 0; j < steps; j++) {
                  const b1 = ((1 * heads + h) * steps + i) * steps + j;
                  const b2 = ((2 * heads + h) * steps + i) * steps + j;
                  if (j >= 2) expect(got.probs[b1]).toBe(0);
                  expect(got.probs[b2]).toBe(0);
                }
          }
        }
      }
    }
  });
});

describe("wasm layer norm", () => {
  it("matches the TypeScript reference for row widths with and without a vector tail", () => {
    const rng = new Random(13);
    for (const n of [1, 3, 4, 5, 64, 67]) {
      for (const withGx of [true, false]) {
        const rows = 7;
        const ln = {
          rows,
          n,
          x: random(rng, rows * n).map((v) => 5 + 3 * v),
          weight: random(rng, n),
          bias: random(rng, n),
          eps: 1e-5,
        };
        const g = random(rng, rows * n);
        const start = random(rng, rows * n + 2 * n);
        const run = (k: Kernels) => {
          const out = new Float32Array(rows * n);
          const xhat = new Float32Array(rows * n);
          const rstd = new Float32Array(rows);
          k.layerNormForward(ln, out, { xhat, rstd });
          // Without statistics (no backward pass to follow) the output is the same.
          const bare = new Float32Array(rows * n);
          k.layerNormForward(ln, bare, null);
          expect(bare).toEqual(out);
          const gx = withGx ? start.slice(0, rows * n) : null;
          const gWeight = start.slice(rows * n, rows * n + n);
          const gBias = start.slice(rows * n + n);
          k.layerNormBackward(ln, xhat, rstd, g, gx, gWeight, gBias);
          return { out, xhat, rstd, gx: gx ?? new Float32Array(0), gWeight, gBias };
        };
        const want = run(tsKernels);
        const got = run(wasm as Kernels);
        for (const key of ["out", "xhat", "rstd", "gx", "gWeight", "gBias"] as const) {
          expect(got[key].length).toBe(want[key].length);
          for (let i = 0; i < want[key].length; i++) {
            expect(Math.abs(got[key][i] - want[key][i])).toBeLessThan(
              2e-5 * (1 + Math.abs(want[key][i])),
            );
          }
        }
      }
    }
  });
});

describe("dropout mask", () => {
  it("draws Random's own stream in both backends: the same mask, values and next draw", () => {
    for (const n of [0, 1, 7, 1000]) {
      for (const p of [0.1, 0.5, 1]) {
        const threshold = p * 4294967296;
        const x = random(new Random(n), n);
        const reference = new Random(21);
        const draws = reference.uint32s(n);
        const run = (k: Kernels) => {
          const rng = new Random(21);
          const kept = new Uint8Array(n);
          const out = new Float32Array(n);
          rng.stream((words) =>
            k.dropoutMask({ n, threshold, words, kept, apply: { x, out, keepScale: 1.25 } }),
          );
          return { kept, out, next: rng.nextUint32() };
        };
        for (const k of [tsKernels, wasm as Kernels]) {
          const got = run(k);
          expect(Array.from(got.kept)).toEqual(Array.from(draws, (d) => +(d >= threshold)));
          expect(Array.from(got.out)).toEqual(
            Array.from(x, (v, i) => Math.fround(v * (got.kept[i] * 1.25))),
          );
          expect(got.next).toBe(new Random(21).uint32s(n + 1)[n]);
        }
      }
    }
  });
});

describe("wasm encoder layer", () => {
  /** Batch 3 of lengths 5, 2, 0 padded to 5 steps; odd widths so every vector loop has a tail. */
  function layerOf(rng: Random, normFirst: boolean, dropout: boolean, padded: boolean) {
    const [batch, steps, heads, dModel, ff] = [3, 5, 3, 9, 7];
    const rows = batch * steps;
    const keyPadding = new Uint8Array(rows);
    for (const [b, len] of [5, 2, 0].entries())
      for (let t = len; t < steps; t++) keyPadding[b * steps + t] = 1;
    const words = () => Int32Array.from({ length: 4 }, () => rng.nextUint32() | 0);
    const w = (n: number) => random(rng, n);
    const layer: EncoderLayer = {
      batch,
      steps,
      heads,
      dModel,
      ff,
      normFirst,
      eps: 1e-5,
      x: random(rng, rows * dModel).map((v) => 2 * v),
      keyPadding: padded ? keyPadding : null,
      weights: {
        inProjWeight: w(3 * dModel * dModel),
        inProjBias: w(3 * dModel),
        outProjWeight: w(dModel * dModel),
        outProjBias: w(dModel),
        linear1Weight: w(ff * dModel),
        linear1Bias: w(ff),
        linear2Weight: w(dModel * ff),
        linear2Bias: w(dModel),
        norm1Weight: w(dModel).map((v) => 1 + v / 2),
        norm1Bias: w(dModel),
        norm2Weight: w(dModel).map((v) => 1 + v / 2),
        norm2Bias: w(dModel),
      },
      dropout: dropout
        ? {
            threshold: 0.3 * 4294967296,
            keepScale: Math.fround(1 / 0.7),
            words: {
              attention: words(),
              attentionOut: words(),
              hidden: words(),
              ffOut: words(),
            },
          }
        : null,
    };
    return layer;
  }

  it("matches the TypeScript reference forward and backward: pre/post-norm, mask, dropout", () => {
    const rng = new Random(17);
    for (const normFirst of [false, true])
      for (const dropout of [false, true])
        for (const padded of [true, false]) {
          const layer = layerOf(rng, normFirst, dropout, padded);
          const gOut = random(rng, layer.x.length);
          // Every pass draws its masks from the same generator positions.
          const fresh = (): EncoderLayer => {
            const d = layer.dropout;
            if (!d) return layer;
            const w = d.words;
            const words = {
              attention: w.attention.slice(),
              attentionOut: w.attentionOut.slice(),
              hidden: w.hidden.slice(),
              ffOut: w.ffOut.slice(),
            };
            return { ...layer, dropout: { ...d, words } };
          };
          const run = (k: Kernels) => {
            const out = new Float32Array(layer.x.length);
            const tape = k.encoderForward(fresh(), out, true) as EncoderTape;
            // Without a tape (no backward pass to follow) the output is the same.
            const bare = new Float32Array(layer.x.length);
            expect(k.encoderForward(fresh(), bare, false)).toBeNull();
            expect(bare).toEqual(out);
            const grads = { x: new Float32Array(layer.x.length) } as EncoderGradients;
            for (const [name, v] of Object.entries(layer.weights))
              grads[name as keyof EncoderWeights] = new Float32Array(v.length).fill(9);
            k.encoderBackward(tape, gOut, grads);
            return { out, ...grads };
          };
          const want = run(tsKernels);
          const got = run(wasm as Kernels);
          for (const [key, values] of Object.entries(want)) {
            const mine = got[key as keyof typeof got];
            for (let i = 0; i < values.length; i++) {
              expect(Math.abs(mine[i] - values[i]), `${key}[${i}]`).toBeLessThan(
                5e-5 * (1 + Math.abs(values[i])),
              );
            }
          }
        }
  });

  it("refuses a second backward pass and a tape from another backend", () => {
    const layer = layerOf(new Random(19), false, false, true);
    const out = new Float32Array(layer.x.length);
    const grads = { x: new Float32Array(layer.x.length) } as EncoderGradients;
    for (const [name, v] of Object.entries(layer.weights))
      grads[name as keyof EncoderWeights] = new Float32Array(v.length);
    const tape = (wasm as Kernels).encoderForward(layer, out, true) as EncoderTape;
    (wasm as Kernels).encoderBackward(tape, out, grads);
    expect(() => (wasm as Kernels).encoderBackward(tape, out, grads)).toThrow(/twice/);
    const foreign = tsKernels.encoderForward(layer, out, true) as EncoderTape;
    expect(() => (wasm as Kernels).encoderBackward(foreign, out, grads)).toThrow(/ts tape/);
  });
});
