/** Five torch.optim.Adam steps of a small char-LSTM encoder, replayed (tools/parity/parts/lstm.py). */
import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { fixtureTensor, loadFixture } from "../../../test/helpers/fixtures.js";
import { expectClose } from "../../../test/helpers/numeric.js";
import { fixtureState } from "../../../test/helpers/parity-state.js";
import { CharLstmEncoder } from "../../models/index.js";
import { mean, square, sub } from "../ops/index.js";
import { Tensor } from "../tensor.js";
import { Adam, type AdamOptions } from "./adam.js";

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);

  describe("Adam parity with PyTorch", () => {
    const cases = ["adam_char_lstm", "adam_char_lstm_wd"].flatMap((name) =>
      [false, true].map((tokens) => [name, tokens] as const),
    );
    for (const [name, tokens] of cases) {
      const input = tokens ? "token ids into the LSTM" : "embedded rows into the LSTM";
      it(`matches every parameter after each of 5 steps (${name}, ${input})`, () => {
        const f = loadFixture(name);
        const config = {
          vocabSize: 12,
          embeddingDim: 8,
          hiddenSize: 12,
          outputDim: 12,
          dropout: 0,
        };
        const model = new CharLstmEncoder(config);
        model.loadStateDict(fixtureState(f.initial));
        const o = f.options as { lr?: number; betas?: [number, number]; weight_decay?: number };
        const options: AdamOptions = { lr: o.lr, betas: o.betas, weightDecay: o.weight_decay };
        const adam = new Adam(model.parameters(), options);
        const t = fixtureTensor(f, "target");
        const target = Tensor.from(t.data, t.shape);
        const after = f.after as Record<string, unknown>[];
        const losses = f.losses as number[];
        const shape = f.shape as [number, number];
        for (let step = 0; step < 5; step++) {
          adam.zeroGrad();
          const loss = mean(
            square(
              sub(model.forward(f.ids as number[], shape, f.lengths as number[], !tokens), target),
            ),
          );
          expect(loss.item()).toBeCloseTo(losses[step], 5);
          loss.backward();
          adam.step();
          const expected = fixtureState(after[step]);
          for (const [key, p] of model.namedParameters()) {
            expectClose(
              p.data,
              expected.get(key)!.data,
              { atol: 1e-5, rtol: 1e-4 },
              `step ${step + 1} ${key}`,
            );
          }
        }
      });
    }
  });
});
