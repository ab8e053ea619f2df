/**
 * A private `redis-server` (Debian's package) on a free loopback port, for tests and the farm
 * bench: started with its data in a folder of the caller's, stopped by its process id.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

export interface RedisServer {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Stops the server (SIGTERM: with AOF on, it flushes first) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Whether `redis-server` is on the PATH (Debian: `apt-get install redis-server`). */
export function haveRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server` on 127.0.0.1 with no RDB snapshots and, unless `appendonly` is false,
 * an append-only file in `dir` (so a restart on the same `port` and `dir` loses nothing).
 */
export async function startRedis(
  dir: string,
  options: { port?: number; appendonly?: boolean } = {},
): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    options.appendonly === false ? "no" : "yes",
    "--appendfsync",
    "always",
    "--dir",
    dir,
    "--protected-mode",
    "yes",
  ];
  const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const onData = (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`redis-server on port ${port} did not start in 10 s:\n${log}`));
    }, 10_000);
    const check = () => {
      if (/Ready to accept connections/.test(log)) {
        clearTimeout(timer);
        proc.stdout?.off("data", check);
        resolve();
      }
    };
    proc.stdout?.on("data", check);
    proc.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start redis-server (apt-get install redis-server): ${e.message}`));
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${log}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    proc,
    stop: (signal = "SIGTERM") =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill(signal);
      }),
  };
}
