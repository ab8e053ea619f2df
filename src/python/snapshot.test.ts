/**
 * The start-up snapshot cache without Pyodide: a stand-in maker writes bytes to its stdout. The
 * tracer text is unique per test run, so the key (and the cached file) is this test's own.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pyodideDir } from "./pool.js";
import {
  pruneSnapshots,
  SNAPSHOT_IN_USE_MS,
  SNAPSHOT_UNUSED_MS,
  SNAPSHOTS_KEPT,
  startupSnapshot,
  verifiedSnapshot,
} from "./snapshot.js";

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

  it("removes snapshots unused for a week, with their digests, and nothing else", () => {
    const dir = mkdtempSync(join(tmpdir(), "tracecode-snapshots-"));
    const now = Date.now();
    const file = (name: string, usedMsAgo: number) => {
      for (const f of [name, `${name}.sha256`]) {
        writeFileSync(join(dir, f), "x");
        const at = new Date(now - usedMsAgo);
        utimesSync(join(dir, f), at, at);
      }
    };
    file("pyodide-0aa1.snap", SNAPSHOT_UNUSED_MS + 60_000);
    file("pyodide-0bb2.snap", SNAPSHOT_UNUSED_MS - 60_000);
    file("notes.snap", SNAPSHOT_UNUSED_MS + 60_000);
    // Used a minute ago (access time), though written long before.
    file("pyodide-0cc3.snap", SNAPSHOT_UNUSED_MS * 2);
    utimesSync(
      join(dir, "pyodide-0cc3.snap"),
      new Date(now - 60_000),
      new Date(now - SNAPSHOT_UNUSED_MS * 2),
    );
    expect(pruneSnapshots(dir, now)).toEqual(["pyodide-0aa1.snap"]);
    expect(existsSync(join(dir, "pyodide-0aa1.snap.sha256"))).toBe(false);
    for (const kept of ["pyodide-0bb2.snap", "notes.snap", "pyodide-0cc3.snap"])
      expect(existsSync(join(dir, kept)), kept).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps only the most recently used few, and any used in the last hour: every rebuild makes one", () => {
    const dir = mkdtempSync(join(tmpdir(), "tracecode-snapshots-"));
    const now = Date.now();
    // Used 1, 2, …, 6 hours ago and 1, 2 minutes ago (other builds running now).
    const ago = [1, 2, 3, 4, 5, 6].map((h) => h * 3600_000 + 60_000).concat([60_000, 120_000]);
    const names = ago.map((_, i) => `pyodide-${(i + 1).toString(16).padStart(4, "0")}.snap`);
    names.forEach((name, i) => {
      writeFileSync(join(dir, name), "x");
      writeFileSync(join(dir, `${name}.sha256`), "x");
      const at = new Date(now - ago[i]);
      utimesSync(join(dir, name), at, at);
    });
    expect([SNAPSHOTS_KEPT, SNAPSHOT_IN_USE_MS]).toEqual([4, 3600_000]);
    // Kept: the two in use and the two most recent others; the other four go.
    expect(pruneSnapshots(dir, now).sort()).toEqual(names.slice(2, 6));
    for (const kept of [...names.slice(0, 2), ...names.slice(6)])
      expect(existsSync(join(dir, kept)), kept).toBe(true);
    expect(existsSync(join(dir, `${names[5]}.sha256`))).toBe(false);
    // Five in use, none idle: all stay.
    const busy = mkdtempSync(join(tmpdir(), "tracecode-snapshots-"));
    for (let i = 0; i < 5; i++) writeFileSync(join(busy, `pyodide-${i}a.snap`), "x");
    expect(pruneSnapshots(busy, Date.now())).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(busy, { recursive: true, force: true });
  });

  it("takes a missing snapshot or digest (pruned by another process) for one to make again", () => {
    const dir = mkdtempSync(join(tmpdir(), "tracecode-snapshots-"));
    const file = join(dir, "pyodide-0dd4.snap");
    writeFileSync(file, "x");
    // Its digest went first, as pruneSnapshots removes them.
    expect(verifiedSnapshot(file)).toBeUndefined();
    rmSync(file);
    expect(verifiedSnapshot(file)).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails with the maker's exit status when it cannot make one", async () => {
    await expect(
      startupSnapshot(pyodideDir(), `${tracer} failing`, script, maker("", 3)),
    ).rejects.toThrow(/could not make its start-up snapshot \(exit 3, 0 bytes\)/);
  });
});
