/**
 * What the side-by-side benchmarks share: flags, medians with their range, and running a
 * PyTorch script (one thread) in the first python3 that imports torch.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "median [min–max]" of a list of measurements. */
export const range = (xs: number[], digits = 1) =>
  `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;

/** The number after `name` in args, or `fallback`. */
export function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/**
 * A bench's PyTorch side: `src/bench/<name>`, read from the source tree (this file is
 * src/bench/ or dist/bench/, so ../../src/bench/ is the same folder from both); the scripts
 * import the project's modules from python/tracecode_torch.py.
 */
export function benchPython(name: string): string {
  return fileURLToPath(new URL(`../../src/bench/${name}`, import.meta.url));
}

/**
 * Runs the Python file `script` with `args` under Debian's /usr/bin/python3 or the python3 on
 * PATH, whichever first imports torch, on one thread; returns the JSON of its last output line,
 * or why not.
 */
export function runTorchScript<T>(script: string, args: string[]): T | string {
  for (const python of ["/usr/bin/python3", "python3"]) {
    const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
    if (probe.status !== 0) continue;
    const run = spawnSync(python, [script, ...args], {
      encoding: "utf8",
      env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
    });
    if (run.status !== 0) return `PyTorch run failed: ${run.stderr.trim().split("\n").pop()}`;
    return JSON.parse(run.stdout.trim().split("\n").pop() ?? "") as T;
  }
  return "no python3 with torch found";
}
