// Dropout's keep mask from the sfc32 stream of src/random (the same draws, step for step), and
// the masked values. The plain TypeScript reference is src/nn/kernels/ts/dropout.ts.

// kept[i] (bytes) ← draw i ≥ threshold; with x (non-zero), out[i] ← x[i]·kept[i]·keepScale.
// words holds the generator's [a, b, c, d] and is left advanced past the n draws.
export function dropoutMask(
  n: i32,
  threshold: f64,
  words: usize,
  kept: usize,
  x: usize,
  out: usize,
  keepScale: f32,
): void {
  let a = load<u32>(words);
  let b = load<u32>(words, 4);
  let c = load<u32>(words, 8);
  let d = load<u32>(words, 12);
  for (let i = 0; i < n; i++) {
    const t = a + b + d;
    d += 1;
    a = b ^ (b >>> 9);
    b = c + (c << 3);
    c = (c << 21) | (c >>> 11);
    c += t;
    store<u8>(kept + <usize>i, <f64>t >= threshold ? 1 : 0);
  }
  store<u32>(words, a);
  store<u32>(words, b, 4);
  store<u32>(words, c, 8);
  store<u32>(words, d, 12);
  if (!x) return;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(x + o) * (<f32>load<u8>(kept + <usize>i) * keepScale));
  }
}
