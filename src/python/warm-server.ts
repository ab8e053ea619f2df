/**
 * The warm sandbox server (see warm.ts): `node warm-server.js SOCKET IDLE_MS`. Keeps one
 * `TracerPool` started and answers one request per connection (a JSON line of rows and trace
 * options → a JSON line of trace rows), each row its own unit of trust; stops after IDLE_MS
 * without a request, on `{"stop": true}`, or at once if another server already has the socket.
 */
import { chmodSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { FunctionRow } from "../data/index.js";
import { TracerPool } from "./pool.js";
import { traceFunctions } from "./trace.js";
import type { WarmRequest } from "./warm.js";

const [path, idleText] = process.argv.slice(2);
const idleMs = Number(idleText) || 15 * 60_000;
/** Longest request accepted: rows of code, far beyond any query. */
const MAX_REQUEST = 64 * 1024 * 1024;

const pool = new TracerPool({ workers: 1 });
let idle: NodeJS.Timeout | undefined;
const server = createServer((socket) => {
  clearTimeout(idle);
  let text = "";
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => {
    text += d;
    if (text.length > MAX_REQUEST) socket.destroy();
    if (!text.endsWith("\n")) return;
    void answer(text).then((line) => socket.end(line));
  });
  socket.on("error", () => {});
  socket.on("close", armIdle);
});

async function answer(text: string): Promise<string> {
  try {
    const request = JSON.parse(text) as WarmRequest | { stop: true };
    if ("stop" in request) {
      setImmediate(stop);
      return `${JSON.stringify({ stopped: true })}\n`;
    }
    const rows = request.rows.map((r) => FunctionRow.parse(r));
    const traced = await traceFunctions(rows, { ...request.options, pool });
    return `${JSON.stringify({ rows: traced })}\n`;
  } catch (e) {
    return `${JSON.stringify({ error: String((e as Error).message).slice(0, 500) })}\n`;
  }
}

function armIdle(): void {
  clearTimeout(idle);
  idle = setTimeout(stop, idleMs);
}

async function stop(): Promise<void> {
  server.close();
  await pool.close();
  rmSync(path, { force: true });
  process.exit(0);
}

function listen(): void {
  server.listen(path, () => {
    chmodSync(path, 0o600);
    armIdle();
    // Warm the pool now, so the first request finds a ready child.
    void pool.trace({
      code: "def f(x):\n    return x\n",
      entry: "f",
      inputs: { key: "warm-up", types: ["int"], values: [[0]] },
    });
  });
}

server.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EADDRINUSE") process.exit(1);
  // A socket file is there: another server (leave it) or a stale file (take its place).
  const probe = connect(path);
  probe.on("connect", () => process.exit(0));
  probe.on("error", () => {
    rmSync(path, { force: true });
    listen();
  });
});
listen();
