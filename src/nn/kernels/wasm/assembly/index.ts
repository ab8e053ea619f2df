// WebAssembly SIMD kernels (AssemblyScript). Built by `npm run build` into
// dist/nn/kernels/wasm/kernels.wasm; the modules beside this folder copy operands into linear
// memory and call these. The plain TypeScript kernels in src/nn/kernels/ts/ are the reference.

export { gemm, gemmScratch } from "./gemm";
export * from "./lstm";
export * from "./rows";
export * from "./attention";
export * from "./layernorm";
export * from "./dropout";
export * from "./encoder";
