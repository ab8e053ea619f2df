/**
 * The build's identity: the package version, the sandbox's two halves (the compiled child and
 * the tracer) and the input generator, which decide every trace, and the index's execution steps (probing, diagnosis,
 * doctest checks), which decide an index's results. An index built by another build runs every
 * file again; workers of another build serve another farm queue, so results never mix.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { packagePath } from "../python/pool.js";

let buildIdCache: string | undefined;

export function buildId(): string {
  if (buildIdCache) return buildIdCache;
  const h = createHash("sha256");
  const pkg = JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string };
  h.update(`tracecode ${pkg.version}\n`);
  for (const part of [
    ["dist", "python", "worker.js"],
    ["dist", "python", "tracer.py"],
    ["dist", "python", "inputs.js"],
    ["dist", "search", "build.js"],
    ["dist", "search", "doctests.js"],
  ]) {
    const path = packagePath(...part);
    h.update(`${part.join("/")}\n`);
    if (existsSync(path)) h.update(readFileSync(path));
  }
  buildIdCache = h.digest("hex").slice(0, 12);
  return buildIdCache;
}
