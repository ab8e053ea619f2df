/**
 * The bag-of-features body: a snippet's hashed features (features.ts), each a learned row of one
 * `EmbeddingBag` table, summed with their TF-IDF weights. Its rows start as N(0, 1) draws, so
 * before any training the body is a random projection of the baselines' TF-IDF vectors (cosine
 * kept up to noise of order 1/√width); training moves rows where execution says two snippets do
 * the same thing. No positions and no padding: a snippet's vector never depends on its batch.
 */
import { EmbeddingBag, Module, Tensor as T, type Tensor } from "../../nn/index.js";
import type { Random } from "../../random/index.js";
import { bagOf, type FeatureGroup, type RawFeatures, rawFeatures } from "./features.js";

export interface BagSettings {
  buckets: number;
  width: number;
  groupWeights: Record<FeatureGroup, number>;
  idf: readonly number[];
}

/** Snippets whose features are kept between batches (training reads each many times). */
const CACHE_SIZE = 20_000;

export class BagBody extends Module {
  readonly width: number;
  readonly bag: EmbeddingBag;
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
    const ids: number[] = [];
    const weights: number[] = [];
    const offsets: number[] = [];
    for (const it of items) {
      const b = bagOf(this.raw(it.code), this.idf, this.settings.groupWeights);
      offsets.push(ids.length);
      for (let i = 0; i < b.ids.length; i++) {
        ids.push(b.ids[i]);
        weights.push(b.weights[i]);
      }
    }
    return this.bag.forward(ids, offsets, T.from(weights));
  }
}
