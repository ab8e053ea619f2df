/**
 * Runs a suite on every kernel backend, as jax-js runs its suites over devices:
 *
 *   describe.each(BACKENDS)("%s kernels", (backend) => {
 *     useBackend(backend);
 *     it(...);
 *   });
 *
 * `useBackend` switches `kernels()` for the enclosing describe block and restores the previous
 * backend after it, so the blocks of one file run one after the other on their own backend.
 */
import { afterAll, beforeAll } from "vitest";
import {
  type Kernels,
  kernels,
  loadWasmKernels,
  setKernels,
  tsKernels,
} from "../../src/nn/index.js";

export const BACKENDS = ["ts", "wasm"] as const;
export type Backend = (typeof BACKENDS)[number];

let wasm: Kernels | null = null;

/** The named backend; the WebAssembly one must be built (`npm run build`), never skipped. */
export function backendKernels(name: Backend): Kernels {
  if (name === "ts") return tsKernels;
  wasm ??= loadWasmKernels();
  if (!wasm) throw new Error("the WebAssembly kernels are not built: run `npm run build`");
  return wasm;
}

export function useBackend(name: Backend): void {
  let previous: Kernels;
  beforeAll(() => {
    previous = kernels();
    setKernels(backendKernels(name));
  });
  afterAll(() => setKernels(previous));
}
