/**
 * `loop`: an accumulator updated in a loop — a `for` over `range(x % m)` (the trip count
 * depends on the input) or a `while` with a constant trip count.
 */
import type { Random } from "../../random/index.js";
import { type Family, pyMod, type SourceFunction } from "./family.js";

/** `total = init; step = x * k; for i in range(x % m): total = total + step + i`. */
export function forLoop(init: number, k: number, m: number): SourceFunction {
  return {
    family: "loop",
    code:
      `def f(x):\n    total = ${init}\n    step = x * ${k}\n    for i in range(x % ${m}):\n` +
      `        total = total + step + i\n    return total\n`,
    evaluate(x) {
      let total = init;
      const step = x * k;
      for (let i = 0; i < pyMod(x, m); i++) total = total + step + i;
      return total;
    },
    mutants: (rng) =>
      rng.shuffle([
        forLoop(init + 1, k, m),
        forLoop(init - 1, k, m),
        ...[k + 1, k - 1].filter((j) => j !== 0).map((j) => forLoop(init, j, m)),
        forLoop(init, k, m + 1),
        ...(m > 2 ? [forLoop(init, k, m - 1)] : []),
      ]),
  };
}

/** `acc = init; i = 0; while i < n: acc += x + k; i += 1`. */
export function whileLoop(init: number, k: number, n: number): SourceFunction {
  return {
    family: "loop",
    code:
      `def f(x):\n    acc = ${init}\n    i = 0\n    while i < ${n}:\n        acc += x + ${k}\n` +
      `        i += 1\n    return acc\n`,
    evaluate: (x) => init + n * (x + k),
    mutants: (rng) =>
      rng.shuffle([
        whileLoop(init + 1, k, n),
        whileLoop(init - 1, k, n),
        whileLoop(init, k + 1, n),
        whileLoop(init, k - 1, n),
        whileLoop(init, k, n + 1),
        ...(n > 2 ? [whileLoop(init, k, n - 1)] : []),
      ]),
  };
}

export const loopFamily: Family = {
  name: "loop",
  summary: "accumulate in a for or while loop",
  capacity: Number.POSITIVE_INFINITY,
  limits: "constants and trip counts are bounded",
  sample(rng: Random): SourceFunction {
    const init = rng.int(-20, 20);
    if (rng.bool()) return forLoop(init, rng.pick([-3, -2, -1, 1, 2, 3]), rng.int(3, 7));
    return whileLoop(init, rng.int(0, 9), rng.int(2, 5));
  },
};
