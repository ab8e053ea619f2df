import { describe, expect, it } from "vitest";
import { Random } from "../random/index.js";
import { withoutInit } from "./init.js";
import { EmbeddingBag } from "./layers/embedding-bag.js";
import { Linear } from "./layers/linear.js";
import { Module } from "./module.js";
import { Tensor } from "./tensor.js";

class Leaf extends Module {
  readonly weight = this.param("weight", Tensor.zeros([2, 3]));
  readonly bias = this.param("bias", Tensor.zeros([2]));
}
class Tree extends Module {
  readonly scale = this.param("scale", Tensor.full([1], 1));
  readonly first = this.child("first", new Leaf());
  readonly second = this.child("second", new Leaf());
}

describe("Module", () => {
  it("names parameters with dotted PyTorch keys in registration order", () => {
    const keys = new Tree().namedParameters().map(([k]) => k);
    expect(keys).toEqual(["scale", "first.weight", "first.bias", "second.weight", "second.bias"]);
  });

  it("loads a state dict and rejects mismatches clearly", () => {
    const a = new Tree();
    const b = new Tree();
    a.first.weight.data.fill(3);
    b.loadStateDict(a.stateDict());
    expect(Array.from(b.first.weight.data)).toEqual([3, 3, 3, 3, 3, 3]);
    const partial = new Map(a.stateDict());
    partial.delete("scale");
    expect(() => b.loadStateDict(partial)).toThrow(/missing \[scale\]/);
    const wrong = new Map(a.stateDict());
    wrong.set("scale", Tensor.zeros([2]));
    expect(() => b.loadStateDict(wrong)).toThrow(/"scale" has shape \[2\]/);
  });

  it("switches training mode through the tree", () => {
    const t = new Tree().eval();
    expect(t.second.training).toBe(false);
    expect(t.train().first.training).toBe(true);
  });
});

describe("Module random state", () => {
  it("saves and restores every dropout stream in the tree", async () => {
    const { LSTM } = await import("./layers/lstm.js");
    const { Random } = await import("../random/index.js");
    const { Tensor } = await import("./tensor.js");
    const lstm = new LSTM(3, 4, { numLayers: 2, dropout: 0.5, rng: new Random(1) });
    const x = Tensor.from(
      Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i)),
      [2, 5, 3],
    );
    lstm.forward(x);
    const saved = lstm.randomState();
    expect(Object.keys(saved)).toEqual(["dropout"]);
    const first = Array.from(lstm.forward(x).output.data);
    lstm.forward(x);
    lstm.loadRandomState(saved);
    expect(Array.from(lstm.forward(x).output.data)).toEqual(first);
  });
});

describe("withoutInit", () => {
  it("builds layers without drawing, for a strict load to fill, and restores drawing after", () => {
    const skipped = withoutInit(() => new Linear(4, 3, { rng: new Random(5) }));
    expect([...skipped.weight.data].every((v) => v === 0)).toBe(true);
    const drawn = new Linear(4, 3, { rng: new Random(5) });
    expect(drawn.weight.data.some((v) => v !== 0)).toBe(true);
    // Nested and after a throw, the outer state comes back.
    expect(() =>
      withoutInit(() => {
        withoutInit(() => undefined);
        expect(new EmbeddingBag(3, 2).weight.data.every((v) => v === 0)).toBe(true);
        throw new Error("build failed");
      }),
    ).toThrow("build failed");
    expect(new EmbeddingBag(3, 2).weight.data.some((v) => v !== 0)).toBe(true);
    skipped.loadStateDict(new Map(drawn.namedParameters()));
    expect(skipped.weight.data).toEqual(drawn.weight.data);
  });
});
