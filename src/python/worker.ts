/**
 * The sandboxed child process: loads Pyodide, installs the tracer, then answers trace jobs
 * over IPC. Started only by `TracerPool` under Node's permission model (read access to the
 * Pyodide package and this file, nothing else), with an empty environment. It must import
 * nothing but Node built-ins, because every extra file would need another read grant.
 */
import { constants as fsConstants } from "node:fs";
import type { ChildMessage, ParentMessage } from "./protocol.js";

type PyCallable = ((...args: unknown[]) => unknown) & { destroy?: () => void };
interface Pyodide {
  runPython(code: string): unknown;
  globals: { get(name: string): PyCallable };
  setStdout(opts: { batched: (s: string) => void }): void;
  setStderr(opts: { batched: (s: string) => void }): void;
  unregisterJsModule(name: string): void;
}

const send = process.send!.bind(process);
const reply = (m: ChildMessage) => send(m);

// Pyodide asks for fs constants through process.binding, which the permission model denies.
const proc = process as unknown as { binding: (name: string) => unknown; dlopen: unknown };
const originalBinding = proc.binding.bind(process);
proc.binding = (name: string) =>
  name === "constants" ? { fs: fsConstants } : originalBinding(name);

/** Refuses WebAssembly memory growth past the cap, so a bomb gets MemoryError inside Python. */
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
function capWasmMemory(maxBytes: number): void {
  // The ES2022 lib has no WebAssembly types; Node provides the global.
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

let runJob: PyCallable | undefined;
let registerInputs: PyCallable | undefined;
let describeBlocks: PyCallable | undefined;

async function init(m: Extract<ParentMessage, { t: "init" }>): Promise<void> {
  capWasmMemory(m.memoryMb * 1024 * 1024);
  const { loadPyodide } = (await import(`${m.pyodideDir}/pyodide.mjs`)) as {
    loadPyodide: (o: Record<string, unknown>) => Promise<Pyodide>;
  };
  const py = await loadPyodide({
    indexURL: `${m.pyodideDir}/`,
    jsglobals: Object.create(null),
    // Fixed hash seed: set and dict-of-str iteration orders are then reproducible.
    env: { PYTHONHASHSEED: "0", HOME: "/home/pyodide" },
    stdout: () => {},
    stderr: () => {},
  });
  py.setStdout({ batched: () => {} });
  py.setStderr({ batched: () => {} });
  py.unregisterJsModule("js");
  py.unregisterJsModule("pyodide_js");
  py.runPython(m.tracer);
  runJob = py.globals.get("run_job");
  registerInputs = py.globals.get("register_inputs");
  describeBlocks = py.globals.get("describe_blocks");
  py.runPython("del run_job, register_inputs, describe_blocks");
  dropHostGlobals();
}

function handle(m: ParentMessage): void {
  if (m.t === "job") {
    let inputs: string | undefined;
    if (m.inputs) {
      inputs = registerInputs!(m.key, m.inputs.types, m.inputs.values) as string;
    }
    const result = runJob!(m.code, m.entry, m.key, m.timeoutMs, m.maxEvents, m.maxChars) as string;
    reply({ t: "result", id: m.id, result, inputs });
  } else if (m.t === "blocks") {
    try {
      reply({ t: "result", id: m.id, result: describeBlocks!(m.code) as string });
    } catch (e) {
      reply({ t: "result", id: m.id, result: "", error: String((e as Error).message) });
    }
  }
}

process.on("message", (m: ParentMessage) => {
  if (m.t === "init") {
    init(m).then(
      () => reply({ t: "ready" }),
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
      error: `worker failure: ${`${(e as Error).constructor?.name} ${String((e as Error).message)} ${String((e as Error).stack).slice(0, 300)}`}`,
      id: m.id,
    });
    process.exit(1);
  }
});
process.on("disconnect", () => process.exit(0));
