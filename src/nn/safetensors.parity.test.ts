/** A char-LSTM saved by PyTorch as .safetensors reproduces PyTorch's embeddings here. */
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";
import { BACKENDS, useBackend } from "../../test/helpers/backends.js";
import { fixtureTensor, loadFixture } from "../../test/helpers/fixtures.js";
import { expectClose } from "../../test/helpers/numeric.js";
import { CharLstmEncoder } from "../models/index.js";
import { loadStateDict } from "./safetensors.js";
import { noGrad } from "./tensor.js";

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);

  describe("safetensors parity with PyTorch", () => {
    it("loads PyTorch's char-LSTM file and computes the same embeddings", () => {
      const f = loadFixture("char_lstm_embeddings");
      const c = f.config as {
        vocab: number;
        embeddingDim: number;
        hiddenSize: number;
        outputDim: number;
      };
      const model = new CharLstmEncoder({ ...c, vocabSize: c.vocab, dropout: 0 }).eval();
      const path = fileURLToPath(
        new URL("../../test/fixtures/parity/char_lstm.safetensors", import.meta.url),
      );
      model.loadStateDict(loadStateDict(path));
      const emb = noGrad(() =>
        model.forward(f.ids as number[], f.shape as [number, number], f.lengths as number[]),
      );
      expectClose(emb.data, fixtureTensor(f, "embeddings").data, { atol: 1e-5, rtol: 1e-5 });
    });
  });
});
