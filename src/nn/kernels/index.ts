/**
 * The kernel backend behind every heavy op. `ts` is the plain TypeScript reference; faster
 * backends implement the same interface and are tested against it.
 */
import { gemmTs } from "./ts.js";
import type { Kernels } from "./types.js";

export type { Gemm, Kernels } from "./types.js";

export const tsKernels: Kernels = { name: "ts", gemm: gemmTs };

let active: Kernels = tsKernels;

export function kernels(): Kernels {
  return active;
}

export function setKernels(k: Kernels): void {
  active = k;
}
