/** PyTorch parity of the losses (fixtures: tools/parity/parts/metric.py). */
import { describe, expect, it } from "vitest";
import { BACKENDS, useBackend } from "../../../test/helpers/backends.js";
import { type Fixture, fixtureTensor, loadFixture } from "../../../test/helpers/fixtures.js";
import { expectClose } from "../../../test/helpers/numeric.js";
import { Tensor } from "../../nn/index.js";
import { LpDistance } from "../distances/lp-distance.js";
import { InfoNCELoss, type InfoNceForm } from "./info-nce-loss.js";
import { TripletMarginLoss } from "./triplet-margin-loss.js";

const forwardTol = { atol: 1e-5, rtol: 1e-5 };
const gradTol = { atol: 1e-6, rtol: 1e-4 };
const input = (f: Fixture, key: string) => {
  const t = fixtureTensor(f, key);
  return Tensor.from(t.data, t.shape, true);
};
const data = (f: Fixture, key: string) => fixtureTensor(f, key).data;

describe.each(BACKENDS)("%s kernels", (backend) => {
  useBackend(backend);

  describe("PyTorch parity", () => {
    for (const name of ["triplet_margin", "triplet_margin_swap"]) {
      it(`nn.TripletMarginLoss (${name})`, () => {
        const f = loadFixture(name);
        const [a, p, n] = ["anchor", "positive", "negative"].map((k) => input(f, k));
        const loss = new TripletMarginLoss({ margin: f.margin as number, swap: f.swap as boolean });
        const out = loss.forward(a, p, n);
        expectClose([out.item()], data(f, "loss"), forwardTol, "loss");
        out.backward();
        expectClose(a.grad!, data(f, "grad_anchor"), gradTol, "grad anchor");
        expectClose(p.grad!, data(f, "grad_positive"), gradTol, "grad positive");
        expectClose(n.grad!, data(f, "grad_negative"), gradTol, "grad negative");
      });
    }

    it("the identical anchor/positive row gets the eps gradient 1/√D", () => {
      const f = loadFixture("triplet_margin");
      const grad = data(f, "grad_positive").slice(10, 15);
      // Row 2 (D = 5) of a mean over 6 rows: −(1/√5)/6 per coordinate.
      for (const g of grad) expect(g).toBeCloseTo(-1 / Math.sqrt(5) / 6, 6);
    });

    for (const name of ["info_nce_cosine", "info_nce_cosine_paper", "info_nce_euclidean"]) {
      it(`InfoNCE against the torch reference (${name})`, () => {
        const f = loadFixture(name);
        const e = input(f, "embeddings");
        const loss = new InfoNCELoss({
          temperature: f.temperature as number,
          form: f.form as InfoNceForm,
          ...(f.similarity === "euclidean" ? { distance: new LpDistance() } : {}),
        });
        const out = loss.forward(e, f.labels as number[]);
        expectClose([out.item()], data(f, "loss"), forwardTol, "loss");
        out.backward();
        expectClose(e.grad!, data(f, "grad_embeddings"), gradTol, "grad embeddings");
      });
    }
  });
});
