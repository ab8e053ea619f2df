/**
 * The safetensors format, for exchanging state dicts with PyTorch:
 *
 *   [8 bytes: header length N, little-endian u64][N bytes: JSON header][raw tensor data]
 *
 * The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (byte offsets
 * into the data section) plus an optional "__metadata__" object of strings. As the reference
 * writer does, the header is padded with spaces to a multiple of 8 bytes so the data section
 * stays aligned. We write F32 only, little-endian; we read F32 and F64 (converted to F32).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../data/index.js";
import type { Module } from "./module.js";
import { sizeOf } from "./tensor.js";

export interface NamedTensor {
  data: Float32Array;
  shape: readonly number[];
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  override name = "SafetensorsError";
}

/** Serialises tensors (in the given order) and string metadata to safetensors bytes. */
export function encodeSafetensors(
  tensors: Iterable<readonly [string, NamedTensor]>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const entries = [...tensors];
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === "__metadata__") throw new SafetensorsError(`"__metadata__" is not a tensor name`);
    if (t.data.length !== sizeOf(t.shape)) {
      throw new SafetensorsError(`"${name}": ${t.data.length} values do not fit [${t.shape}]`);
    }
    const bytes = t.data.length * 4;
    header[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of entries) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return out;
}

const dtypeBytes: Record<string, number> = { F32: 4, F64: 8 };

/** Whether typed arrays on this machine are little-endian, as safetensors' data is. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parses safetensors bytes; `source` names the file in error messages. Aligned F32 tensors are
 * views of `bytes` (no copy): change neither while the other is in use.
 */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors data"): SafetensorsFile {
  const fail = (why: string): never => {
    throw new SafetensorsError(`${source}: ${why}`);
  };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes, too short for a header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(bytes.length - 8)) {
    fail(`truncated or corrupt: header of ${headerLen} bytes but the file has ${bytes.length}`);
  }
  const dataStart = 8 + Number(headerLen);
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)),
    );
  } catch (e) {
    fail(`corrupt header (not JSON): ${(e as Error).message}`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    fail("corrupt header: not a JSON object");
  }
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, NamedTensor>();
  const spans: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`metadata "${k}" is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const width = dtypeBytes[info?.dtype as string];
    if (!width) fail(`"${name}": dtype ${JSON.stringify(info?.dtype)} is not supported (F32, F64)`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`"${name}": bad shape ${JSON.stringify(shape)}`);
    }
    const offsets = info.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isInteger(o) && o >= 0)
    ) {
      fail(`"${name}": bad data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const dims = shape as number[];
    if (end - begin !== sizeOf(dims) * width) {
      fail(
        `"${name}": data_offsets [${begin}, ${end}] do not hold shape [${dims}] of ${info.dtype}`,
      );
    }
    if (end > dataLen) {
      fail(`truncated: "${name}" ends at byte ${end} of a ${dataLen}-byte data section`);
    }
    spans.push([begin, end, name]);
    const at = dataStart + begin;
    let data: Float32Array;
    if (width === 4 && LITTLE_ENDIAN && (bytes.byteOffset + at) % 4 === 0) {
      // The file's bytes are the array's: a view of them, no copy (a large model's load is
      // mostly memory first touched, so each copy costs).
      data = new Float32Array(bytes.buffer, bytes.byteOffset + at, sizeOf(dims));
    } else {
      data = new Float32Array(sizeOf(dims));
      if (width === 4)
        for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(at + 4 * i, true);
      else for (let i = 0; i < data.length; i++) data[i] = view.getFloat64(at + 8 * i, true);
    }
    tensors.set(name, { data, shape: dims });
  }
  // Like the reference reader: tensors must tile the data section exactly, no gaps or overlap.
  spans.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== covered) fail(`corrupt: "${name}" starts at byte ${begin}, expected ${covered}`);
    covered = end;
  }
  if (covered !== dataLen) fail(`corrupt: ${dataLen - covered} bytes after the last tensor`);
  return { tensors, metadata };
}

export function saveSafetensors(
  path: string,
  tensors: Iterable<readonly [string, NamedTensor]>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export function loadSafetensors(path: string): SafetensorsFile {
  return decodeSafetensors(readFileSync(path), path);
}

/** A state dict read from a `.safetensors` file, ready for `Module.loadStateDict`. */
export function loadStateDict(path: string): Map<string, NamedTensor> {
  return loadSafetensors(path).tensors;
}

/**
 * Writes `dir/model.safetensors` (the module's state dict under PyTorch keys) and
 * `dir/config.json` (everything needed to rebuild the module), each atomically.
 */
export function saveModel(dir: string, module: Module, config: unknown): void {
  saveSafetensors(join(dir, "model.safetensors"), module.namedParameters(), { format: "pt" });
  writeFileAtomic(join(dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
}

/** Reads `dir/config.json` (parsed, unvalidated: the caller owns its schema). */
export function loadConfig(dir: string): unknown {
  return JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
}
