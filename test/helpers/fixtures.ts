/** Reads PyTorch parity fixtures written by tools/parity/make_fixtures.py. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export type Fixture = Record<string, unknown>;

const dir = fileURLToPath(new URL("../fixtures/parity/", import.meta.url));

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(`${dir}${name}.json`, "utf8")) as Fixture;
}

/** The tensor stored under `key`, failing clearly when the fixture lacks it. */
export function fixtureTensor(fixture: Fixture, key: string): FixtureTensor {
  const t = fixture[key] as FixtureTensor | undefined;
  if (!t || !Array.isArray(t.shape) || !Array.isArray(t.data)) {
    throw new Error(`fixture has no tensor "${key}" (keys: ${Object.keys(fixture).join(", ")})`);
  }
  return t;
}
