/**
 * The sandboxed child process: loads Pyodide, installs the tracer, takes a snapshot of the
 * interpreter's memory, then answers jobs over the framed channel on fd 3, restoring the
 * snapshot before every new unit of trust. Started only by `TracerPool`, inside the
 * operating-system boundary (boundary/) and Node's permission model, with an empty environment.
 * It must import nothing but Node built-ins, because every extra file would need another bind.
 */
import nodeCrypto from "node:crypto";
import { constants as fsConstants, readFileSync } from "node:fs";
import { Socket } from "node:net";
import type { ChildMessage, ParentMessage } from "./protocol.js";

type PyCallable = ((...args: unknown[]) => unknown) & { destroy?: () => void };
interface EmscriptenFS {
  streams: unknown[];
  currentPath: string;
  ErrnoError: new (errno: number) => Error;
  isChrdev(mode: number): boolean;
  lookupPath(path: string, opts: object): { node?: { mode: number } };
  [op: string]: unknown;
}
interface PyodideModule {
  HEAPU8: Uint8Array;
  _sbrk(increment: number): number;
  FS: EmscriptenFS;
}
interface Pyodide {
  runPython(code: string): unknown;
  globals: { get(name: string): PyCallable; set(name: string, value: unknown): void };
  setStdout(opts: { batched: (s: string) => void }): void;
  setStderr(opts: { batched: (s: string) => void }): void;
  unregisterJsModule(name: string): void;
  makeMemorySnapshot(): Uint8Array;
  _module: PyodideModule;
}

const channel = new Socket({ fd: 3, readable: true, writable: true });
const reply = (m: ChildMessage | string) =>
  channel.write(`${typeof m === "string" ? m : JSON.stringify(m)}\n`);

// Pyodide asks for fs constants through process.binding, which the permission model denies.
const proc = process as unknown as { binding: (name: string) => unknown; dlopen: unknown };
const originalBinding = proc.binding.bind(process);
proc.binding = (name: string) =>
  name === "constants" ? { fs: fsConstants } : originalBinding(name);

// ---------------------------------------------------------------- determinism
// Randomness and clocks are the only inputs from the outside world the interpreter has. Both
// are replaced before Pyodide loads, and reset with the interpreter at every unit: entropy is
// a seeded sfc32 stream (os.urandom, random.Random(), hash randomisation, uuid4), clocks count
// calls from a fixed epoch (time.time, monotonic, perf_counter, datetime.now).
const EPOCH_MS = Date.UTC(2000, 0, 1);
let rngState = new Uint32Array([0x9e3779b9, 0x243f6a88, 0xb7e15162, 1]);
let clockCalls = 0;
function nextUint32(): number {
  const s = rngState;
  const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
  s[3] = (s[3] + 1) >>> 0;
  s[0] = s[1] ^ (s[1] >>> 9);
  s[1] = (s[2] + (s[2] << 3)) >>> 0;
  s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
  s[2] = (s[2] + t) >>> 0;
  return t;
}
function fillRandom<T extends ArrayBufferView>(view: T): T {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < bytes.length; i++) bytes[i] = nextUint32() & 0xff;
  return view;
}
function installDeterminism(): void {
  const c = nodeCrypto as unknown as Record<string, unknown>;
  const webCrypto = globalThis.crypto as unknown as Record<string, unknown>;
  c.randomFillSync = fillRandom;
  c.randomBytes = (n: number) => fillRandom(Buffer.alloc(n));
  webCrypto.getRandomValues = fillRandom;
  // Each read of a clock advances it by one microsecond: reproducible, and still monotonic.
  const counted = () => ++clockCalls / 1000;
  performance.now = counted;
  Date.now = () => EPOCH_MS + Math.floor(counted());
}

