import { beforeAll, describe, expect, it } from "vitest";
import { intRange, runInPython3 } from "../../../test/helpers/python3.js";
import { Random } from "../../random/index.js";
import { behaviourOf, clearlyDifferent } from "../behaviour.js";
import { initPython, isValidPython } from "../syntax.js";
import { affine } from "./affine.js";
import { FAMILIES, FAMILY_NAMES, type SourceFunction } from "./index.js";

beforeAll(initPython);

function sample(n: number): SourceFunction[] {
  const rng = new Random(11);
  return FAMILY_NAMES.flatMap((name) =>
    Array.from({ length: n }, () => FAMILIES[name].sample(rng)),
  );
}

describe("families", () => {
  it("render the paper's affine form", () => {
    expect(affine(7).code).toBe("def f(x):\n    return x + 7\n");
    expect(affine(-3).code).toBe("def f(x):\n    return x - 3\n");
    expect(affine(4, true).code).toBe("def f(x):\n    return 4 - x\n");
  });

  it("make valid Python whose reference evaluator agrees with python3, mutants included", () => {
    const fns = sample(15);
    const all = [...fns, ...fns.flatMap((fn) => fn.mutants(new Random(1)))];
    const inputs = intRange(-100, 100);
    const results = runInPython3(
      all.map((fn, i) => ({ id: String(i), code: fn.code, entry: "f" })),
      inputs,
    );
    all.forEach((fn, i) => {
      expect(isValidPython(fn.code)).toBe(true);
      expect(results.get(String(i))?.outputs, fn.code).toEqual(
        inputs.map((x) => String(fn.evaluate(x))),
      );
    });
    const families = new Set(fns.map((f) => f.family));
    expect(families).toEqual(new Set(FAMILY_NAMES));
  });

  it("give mutants that are near the source in code but clearly different in behaviour", () => {
    for (const fn of sample(10)) {
      const mutants = fn.mutants(new Random(2));
      expect(mutants.length).toBeGreaterThanOrEqual(3);
      const b = behaviourOf(fn);
      const clear = mutants.filter((m) => clearlyDifferent(b, behaviourOf(m)));
      expect(clear.length, fn.code).toBeGreaterThanOrEqual(2);
      for (const m of mutants) expect(m.code).not.toBe(fn.code);
    }
  });

  it("judges distinctness on a fifth of the input range", () => {
    expect(clearlyDifferent(behaviourOf(affine(1)), behaviourOf(affine(2)))).toBe(true);
    expect(clearlyDifferent(behaviourOf(affine(1)), behaviourOf(affine(1)))).toBe(false);
    const nearly: SourceFunction = { ...affine(1), evaluate: (x) => (x === 0 ? 99 : x + 1) };
    expect(clearlyDifferent(behaviourOf(affine(1)), behaviourOf(nearly))).toBe(false);
  });
});
