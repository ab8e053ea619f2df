/** PyTorch parity of the recurrent stack's layers (fixtures: tools/parity/parts/lstm.py). */
import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { type Fixture, fixtureTensor, loadFixture } from "../../../test/helpers/fixtures.js";
import { expectClose } from "../../../test/helpers/numeric.js";
import { fixtureState } from "../../../test/helpers/parity-state.js";
import { concat, reshape } from "../ops/shape.js";
import { Tensor } from "../tensor.js";
import { Embedding } from "./embedding.js";
import { Linear } from "./linear.js";
import { LSTM } from "./lstm.js";

const forwardTol = { atol: 1e-5, rtol: 1e-5 };
const gradTol = { atol: 1e-5, rtol: 1e-4 };
const input = (f: Fixture, key: string) => {
  const t = fixtureTensor(f, key);
  return Tensor.from(t.data, t.shape, true);
};
const data = (f: Fixture, key: string) => fixtureTensor(f, key).data;

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);

  describe("PyTorch parity", () => {
    for (const name of ["lstm_full", "lstm_packed"]) {
      it(`nn.LSTM, 2 layers, batch_first (${name})`, () => {
        const f = loadFixture(name);
        const lstm = new LSTM(5, 6, { numLayers: 2 });
        lstm.loadStateDict(fixtureState(f.params));
        const x = input(f, "x");
        const { output, hN, cN } = lstm.forward(x, f.lengths as number[] | null);
        expectClose(output.data, data(f, "output"), forwardTol, "output");
        expectClose(hN.data, data(f, "h_n"), forwardTol, "h_n");
        expectClose(cN.data, data(f, "c_n"), forwardTol, "c_n");
        const all = concat([output, hN, cN].map((t) => reshape(t, [-1])));
        all.backward(
          Float32Array.from([
            ...data(f, "grad_output"),
            ...data(f, "grad_h_n"),
            ...data(f, "grad_c_n"),
          ]),
        );
        expectClose(x.grad!, data(f, "grad_x"), gradTol, "grad x");
        const grads = f.grads as Fixture;
        for (const [key, p] of lstm.namedParameters()) {
          expectClose(p.grad!, fixtureTensor(grads, key).data, gradTol, `grad ${key}`);
        }
      });
    }

    it("nn.Linear", () => {
      const f = loadFixture("linear");
      const lin = new Linear(5, 4);
      lin.loadStateDict(fixtureState(f.params));
      const x = input(f, "x");
      const y = lin.forward(x);
      expectClose(y.data, data(f, "y"), forwardTol, "y");
      y.backward(Float32Array.from(data(f, "grad_y")));
      expectClose(x.grad!, data(f, "grad_x"), gradTol, "grad x");
      expectClose(lin.weight.grad!, fixtureTensor(f.grads as Fixture, "weight").data, gradTol);
      expectClose(lin.bias!.grad!, fixtureTensor(f.grads as Fixture, "bias").data, gradTol);
    });

    it("nn.Embedding with padding_idx", () => {
      const f = loadFixture("embedding");
      const emb = new Embedding(10, 4, { paddingIdx: 0 });
      emb.loadStateDict(fixtureState(f.params));
      const y = emb.forward(f.ids as number[], f.shape as number[]);
      expect(y.shape).toEqual(fixtureTensor(f, "y").shape);
      expectClose(y.data, data(f, "y"), forwardTol, "y");
      y.backward(Float32Array.from(data(f, "grad_y")));
      expectClose(emb.weight.grad!, fixtureTensor(f.grads as Fixture, "weight").data, gradTol);
    });
  });
});
