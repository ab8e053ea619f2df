/**
 * The synthetic benchmark: distinct source functions from the chosen families, optional
 * near-miss mutants as their own groups, trace-preserving (and optionally block-changing)
 * variants of each, and a split by whole source function. Pure and deterministic: the same
 * options give the same rows.
 */
import type { FunctionRow } from "../data/index.js";
import { Random } from "../random/index.js";
import { BehaviourSet } from "./behaviour.js";
import { FAMILIES, type FamilyName, type SourceFunction } from "./families/index.js";
import { splitGroups } from "./split.js";
import { initPython } from "./syntax.js";
import { transformPool } from "./transforms/registry.js";
import { makeVariants } from "./variants.js";

export interface GenerateOptions {
  /** Source functions (groups), mutants not counted. */
  functions: number;
  /** Snippets per group, the source included (v00 … v{n−1}). */
  variants: number;
  /** Families, assigned to functions in turn. */
  families: readonly FamilyName[];
  /** Near-miss mutants per source function, each its own group. */
  mutants: number;
  valFraction: number;
  seed: number;
  /** Also use transforms that change the block structure (behaviour kept, trace not). */
  blockTransforms: boolean;
  /** Called after each group with (groups done, total groups). */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = {
  functions: 20,
  variants: 16,
  families: ["affine"],
  mutants: 0,
  valFraction: 0.2,
  seed: 0,
  blockTransforms: false,
};

/**
 * The harder preset (`tracecode generate --hard`): families with branches and loops, a
 * near-miss mutant per function as its own group, and the block-changing transforms and
 * structural rewrites, so that variants of one behaviour class run different basic blocks
 * (their traces differ) and near misses sit close by in code. Classes are meant at level
 * `io` (`tracecode trace --level io`): at level `trace` every block-changing variant would
 * be a class of its own.
 */
export const HARD_GENERATE_OPTIONS = {
  families: ["piecewise", "loop"],
  mutants: 1,
  blockTransforms: true,
} as const satisfies Partial<GenerateOptions>;

/** Bad options: the message names the flag and what would work. */
export class GenerateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GenerateError";
  }
}

const SAMPLE_ATTEMPTS = 10_000;

function check(o: GenerateOptions): void {
  const int = (v: number, min: number, flag: string) => {
    if (!Number.isInteger(v) || v < min)
      throw new GenerateError(`${flag} must be an integer ≥ ${min}, got ${v}`);
  };
  int(o.functions, 1, "--functions");
  int(o.variants, 1, "--variants");
  int(o.mutants, 0, "--mutants");
  int(o.seed, 0, "--seed");
  if (!(o.valFraction >= 0 && o.valFraction <= 1))
    throw new GenerateError(`--val-fraction must be in [0, 1], got ${o.valFraction}`);
  if (o.families.length === 0) throw new GenerateError("--family needs at least one family");
  for (const name of new Set(o.families)) {
    const family = FAMILIES[name];
    if (!family) throw new GenerateError(`unknown family "${name}"`);
    const wanted = o.families.reduce(
      (n, f, i) => n + (f === name ? Math.ceil((o.functions - i) / o.families.length) : 0),
      0,
    );
    if (wanted > family.capacity)
      throw new GenerateError(
        `--functions ${o.functions} needs ${wanted} ${name} functions, but ${name} has only ` +
          `${family.capacity} distinct ones (${family.limits}); use fewer functions or more families`,
      );
  }
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** Distinct sources, family i mod k for function i. */
function sampleSources(o: GenerateOptions, rng: Random, seen: BehaviourSet): SourceFunction[] {
  const out: SourceFunction[] = [];
  for (let i = 0; i < o.functions; i++) {
    const family = FAMILIES[o.families[i % o.families.length]];
    let fn: SourceFunction | undefined;
    for (let a = 0; a < SAMPLE_ATTEMPTS && !fn; a++) {
      const candidate = family.sample(rng);
      if (seen.admit(candidate)) fn = candidate;
    }
    if (!fn)
      throw new GenerateError(
        `could not find ${o.functions} behaviourally distinct functions (stuck at ${i} for ${family.name}); use fewer functions`,
      );
    out.push(fn);
  }
  return out;
}

/** The generated rows, grouped: each source group, then its mutants' groups. */
export async function generateDataset(
  options: Partial<GenerateOptions> = {},
): Promise<FunctionRow[]> {
  const o: GenerateOptions = { ...DEFAULT_GENERATE_OPTIONS, ...options };
  check(o);
  await initPython();
  const root = new Random(o.seed);
  const seen = new BehaviourSet();
  const sources = sampleSources(o, root.fork("sources"), seen);
  const idWidth = Math.max(3, String(o.functions - 1).length);
  const variantWidth = Math.max(2, String(o.variants - 1).length);
  const ids = sources.map((s, i) => `${s.family}-${pad(i, idWidth)}`);
  const splits = splitGroups(ids, o.valFraction, root.fork("split"));
  const pool = transformPool(o.blockTransforms);

  const rows: FunctionRow[] = [];
  const totalGroups = o.functions * (1 + o.mutants);
  let groupsDone = 0;
  const emitGroup = (
    group: string,
    fn: SourceFunction,
    split: FunctionRow["split"],
    mutant: boolean,
  ) => {
    const variants = makeVariants(
      { code: fn.code, entry: "f" },
      o.variants,
      pool,
      root.fork(`variants:${group}`),
    );
    variants.forEach((v, j) => {
      rows.push({
        id: `${group}/v${pad(j, variantWidth)}`,
        group,
        code: v.code,
        transforms: v.transforms,
        split,
        seed: o.seed,
        family: fn.family,
        entry: v.entry,
        args: ["int"],
        ...(mutant ? { mutant: true } : {}),
      });
    });
    o.onProgress?.(++groupsDone, totalGroups);
  };

  sources.forEach((fn, i) => {
    const id = ids[i];
    const split = splits.get(id) ?? "train";
    emitGroup(id, fn, split, false);
    if (o.mutants === 0) return;
    const mutants: SourceFunction[] = [];
    for (const m of fn.mutants(root.fork(`mutants:${id}`))) {
      if (mutants.length < o.mutants && seen.admit(m)) mutants.push(m);
    }
    if (mutants.length < o.mutants)
      throw new GenerateError(
        `--mutants ${o.mutants}: only ${mutants.length} near misses of ${id} differ from every other function; use fewer mutants`,
      );
    mutants.slice(0, o.mutants).forEach((m, j) => {
      emitGroup(`${id}-m${j}`, m, split, true);
    });
  });
  return rows;
}
