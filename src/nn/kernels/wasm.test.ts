import { describe, expect, it } from "vitest";
import { Random } from "../../random/index.js";
import {
  kernels,
  type LstmGradients,
  type LstmPacked,
  type LstmSaved,
  type LstmUpstream,
  tsKernels,
} from "./index.js";
import { gemmTs } from "./ts.js";
import { loadWasmKernels } from "./wasm.js";

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

/** A packed batch of 3 sequences with lengths 4, 3, 2 (sorted) for both LSTM passes. */
function layerOf(rng: Random, hid: number, inDim: number): LstmPacked {
  const batchSizes = Int32Array.from([3, 3, 2, 1]);
  const offsets = Int32Array.from([0, 3, 6, 8, 9]);
  return {
    steps: 4,
    hid,
    inDim,
    batchSizes,
    offsets,
    xs: random(rng, 9 * inDim).map((v) => v * 2),
    weightIh: random(rng, 4 * hid * inDim),
    weightHh: random(rng, 4 * hid * hid),
  };
}

function savedOf(layer: LstmPacked): LstmSaved {
  const rows = layer.offsets[layer.steps];
  return {
    gates: new Float32Array(rows * 4 * layer.hid),
    hs: new Float32Array(rows * layer.hid),
    cs: new Float32Array(rows * layer.hid),
    tanhC: new Float32Array(rows * layer.hid),
  };
}

function expectClose(got: Float32Array, want: Float32Array, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i] - want[i])).toBeLessThan(tol * (1 + Math.abs(want[i])));
  }
}

// Hidden sizes 64 (whole SIMD lanes) and 6 (scalar tails); input sizes off the tile grid.
const SIZES = [
  [64, 32],
  [6, 5],
];

describe("wasm lstmForward", () => {
  it("matches the TypeScript reference on a packed batch, SIMD lanes and scalar tails", () => {
    const rng = new Random(9);
    for (const [hid, inDim] of SIZES) {
      const layer = layerOf(rng, hid, inDim);
      const bias = random(rng, 4 * hid);
      const want = savedOf(layer);
      const got = savedOf(layer);
      tsKernels.lstmForward(layer, bias, want);
      (wasm ?? tsKernels).lstmForward(layer, bias, got);
      for (const key of ["gates", "hs", "cs", "tanhC"] as const) {
        expectClose(got[key], want[key], 2e-6);
      }
    }
  });
});

describe("wasm lstmBackward", () => {
  it("matches the TypeScript reference on a packed batch with final-state gradients", () => {
    const rng = new Random(10);
    for (const [hid, inDim] of SIZES) {
      const layer = layerOf(rng, hid, inDim);
      const saved = savedOf(layer);
      tsKernels.lstmForward(layer, random(rng, 4 * hid), saved);
      const upstream: LstmUpstream = {
        gOut: random(rng, 9 * hid),
        gh: random(rng, 3 * hid),
        gc: random(rng, 3 * hid),
      };
      const gradsOf = (): LstmGradients => ({
        dWih: new Float32Array(4 * hid * inDim),
        dWhh: new Float32Array(4 * hid * hid).fill(7), // written, not accumulated
        dBias: new Float32Array(4 * hid),
        dxs: new Float32Array(9 * inDim),
      });
      const want = gradsOf();
      const got = gradsOf();
      tsKernels.lstmBackward(layer, saved, upstream, want);
      (wasm ?? tsKernels).lstmBackward(layer, saved, upstream, got);
      for (const key of ["dWih", "dWhh", "dBias", "dxs"] as const) {
        expectClose(got[key], want[key], 1e-5);
      }
    }
  });
});
