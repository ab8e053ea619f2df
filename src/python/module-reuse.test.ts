/**
 * A unit's jobs reuse the statements compiled for its last module text (the leading lines the
 * new text shares with it); whatever the texts, every job must give exactly what it gives run
 * alone on a pristine interpreter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRow, type TraceRow } from "../data/index.js";
import { TracerPool, traceFunctions } from "./index.js";

let pool: TracerPool;
beforeAll(() => {
  pool = new TracerPool({ workers: 1 });
});
afterAll(() => pool.close());

const BASE = `K = 3

def helper(x):
    if x > 0:
        return x * K
    return -x

class Box:
    def __init__(self, v):
        self.v = v

    def get(self):
        return helper(self.v)
`;

/** Module texts that share leading lines with BASE and with each other, in run order. */
const TEXTS: [string, string][] = [
  ["a wrapper appended", `${BASE}\n\ndef entry(x):\n    return Box(x).get()\n`],
  ["another wrapper", `${BASE}\n\ndef entry(x):\n    return helper(x) + 1\n`],
  ["an if", `${BASE}if K:\n    K = 7\ndef entry(x):\n    return K\n`],
  // The next text goes on with the if kept from the last one: an else, so a full parse.
  [
    "an else for the kept if",
    `${BASE}if K:\n    K = 7\nelse:\n    K = 0\ndef entry(x):\n    return K + 1\n`,
  ],
  // An indented line after the class: the class's body, not a new statement.
  [
    "a class body that goes on",
    `${BASE}    def entry(self):\n        return 9\ndef entry(x):\n    return Box(x).entry()\n`,
  ],
  [
    "a constant changed above the kept lines",
    `${BASE.replace("K = 3", "K = 5")}\ndef entry(x):\n    return helper(x)\n`,
  ],
  [
    "a future import in the rest",
    `${BASE}from __future__ import annotations\ndef entry(x):\n    return x\n`,
  ],
  [
    "a refused line in the rest",
    `${BASE}import sys\nsys._getframe()\ndef entry(x):\n    return helper(x) * 2\n`,
  ],
  [
    "a refused function in the rest",
    `${BASE}def bad(x):\n    return x.__globals__\ndef entry(x):\n    return bad(x)\n`,
  ],
  ["back to the first", `${BASE}\n\ndef entry(x):\n    return Box(x).get()\n`],
];

const rows = TEXTS.map(([name, text]) =>
  FunctionRow.parse({ id: name, code: text, module: text, entry: "entry", args: ["int"] }),
);

const outcome = (t: TraceRow) => JSON.stringify([t.status, t.error ?? null, t.runs]);

describe("module statements reused within a unit", () => {
  it("gives every job what it gives alone", async () => {
    const alone = await traceFunctions(rows, { pool, inputs: 6 });
    const together = await traceFunctions(rows, { pool, inputs: 6, unitOf: () => "file" });
    expect(together.map(outcome)).toEqual(alone.map(outcome));
    // The texts do run, and differently: the comparison above is not between empty results.
    const byName = Object.fromEntries(TEXTS.map(([n], i) => [n, alone[i]]));
    expect(byName["a wrapper appended"].status).toBe("ok");
    expect(byName["a constant changed above the kept lines"].runs[0].output).not.toBe(
      byName["another wrapper"].runs[0].output,
    );
    expect(byName["an if"].runs[0].output).toBe("7");
    expect(byName["an else for the kept if"].runs[0].output).toBe("8");
    expect(byName["a class body that goes on"].runs[0].output).toBe("9");
    expect(byName["a refused function in the rest"].status).toBe("limit");
    expect(new Set(alone.map(outcome)).size).toBeGreaterThan(6);
  });
});