/** Refuses WebAssembly memory growth past the cap, so a bomb gets MemoryError inside Python. */
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
function capWasmMemory(maxBytes: number): void {
  const wasm = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } })
    .WebAssembly;
  const grow = wasm.Memory.prototype.grow;
  wasm.Memory.prototype.grow = function (this: WasmMemory, pages: number) {
    if (this.buffer.byteLength + pages * 65536 > maxBytes) {
      throw new RangeError("sandbox memory cap reached");
    }
    return grow.call(this, pages);
  };
}

/**
 * Pyodide sizes its heap for a snapshot with INITIAL_MEMORY, which its build never reads: the
 * heap keeps its compiled-in 30 MiB and a larger snapshot fails to restore ("offset is out of
 * bounds"). The instance's memory is grown to the snapshot's size as it is made, before
 * Emscripten takes its views of it. Once: later instantiations are not Pyodide's.
 */
function growMemoryForSnapshot(bytes: number): void {
  type Instantiated = { instance?: { exports: { memory?: WasmMemory } } };
  const wasm = (
    globalThis as unknown as {
      WebAssembly: { instantiate: (...args: unknown[]) => Promise<unknown> };
    }
  ).WebAssembly;
  const instantiate = wasm.instantiate;
  wasm.instantiate = async function (this: unknown, ...args: unknown[]) {
    wasm.instantiate = instantiate;
    const made = (await instantiate.apply(this, args)) as Instantiated;
    const memory = made.instance?.exports.memory;
    if (memory && memory.buffer.byteLength < bytes) {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    }
    return made;
  };
}

/** Removes host capabilities JavaScript would offer if Python ever reached it. */
function dropHostGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  for (const name of ["fetch", "WebSocket", "XMLHttpRequest", "EventSource", "Request"]) {
    delete g[name];
  }
  proc.binding = () => {
    throw new Error("process.binding is disabled in the sandbox");
  };
  proc.dlopen = () => {
    throw new Error("process.dlopen is disabled in the sandbox");
  };
}

// ---------------------------------------------------------------- file system
// The in-memory file system is part of the interpreter's state but lives in JavaScript, so the
// memory snapshot does not cover it. User code therefore never changes it: opening a regular
// file for writing and every call that changes the tree fail with EROFS. The folder user code
// may write, /sandbox, is the tracer's Python data (tracer.py), inside the snapshot.
const EROFS = 69;
const WRITE_FLAGS = 1 | 2 | 64 | 512 | 1024; // O_WRONLY O_RDWR O_CREAT O_TRUNC O_APPEND
const TREE_OPS = [
  "mknod",
  "mkdir",
  "rename",
  "unlink",
  "rmdir",
  "symlink",
  "truncate",
  "ftruncate",
  "chmod",
  "fchmod",
  "lchmod",
  "chown",
  "fchown",
  "lchown",
  "utime",
  "createPath",
  "writeFile",
];
function lockFileSystem(fs: EmscriptenFS): void {
  const refuse = () => {
    throw new fs.ErrnoError(EROFS);
  };
  for (const op of TREE_OPS) if (typeof fs[op] === "function") fs[op] = refuse;
  const open = fs.open as (path: unknown, flags: unknown, mode?: number) => unknown;
  fs.open = (path: unknown, flags: unknown, mode?: number) => {
    const f = typeof flags === "number" ? flags : WRITE_FLAGS;
    if (f & WRITE_FLAGS) {
      const node =
        typeof path === "string"
          ? fs.lookupPath(path, { follow: true, noent_okay: true }).node
          : path;
      if (!node || !fs.isChrdev((node as { mode: number }).mode)) refuse();
    }
    return open(path, flags, mode);
  };
}

// ---------------------------------------------------------------- snapshot and reset
interface Snapshot {
  /** Linear memory up to its last non-zero byte: what lies above is zero. */
  memory: Uint8Array;
  /** The memory's size when it was taken. */
  size: number;
  streams: unknown[];
  cwd: string;
  /** Where the entropy stream and the clocks stood: part of the state a unit starts from. */
  rng: Uint32Array;
  clockCalls: number;
}
let snapshot: Snapshot | undefined;
/** A job ran since the last restore. */
let dirty = false;

