import { describe, expect, it } from "vitest";
import { fixtureTensor, loadFixture } from "../../../test/helpers/fixtures.js";
import { expectClose, gradCheck } from "../../../test/helpers/numeric.js";
import { Random } from "../../random/index.js";
import { Tensor } from "../tensor.js";
import { EmbeddingBag } from "./embedding-bag.js";

describe("EmbeddingBag (sum)", () => {
  it("sums each bag's weighted rows; an empty bag is zero", () => {
    const bag = new EmbeddingBag(4, 2, { rng: new Random(1) });
    bag.weight.data.set([0, 0, 1, 2, 10, 20, 100, 200]);
    const out = bag.forward([1, 2, 1, 3], [0, 2, 2], Tensor.from([1, 0.5, 2, -1]));
    expect(out.shape).toEqual([3, 2]);
    expect(Array.from(out.data)).toEqual([6, 12, 0, 0, -98, -196]);
    expect(Array.from(bag.forward([3, 3], [0]).data)).toEqual([200, 400]);
  });

  it("refuses ids, offsets and weights that do not fit, naming them", () => {
    const bag = new EmbeddingBag(4, 2);
    expect(() => bag.forward([4], [0])).toThrow(/id 4 out of 0..3/);
    expect(() => bag.forward([1, 2], [1])).toThrow(/offsets must start at 0/);
    expect(() => bag.forward([1, 2], [0, 2, 1])).toThrow(/offsets/);
    expect(() => bag.forward([1, 2], [0], Tensor.from([1]))).toThrow(
      /1 per-sample weights for 2 ids/,
    );
  });

  it("has the gradients of finite differences, for the table and the per-sample weights", () => {
    const bag = new EmbeddingBag(5, 3, { rng: new Random(2) });
    const w = Tensor.from([0.3, -1.2, 0.7, 2.0, 0.5], [5], true);
    gradCheck(
      // gradCheck perturbs the table and the weights in place.
      (_table, weights) => bag.forward([4, 0, 4, 2, 1], [0, 2, 2, 4], weights),
      [bag.weight, w],
    );
  });

  it("matches PyTorch's nn.EmbeddingBag(mode='sum', per_sample_weights=…)", () => {
    const f = loadFixture("embedding_bag");
    const weight = fixtureTensor(f, "weight");
    const bag = new EmbeddingBag(weight.shape[0], weight.shape[1]);
    bag.weight.data.set(weight.data);
    const psw = fixtureTensor(f, "per_sample_weights");
    const w = Tensor.from(psw.data, psw.shape, true);
    const out = bag.forward(f.ids as number[], f.offsets as number[], w);
    expectClose(out.data, fixtureTensor(f, "out").data, { atol: 1e-5, rtol: 1e-5 }, "out");
    out.backward(Float32Array.from(fixtureTensor(f, "upstream").data));
    const tol = { atol: 1e-5, rtol: 1e-4 };
    expectClose(bag.weight.grad!, fixtureTensor(f, "grad_weight").data, tol, "grad weight");
    expectClose(w.grad!, fixtureTensor(f, "grad_per_sample_weights").data, tol, "grad weights");
  });
});
