/** Signatures every kernel backend implements. */
export type Gemm = (
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  accumulate: boolean,
) => void;

export interface Kernels {
  readonly name: string;
  gemm: Gemm;
}
