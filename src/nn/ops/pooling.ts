/**
 * Sequence pooling over x[B, T, D] → [B, D]. Padded batches put each sequence's valid steps
 * first, so a sequence is described by its length; positions t ≥ lengths[b] are padding.
 */
import { record, type Tensor } from "../tensor.js";

function sequenceShape(x: Tensor, lengths: ArrayLike<number> | null, what: string) {
  if (x.ndim !== 3) throw new RangeError(`${what} needs x[B, T, D], shape is [${x.shape}]`);
  const [batch, steps, dim] = x.shape;
  if (lengths) {
    if (lengths.length !== batch) {
      throw new RangeError(`${what}: ${lengths.length} lengths for a batch of ${batch}`);
    }
    for (let b = 0; b < batch; b++) {
      const len = lengths[b];
      if (!Number.isInteger(len) || len < 0 || len > steps) {
        throw new RangeError(`${what}: length ${len} out of 0..${steps}`);
      }
    }
  }
  return { batch, steps, dim };
}

/**
 * Mean over each sequence's first `lengths[b]` steps. A sequence of length 0 pools to zeros
 * (rather than 0/0), so an empty input cannot poison a batch with NaN.
 */
export function maskedMeanPool(x: Tensor, lengths: ArrayLike<number>): Tensor {
  const { batch, steps, dim } = sequenceShape(x, lengths, "maskedMeanPool");
  const out = new Float32Array(batch * dim);
  const xd = x.data;
  for (let b = 0; b < batch; b++) {
    const len = lengths[b];
    if (len === 0) continue;
    const o = b * dim;
    for (let t = 0; t < len; t++) {
      const src = (b * steps + t) * dim;
      for (let j = 0; j < dim; j++) out[o + j] += xd[src + j];
    }
    const inv = 1 / len;
    for (let j = 0; j < dim; j++) out[o + j] *= inv;
  }
  return record(out, [batch, dim], [x], (g) => {
    const gx = x.gradBuffer();
    for (let b = 0; b < batch; b++) {
      const len = lengths[b];
      const inv = 1 / len;
      for (let t = 0; t < len; t++) {
        const dst = (b * steps + t) * dim;
        for (let j = 0; j < dim; j++) gx[dst + j] += g[b * dim + j] * inv;
      }
    }
  });
}

function pickSteps(x: Tensor, step: (b: number) => number, batch: number, steps: number): Tensor {
  const dim = x.shape[2];
  const out = new Float32Array(batch * dim);
  for (let b = 0; b < batch; b++) {
    const src = (b * steps + step(b)) * dim;
    out.set(x.data.subarray(src, src + dim), b * dim);
  }
  return record(out, [batch, dim], [x], (g) => {
    const gx = x.gradBuffer();
    for (let b = 0; b < batch; b++) {
      const dst = (b * steps + step(b)) * dim;
      for (let j = 0; j < dim; j++) gx[dst + j] += g[b * dim + j];
    }
  });
}

/** x[b, lengths[b] − 1, :]: the state after each sequence's last valid step (length ≥ 1). */
export function lastValidPool(x: Tensor, lengths: ArrayLike<number>): Tensor {
  const { batch, steps } = sequenceShape(x, lengths, "lastValidPool");
  for (let b = 0; b < batch; b++) {
    if (lengths[b] < 1) throw new RangeError("lastValidPool: a sequence of length 0 has no state");
  }
  return pickSteps(x, (b) => lengths[b] - 1, batch, steps);
}

/** x[:, T − 1, :]: the last position, for unpadded batches. */
export function lastPool(x: Tensor): Tensor {
  const { batch, steps } = sequenceShape(x, null, "lastPool");
  if (steps < 1) throw new RangeError("lastPool: sequences have no steps");
  return pickSteps(x, () => steps - 1, batch, steps);
}

/** Key-padding mask [B·T] from lengths: 1 where t ≥ lengths[b] (padding, ignored by attention). */
export function paddingMask(lengths: ArrayLike<number>, steps: number): Uint8Array {
  const mask = new Uint8Array(lengths.length * steps);
  for (let b = 0; b < lengths.length; b++) mask.fill(1, b * steps + lengths[b], (b + 1) * steps);
  return mask;
}
