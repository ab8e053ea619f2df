/**
 * `torch.optim.Adam` as PyTorch 1.13 computes it (single-tensor path), with its defaults:
 *
 *   g ← g + weight_decay·p            (L2 added to the gradient: Adam, not AdamW)
 *   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
 *   p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + eps)
 *
 * Each parameter keeps its own step count t, advanced only when it has a gradient, as PyTorch's
 * per-parameter `state['step']`.
 */
import type { Tensor } from "../tensor.js";

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

interface ParamState {
  step: number;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
}

export class Adam {
  readonly params: readonly Tensor[];
  lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  private readonly state = new Map<Tensor, ParamState>();

  constructor(
    params: Iterable<Tensor>,
    { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 }: AdamOptions = {},
  ) {
    this.params = [...params];
    this.lr = lr;
    this.betas = betas;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  step(): void {
    const [beta1, beta2] = this.betas;
    const { lr, eps, weightDecay } = this;
    for (const p of this.params) {
      const grad = p.grad;
      if (!grad) continue;
      let s = this.state.get(p);
      if (!s) {
        s = { step: 0, expAvg: new Float32Array(p.size), expAvgSq: new Float32Array(p.size) };
        this.state.set(p, s);
      }
      s.step++;
      const stepSize = lr / (1 - beta1 ** s.step);
      const correction2Sqrt = Math.sqrt(1 - beta2 ** s.step);
      const { expAvg: m, expAvgSq: v } = s;
      const w = p.data;
      for (let i = 0; i < w.length; i++) {
        const g = weightDecay !== 0 ? grad[i] + weightDecay * w[i] : grad[i];
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        w[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / correction2Sqrt + eps);
      }
    }
  }

  zeroGrad(): void {
    zeroGrad(this.params);
  }

  /**
   * The moments of parameter i as `state.{i}.exp_avg` / `.exp_avg_sq` and its step count as
   * `state.{i}.step` (PyTorch's optimizer state_dict layout), for checkpoints.
   */
  stateTensors(): [string, { data: Float32Array; shape: number[] }][] {
    const out: [string, { data: Float32Array; shape: number[] }][] = [];
    this.params.forEach((p, i) => {
      const s = this.state.get(p);
      if (!s) return;
      out.push([`state.${i}.step`, { data: Float32Array.of(s.step), shape: [1] }]);
      out.push([`state.${i}.exp_avg`, { data: s.expAvg, shape: [...p.shape] }]);
      out.push([`state.${i}.exp_avg_sq`, { data: s.expAvgSq, shape: [...p.shape] }]);
    });
    return out;
  }

  loadStateTensors(tensors: ReadonlyMap<string, { data: Float32Array }>): void {
    this.state.clear();
    this.params.forEach((p, i) => {
      const step = tensors.get(`state.${i}.step`);
      const m = tensors.get(`state.${i}.exp_avg`);
      const v = tensors.get(`state.${i}.exp_avg_sq`);
      if (!step || !m || !v) return;
      if (m.data.length !== p.size || v.data.length !== p.size) {
        throw new Error(
          `optimizer state ${i}: size does not match parameter of shape [${p.shape}]`,
        );
      }
      this.state.set(p, { step: step.data[0], expAvg: m.data.slice(), expAvgSq: v.data.slice() });
    });
  }
}

/** Drops the gradients of `params` (PyTorch's `zero_grad(set_to_none=True)`). */
export function zeroGrad(params: Iterable<Tensor>): void {
  for (const p of params) p.grad = null;
}

/**
 * `torch.nn.utils.clip_grad_norm_` (2-norm): scales all gradients together by
 * min(1, maxNorm / (total + 1e-6)) and returns the total norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  const grads: Float32Array[] = [];
  for (const p of params) if (p.grad) grads.push(p.grad);
  let sumSq = 0;
  for (const g of grads) {
    // PyTorch takes the norm of each gradient, then the norm of those norms.
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    sumSq += s;
  }
  const total = Math.sqrt(sumSq);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;
  return total;
}
