/**
 * The plain embedding matrix that miners and retrieval metrics read: row-major values and a
 * shape [n, d]. A `Tensor` is one (only `data` and `shape` are read, never the graph), and so
 * is `{ data: Float32Array, shape: [n, d] }` built by hand.
 */
export interface Matrix {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** Rows and width of a 2-D matrix, failing clearly on anything else. */
export function matrixSize(m: Matrix, what = "embeddings"): { rows: number; dim: number } {
  if (m.shape.length !== 2) throw new RangeError(`${what} must be [n, d], got [${m.shape}]`);
  const [rows, dim] = m.shape;
  if (m.data.length !== rows * dim) {
    throw new RangeError(`${what}: ${m.data.length} values do not fit [${m.shape}]`);
  }
  return { rows, dim };
}

/** Checks that there is one integer label per row. */
export function checkLabels(labels: ArrayLike<number>, rows: number, what = "labels"): void {
  if (labels.length !== rows) {
    throw new RangeError(`${what}: ${labels.length} labels for ${rows} rows`);
  }
}
