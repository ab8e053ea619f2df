// Row movers: between the packed and batch-first layouts, and the token-input rows.

// Moves rows between the packed layout (row offsets[t] + j) and a batch-first one [batch,
// maxSteps, width] (row order[j]·maxSteps + t): into the packed one when `toPacked`.
// @ts-ignore: decorator
@inline
function moveRows(
  packed: usize,
  batchFirst: usize,
  order: usize,
  batchSizes: usize,
  offsets: usize,
  steps: i32,
  maxSteps: i32,
  width: i32,
  toPacked: bool,
): void {
  const rowBytes = <usize>width << 2;
  for (let t = 0; t < steps; t++) {
    const n = load<i32>(batchSizes + (<usize>t << 2));
    let p = packed + <usize>load<i32>(offsets + (<usize>t << 2)) * rowBytes;
    for (let j = 0; j < n; j++, p += rowBytes) {
      const b = load<i32>(order + (<usize>j << 2));
      const q = batchFirst + (<usize>b * <usize>maxSteps + <usize>t) * rowBytes;
      if (toPacked) memory.copy(p, q, rowBytes);
      else memory.copy(q, p, rowBytes);
    }
  }
}

// Packed row offsets[t] + j ← row (order[j], t) of `src` [batch, maxSteps, width], batch first.
export function packRows(
  src: usize,
  dst: usize,
  order: usize,
  batchSizes: usize,
  offsets: usize,
  steps: i32,
  maxSteps: i32,
  width: i32,
): void {
  moveRows(dst, src, order, batchSizes, offsets, steps, maxSteps, width, true);
}

// The inverse of packRows into `dst` [batch, maxSteps, width], zero at padded positions.
export function unpackRows(
  src: usize,
  dst: usize,
  order: usize,
  batchSizes: usize,
  offsets: usize,
  steps: i32,
  batch: i32,
  maxSteps: i32,
  width: i32,
): void {
  memory.fill(dst, 0, <usize>batch * <usize>maxSteps * (<usize>width << 2));
  moveRows(src, dst, order, batchSizes, offsets, steps, maxSteps, width, false);
}

// dst[order[j]] ← the packed row of sorted sequence j's last step, zero when it has none.
export function lastRows(
  src: usize,
  dst: usize,
  order: usize,
  batchSizes: usize,
  offsets: usize,
  steps: i32,
  batch: i32,
  width: i32,
): void {
  const rowBytes = <usize>width << 2;
  memory.fill(dst, 0, <usize>batch * rowBytes);
  // Sorted sequence j runs while batchSizes[t] > j; walk j upwards and `last` downwards.
  let last = steps;
  for (let j = 0; j < batch; j++) {
    while (last > 0 && load<i32>(batchSizes + (<usize>(last - 1) << 2)) <= j) last--;
    if (last === 0) break;
    const row = load<i32>(offsets + (<usize>(last - 1) << 2)) + j;
    const b = load<i32>(order + (<usize>j << 2));
    memory.copy(dst + <usize>b * rowBytes, src + <usize>row * rowBytes, rowBytes);
  }
}

// Row j ← row order[j] of `src` [batch, width].
export function sortRows(src: usize, dst: usize, order: usize, batch: i32, width: i32): void {
  const rowBytes = <usize>width << 2;
  for (let j = 0; j < batch; j++) {
    const b = load<i32>(order + (<usize>j << 2));
    memory.copy(dst + <usize>j * rowBytes, src + <usize>b * rowBytes, rowBytes);
  }
}

// Every row of dst [rows, width] ← src [width]: one row, then copies of what is filled, doubling
// (a copy per row cost more in calls than in bytes for short rows).
export function fillRows(dst: usize, src: usize, rows: i32, width: i32): void {
  if (rows <= 0) return;
  const total = <usize>rows * (<usize>width << 2);
  let filled = <usize>width << 2;
  memory.copy(dst, src, filled);
  while (filled < total) {
    const n = min(filled, total - filled);
    memory.copy(dst + filled, dst, n);
    filled += n;
  }
}

// dst[0..width) ← a + b, one vector at a time (dst may be a).
// @ts-ignore: decorator
@inline
function addRow(dst: usize, a: usize, b: usize, width: i32): void {
  const w4 = width & ~3;
  let k = 0;
  for (; k < w4; k += 4) {
    const o = <usize>k << 2;
    v128.store(dst + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; k < width; k++) {
    const o = <usize>k << 2;
    store<f32>(dst + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

// Row r of gates [rows, width] ← bias + proj[ids[r]]: the input side of an LSTM whose inputs
// are embedding rows, with proj = table·W_ihᵀ computed once per table row instead of per token.
export function tokenRows(ids: usize, proj: usize, bias: usize, gates: usize, rows: i32, width: i32): void {
  const rowBytes = <usize>width << 2;
  for (let r = 0; r < rows; r++) {
    const src = proj + <usize>load<i32>(ids + (<usize>r << 2)) * rowBytes;
    addRow(gates + <usize>r * rowBytes, bias, src, width);
  }
}

// sums[v] (zeroed first, [vocab, width]) ← the sum of the rows r of dG with ids[r] = v.
export function sumTokenRows(dG: usize, ids: usize, sums: usize, rows: i32, vocab: i32, width: i32): void {
  const rowBytes = <usize>width << 2;
  memory.fill(sums, 0, <usize>vocab * rowBytes);
  for (let r = 0; r < rows; r++) {
    const dst = sums + <usize>load<i32>(ids + (<usize>r << 2)) * rowBytes;
    addRow(dst, dst, dG + <usize>r * rowBytes, width);
  }
}
