// Vector math on f32x4 lanes shared by the kernels.

// @ts-ignore: decorator
@inline
export function lane(v: v128, q: i32): f32 {
  if (q === 0) return f32x4.extract_lane(v, 0);
  if (q === 1) return f32x4.extract_lane(v, 1);
  if (q === 2) return f32x4.extract_lane(v, 2);
  return f32x4.extract_lane(v, 3);
}


// e^x on four lanes: Cephes expf (range reduction by ln 2 split in two, degree-7 polynomial,
// 2^n through the exponent bits). x is clamped to [-87, 88] so the result stays finite and normal.
// pmin/pmax are the single min/max instructions (wasm's min/max add NaN and −0 fix-ups), and
// n is rounded by adding 1.5·2²³, whose low mantissa bits then hold n: cheaper than the
// round and float→int conversion instructions.
// @ts-ignore: decorator
@inline
export function expv(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const magic = f32x4.splat(12582912.0);
  const shifted = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), magic);
  const fx = f32x4.sub(shifted, magic);
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, f32x4.mul(r, r)), r), f32x4.splat(1.0));
  // bits(shifted) = bits(1.5·2²³) + n, so 2^n = (bits(shifted) − bits(1.5·2²³) + 127) << 23.
  const pow2 = i32x4.shl(i32x4.sub(shifted, i32x4.splat(0x4b400000 - 127)), 23);
  return f32x4.mul(y, pow2);
}

// @ts-ignore: decorator
@inline
export function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

// tanh(x) = 1 − 2 / (e^{2x} + 1)
// @ts-ignore: decorator
@inline
export function tanhv(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.sub(one, f32x4.div(f32x4.splat(2.0), f32x4.add(expv(f32x4.add(x, x)), one)));
}

export function sigmoid1(x: f32): f32 {
  return f32x4.extract_lane(sigmoidv(f32x4.splat(x)), 0);
}

export function tanh1(x: f32): f32 {
  return f32x4.extract_lane(tanhv(f32x4.splat(x)), 0);
}
