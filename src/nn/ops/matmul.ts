/** Matrix products through the active kernel backend. */
import { kernels } from "../kernels/index.js";
import { record, type Tensor } from "../tensor.js";

/**
 * a[..., m, k] · b[k, n] → [..., m, n] (leading dims of `a` are folded into m), or
 * a[B, m, k] · b[B, k, n] → [B, m, n] when both are 3-D.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 3 && b.ndim === 3) return batchedMatmul(a, b);
  if (b.ndim !== 2 || a.ndim < 1)
    throw new RangeError(`matmul: bad shapes [${a.shape}]·[${b.shape}]`);
  const k = a.shape[a.ndim - 1];
  const [kb, n] = b.shape;
  if (k !== kb) throw new RangeError(`matmul: inner dims differ, [${a.shape}]·[${b.shape}]`);
  const m = a.size / k;
  const out = new Float32Array(m * n);
  const { gemm } = kernels();
  gemm(false, false, m, n, k, a.data, b.data, out, false);
  return record(out, [...a.shape.slice(0, -1), n], [a, b], (g) => {
    // dA = dC·Bᵀ, dB = Aᵀ·dC
    if (a.requiresGrad) gemm(false, true, m, k, n, g, b.data, a.gradBuffer(), true);
    if (b.requiresGrad) gemm(true, false, k, n, m, a.data, g, b.gradBuffer(), true);
  });
}

function batchedMatmul(a: Tensor, b: Tensor): Tensor {
  const [batch, m, k] = a.shape;
  const [bb, kb, n] = b.shape;
  if (batch !== bb || k !== kb) throw new RangeError(`bmm: bad shapes [${a.shape}]·[${b.shape}]`);
  const out = new Float32Array(batch * m * n);
  const { gemm } = kernels();
  const slice = (x: Float32Array, i: number, len: number) => x.subarray(i * len, (i + 1) * len);
  for (let i = 0; i < batch; i++) {
    gemm(
      false,
      false,
      m,
      n,
      k,
      slice(a.data, i, m * k),
      slice(b.data, i, k * n),
      slice(out, i, m * n),
      false,
    );
  }
  return record(out, [batch, m, n], [a, b], (g) => {
    for (let i = 0; i < batch; i++) {
      const gi = slice(g, i, m * n);
      if (a.requiresGrad)
        gemm(
          false,
          true,
          m,
          k,
          n,
          gi,
          slice(b.data, i, k * n),
          slice(a.gradBuffer(), i, m * k),
          true,
        );
      if (b.requiresGrad)
        gemm(
          true,
          false,
          k,
          n,
          m,
          slice(a.data, i, m * k),
          gi,
          slice(b.gradBuffer(), i, k * n),
          true,
        );
    }
  });
}
