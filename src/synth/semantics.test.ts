/**
 * The semantic check that must catch a broken transform: every variant of generated datasets
 * (all families, block transforms on and off) runs in native python3 and must return exactly
 * what its source returns on every integer in −100..100; groups must differ.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { intRange, type NativeResult, runInPython3 } from "../../test/helpers/python3.js";
import type { FunctionRow } from "../data/index.js";
import { FAMILY_NAMES } from "./families/index.js";
import { generateDataset } from "./generate.js";
import { isReserved } from "./names.js";
import { analyseFunction, boundIdentifiers } from "./scope.js";
import { descendants, findFunction, initPython, namedChildren, withTree } from "./syntax.js";

beforeAll(initPython);

/** Failures: variants whose outputs differ from their source's, and groups that coincide. */
function semanticFailures(
  rows: FunctionRow[],
  results: Map<string, NativeResult> = runInPython3(rows, intRange(-100, 100)),
): string[] {
  const failures: string[] = [];
  const sourceOutputs = new Map<string, string>();
  for (const r of rows) {
    const res = results.get(r.id);
    if (!res?.outputs) {
      failures.push(`${r.id} does not run: ${res?.error}\n${r.code}`);
      continue;
    }
    const out = JSON.stringify(res.outputs);
    if (r.transforms.length === 0) {
      for (const [group, other] of sourceOutputs)
        if (other === out) failures.push(`${r.group} behaves like ${group}`);
      sourceOutputs.set(r.group, out);
    } else if (out !== sourceOutputs.get(r.group)) {
      failures.push(`${r.id} [${r.transforms.join(", ")}] differs from its source:\n${r.code}`);
    }
  }
  return failures;
}

/**
 * Names a variant binds (functions, parameters, locals) that shadow a builtin or keyword, in the
 * entry and in every function inside it (helper extraction nests one, which the scope analysis
 * does not take: such a function is checked by its parameters and everything its body binds).
 */
function shadowing(row: FunctionRow): string[] {
  return withTree(row.code, (root) => {
    if (!findFunction(root, row.entry)) return [`${row.id}: entry ${row.entry} not found`];
    const names: string[] = [];
    for (const fn of descendants(root)) {
      if (fn.type !== "function_definition") continue;
      const scope = analyseFunction(fn);
      if (scope) {
        names.push(scope.name.text, ...scope.params, ...scope.locals);
        continue;
      }
      const parameters = fn.childForFieldName("parameters");
      const body = fn.childForFieldName("body");
      names.push(fn.childForFieldName("name")?.text ?? "");
      if (parameters) names.push(...namedChildren(parameters).map((p) => p.text));
      if (body) names.push(...boundIdentifiers(body));
    }
    return names.filter(isReserved);
  });
}

describe("generated variants keep their source's behaviour (native python3)", () => {
  for (const blockTransforms of [false, true]) {
    it(`all families, mutants, block transforms ${blockTransforms ? "on" : "off"}`, async () => {
      const rows = await generateDataset({
        functions: 15,
        variants: 12,
        families: [...FAMILY_NAMES],
        mutants: 1,
        blockTransforms,
        seed: blockTransforms ? 21 : 20,
      });
      expect(rows).toHaveLength(30 * 12);
      expect(semanticFailures(rows)).toEqual([]);
      const used = new Set(rows.flatMap((r) => r.transforms));
      expect(used.has("duplicate_branch")).toBe(blockTransforms);
      expect(used.size).toBeGreaterThanOrEqual(blockTransforms ? 13 : 9);
    });
  }

  it("property over seeds: variants parse, shadow nothing, and equal their source", async () => {
    // rows of every run are collected and executed in one python3 process at the end
    const runs: FunctionRow[][] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.boolean(),
        async (seed, blockTransforms) => {
          const rows = await generateDataset({
            functions: 3,
            variants: 8,
            families: [...FAMILY_NAMES],
            mutants: 1,
            blockTransforms,
            seed,
          });
          for (const r of rows) {
            expect(
              withTree(r.code, (root) => root.hasError),
              r.code,
            ).toBe(false);
            expect(shadowing(r), r.code).toEqual([]);
          }
          const run = `${runs.length}:`;
          runs.push(rows.map((r) => ({ ...r, id: run + r.id, group: run + r.group })));
        },
      ),
      { numRuns: 25, seed: 42 },
    );
    const results = runInPython3(runs.flat(), intRange(-100, 100));
    const failures = runs.flatMap((rows) => semanticFailures(rows, results));
    expect(failures).toEqual([]);
  });
});
