/**
 * Tensors and reverse-mode autograd.
 *
 * A tensor is a contiguous, row-major Float32Array with a shape (no strides: every op writes a
 * fresh contiguous result, which keeps kernels simple and fast). An op computes its output and
 * records, next to it, a closure that pushes the output's gradient into its inputs' gradients
 * (micrograd's pattern), so forward and backward of each op sit side by side.
 */

let gradEnabled = true;

/** Runs `fn` without recording the graph (inference, evaluation, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  /** Gradient of the last `backward()` root with respect to this tensor (same layout as data). */
  grad: Float32Array | null = null;
  requiresGrad: boolean;
  /** Inputs this tensor was computed from (empty for leaves). */
  readonly parents: readonly Tensor[];
  /** Pushes `this.grad` into the parents' gradients. */
  private readonly backwardFn: ((grad: Float32Array) => void) | null;

  constructor(
    data: Float32Array,
    shape: readonly number[],
    options: {
      requiresGrad?: boolean;
      parents?: readonly Tensor[];
      backward?: (grad: Float32Array) => void;
    } = {},
  ) {
    if (data.length !== sizeOf(shape)) {
      throw new RangeError(`data of length ${data.length} does not fit shape [${shape}]`);
    }
    this.data = data;
    this.shape = shape;
    this.requiresGrad = options.requiresGrad ?? false;
    this.parents = options.parents ?? [];
    this.backwardFn = options.backward ?? null;
  }

  static zeros(shape: readonly number[], requiresGrad = false): Tensor {
    return new Tensor(new Float32Array(sizeOf(shape)), shape, { requiresGrad });
  }

  static full(shape: readonly number[], value: number, requiresGrad = false): Tensor {
    return new Tensor(new Float32Array(sizeOf(shape)).fill(value), shape, { requiresGrad });
  }

  static from(values: ArrayLike<number>, shape?: readonly number[], requiresGrad = false): Tensor {
    return new Tensor(Float32Array.from(values), shape ?? [values.length], { requiresGrad });
  }

  /** A scalar (shape []) holding `value`. */
  static scalar(value: number): Tensor {
    return new Tensor(Float32Array.of(value), []);
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  item(): number {
    if (this.size !== 1) throw new RangeError(`item() needs one element, shape is [${this.shape}]`);
    return this.data[0];
  }

  /** The same values, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** Adds `grad` into this tensor's gradient buffer (allocating it on first use). */
  accumulateGrad(grad: ArrayLike<number>): void {
    if (!this.requiresGrad) return;
    const g = this.gradBuffer();
    for (let i = 0; i < g.length; i++) g[i] += grad[i];
  }

  /** The gradient buffer, allocated on first use; for kernels that accumulate in place. */
  gradBuffer(): Float32Array {
    this.grad ??= new Float32Array(this.size);
    return this.grad;
  }

  /**
   * Back-propagates from this tensor. A scalar root gets gradient 1; otherwise pass `grad`.
   * Gradients accumulate into leaves until `zeroGrad`/the optimiser clears them.
   */
  backward(grad?: Float32Array): void {
    if (grad === undefined && this.size !== 1) {
      throw new RangeError(
        `backward() without a gradient needs a scalar, shape is [${this.shape}]`,
      );
    }
    const order = topologicalOrder(this);
    this.gradBuffer().set(grad ?? Float32Array.of(1));
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      if (t.backwardFn && t.grad) t.backwardFn(t.grad);
    }
    // Intermediate gradients are not needed after the pass; free them.
    for (const t of order) if (t.backwardFn) t.grad = null;
  }
}

function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    if (i < t.parents.length) {
      top[1]++;
      const p = t.parents[i];
      if (p.requiresGrad && !seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Creates an op's output. The backward closure is recorded only when gradients are enabled and
 * some input requires them; it receives the output's gradient.
 */
export function record(
  data: Float32Array,
  shape: readonly number[],
  parents: readonly Tensor[],
  backward: (grad: Float32Array) => void,
): Tensor {
  const needsGrad = gradEnabled && parents.some((p) => p.requiresGrad);
  if (!needsGrad) return new Tensor(data, shape);
  return new Tensor(data, shape, { requiresGrad: true, parents, backward });
}
