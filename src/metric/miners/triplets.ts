/** Index triplets (anchor, positive, negative) into one batch of embeddings. */
export interface Triplets {
  readonly anchors: Int32Array;
  readonly positives: Int32Array;
  readonly negatives: Int32Array;
}

export function tripletsFrom(list: readonly (readonly [number, number, number])[]): Triplets {
  return {
    anchors: Int32Array.from(list, (t) => t[0]),
    positives: Int32Array.from(list, (t) => t[1]),
    negatives: Int32Array.from(list, (t) => t[2]),
  };
}
