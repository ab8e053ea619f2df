/**
 * Initialisers with the same distributions as PyTorch's defaults, drawing from a seeded
 * `Random` (PyTorch draws from its global generator, so values differ; distributions do not).
 */
import type { Random } from "../random/index.js";
import { Tensor } from "./tensor.js";

/** False inside `withoutInit`: the initialisers below then leave tensors as they are. */
let drawing = true;

/**
 * Builds modules with every initialiser skipped, for weights a strict load overwrites right
 * after: the draws would be thrown away, and for a large table they cost most of a model's load.
 */
export function withoutInit<T>(build: () => T): T {
  const was = drawing;
  drawing = false;
  try {
    return build();
  } finally {
    drawing = was;
  }
}

/** Fills `t` with U(lo, hi) in place and returns it. */
export function uniform_(t: Tensor, lo: number, hi: number, rng: Random): Tensor {
  if (drawing) for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform(lo, hi);
  return t;
}

/** Fills `t` with N(mean, std²) in place and returns it. */
export function normal_(t: Tensor, mean: number, std: number, rng: Random): Tensor {
  if (drawing) for (let i = 0; i < t.size; i++) t.data[i] = rng.normal(mean, std);
  return t;
}

/**
 * `nn.Linear`'s reset_parameters: kaiming_uniform_(a=√5) on weight[out, in], whose bound
 * gain·√(3/fan_in) with gain √(2/(1+5)) is exactly 1/√fan_in; the bias uses the same bound.
 */
export function linearInit(weight: Tensor, bias: Tensor | null, rng: Random): void {
  const fanIn = weight.shape[1];
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  uniform_(weight, -bound, bound, rng);
  if (bias) uniform_(bias, -bound, bound, rng);
}

/** `nn.Embedding`'s reset_parameters: N(0, 1), then the padding row zeroed. */
export function embeddingInit(weight: Tensor, paddingIdx: number | null, rng: Random): void {
  normal_(weight, 0, 1, rng);
  if (paddingIdx !== null) {
    const dim = weight.shape[1];
    weight.data.fill(0, paddingIdx * dim, (paddingIdx + 1) * dim);
  }
}

/** `nn.LSTM`'s reset_parameters: every weight and bias U(−1/√H, 1/√H). */
export function lstmInit(params: readonly Tensor[], hiddenSize: number, rng: Random): void {
  const bound = 1 / Math.sqrt(hiddenSize);
  for (const p of params) uniform_(p, -bound, bound, rng);
}

/** A new tensor of `shape` filled with U(−bound, bound). */
export function uniformTensor(shape: readonly number[], bound: number, rng: Random): Tensor {
  return uniform_(Tensor.zeros(shape), -bound, bound, rng);
}
