/**
 * The warm sandbox server: the first call runs here and starts a server; later calls are
 * answered by it, byte-identical to a local run; it stops when asked.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FunctionRow } from "../data/index.js";
import { stopWarmServer, traceFunctions, traceWarm, warmSocketPath } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-warm-"));
const warm = { dir, idleMs: 120_000 };
const rows = [
  FunctionRow.parse({
    id: "a",
    code: "import random\ndef f(x):\n    return (x * 3, random.Random().random())\n",
  }),
  FunctionRow.parse({
    id: "b",
    code: "def g(x):\n    return x\n",
    entry: "g",
    args: ["int", "int"],
  }),
];
const options = { inputs: 5, seed: 3, level: "io" as const };

afterAll(async () => {
  await stopWarmServer(warm);
  rmSync(dir, { recursive: true, force: true });
});

describe("traceWarm", () => {
  it("runs locally and starts a server, then is answered by it with the same rows", async () => {
    const previous = process.env.TRACECODE_NO_WARM;
    delete process.env.TRACECODE_NO_WARM;
    try {
      const first = await traceWarm(rows, { ...options, warm });
      expect(first.warm).toBe(false);
      const local = await traceFunctions(rows, options);
      expect(first.rows).toEqual(local);
      // The server listens once its pool is started.
      let second = await traceWarm(rows, { ...options, warm });
      for (let i = 0; i < 120 && !second.warm; i++) {
        await new Promise((ok) => setTimeout(ok, 500));
        if (existsSync(warmSocketPath(warm))) second = await traceWarm(rows, { ...options, warm });
      }
      expect(second.warm).toBe(true);
      expect(JSON.stringify(second.rows)).toBe(JSON.stringify(local));
    } finally {
      if (previous !== undefined) process.env.TRACECODE_NO_WARM = previous;
    }
  }, 120_000);

  it("stays local when warm servers are turned off", async () => {
    const r = await traceWarm(rows.slice(0, 1), { ...options, warm });
    expect(r.warm).toBe(false);
  });
});
