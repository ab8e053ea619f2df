import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { type Fixture, fixtureTensor, loadFixture } from "../../../test/helpers/fixtures.js";
import { expectClose, gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { affine } from "../ops/affine.js";
import { selfAttention } from "../ops/attention.js";
import { dropout as dropoutOp } from "../ops/dropout.js";
import { add, relu } from "../ops/elementwise.js";
import { layerNorm } from "../ops/norm.js";
import { paddingMask } from "../ops/pooling.js";
import { Tensor } from "../tensor.js";
import { MultiheadAttention } from "./attention.js";
import type { Dropout } from "./dropout.js";
import { LayerNorm } from "./layer-norm.js";
import { TransformerEncoder, TransformerEncoderLayer } from "./transformer.js";

/** A ReLU layer's forward pass op by op, drawing from the layer's own dropout streams. */
function opByOp(layer: TransformerEncoderLayer, x: Tensor, mask: ArrayLike<number>): Tensor {
  const sa = layer.selfAttn;
  const drop = (t: Tensor, d: Dropout) => (d.p > 0 ? dropoutOp(t, d.p, d.rng) : t);
  const attention = (u: Tensor) => {
    const qkv = affine(u, sa.inProjWeight, sa.inProjBias);
    const options = { heads: sa.numHeads, keyPaddingMask: mask, dropout: sa.dropout };
    const heads = selfAttention(qkv, { ...options, rng: sa.dropoutRng });
    return drop(affine(heads, sa.outProj.weight, sa.outProj.bias), layer.dropout1);
  };
  const ff = (u: Tensor) => {
    const hidden = drop(relu(affine(u, layer.linear1.weight, layer.linear1.bias)), layer.dropout);
    return drop(affine(hidden, layer.linear2.weight, layer.linear2.bias), layer.dropout2);
  };
  const norm = (t: Tensor, n: LayerNorm) => layerNorm(t, n.weight, n.bias, n.eps);
  if (layer.normFirst) {
    const x1 = add(x, attention(norm(x, layer.norm1)));
    return add(x1, ff(norm(x1, layer.norm2)));
  }
  const y1 = norm(add(x, attention(x)), layer.norm1);
  return norm(add(y1, ff(y1)), layer.norm2);
}

const maxAbs = (t: Tensor) => t.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);
  // Same seed in every backend's block: both run on identical inputs.
  const rng = new Random(5);
  const randn = (...shape: number[]) =>
    Tensor.from(
      Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
      true,
    );

  describe("LayerNorm and MultiheadAttention modules", () => {
    it("initialise like PyTorch and name parameters by state_dict keys", () => {
      const norm = new LayerNorm(3);
      expect(Array.from(norm.weight.data)).toEqual([1, 1, 1]);
      expect(Array.from(norm.bias.data)).toEqual([0, 0, 0]);
      const mha = new MultiheadAttention(8, 2, { rng: new Random(1) });
      expect(mha.namedParameters().map(([k, t]) => [k, t.shape])).toEqual([
        ["in_proj_weight", [24, 8]],
        ["in_proj_bias", [24]],
        ["out_proj.weight", [8, 8]],
        ["out_proj.bias", [8]],
      ]);
      const xavier = Math.sqrt(6 / (8 + 24));
      expect(maxAbs(mha.inProjWeight)).toBeLessThanOrEqual(xavier);
      expect(maxAbs(mha.inProjWeight)).toBeGreaterThan(0.9 * xavier);
      expect(maxAbs(mha.inProjBias) + maxAbs(mha.outProj.bias!)).toBe(0);
      expect(maxAbs(mha.outProj.weight)).toBeLessThanOrEqual(1 / Math.sqrt(8));
    });

    it("attention has correct gradients for input and every parameter, with a padding mask", () => {
      const mha = new MultiheadAttention(4, 2, { rng: new Random(2) });
      const mask = paddingMask([3, 2], 3);
      gradCheck((x) => mha.forward(x, mask), [randn(2, 3, 4), ...mha.parameters()]);
    });

    it("applies attention dropout in training only", () => {
      const mha = new MultiheadAttention(4, 1, { dropout: 0.5, rng: new Random(3) });
      const x = randn(1, 5, 4);
      const a = mha.forward(x).data;
      const b = mha.forward(x).data;
      expect(Array.from(a)).not.toEqual(Array.from(b));
      mha.eval();
      expect(Array.from(mha.forward(x).data)).toEqual(Array.from(mha.forward(x).data));
    });
  });

  describe("TransformerEncoderLayer", () => {
    const small = (
      activation: TransformerEncoderLayer["activation"],
      normFirst = false,
      dropout = 0,
    ) =>
      new TransformerEncoderLayer({
        dModel: 4,
        nhead: 2,
        dimFeedforward: 6,
        dropout,
        activation,
        normFirst,
        rng: new Random(7),
      });
    const mask = paddingMask([3, 1], 3);

    for (const activation of ["relu", "gelu"] as const)
      for (const normFirst of [false, true]) {
        it(`has correct gradients (${activation}, ${normFirst ? "pre" : "post"}-norm, masked)`, () => {
          const layer = small(activation, normFirst);
          gradCheck((x) => layer.forward(x, mask), [randn(2, 3, 4), ...layer.parameters()]);
        });
      }

    for (const activation of ["relu", "gelu"] as const)
      for (const normFirst of [false, true])
        it(`has correct input gradients with dropout at all four sites (${activation}, ${normFirst ? "pre" : "post"}-norm, fixed masks)`, () => {
          gradCheck((x) => small(activation, normFirst, 0.2).forward(x, mask), [randn(2, 3, 4)]);
        });

    for (const normFirst of [false, true])
      it(`equals the layer built op by op, dropout masks included (relu, ${normFirst ? "pre" : "post"}-norm)`, () => {
        const [fused, reference] = [0, 1].map(() => small("relu", normFirst, 0.2));
        const x = randn(2, 3, 4);
        const xs = [0, 1].map(() => Tensor.from(x.data, x.shape, true));
        const upstream = Float32Array.from({ length: x.size }, () => rng.normal());
        for (let pass = 0; pass < 2; pass++) {
          const got = fused.forward(xs[0], mask);
          const want = opByOp(reference, xs[1], mask);
          expectClose(got.data, want.data, { atol: 1e-6, rtol: 1e-5 }, "output");
          got.backward(upstream);
          want.backward(upstream);
        }
        expectClose(xs[0].grad!, xs[1].grad!, { atol: 1e-6, rtol: 1e-5 }, "input gradient");
        const params = reference.namedParameters();
        for (const [i, [name, p]] of fused.namedParameters().entries())
          expectClose(p.grad!, params[i][1].grad!, { atol: 1e-6, rtol: 1e-5 }, name);
      });

    it("uses PyTorch defaults and drops out in training only", () => {
      const layer = new TransformerEncoderLayer({ dModel: 8, nhead: 2 });
      expect(layer.linear1.weight.shape).toEqual([2048, 8]);
      expect([layer.dropout.p, layer.dropout1.p, layer.dropout2.p, layer.selfAttn.dropout]).toEqual(
        [0.1, 0.1, 0.1, 0.1],
      );
      const x = randn(1, 3, 8);
      expect(Array.from(layer.forward(x).data)).not.toEqual(Array.from(layer.forward(x).data));
      layer.eval();
      expect(Array.from(layer.forward(x).data)).toEqual(Array.from(layer.forward(x).data));
    });
  });

  describe("TransformerEncoder", () => {
    it("names layers like nn.TransformerEncoder and clones the first layer's weights", () => {
      const options = { dModel: 4, nhead: 1, dimFeedforward: 8, rng: new Random(8) };
      const encoder = new TransformerEncoder(options, 2, { finalNorm: true });
      const keys = encoder.namedParameters().map(([k]) => k);
      expect(keys.slice(0, 3)).toEqual([
        "layers.0.self_attn.in_proj_weight",
        "layers.0.self_attn.in_proj_bias",
        "layers.0.self_attn.out_proj.weight",
      ]);
      expect(keys).toContain("layers.1.norm2.bias");
      expect(keys.slice(-2)).toEqual(["norm.weight", "norm.bias"]);
      const [first, second] = encoder.layers;
      expect(Array.from(second.linear1.weight.data)).toEqual(Array.from(first.linear1.weight.data));
      const fresh = new TransformerEncoder(options, 2, { independentInit: true });
      expect(Array.from(fresh.layers[1].linear1.weight.data)).not.toEqual(
        Array.from(fresh.layers[0].linear1.weight.data),
      );
      expect(encoder.forward(randn(2, 3, 4), paddingMask([3, 2], 3)).shape).toEqual([2, 3, 4]);
    });
  });

  describe("PyTorch parity: TransformerEncoderLayer (train mode, dropout 0, key padding mask)", () => {
    for (const activation of ["relu", "gelu"] as const) {
      it(`matches outputs and all gradients (${activation})`, () => {
        const f: Fixture = loadFixture(`transformer_encoder_layer_${activation}`);
        const config = f.config as {
          dModel: number;
          nhead: number;
          dimFeedforward: number;
          lengths: number[];
        };
        const layer = new TransformerEncoderLayer({ ...config, dropout: 0, activation });
        const params = new Map(
          Object.keys(f)
            .filter((k) => k.startsWith("param."))
            .map((k) => [k.slice("param.".length), fixtureTensor(f, k)] as const),
        );
        expect([...params.keys()]).toEqual(layer.namedParameters().map(([k]) => k));
        layer.loadStateDict(
          new Map(
            [...params].map(([k, t]) => [k, { data: Float32Array.from(t.data), shape: t.shape }]),
          ),
        );
        const xf = fixtureTensor(f, "x");
        const x = Tensor.from(xf.data, xf.shape, true);
        const steps = xf.shape[1];
        const out = layer.forward(x, paddingMask(config.lengths, steps));
        expectClose(out.data, fixtureTensor(f, "out").data, { atol: 1e-5, rtol: 1e-5 }, "output");
        out.backward(Float32Array.from(fixtureTensor(f, "upstream").data));
        const tol = { atol: 1e-5, rtol: 1e-4 };
        expectClose(x.grad!, fixtureTensor(f, "x_grad").data, tol, "input gradient");
        for (const [name, p] of layer.namedParameters()) {
          expectClose(p.grad!, fixtureTensor(f, `grad.${name}`).data, tol, `gradient of ${name}`);
        }
      });
    }
  });
});
