/**
 * `nn.Embedding`: a lookup table weight[num, dim]. With `paddingIdx`, that row starts at zero
 * and never receives gradient, so it stays zero under training, as in PyTorch.
 */
import { Random } from "../../random/index.js";
import { embeddingInit } from "../init.js";
import { Module } from "../module.js";
import type { Tokens } from "../ops/lstm.js";
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
    const idx = this.checked(ids, shape);
    const dim = this.embeddingDim;
    const table = this.weight.data;
    const out = new Float32Array(idx.length * dim);
    // A plain loop: a subarray view per token cost more than its copy.
    for (let i = 0; i < idx.length; i++) {
      const src = idx[i] * dim;
      const dst = i * dim;
      for (let k = 0; k < dim; k++) out[dst + k] = table[src + k];
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

  /**
   * ids [batch, steps] as an LSTM input that is looked up inside the LSTM (see ops/lstm.ts
   * Tokens): the same values and gradients as `forward`, with the first layer's input
   * projection done once per table row.
   */
  tokens(ids: ArrayLike<number>, shape: readonly [number, number]): Tokens {
    return {
      table: this.weight,
      ids: this.checked(ids, shape),
      shape,
      paddingIdx: this.paddingIdx,
    };
  }

  /** A private copy of the ids, checked: a caller reusing its buffer cannot change backward. */
  private checked(ids: ArrayLike<number>, shape: readonly number[]): Int32Array {
    if (sizeOf(shape) !== ids.length) {
      throw new RangeError(`embedding: ${ids.length} ids do not fit shape [${shape}]`);
    }
    const idx = Int32Array.from(ids);
    for (let i = 0; i < idx.length; i++) {
      const id = idx[i];
      if (id !== ids[i] || id < 0 || id >= this.numEmbeddings) {
        throw new RangeError(`embedding: id ${ids[i]} out of 0..${this.numEmbeddings - 1}`);
      }
    }
    return idx;
  }
}
