/**
 * Near-miss mutants: each operator makes its one edit (exact code), the mutant differs from
 * the source when both run in python3 on the same inputs, and an operator with nothing to
 * edit gives nothing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { intRange, runInPython3 } from "../../../test/helpers/python3.js";
import { Random } from "../../random/index.js";
import { initPython } from "../syntax.js";
import { MUTATION_NAMES, MUTATIONS, type MutationName, makeMutants } from "./index.js";

beforeAll(initPython);

const SOURCE =
  "def f(n):\n    total = 0\n    for i in range(1, n):\n        if i % 3 == 0:\n" +
  "            total += i - 1\n        else:\n            total -= 2\n    return total\n";

/** The source with one line replaced. */
const edited = (from: string, to: string) => SOURCE.replace(from, to);

const EXPECTED: Record<MutationName, string> = {
  off_by_one_range: edited("range(1, n)", "range(0, n)"),
  comparison_boundary: edited("i % 3 == 0", "i % 3 != 0"),
  swap_operands: edited("i - 1", "1 - i"),
  change_constant: edited("total -= 2", "total -= 1"),
  drop_else: edited("        else:\n            total -= 2\n", ""),
};

describe("near-miss mutants", () => {
  it("each operator makes its one edit, and the mutant behaves differently", () => {
    const rows = [{ id: "source", code: SOURCE, entry: "f" }];
    for (const name of MUTATION_NAMES) {
      const m = MUTATIONS[name]({ code: SOURCE, entry: "f" }, new Random(0));
      expect(m?.code, name).toBe(EXPECTED[name]);
      rows.push({ id: name, code: EXPECTED[name], entry: "f" });
    }
    const results = runInPython3(rows, intRange(0, 30));
    const source = results.get("source")?.outputs;
    expect(source).toBeDefined();
    for (const name of MUTATION_NAMES) expect(results.get(name)?.outputs, name).not.toEqual(source);
  });

  it("an operator with nothing to edit gives nothing; makeMutants gives distinct ones", () => {
    const plain = { code: "def f(s):\n    return s.upper()\n", entry: "f" };
    for (const name of MUTATION_NAMES)
      expect(MUTATIONS[name](plain, new Random(0)), name).toBeNull();
    expect(makeMutants(plain, 2, new Random(0))).toEqual([]);
    const three = makeMutants({ code: SOURCE, entry: "f" }, 3, new Random(1));
    expect(three).toHaveLength(3);
    expect(new Set(three.map((m) => m.code)).size).toBe(3);
  });
});
