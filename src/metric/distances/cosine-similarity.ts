import { ops, type Tensor } from "../../nn/index.js";
import { type Matrix, matrixSize } from "../matrix.js";
import { type Distance, normalizedRows } from "./distance.js";

/**
 * Cosine similarity x̂·ŷ with x̂ = x / max(‖x‖, 1e-12) (F.normalize); larger = closer, so
 * `isInverted` is true. Built from nn's l2Normalize and matmul, whose gradients are tested.
 */
export class CosineSimilarity implements Distance {
  readonly name = "cosine";
  readonly isInverted = true;

  pairwise(x: Tensor, y?: Tensor): Tensor {
    const xn = ops.l2Normalize(x);
    const yn = y === undefined ? xn : ops.l2Normalize(y);
    return ops.matmul(xn, ops.transpose(yn));
  }

  paired(x: Tensor, y: Tensor): Tensor {
    if (x.ndim !== 2 || x.shape[0] !== y.shape[0] || x.shape[1] !== y.shape[1]) {
      throw new RangeError(`paired: shapes differ, [${x.shape}] and [${y.shape}]`);
    }
    return ops.sum(ops.mul(ops.l2Normalize(x), ops.l2Normalize(y)), 1);
  }

  matrix(x: Matrix, y: Matrix = x): Float64Array {
    const { rows: n, dim } = matrixSize(x);
    const { rows: m, dim: dy } = matrixSize(y, "second embeddings");
    if (dim !== dy) throw new RangeError(`embedding widths differ: ${dim} and ${dy}`);
    const xs = normalizedRows(x, n, dim);
    const ys = y === x ? xs : normalizedRows(y, m, dim);
    const out = new Float64Array(n * m);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += xs[i * dim + k] * ys[j * dim + k];
        out[i * m + j] = s;
      }
    return out;
  }
}
