/**
 * A small dataset directory written by hand (no sandbox needed): `groups` affine functions
 * `x + c` with `variants` snippets each — plain, renamed, with a temporary — and traces whose
 * class is the function's. Half the groups are `val`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function writeTinyDataset(groups = 6, variants = 4, prefix = "tracecode-tiny-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const functions: object[] = [];
  const traces: object[] = [];
  for (let g = 0; g < groups; g++) {
    const c = 3 * g + 1;
    const shapes = [
      { code: `def f(x):\n    return x + ${c}\n`, transforms: [] },
      { code: `def f(y):\n    return y + ${c}\n`, transforms: ["rename"] },
      { code: `def f(x):\n    k = ${c}\n    return x + k\n`, transforms: ["temp_constant"] },
      { code: `def f(v):\n    k = ${c}\n    return k + v\n`, transforms: ["rename", "commute"] },
    ];
    for (let v = 0; v < variants; v++) {
      const id = `g${g}/v${v}`;
      const { code, transforms } = shapes[v % shapes.length];
      functions.push({
        id,
        group: `g${g}`,
        code,
        transforms,
        split: g % 2 === 0 ? "train" : "val",
      });
      const runs = [-2, 0, 5].map((x) => ({
        input: [`${x}`],
        blocks: [0],
        values: [`${x + c}`],
        output: `${x + c}`,
        truncated: false,
      }));
      traces.push({
        id,
        status: "ok",
        level: "trace",
        traceClass: `class-${g}`,
        ioClass: `io-${g}`,
        runs,
      });
    }
  }
  const jsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;
  writeFileSync(join(dir, "functions.jsonl"), jsonl(functions));
  writeFileSync(join(dir, "traces.jsonl"), jsonl(traces));
  return dir;
}
