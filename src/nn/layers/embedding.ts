/**
 * `nn.Embedding`: a lookup table weight[num, dim]. With `paddingIdx`, that row starts at zero
 * and never receives gradient, so it stays zero under training, as in PyTorch.
 */
import { Random } from "../../random/index.js";
import { embeddingInit } from "../init.js";
import { Module } from "../module.js";
import { record, sizeOf, Tensor } from "../tensor.js";

export interface EmbeddingOptions {
  paddingIdx?: number | null;
  /** Source of the initial weights. */
  rng?: Random;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(
    numEmbeddings: number,
    embeddingDim: number,
    { paddingIdx = null, rng = new Random(0) }: EmbeddingOptions = {},
  ) {
    super();
    if (paddingIdx !== null && paddingIdx < 0) paddingIdx += numEmbeddings;
    if (paddingIdx !== null && (paddingIdx < 0 || paddingIdx >= numEmbeddings)) {
      throw new RangeError(`paddingIdx ${paddingIdx} out of 0..${numEmbeddings - 1}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx;
    this.weight = this.param("weight", Tensor.zeros([numEmbeddings, embeddingDim]));
    embeddingInit(this.weight, paddingIdx, rng);
  }

  /** ids of `shape` (default [ids.length]) → [...shape, dim]. */
  forward(ids: ArrayLike<number>, shape: readonly number[] = [ids.length]): Tensor {
    if (sizeOf(shape) !== ids.length) {
      throw new RangeError(`embedding: ${ids.length} ids do not fit shape [${shape}]`);
    }
    const dim = this.embeddingDim;
    const table = this.weight.data;
    // A private copy, so a caller reusing its id buffer cannot change the backward pass.
    const idx = Int32Array.from(ids);
    const out = new Float32Array(idx.length * dim);
    for (let i = 0; i < idx.length; i++) {
      const id = idx[i];
      if (id !== ids[i] || id < 0 || id >= this.numEmbeddings) {
        throw new RangeError(`embedding: id ${id} out of 0..${this.numEmbeddings - 1}`);
      }
      out.set(table.subarray(id * dim, (id + 1) * dim), i * dim);
    }
    const weight = this.weight;
    const pad = this.paddingIdx;
    return record(out, [...shape, dim], [weight], (g) => {
      const gw = weight.gradBuffer();
      for (let i = 0; i < idx.length; i++) {
        const id = idx[i];
        if (id === pad) continue;
        const o = id * dim;
        const src = i * dim;
        for (let k = 0; k < dim; k++) gw[o + k] += g[src + k];
      }
    });
  }
}
