/**
 * Layers as modules, like `torch.nn.Module`: a module owns named parameters and named child
 * modules, so `namedParameters()` yields PyTorch `state_dict` keys (`lstm.weight_ih_l0`, …)
 * in registration order, and `train()`/`eval()` switch dropout for the whole tree.
 */
import type { Random } from "../random/index.js";
import type { Tensor } from "./tensor.js";

export abstract class Module {
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();
  private readonly ownRandoms = new Map<string, Random>();

  /** Registers a trainable parameter under `name` and returns it. */
  protected param(name: string, tensor: Tensor): Tensor {
    tensor.requiresGrad = true;
    this.ownParams.set(name, tensor);
    return tensor;
  }

  /** Registers a child module under `name` and returns it. */
  protected child<M extends Module>(name: string, module: M): M {
    this.children.set(name, module);
    return module;
  }

  /** Registers a random stream (dropout masks) under `name`, so checkpoints can save it. */
  protected random(name: string, rng: Random): Random {
    this.ownRandoms.set(name, rng);
    return rng;
  }

  /** Positions of every random stream in the tree, by dotted key: resuming restores them. */
  randomState(prefix = ""): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [name, r] of this.ownRandoms) out[prefix + name] = r.getState();
    for (const [name, m] of this.children) Object.assign(out, m.randomState(`${prefix}${name}.`));
    return out;
  }

  loadRandomState(state: Readonly<Record<string, readonly number[]>>, prefix = ""): void {
    for (const [name, r] of this.ownRandoms) {
      const s = state[prefix + name];
      if (s === undefined) throw new Error(`random state: "${prefix + name}" is missing`);
      r.setState(s);
    }
    for (const [name, m] of this.children) m.loadRandomState(state, `${prefix}${name}.`);
  }

  /** (key, parameter) pairs with dotted PyTorch-style keys: own parameters first, then children. */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, t] of this.ownParams) out.push([prefix + name, t]);
    for (const [name, m] of this.children) out.push(...m.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  stateDict(): Map<string, Tensor> {
    return new Map(this.namedParameters());
  }

  /** Copies values in from `state`; with `strict`, missing/unexpected keys or shapes are errors. */
  loadStateDict(
    state: ReadonlyMap<string, { data: Float32Array; shape: readonly number[] }>,
    strict = true,
  ): void {
    const own = this.stateDict();
    if (strict) {
      const missing = [...own.keys()].filter((k) => !state.has(k));
      const unexpected = [...state.keys()].filter((k) => !own.has(k));
      if (missing.length > 0 || unexpected.length > 0) {
        throw new Error(
          `state dict does not match: missing [${missing.join(", ")}], unexpected [${unexpected.join(", ")}]`,
        );
      }
    }
    for (const [key, t] of own) {
      const src = state.get(key);
      if (!src) continue;
      if (src.shape.length !== t.shape.length || src.shape.some((d, i) => d !== t.shape[i])) {
        throw new Error(
          `state dict: "${key}" has shape [${src.shape}], the model expects [${t.shape}]`,
        );
      }
      t.data.set(src.data);
    }
  }

  /** Switches training mode (dropout on) for this module and all children. */
  train(on = true): this {
    this.training = on;
    for (const m of this.children.values()) m.train(on);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const t of this.parameters()) t.grad = null;
  }
}