function takeSnapshot(mod: PyodideModule): Snapshot {
  const heap = mod.HEAPU8;
  // Memory grows by a fifth at a time: the top of it is zeros the start-up never wrote (6 MiB
  // of 36 today), which a restore zeroes rather than copies (a fill costs less than a copy).
  let used = heap.length;
  while (used > 0 && heap[used - 1] === 0) used--;
  return {
    memory: heap.slice(0, used),
    size: heap.length,
    streams: mod.FS.streams.slice(),
    cwd: mod.FS.currentPath,
    rng: rngState.slice(),
    clockCalls,
  };
}

/**
 * Puts the interpreter back to the state right after start-up: the linear memory is copied
 * back in place and zeroed above it, up to its size then or the allocator's break now
 * (memory can't shrink: what grew since is zeroed up to the break), the file-descriptor table
 * and working folder of the file system are restored, and the entropy and clocks start again.
 * Runs between jobs, when no Python frame is active.
 */
function restore(mod: PyodideModule, snap: Snapshot): void {
  const heap = mod.HEAPU8;
  const end = Math.max(snap.size, Math.min(heap.length, mod._sbrk(0) >>> 0));
  heap.set(snap.memory);
  if (end > snap.memory.length) heap.fill(0, snap.memory.length, end);
  mod.FS.streams.length = 0;
  mod.FS.streams.push(...snap.streams);
  mod.FS.currentPath = snap.cwd;
  rngState = snap.rng.slice();
  clockCalls = snap.clockCalls;
}

// ---------------------------------------------------------------- jobs
let py: Pyodide | undefined;
let runJob: PyCallable | undefined;
let registerInputs: PyCallable | undefined;
let describeBlocks: PyCallable | undefined;
/** Input sets by key, as the parent sent them; registered with Python again after a reset. */
const inputSets = new Map<string, { types: string; values: string }>();
const registered = new Set<string>();

/**
 * Loads the tracer into its own module namespace and warms it up (trusted snippets, so every
 * unit starts from specialised tracer code); `_tracer` stays in __main__ until `finish`.
 */
function loadTracer(p: Pyodide, source: string): Pyodide {
  p.globals.set("_tracer_source", source);
  p.runPython(`
import types as _types
_tracer = _types.ModuleType("_tracecode_tracer")
exec(compile(_tracer_source, "tracer.py", "exec"), _tracer.__dict__)
_tracer.warm_up()
del _types, _tracer_source
`);
  return p;
}

/**
 * Starts Pyodide from the start-up snapshot (or, for `make`, boots it, loads the tracer and
 * writes the snapshot to stdout, then exits). Returns whether the child is ready for jobs.
 */
async function init(m: Extract<ParentMessage, { t: "init" }>): Promise<boolean> {
  installDeterminism();
  capWasmMemory(m.memoryMb * 1024 * 1024);
  const { loadPyodide } = (await import(`${m.pyodideDir}/pyodide.mjs`)) as {
    loadPyodide: (o: Record<string, unknown>) => Promise<Pyodide>;
  };
  const options = {
    indexURL: `${m.pyodideDir}/`,
    jsglobals: Object.create(null),
    // Fixed hash seed: set and dict-of-str iteration orders are then reproducible.
    env: { PYTHONHASHSEED: "0", PYTHONDONTWRITEBYTECODE: "1", HOME: "/home/pyodide" },
    stdout: () => {},
    stderr: () => {},
  };
  if (m.make) {
    // Nothing but Pyodide's start, the tracer and its warm-up has run when the snapshot is made.
    // Stdout carries the snapshot alone.
    console.log = console.info = console.debug = () => {};
    const maker = loadTracer(await loadPyodide({ ...options, _makeSnapshot: true }), m.tracer!);
    const bytes = maker.makeMemorySnapshot();
    process.stdout.write(bytes, () => process.exit(0));
    return false;
  }
  if (m.snapshot) {
    const bytes = readFileSync(m.snapshot);
    growMemoryForSnapshot(bytes.length);
    py = await loadPyodide({ ...options, _loadSnapshot: bytes });
  } else {
    py = loadTracer(await loadPyodide(options), m.tracer!);
  }
  py.setStdout({ batched: () => {} });
  py.setStderr({ batched: () => {} });
  py.unregisterJsModule("js");
  py.unregisterJsModule("pyodide_js");
  // The tracer runs in a module namespace of its own; __main__ keeps nothing of it. Sealed only
  // now: Pyodide's own start (from a snapshot too) still imports the modules the seal removes.
  py.runPython(`
run_job, register_inputs, describe_blocks = _tracer.run_job, _tracer.register_inputs, _tracer.describe_blocks
_tracer._seal()
del _tracer
`);
  runJob = py.globals.get("run_job");
  registerInputs = py.globals.get("register_inputs");
  describeBlocks = py.globals.get("describe_blocks");
  py.runPython(
    "for _k in [k for k in globals() if not k.startswith('__')]: del globals()[_k]\ndel _k",
  );
  lockFileSystem(py._module.FS);
  dropHostGlobals();
  snapshot = takeSnapshot(py._module);
  return true;
}

