import { describe, expect, it } from "vitest";
import { Random } from "../../random/index.js";
import { kernels, tsKernels } from "./index.js";
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

describe("wasm lstmForward", () => {
  it("matches the TypeScript reference on a packed batch, SIMD lanes and scalar tails", () => {
    const rng = new Random(9);
    for (const hid of [64, 6]) {
      const batchSizes = Int32Array.from([3, 3, 2, 1]);
      const offsets = Int32Array.from([0, 3, 6, 8, 9]);
      const rows = 9;
      const pre = random(rng, rows * 4 * hid).map((v) => v * 4); // saturating values too
      const weightHh = random(rng, 4 * hid * hid);
      const run = (k: typeof tsKernels) => {
        const gates = pre.slice();
        const hs = new Float32Array(rows * hid);
        const cs = new Float32Array(rows * hid);
        const tanhC = new Float32Array(rows * hid);
        k.lstmForward(4, hid, batchSizes, offsets, gates, weightHh, hs, cs, tanhC);
        return [gates, hs, cs, tanhC];
      };
      const want = run(tsKernels);
      const got = run(wasm ?? tsKernels);
      want.forEach((w, a) => {
        for (let i = 0; i < w.length; i++) expect(Math.abs(got[a][i] - w[i])).toBeLessThan(2e-6);
      });
    }
  });
});

describe("wasm lstmBackward", () => {
  it("matches the TypeScript reference on a packed batch with final-state gradients", () => {
    const rng = new Random(10);
    for (const hid of [64, 6]) {
      const batchSizes = Int32Array.from([3, 3, 2, 1]);
      const offsets = Int32Array.from([0, 3, 6, 8, 9]);
      const rows = 9;
      const sig = (n: number) => random(rng, n).map((v) => 1 / (1 + Math.exp(-3 * v)));
      const gates = sig(rows * 4 * hid);
      const tanhC = random(rng, rows * hid);
      const cs = random(rng, rows * hid);
      const gOut = random(rng, rows * hid);
      const gh = random(rng, 3 * hid);
      const gc = random(rng, 3 * hid);
      const weightHh = random(rng, 4 * hid * hid);
      const run = (k: typeof tsKernels) => {
        const dG = new Float32Array(rows * 4 * hid);
        const dh = new Float32Array(3 * hid);
        const dc = new Float32Array(3 * hid);
        k.lstmBackward(
          4,
          hid,
          batchSizes,
          offsets,
          gates,
          tanhC,
          cs,
          gOut,
          gh,
          gc,
          weightHh,
          dG,
          dh,
          dc,
        );
        return dG;
      };
      const want = run(tsKernels);
      const got = run(wasm ?? tsKernels);
      for (let i = 0; i < want.length; i++) {
        expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5 * (1 + Math.abs(want[i])));
      }
    }
  });
});
