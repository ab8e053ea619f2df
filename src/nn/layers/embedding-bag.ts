/**
 * `nn.EmbeddingBag(num, dim, mode="sum")`: each bag (a run of ids) becomes the weighted sum of
 * its rows, `out[b] = Σ_{i in bag b} w_i · weight[ids_i]`, without materialising the [ids, dim]
 * lookups. Bags are given as PyTorch gives them: a flat id list and the offset where each bag
 * starts (`include_last_offset=False`; an empty bag gives zeros). `perSampleWeights` (one
 * weight per id, PyTorch's `per_sample_weights`) defaults to 1 and may itself require gradient.
 */
import { Random } from "../../random/index.js";
import { embeddingInit } from "../init.js";
import { Module } from "../module.js";
import { record, Tensor } from "../tensor.js";

export interface EmbeddingBagOptions {
  /** Source of the initial weights (N(0, 1), as PyTorch). */
  rng?: Random;
}

export class EmbeddingBag extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly mode = "sum" as const;
  readonly weight: Tensor;

  constructor(
    numEmbeddings: number,
    embeddingDim: number,
    { rng = new Random(0) }: EmbeddingBagOptions = {},
  ) {
    super();
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.weight = this.param("weight", Tensor.zeros([numEmbeddings, embeddingDim]));
    embeddingInit(this.weight, null, rng);
  }

  /** ids (flat), offsets [bags] (bag b = ids[offsets[b], offsets[b+1])) → [bags, dim]. */
  forward(
    ids: ArrayLike<number>,
    offsets: ArrayLike<number>,
    perSampleWeights: Tensor | null = null,
  ): Tensor {
    const idx = this.checkedIds(ids);
    const starts = checkedOffsets(offsets, idx.length);
    if (perSampleWeights !== null && perSampleWeights.size !== idx.length) {
      throw new RangeError(
        `embeddingBag: ${perSampleWeights.size} per-sample weights for ${idx.length} ids`,
      );
    }
    const w = perSampleWeights?.data ?? null;
    const dim = this.embeddingDim;
    const bags = starts.length;
    const table = this.weight.data;
    const out = new Float32Array(bags * dim);
    for (let b = 0; b < bags; b++) {
      const end = b + 1 < bags ? starts[b + 1] : idx.length;
      const o = b * dim;
      for (let i = starts[b]; i < end; i++) {
        const src = idx[i] * dim;
        const s = w === null ? 1 : w[i];
        for (let k = 0; k < dim; k++) out[o + k] += s * table[src + k];
      }
    }
    const weight = this.weight;
    const parents = perSampleWeights === null ? [weight] : [weight, perSampleWeights];
    return record(out, [bags, dim], parents, (g) => {
      const gw = weight.requiresGrad ? weight.gradBuffer() : null;
      const gs = perSampleWeights?.requiresGrad ? perSampleWeights.gradBuffer() : null;
      for (let b = 0; b < bags; b++) {
        const end = b + 1 < bags ? starts[b + 1] : idx.length;
        const o = b * dim;
        for (let i = starts[b]; i < end; i++) {
          const row = idx[i] * dim;
          if (gw !== null) {
            const s = w === null ? 1 : w[i];
            for (let k = 0; k < dim; k++) gw[row + k] += s * g[o + k];
          }
          if (gs !== null) {
            let dot = 0;
            for (let k = 0; k < dim; k++) dot += table[row + k] * g[o + k];
            gs[i] += dot;
          }
        }
      }
    });
  }

  /** A private copy of the ids, checked: a caller reusing its buffer cannot change backward. */
  private checkedIds(ids: ArrayLike<number>): Int32Array {
    const idx = Int32Array.from(ids);
    for (let i = 0; i < idx.length; i++) {
      if (idx[i] !== ids[i] || idx[i] < 0 || idx[i] >= this.numEmbeddings) {
        throw new RangeError(`embeddingBag: id ${ids[i]} out of 0..${this.numEmbeddings - 1}`);
      }
    }
    return idx;
  }
}

/** Offsets must start at 0 and never decrease or pass the end of the ids (PyTorch's rule). */
function checkedOffsets(offsets: ArrayLike<number>, n: number): Int32Array {
  const starts = Int32Array.from(offsets);
  for (let b = 0; b < starts.length; b++) {
    const previous = b === 0 ? 0 : starts[b - 1];
    if (
      starts[b] !== offsets[b] ||
      starts[b] < previous ||
      starts[b] > n ||
      (b === 0 && starts[b] !== 0)
    ) {
      throw new RangeError(
        `embeddingBag: offsets must start at 0 and rise within 0..${n}, got [${Array.from(offsets)}]`,
      );
    }
  }
  return starts;
}
