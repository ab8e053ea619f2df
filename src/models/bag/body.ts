/**
 * The bag-of-features body: a snippet's hashed features (features.ts), each a learned row of one
 * `EmbeddingBag` table, summed with their TF-IDF weights. Its rows start as N(0, 1) draws, so
 * before any training the body is a random projection of the baselines' TF-IDF vectors (cosine
 * kept up to noise of order 1/√width); training moves rows where execution says two snippets do
 * the same thing. No positions and no padding: a snippet's vector never depends on its batch.
 *
 * With an `anchor` the body also holds a second, frozen table that reads the character n-grams
 * alone: a fixed random projection of the lexical baseline's TF-IDF vector. The encoder puts it
 * beside the trained embedding (encoders.ts), so training adds behaviour to lexical similarity
 * instead of trading names away for it.
 */
import { EmbeddingBag, Module, Tensor as T, type Tensor } from "../../nn/index.js";
import type { Random } from "../../random/index.js";
import {
  anchorBagOf,
  type Bag,
  bagOf,
  type FeatureGroup,
  type RawFeatures,
  rawFeatures,
} from "./features.js";

/** The frozen lexical part: its width and its share of the embedding's cosine (0 < weight < 1). */
export interface AnchorSettings {
  width: number;
  weight: number;
}

export interface BagSettings {
  buckets: number;
  /** Width of the trained table (the embedding is this plus the anchor's width). */
  width: number;
  groupWeights: Record<FeatureGroup, number>;
  idf: readonly number[];
  anchor?: AnchorSettings;
}

/** Snippets whose features are kept between batches (training reads each many times). */
const CACHE_SIZE = 20_000;

export class BagBody extends Module {
  readonly width: number;
  readonly bag: EmbeddingBag;
  /** The frozen lexical table (no gradient, never updated), when the settings ask for one. */
  readonly anchor: EmbeddingBag | null;
  private readonly idf: Float64Array;
  private readonly cache = new Map<string, RawFeatures>();

  constructor(
    private readonly settings: BagSettings,
    rng: Random,
  ) {
    super();
    if (settings.idf.length !== settings.buckets) {
      throw new Error(
        `bag encoder: ${settings.idf.length} IDF values for ${settings.buckets} buckets`,
      );
    }
    this.width = settings.width;
    this.idf = Float64Array.from(settings.idf);
    this.bag = this.child(
      "bag",
      new EmbeddingBag(settings.buckets, settings.width, { rng: rng.fork("bag") }),
    );
    const anchor = settings.anchor;
    if (anchor && !(anchor.weight > 0 && anchor.weight < 1)) {
      throw new Error(`bag encoder: anchor weight ${anchor.weight} is not between 0 and 1`);
    }
    this.anchor = anchor
      ? this.child(
          "anchor",
          new EmbeddingBag(settings.buckets, anchor.width, { rng: rng.fork("anchor") }),
        )
      : null;
    if (this.anchor) this.anchor.weight.requiresGrad = false;
  }

  /** Counts per row and group of `code` (cached). Needs `initPython()` first. */
  raw(code: string): RawFeatures {
    let f = this.cache.get(code);
    if (f === undefined) {
      f = rawFeatures(code, this.settings.buckets);
      if (this.cache.size >= CACHE_SIZE) this.cache.clear();
      this.cache.set(code, f);
    }
    return f;
  }

  features(items: readonly { code: string }[]): Tensor {
    return bagForward(
      this.bag,
      items.map((it) => bagOf(this.raw(it.code), this.idf, this.settings.groupWeights)),
    );
  }

  /** The frozen lexical projection [items, anchor width] (the anchor table must exist). */
  anchorFeatures(items: readonly { code: string }[]): Tensor {
    if (!this.anchor) throw new Error("bag encoder: this model has no anchor");
    return bagForward(
      this.anchor,
      items.map((it) => anchorBagOf(this.raw(it.code), this.idf)),
    );
  }
}

/** One EmbeddingBag call over the bags of a batch. */
function bagForward(table: EmbeddingBag, bags: readonly Bag[]): Tensor {
  const ids: number[] = [];
  const weights: number[] = [];
  const offsets: number[] = [];
  for (const b of bags) {
    offsets.push(ids.length);
    for (let i = 0; i < b.ids.length; i++) {
      ids.push(b.ids[i]);
      weights.push(b.weights[i]);
    }
  }
  return table.forward(ids, offsets, T.from(weights));
}
