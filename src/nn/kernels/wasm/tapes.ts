/**
 * Tapes (what a forward pass keeps for its backward pass) resident in linear memory, one block
 * each. Resident tapes are capped: beyond the cap the oldest are spilled to the JavaScript heap
 * and copied back when their backward pass comes; a tape whose graph is dropped unused is freed
 * by the garbage collector.
 */
import type { Arena } from "./memory.js";

/** A tape's block: resident at `at`, or spilled to `spill` on the JavaScript heap. */
export interface Region {
  at: number | null;
  bytes: number;
  spill: Float32Array | null;
}

/** A tape object owning one region. */
export interface Tape {
  readonly region: Region;
}

/** Resident tapes, oldest first, within a byte cap; tapes dropped unused are freed by GC. */
export class TapeStore {
  private readonly resident = new Set<Region>();
  private residentBytes = 0;
  private readonly dropped = new FinalizationRegistry<Region>((region) => this.drop(region));

  constructor(
    private readonly arena: Arena,
    private readonly cap: number,
  ) {}

  add(tape: Tape): void {
    this.resident.add(tape.region);
    this.residentBytes += tape.region.bytes;
    this.dropped.register(tape, tape.region, tape);
    for (const old of this.resident) {
      if (this.residentBytes <= this.cap || old === tape.region) break;
      this.spill(old);
    }
  }

  /** The tape's block address, copied back into linear memory if it was spilled. */
  load(region: Region): number {
    if (region.at !== null) return region.at;
    const at = this.arena.alloc(region.bytes);
    this.arena.f32.set(region.spill as Float32Array, at >> 2);
    region.at = at;
    region.spill = null;
    return at;
  }

  release(tape: Tape): void {
    this.dropped.unregister(tape);
    this.drop(tape.region);
  }

  private spill(region: Region): void {
    const at = region.at as number;
    region.spill = this.arena.f32.slice(at >> 2, (at + region.bytes) >> 2);
    this.arena.free(at);
    region.at = null;
    this.resident.delete(region);
    this.residentBytes -= region.bytes;
  }

  private drop(region: Region): void {
    if (region.at !== null) {
      this.arena.free(region.at);
      this.resident.delete(region);
      this.residentBytes -= region.bytes;
    }
    region.at = null;
    region.spill = null;
  }
}
