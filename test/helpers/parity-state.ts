/** Turns a fixture's {key: {shape, data}} map into a state dict for `Module.loadStateDict`. */
import type { NamedTensor } from "../../src/nn/index.js";
import type { FixtureTensor } from "./fixtures.js";

export function fixtureState(entries: unknown): Map<string, NamedTensor> {
  return new Map(
    Object.entries(entries as Record<string, FixtureTensor>).map(([k, t]) => [
      k,
      { data: Float32Array.from(t.data), shape: t.shape },
    ]),
  );
}
