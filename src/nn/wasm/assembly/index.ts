// WebAssembly SIMD kernels (AssemblyScript). Built by `npm run build` into
// dist/nn/wasm/kernels.wasm; src/nn/kernels/wasm.ts copies operands into linear memory and
// calls these. The plain TypeScript kernels in src/nn/kernels/ts.ts are the reference.

export { gemm, gemmScratch } from "./gemm";
export * from "./lstm";
export * from "./rows";
export * from "./attention";
export * from "./layernorm";
