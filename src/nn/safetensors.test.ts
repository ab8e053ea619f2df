import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Random } from "../random/index.js";
import { Linear } from "./layers/linear.js";
import { LSTM } from "./layers/lstm.js";
import {
  decodeSafetensors,
  encodeSafetensors,
  loadConfig,
  loadStateDict,
  SafetensorsError,
  saveModel,
} from "./safetensors.js";
import { Tensor } from "./tensor.js";

const dir = mkdtempSync(join(tmpdir(), "safetensors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tensors: [string, Tensor][] = [
  ["a.weight", Tensor.from([1.5, -2, 3.25, 0], [2, 2])],
  ["b", Tensor.from([7], [1])],
  ["empty", Tensor.from([], [0, 3])],
];

describe("safetensors", () => {
  it("round-trips tensors and metadata with a space-padded, 8-byte aligned header", () => {
    const bytes = encodeSafetensors(tensors, { format: "pt" });
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLen % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLen));
    expect(JSON.parse(header)["a.weight"]).toEqual({
      dtype: "F32",
      shape: [2, 2],
      data_offsets: [0, 16],
    });
    expect(bytes.length).toBe(8 + headerLen + 20);
    const { tensors: back, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: "pt" });
    expect([...back.keys()]).toEqual(["a.weight", "b", "empty"]);
    expect(Array.from(back.get("a.weight")!.data)).toEqual([1.5, -2, 3.25, 0]);
    expect(back.get("empty")!.shape).toEqual([0, 3]);
  });

  it("reads aligned tensors as views of the bytes and unaligned ones by copy, to the same values", () => {
    const bytes = encodeSafetensors(tensors, {});
    const aligned = decodeSafetensors(bytes).tensors.get("a.weight")!.data;
    expect(aligned.buffer).toBe(bytes.buffer);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const unaligned = decodeSafetensors(shifted.subarray(1)).tensors.get("a.weight")!.data;
    expect(unaligned.buffer).not.toBe(shifted.buffer);
    expect(Array.from(unaligned)).toEqual(Array.from(aligned));
  });

  it("rejects truncated and corrupt files with a clear reason", () => {
    const bytes = encodeSafetensors(tensors);
    const err = (b: Uint8Array) => {
      try {
        decodeSafetensors(b, "m.safetensors");
      } catch (e) {
        expect(e).toBeInstanceOf(SafetensorsError);
        return (e as Error).message;
      }
      throw new Error("expected an error");
    };
    expect(err(bytes.subarray(0, 5))).toMatch(/m.safetensors: truncated/);
    expect(err(bytes.subarray(0, 40))).toMatch(/truncated or corrupt: header/);
    expect(err(bytes.subarray(0, bytes.length - 2))).toMatch(/truncated: "b" ends at byte/);
    const extra = new Uint8Array(bytes.length + 4);
    extra.set(bytes);
    expect(err(extra)).toMatch(/4 bytes after the last tensor/);
    const garbled = bytes.slice();
    garbled[9] = 0x5d; // "]" inside the JSON
    expect(err(garbled)).toMatch(/corrupt header/);
    const f16 = encodeSafetensors([["x", Tensor.from([1, 2], [2])]]);
    const text = new TextDecoder().decode(f16).replace('"F32"', '"F16"');
    expect(err(new TextEncoder().encode(text))).toMatch(/dtype "F16" is not supported/);
  });

  it("saves a model with its config and loads it back into a fresh one", () => {
    const lstm = new LSTM(3, 4, { numLayers: 2, rng: new Random(1) });
    saveModel(dir, lstm, { inputSize: 3, hiddenSize: 4, numLayers: 2 });
    expect(loadConfig(dir)).toEqual({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const fresh = new LSTM(3, 4, { numLayers: 2, rng: new Random(2) });
    fresh.loadStateDict(loadStateDict(join(dir, "model.safetensors")));
    for (const [[ka, a], [kb, b]] of fresh
      .namedParameters()
      .map((e, i) => [e, lstm.namedParameters()[i]] as const)) {
      expect(ka).toBe(kb);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    }
    expect(() =>
      new Linear(3, 4).loadStateDict(loadStateDict(join(dir, "model.safetensors"))),
    ).toThrow(/missing \[weight, bias\]/);
    expect(readFileSync(join(dir, "model.safetensors")).length).toBeGreaterThan(8);
  });
});
