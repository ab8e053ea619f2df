import { record, type Tensor } from "../../nn/index.js";
import { matrixSize } from "../matrix.js";

export interface RelationalDistillationLossOptions {
  /** Where the Huber loss turns from quadratic to linear (PyTorch's smooth_l1 `beta`); default 1. */
  beta?: number;
}

/**
 * Relational knowledge distillation, distance-wise (Park et al., "Relational Knowledge
 * Distillation", CVPR 2019): the student's batch should have the teacher's distance structure.
 * With d_ij = ‖s_i − s_j‖ over the P = N(N−1)/2 pairs i < j and μ their mean (t and the
 * teacher's likewise), ψ_ij = d_ij / μ and the loss is the mean over pairs of
 * smooth_l1(ψ_ij − ψ^t_ij). Normalising by the mean makes it blind to scale, and distances are
 * blind to rotation, so the teacher may live in another space of another width: here a frozen
 * model that read execution traces teaching a code-only one.
 *
 * The teacher is a constant (no gradient flows to it). A pair at distance 0 in the student (the
 * same snippet twice in a batch) passes no gradient through its own distance.
 */
export class RelationalDistillationLoss {
  readonly beta: number;

  constructor({ beta = 1 }: RelationalDistillationLossOptions = {}) {
    if (!(beta > 0)) throw new RangeError(`beta must be > 0, got ${beta}`);
    this.beta = beta;
  }

  /** student [N, D] (with gradients), teacher [N, E] (constant) → scalar. */
  forward(student: Tensor, teacher: Tensor): Tensor {
    const { rows: n, dim: d } = matrixSize(student, "student");
    const { rows: nt, dim: e } = matrixSize(teacher, "teacher");
    if (nt !== n)
      throw new RangeError(
        `student has ${n} rows and teacher ${nt}: they must embed the same items`,
      );
    const pairs = (n * (n - 1)) / 2;
    if (pairs === 0) return record(Float32Array.of(0), [], [student], () => {});
    const ds = pairDistances(student.data, n, d);
    const dt = pairDistances(teacher.data, n, e);
    const mu = mean(ds);
    const muT = mean(dt);
    if (!(mu > 0) || !(muT > 0)) return record(Float32Array.of(0), [], [student], () => {});
    const beta = this.beta;
    let total = 0;
    // ∂L/∂ψ_ij = clamp((ψ_ij − ψ^t_ij) / β, −1, 1) / P.
    const gPsi = new Float64Array(ds.length);
    for (let k = 0; k < ds.length; k++) {
      const x = ds[k] / mu - dt[k] / muT;
      const ax = Math.abs(x);
      total += ax < beta ? (0.5 * x * x) / beta : ax - 0.5 * beta;
      gPsi[k] = Math.max(-1, Math.min(1, x / beta)) / pairs;
    }
    return record(Float32Array.of(total / pairs), [], [student], (g) => {
      // ψ_ij = d_ij / μ with μ = Σ d / P: ∂L/∂d_kl = g_kl / μ − (Σ_ij g_ij d_ij) / (μ² P).
      let coupled = 0;
      for (let k = 0; k < ds.length; k++) coupled += gPsi[k] * ds[k];
      coupled /= mu * mu * pairs;
      const gs = student.gradBuffer();
      const x = student.data;
      let k = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++, k++) {
          if (ds[k] === 0) continue;
          const gd = (g[0] * (gPsi[k] / mu - coupled)) / ds[k];
          for (let c = 0; c < d; c++) {
            const diff = gd * (x[i * d + c] - x[j * d + c]);
            gs[i * d + c] += diff;
            gs[j * d + c] -= diff;
          }
        }
      }
    });
  }
}

/** Euclidean distances of the pairs i < j of the rows of x [n, d], row-major order, in float64. */
function pairDistances(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, k++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const diff = x[i * d + c] - x[j * d + c];
        s += diff * diff;
      }
      out[k] = Math.sqrt(s);
    }
  }
  return out;
}

const mean = (v: Float64Array) => v.reduce((a, b) => a + b, 0) / v.length;
