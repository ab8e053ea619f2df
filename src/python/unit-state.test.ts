/**
 * Jobs of one unit share an interpreter (a file's functions, in file order): what one job
 * changes in the tracer's own objects and classes, or in the library state the tracer itself
 * uses, must not reach the next job. Each case is a poisoning row followed by a victim row in
 * one unit; the victim must give exactly what it gives alone (a red-team pass found each).
 */
import { afterAll, describe, expect, it } from "vitest";
import { FunctionRow, type FunctionRowInput } from "../data/index.js";
import { TracerPool, traceFunctions } from "./index.js";

const pool = new TracerPool({ workers: 1 });
afterAll(async () => {
  await pool.close();
});

const loop = "    while True: pass\n";
const cases: [string, string, string, Partial<FunctionRowInput>?][] = [
  [
    "replaces sys.stdout's write on the instance",
    "import sys\ndef w(s):\n    while True: pass\ntry:\n    sys.stdout.write = w\nexcept AttributeError:\n    pass\ndef f(x):\n    return 1\n",
    "def f(x):\n    print(x)\n    return x\n",
  ],
  [
    "swaps sys.stdout's class",
    `import sys\nclass P(type(sys.stdout)):\n    __slots__ = ()\n    def write(self, s):\n${loop}object.__setattr__(sys.stdout, '__class__', P)\ndef f(x):\n    return 1\n`,
    "def f(x):\n    print(x)\n    return x\n",
  ],
  [
    "patches the lock class's __enter__",
    `import _thread\ndef acq(self, *a, **k):\n${loop}type(_thread.allocate_lock()).__enter__ = acq\ndef f(x):\n    return 1\n`,
    "import threading\nlock = threading.Lock()\ndef f(x):\n    with lock:\n        return x\n",
  ],
  [
    "patches random.Random.seed",
    `import random\ndef seed(self, *a, **k):\n${loop}random.Random.seed = seed\ndef f(x):\n    return 1\n`,
    "import random\ndef f(x):\n    return random.randint(0, 1000) + x\n",
  ],
  [
    "registers a copier for sets in copy's dispatch table",
    "import copy\ncopy.dispatch_table[set] = lambda s: (frozenset, ([4242],))\ndef f(x):\n    return 1\n",
    "def f(s):\n    return sorted(s)\n",
    { args: ["set[int]"] },
  ],
  [
    "changes decimal's context",
    "import decimal\ndecimal.getcontext().prec = 3\ndecimal.DefaultContext.prec = 3\ndef f(x):\n    return 1\n",
    "from decimal import Decimal, Context\ndef f(x):\n    return [str(Decimal(x) / 7), Context().prec]\n",
  ],
  [
    "patches json's decoder",
    "import json\njson.JSONDecoder.decode = lambda self, s, *a: [[4242, 4242]]\njson.JSONDecoder.raw_decode = lambda self, s, *a: ([[4242, 4242]], len(s))\ndef f(x):\n    return 1\n",
    "def f(x, y):\n    return x - y\n",
    { args: ["int", "int"] },
  ],
];

const row = (id: string, code: string, extra: Partial<FunctionRowInput> = {}) =>
  FunctionRow.parse({ id, group: "g", code, module: code, entry: "f", args: ["int"], ...extra });

describe("jobs of one unit", () => {
  it.each(cases)(
    "keep the next job from what a job %s",
    async (_name, poison, victim, extra) => {
      const rows = [row("poison", poison), row("victim", victim, extra)];
      const options = { pool, inputs: 3, level: "io" as const, timeoutMs: 8000 };
      const together = await traceFunctions(rows, { ...options, unitOf: () => "one unit" });
      const [alone] = await traceFunctions([row("victim", victim, extra)], options);
      expect(alone.status).toBe("ok");
      expect(together[1]).toEqual(alone);
    },
    60_000,
  );
});
