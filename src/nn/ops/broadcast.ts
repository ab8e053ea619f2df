/** NumPy broadcasting: output shapes and the map from output elements to input elements. */

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`shapes [${a}] and [${b}] do not broadcast`);
    }
    out.push(Math.max(da, db));
  }
  return out;
}

/** For each element of `out`, the flat index of the `input` element it reads; null if identity. */
export function broadcastIndex(
  out: readonly number[],
  input: readonly number[],
): Int32Array | null {
  const total = out.reduce((x, y) => x * y, 1);
  const inSize = input.reduce((x, y) => x * y, 1);
  if (inSize === total) return null;
  // Strides of the input aligned to the output's axes; 0 along broadcast axes.
  const strides = new Array<number>(out.length).fill(0);
  let s = 1;
  for (let i = input.length - 1; i >= 0; i--) {
    const axis = out.length - input.length + i;
    strides[axis] = input[i] === 1 ? 0 : s;
    s *= input[i];
  }
  const map = new Int32Array(total);
  const counter = new Array<number>(out.length).fill(0);
  let offset = 0;
  for (let i = 0; i < total; i++) {
    map[i] = offset;
    for (let axis = out.length - 1; axis >= 0; axis--) {
      counter[axis]++;
      offset += strides[axis];
      if (counter[axis] < out[axis]) break;
      offset -= strides[axis] * counter[axis];
      counter[axis] = 0;
    }
  }
  return map;
}
