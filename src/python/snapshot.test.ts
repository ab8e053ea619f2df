/**
 * The start-up snapshot cache without Pyodide: a stand-in maker writes bytes to its stdout. The
 * tracer text is unique per test run, so the key (and the cached file) is this test's own.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { pyodideDir } from "./pool.js";
import { startupSnapshot } from "./snapshot.js";

const tracer = `# snapshot.test ${process.pid} ${Date.now()}`;
const script = new URL("./snapshot.ts", import.meta.url).pathname;
let made: string | undefined;

function maker(body: string, code = 0) {
  return () => {
    makes++;
    return spawn(
      process.execPath,
      ["-e", `process.stdout.write(${JSON.stringify(body)}); process.exitCode = ${code}`],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
  };
}
let makes = 0;

afterAll(() => {
  if (made) {
    rmSync(made, { force: true });
    rmSync(`${made}.sha256`, { force: true });
  }
});

describe("start-up snapshot cache", () => {
  it("makes the snapshot once, reuses it, and makes it again when its digest does not match", async () => {
    made = await startupSnapshot(pyodideDir(), tracer, script, maker("first"));
    expect(readFileSync(made, "utf8")).toBe("first");
    expect(makes).toBe(1);
    expect(await startupSnapshot(pyodideDir(), tracer, script, maker("second"))).toBe(made);
    expect(makes).toBe(1);
    writeFileSync(made, "tampered");
    expect(await startupSnapshot(pyodideDir(), tracer, script, maker("third"))).toBe(made);
    expect(makes).toBe(2);
    expect(readFileSync(made, "utf8")).toBe("third");
  });

  it("fails with the maker's exit status when it cannot make one", async () => {
    await expect(
      startupSnapshot(pyodideDir(), `${tracer} failing`, script, maker("", 3)),
    ).rejects.toThrow(/could not make its start-up snapshot \(exit 3, 0 bytes\)/);
  });
});