function runOne(m: Extract<ParentMessage, { t: "job" }>): void {
  if (m.inputs) inputSets.set(m.key, m.inputs);
  if (m.reset && dirty) {
    restore(py!._module, snapshot!);
    registered.clear();
  }
  dirty = true;
  let inputs: string | undefined;
  if (!registered.has(m.key)) {
    const set = inputSets.get(m.key);
    if (!set) throw new Error(`unknown input set ${m.key}`);
    // The encoded inputs go back only with the set's first job; a reset re-registers silently.
    const encoded = registerInputs!(m.key, set.types, set.values, !!m.inputs) as string;
    registered.add(m.key);
    if (m.inputs) inputs = encoded;
  }
  const result = runJob!(
    m.code,
    m.entry,
    m.key,
    m.maxSteps,
    m.maxEvents,
    m.maxChars,
    m.module,
    m.package ? JSON.stringify(m.package) : null,
  ) as string;
  // The result is JSON text already: spliced in, not parsed and serialised again.
  const head = JSON.stringify({ t: "result", id: m.id, ...(inputs ? { inputs } : {}) });
  reply(`${head.slice(0, -1)},"result":${result}}`);
}

function handle(m: ParentMessage): void {
  if (m.t === "job") {
    runOne(m);
  } else if (m.t === "blocks") {
    if (dirty) restore(py!._module, snapshot!);
    registered.clear();
    dirty = true;
    try {
      reply(`{"t":"blocks","id":${m.id},"result":${describeBlocks!(m.code) as string}}`);
    } catch (e) {
      reply({ t: "blocks", id: m.id, error: String((e as Error).message).slice(0, 2000) });
    }
  }
}

function onMessage(m: ParentMessage): void {
  if (m.t === "init") {
    init(m).then(
      (ready) => {
        if (ready) reply({ t: "ready" });
      },
      (e: unknown) => {
        reply({ t: "fatal", error: `cannot start Pyodide: ${(e as Error).message ?? e}` });
        process.exit(1);
      },
    );
    return;
  }
  try {
    handle(m);
  } catch (e) {
    // A failure outside Python's own handling (e.g. the interpreter itself is broken): report
    // it for this job and exit, so the pool replaces this process with a fresh one.
    reply({
      t: "fatal",
      error: `worker failure: ${(e as Error).constructor?.name} ${String((e as Error).message).slice(0, 300)}`,
      id: m.id,
    });
    process.exit(1);
  }
}

let pending = "";
channel.setEncoding("utf8");
channel.on("data", (chunk: string) => {
  pending += chunk;
  for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    onMessage(JSON.parse(line) as ParentMessage);
  }
});
channel.on("end", () => process.exit(0));
channel.on("error", () => process.exit(0));
