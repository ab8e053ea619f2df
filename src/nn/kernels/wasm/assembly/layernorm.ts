// Layer normalisation over rows of n (biased variance), forward and backward, four lanes at a
// time. The plain TypeScript reference is layerNormForwardTs/layerNormBackwardTs in
// src/nn/kernels/ts/layernorm.ts.

// @ts-ignore: decorator
@inline
function sum4(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// out [rows, n] ← x̂·weight + bias, xhat [rows, n] ← x̂ = (x − μ)·r, rstd [rows] ← r = 1/√(σ² + eps);
// xhat and rstd are not written when xhat is 0.
export function layerNormForward(
  rows: i32,
  n: i32,
  x: usize,
  weight: usize,
  bias: usize,
  eps: f32,
  out: usize,
  xhat: usize,
  rstd: usize,
): void {
  const n4 = n & ~3;
  const rowBytes = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    let sums = f32x4.splat(0);
    let j = 0;
    for (; j < n4; j += 4) sums = f32x4.add(sums, v128.load(xr + (<usize>j << 2)));
    let total = sum4(sums);
    for (; j < n; j++) total += load<f32>(xr + (<usize>j << 2));
    const mean = total / <f32>n;
    const m = f32x4.splat(mean);
    let squares = f32x4.splat(0);
    for (j = 0; j < n4; j += 4) {
      const d = f32x4.sub(v128.load(xr + (<usize>j << 2)), m);
      squares = f32x4.add(squares, f32x4.mul(d, d));
    }
    let variance = sum4(squares);
    for (; j < n; j++) {
      const d = load<f32>(xr + (<usize>j << 2)) - mean;
      variance += d * d;
    }
    const inv = <f32>(1 / Math.sqrt(<f64>(variance / <f32>n) + <f64>eps));
    if (xhat) store<f32>(rstd + (<usize>r << 2), inv);
    const iv = f32x4.splat(inv);
    const hr = xhat + <usize>r * rowBytes;
    const or = out + <usize>r * rowBytes;
    for (j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      const h = f32x4.mul(f32x4.sub(v128.load(xr + o), m), iv);
      if (xhat) v128.store(hr + o, h);
      v128.store(or + o, f32x4.add(f32x4.mul(h, v128.load(weight + o)), v128.load(bias + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const h = (load<f32>(xr + o) - mean) * inv;
      if (xhat) store<f32>(hr + o, h);
      store<f32>(or + o, h * load<f32>(weight + o) + load<f32>(bias + o));
    }
  }
}

// With h = g⊙weight per row: gx += r·(h − mean(h) − x̂·mean(h⊙x̂)) (skipped when gx is 0),
// gWeight += Σ g⊙x̂, gBias += Σ g over rows.
export function layerNormBackward(
  rows: i32,
  n: i32,
  weight: usize,
  xhat: usize,
  rstd: usize,
  g: usize,
  gx: usize,
  gWeight: usize,
  gBias: usize,
): void {
  const n4 = n & ~3;
  const rowBytes = <usize>n << 2;
  for (let r = 0; r < rows; r++) {
    const gr = g + <usize>r * rowBytes;
    const hr = xhat + <usize>r * rowBytes;
    let hs = f32x4.splat(0);
    let hxs = f32x4.splat(0);
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      const gv = v128.load(gr + o);
      const xh = v128.load(hr + o);
      const h = f32x4.mul(gv, v128.load(weight + o));
      hs = f32x4.add(hs, h);
      hxs = f32x4.add(hxs, f32x4.mul(h, xh));
      v128.store(gWeight + o, f32x4.add(v128.load(gWeight + o), f32x4.mul(gv, xh)));
      v128.store(gBias + o, f32x4.add(v128.load(gBias + o), gv));
    }
    let sumH = sum4(hs);
    let sumHX = sum4(hxs);
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const gv = load<f32>(gr + o);
      const xh = load<f32>(hr + o);
      const h = gv * load<f32>(weight + o);
      sumH += h;
      sumHX += h * xh;
      store<f32>(gWeight + o, load<f32>(gWeight + o) + gv * xh);
      store<f32>(gBias + o, load<f32>(gBias + o) + gv);
    }
    if (!gx) continue;
    const meanH = sumH / <f32>n;
    const meanHX = sumHX / <f32>n;
    const inv = load<f32>(rstd + (<usize>r << 2));
    const mh = f32x4.splat(meanH);
    const mhx = f32x4.splat(meanHX);
    const iv = f32x4.splat(inv);
    const xr = gx + <usize>r * rowBytes;
    for (j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      const h = f32x4.mul(v128.load(gr + o), v128.load(weight + o));
      const d = f32x4.sub(f32x4.sub(h, mh), f32x4.mul(v128.load(hr + o), mhx));
      v128.store(xr + o, f32x4.add(v128.load(xr + o), f32x4.mul(iv, d)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const h = load<f32>(gr + o) * load<f32>(weight + o);
      store<f32>(xr + o, load<f32>(xr + o) + inv * (h - meanH - load<f32>(hr + o) * meanHX));
    }
  }
}
