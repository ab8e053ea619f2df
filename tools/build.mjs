#!/usr/bin/env node
// The build behind `npm run build` (and, with --tests, `npm test`): silent when healthy, and it
// redoes only what changed.
//
// 1. The WebAssembly kernels (src/nn/kernels/wasm/assembly/*.ts → dist/nn/kernels/wasm/kernels.wasm)
//    are compiled by asc only when their content, the compiler's version or its flags differ from
//    the SHA-256 stamp written beside the output after the last successful compile.
// 2. TypeScript is one incremental `tsc -b`: tsconfig.json emits src into dist/; with --tests,
//    tsconfig.test.json, which references it, also type-checks the tests (src is checked once).
// 3. Every src/**/*.py, and every file of the web app's folder (src/serve/web: plain HTML, CSS
//    and ES modules, nothing to bundle), is copied to the same place under dist/ (the tracer,
//    the benches' PyTorch scripts and the pages are read from beside the compiled modules);
//    copies whose source is gone are removed.
//
// Plain Node, no dependency beyond the compilers in devDependencies. Exits non-zero on failure.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tests = process.argv.includes("--tests");

const ASSEMBLY = "src/nn/kernels/wasm/assembly";
const WASM = "dist/nn/kernels/wasm/kernels.wasm";
const ASC_FLAGS = ["--enable", "simd", "-O3", "--runtime", "stub", "--noAssert"];
const ASSET_EXTENSIONS = [".py"];
/** Folders copied whole, whatever their files' extensions. */
const ASSET_DIRS = ["src/serve/web"];

/** Every file under `dir` (relative to the root), recursively, in a stable order. */
function walk(dir) {
  const out = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

/** Runs `node script args…` from the root; stops the build with its exit code on failure. */
function run(script, args) {
  const r = spawnSync(process.execPath, [join(root, script), ...args], {
    cwd: root,
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function buildWasm() {
  const ascPackage = JSON.parse(
    readFileSync(join(root, "node_modules/assemblyscript/package.json"), "utf8"),
  );
  const hash = createHash("sha256");
  hash.update(`asc ${ascPackage.version} ${ASC_FLAGS.join(" ")}\n`);
  for (const file of walk(ASSEMBLY))
    hash.update(`${file}\n`).update(readFileSync(join(root, file)));
  const stamp = `${hash.digest("hex")}\n`;
  const stampPath = join(root, `${WASM}.sha256`);
  if (existsSync(join(root, WASM)) && existsSync(stampPath)) {
    if (readFileSync(stampPath, "utf8") === stamp) return;
  }
  mkdirSync(dirname(join(root, WASM)), { recursive: true });
  rmSync(stampPath, { force: true });
  run(join("node_modules/assemblyscript", ascPackage.bin.asc), [
    join(ASSEMBLY, "index.ts"),
    ...ASC_FLAGS,
    "-o",
    WASM,
  ]);
  writeFileSync(stampPath, stamp);
}

function copyAssets() {
  const inDir = (file, dirs) => dirs.some((d) => file.startsWith(d + sep));
  const isAsset = (file) =>
    ASSET_EXTENSIONS.some((ext) => file.endsWith(ext)) || inDir(file, ASSET_DIRS);
  const distDirs = ASSET_DIRS.map((d) => join("dist", relative("src", d)));
  const wanted = new Set();
  for (const file of walk("src").filter(isAsset)) {
    const target = join("dist", relative("src", file));
    wanted.add(target);
    const content = readFileSync(join(root, file));
    const targetPath = join(root, target);
    if (existsSync(targetPath) && readFileSync(targetPath).equals(content)) continue;
    mkdirSync(dirname(targetPath), { recursive: true });
    copyFileSync(join(root, file), targetPath);
  }
  const isCopy = (file) =>
    ASSET_EXTENSIONS.some((ext) => file.endsWith(ext)) || inDir(file, distDirs);
  for (const file of walk("dist").filter(isCopy)) {
    if (!wanted.has(file)) rmSync(join(root, file));
  }
}

buildWasm();
run("node_modules/typescript/bin/tsc", ["-b", tests ? "tsconfig.test.json" : "tsconfig.json"]);
copyAssets();
