/**
 * `piecewise`: a comparison of x with a threshold picks one of two affine pieces, either as
 * an if/else of returns or as a conditional update of a local. Thresholds stay in −50..50 so
 * both pieces are exercised by inputs in −100..100.
 */
import type { Random } from "../../random/index.js";
import { type Family, plus, type SourceFunction } from "./family.js";

type Comparison = ">" | ">=" | "<" | "<=";
const COMPARISONS: readonly Comparison[] = [">", ">=", "<", "<="];
const NEGATED: Record<Comparison, Comparison> = { ">": "<=", ">=": "<", "<": ">=", "<=": ">" };

function compare(op: Comparison, a: number, b: number): boolean {
  return op === ">" ? a > b : op === ">=" ? a >= b : op === "<" ? a < b : a <= b;
}

/** One affine piece of x. */
type Piece =
  | { kind: "add"; a: number }
  | { kind: "mul"; k: number }
  | { kind: "rsub"; a: number }
  | { kind: "muladd"; k: number; a: number };

function pieceCode(p: Piece): string {
  switch (p.kind) {
    case "add":
      return `x ${plus(p.a)}`;
    case "mul":
      return `x * ${p.k}`;
    case "rsub":
      return `${p.a} - x`;
    case "muladd":
      return `x * ${p.k} ${plus(p.a)}`;
  }
}

function pieceValue(p: Piece, x: number): number {
  switch (p.kind) {
    case "add":
      return x + p.a;
    case "mul":
      return x * p.k;
    case "rsub":
      return p.a - x;
    case "muladd":
      return x * p.k + p.a;
  }
}

/** Pieces one constant away (the near misses of a piece). */
function nudged(p: Piece): Piece[] {
  switch (p.kind) {
    case "add":
    case "rsub":
      return [
        { ...p, a: p.a + 1 },
        { ...p, a: p.a - 1 },
      ];
    case "mul":
      return [p.k + 1, p.k - 1].filter((k) => k !== 0).map((k) => ({ ...p, k }));
    case "muladd":
      return [
        { ...p, a: p.a + 1 },
        { ...p, a: p.a - 1 },
      ];
  }
}

function samplePiece(rng: Random): Piece {
  const a = rng.int(-20, 20);
  const k = rng.pick([-3, -2, 2, 3]);
  switch (rng.int(0, 3)) {
    case 0:
      return { kind: "add", a };
    case 1:
      return { kind: "mul", k };
    case 2:
      return { kind: "rsub", a };
    default:
      return { kind: "muladd", k, a };
  }
}

/** `if x OP t: return A else: return B`. */
export function ifElse(op: Comparison, t: number, then: Piece, other: Piece): SourceFunction {
  return {
    family: "piecewise",
    code:
      `def f(x):\n    if x ${op} ${t}:\n        return ${pieceCode(then)}\n` +
      `    else:\n        return ${pieceCode(other)}\n`,
    evaluate: (x) => pieceValue(compare(op, x, t) ? then : other, x),
    mutants: (rng) =>
      rng.shuffle([
        ifElse(NEGATED[op], t, then, other),
        ...nudged(then).map((p) => ifElse(op, t, p, other)),
        ...nudged(other).map((p) => ifElse(op, t, then, p)),
      ]),
  };
}

/** `y = x * k; if x OP t: y = y + a; return y + b`. */
export function update(k: number, op: Comparison, t: number, a: number, b: number): SourceFunction {
  return {
    family: "piecewise",
    code:
      `def f(x):\n    y = x * ${k}\n    if x ${op} ${t}:\n        y = y ${plus(a)}\n` +
      `    return y ${plus(b)}\n`,
    evaluate: (x) => x * k + (compare(op, x, t) ? a : 0) + b,
    mutants: (rng) =>
      rng.shuffle([
        update(k, NEGATED[op], t, a, b),
        ...[k + 1, k - 1].filter((j) => j !== 0).map((j) => update(j, op, t, a, b)),
        update(k, op, t, a + 1, b),
        update(k, op, t, a - 1, b),
        update(k, op, t, a, b + 1),
        update(k, op, t, a, b - 1),
      ]),
  };
}

export const piecewiseFamily: Family = {
  name: "piecewise",
  summary: "if x OP t: one affine piece, else another",
  capacity: Number.POSITIVE_INFINITY,
  limits: "thresholds and constants are bounded",
  sample(rng: Random): SourceFunction {
    const op = rng.pick(COMPARISONS);
    const t = rng.int(-50, 50);
    if (rng.bool()) {
      const then = samplePiece(rng);
      let other = samplePiece(rng);
      while (pieceCode(other) === pieceCode(then)) other = samplePiece(rng);
      return ifElse(op, t, then, other);
    }
    const a = rng.int(-20, 20);
    return update(rng.pick([-3, -2, 2, 3]), op, t, a === 0 ? 1 : a, rng.int(-20, 20));
  },
};
