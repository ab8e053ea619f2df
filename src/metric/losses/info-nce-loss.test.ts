import { describe, expect, it } from "vitest";
import { gradCheck } from "../../../test/helpers/numeric.js";
import { Tensor } from "../../nn/index.js";
import { Random } from "../../random/index.js";
import { LpDistance } from "../distances/lp-distance.js";
import { InfoNCELoss, infoNceFromMatrix } from "./info-nce-loss.js";

const randomTensor = (rng: Random, shape: number[], std = 1) =>
  Tensor.from(
    Array.from({ length: shape[0] * shape[1] }, () => rng.normal(0, std)),
    shape,
    true,
  );

describe("InfoNCELoss", () => {
  // h0 = (1, 0), h1 = (0.6, 0.8), h2 = (0, 1): cos 0·1 = 0.6, 0·2 = 0, 1·2 = 0.8.
  // Positive pairs (0,1) and (1,0); item 2 has no positive. τ = 1.
  const h = () => Tensor.from([1, 0, 0.6, 0.8, 0, 1], [3, 2]);
  const labels = [0, 0, 1];

  it("standard form: −log e^{s_p} / (e^{s_p} + Σ e^{s_n}), mean over positive pairs", () => {
    const loss = new InfoNCELoss({ temperature: 1 }).forward(h(), labels).item();
    const pair01 = -Math.log(Math.exp(0.6) / (Math.exp(0.6) + Math.exp(0)));
    const pair10 = -Math.log(Math.exp(0.6) / (Math.exp(0.6) + Math.exp(0.8)));
    expect(loss).toBeCloseTo((pair01 + pair10) / 2, 6);
  });

  it("paper form: −log e^{s_p} / Σ_n e^{s_n}, negatives only (can be < 0)", () => {
    const loss = new InfoNCELoss({ temperature: 1, form: "paper" }).forward(h(), labels).item();
    // (0,1): −0.6 + log e^0 = −0.6; (1,0): −0.6 + 0.8 = 0.2.
    expect(loss).toBeCloseTo(-0.2, 6);
  });

  it("divides by the temperature and uses −d for a distance", () => {
    const t = new InfoNCELoss({ temperature: 0.5 }).forward(h(), labels).item();
    const pair01 = Math.log(1 + Math.exp(-1.2));
    const pair10 = Math.log(1 + Math.exp(1.6 - 1.2));
    expect(t).toBeCloseTo((pair01 + pair10) / 2, 6);
    const x = Tensor.from([0, 1, 3], [3, 1]);
    const euclid = new InfoNCELoss({ temperature: 1, distance: new LpDistance({ eps: 0 }) });
    // d01 = 1, d02 = 3, d12 = 2: (0,1) log(1 + e^{−3+1}), (1,0) log(1 + e^{−2+1}).
    const expected = (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(-1))) / 2;
    expect(euclid.forward(x, labels).item()).toBeCloseTo(expected, 6);
  });

  it("leaves out anchors without negatives; a batch of one class gives 0", () => {
    const rng = new Random(31);
    const e = randomTensor(rng, [4, 3]);
    expect(new InfoNCELoss().forward(e, [1, 1, 1, 1]).item()).toBe(0);
    expect(new InfoNCELoss().forward(e, [0, 1, 2, 3]).item()).toBe(0);
  });

  it("has central-difference gradients for both forms and both distances", () => {
    const rng = new Random(32);
    const lab = [0, 0, 1, 1, 1, 2];
    for (const loss of [
      new InfoNCELoss({ temperature: 0.5 }),
      new InfoNCELoss({ temperature: 0.5, form: "paper" }),
      new InfoNCELoss({ temperature: 2, distance: new LpDistance() }),
    ]) {
      gradCheck((e) => loss.forward(e, lab), [randomTensor(rng, [6, 3])]);
    }
  });

  it("the fused matrix op has exact gradients (direct check on a random matrix)", () => {
    const rng = new Random(33);
    const lab = [2, 0, 2, 1, 0, 2, 1];
    for (const form of ["standard", "paper"] as const) {
      for (const scale of [1, -0.7]) {
        gradCheck((m) => infoNceFromMatrix(m, lab, scale, form), [randomTensor(rng, [7, 7])]);
      }
    }
  });

  it("stays finite for far-apart embeddings and a small temperature", () => {
    const rng = new Random(34);
    const e = randomTensor(rng, [6, 3], 100);
    const loss = new InfoNCELoss({ temperature: 0.01, distance: new LpDistance() });
    const out = loss.forward(e, [0, 0, 1, 1, 2, 2]);
    expect(Number.isFinite(out.item())).toBe(true);
    out.backward();
    expect(e.grad!.every(Number.isFinite)).toBe(true);
  });
});
