import { describe, expect, it } from "vitest";
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
