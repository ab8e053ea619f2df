/**
 * Position information added to token embeddings x[B, T, D]: fixed sinusoids ("Attention is
 * all you need", no parameters) or a learned table (`nn.Embedding` over positions, key
 * `weight`, initialised N(0, 1) like `nn.Embedding`).
 */
import { Random } from "../../random/index.js";
import { normal_ } from "../init.js";
import { Module } from "../module.js";
import { record, Tensor } from "../tensor.js";

/** PE[pos, 2i] = sin(pos / 10000^(2i/D)), PE[pos, 2i+1] = cos(pos / 10000^(2i/D)); [maxLen, D]. */
export function sinusoidalTable(maxLen: number, dim: number): Tensor {
  const table = Tensor.zeros([maxLen, dim]);
  for (let pos = 0; pos < maxLen; pos++)
    for (let i = 0; i < dim; i += 2) {
      const angle = pos * Math.exp((-i * Math.log(10000)) / dim);
      table.data[pos * dim + i] = Math.sin(angle);
      if (i + 1 < dim) table.data[pos * dim + i + 1] = Math.cos(angle);
    }
  return table;
}

/** x[B, T, D] + table[0..T), the gradient flowing to the table only when it is trainable. */
export function addPositions(x: Tensor, table: Tensor): Tensor {
  if (x.ndim !== 3 || table.ndim !== 2 || x.shape[2] !== table.shape[1]) {
    throw new RangeError(`addPositions: x [${x.shape}] does not fit table [${table.shape}]`);
  }
  const [batch, steps, dim] = x.shape;
  if (steps > table.shape[0]) {
    throw new RangeError(`addPositions: ${steps} steps exceed the table's ${table.shape[0]}`);
  }
  const span = steps * dim;
  const out = new Float32Array(x.size);
  for (let b = 0; b < batch; b++) {
    const o = b * span;
    for (let i = 0; i < span; i++) out[o + i] = x.data[o + i] + table.data[i];
  }
  return record(out, x.shape, [x, table], (g) => {
    if (x.requiresGrad) x.accumulateGrad(g);
    if (table.requiresGrad) {
      const gt = table.gradBuffer();
      for (let b = 0; b < batch; b++) {
        const o = b * span;
        for (let i = 0; i < span; i++) gt[i] += g[o + i];
      }
    }
  });
}

export class SinusoidalPositionalEncoding extends Module {
  readonly table: Tensor;

  constructor(dim: number, maxLen = 512) {
    super();
    this.table = sinusoidalTable(maxLen, dim);
  }

  forward(x: Tensor): Tensor {
    return addPositions(x, this.table);
  }
}

export class LearnedPositionalEncoding extends Module {
  readonly weight: Tensor;

  constructor(maxLen: number, dim: number, rng: Random = new Random(0)) {
    super();
    this.weight = this.param("weight", normal_(Tensor.zeros([maxLen, dim]), 0, 1, rng));
  }

  forward(x: Tensor): Tensor {
    return addPositions(x, this.weight);
  }
}
