/**
 * Python bodies for the sandbox's tests: each runs as the body of `def f(x)` in a module, so a
 * test reads as the few lines it tries. `bodyRunner` returns what one call gave, and fails the
 * test with the sandbox's error when the snippet did not return.
 */
import { expect } from "vitest";
import type { InputSet, SnippetResult, TracerPool } from "../../src/python/index.js";

/** `body` indented under `def f(x):`, after `head` (module-level lines). */
export const asFunction = (body: string, head = "") =>
  `${head}def f(x):\n${body.replace(/^/gm, "    ")}\n`;

/** Runs bodies on the pool `pool()` gives (made in `beforeAll`), one input; the call's value. */
export function bodyRunner(pool: () => TracerPool, inputs: InputSet) {
  return {
    trace: (body: string, unit?: string, set = inputs, head = ""): Promise<SnippetResult> =>
      pool().trace({ code: asFunction(body, head), module: true, entry: "f", inputs: set, unit }),
    out: async (body: string, unit?: string): Promise<string> => {
      const r = await pool().trace({
        code: asFunction(body),
        module: true,
        entry: "f",
        inputs,
        unit,
      });
      expect(r.status, r.error).toBe("ok");
      return r.runs[0][2];
    },
  };
}
