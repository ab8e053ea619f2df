import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkOutput } from "./output.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-output-"));
afterAll(() => {
  chmodSync(join(root, "ro"), 0o755);
  rmSync(root, { recursive: true, force: true });
});

describe("checkOutput", () => {
  it("refuses kernel file systems at once, creating nothing", () => {
    const t0 = performance.now();
    expect(() => checkOutput("--out", "/proc/1/nope", "dir")).toThrow(
      "--out /proc/1/nope: refusing to write under /proc (a kernel file system)",
    );
    expect(() => checkOutput("--out", "/sys/x.jsonl", "file")).toThrow(/refusing .* \/sys/);
    expect(() => checkOutput("--out", "/dev/shm/../null", "file")).toThrow(/refusing .* \/dev/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("checks the kind of what exists and of every existing ancestor", () => {
    writeFileSync(join(root, "file"), "x");
    mkdirSync(join(root, "dir"));
    expect(() => checkOutput("--out", join(root, "dir"), "file")).toThrow(/is a directory/);
    expect(() => checkOutput("--out", join(root, "file"), "dir")).toThrow(/is not a directory/);
    expect(() => checkOutput("--out", join(root, "file", "a", "b"), "dir")).toThrow(
      /a parent of it is a file/,
    );
    expect(checkOutput("--out", join(root, "new", "deeper", "t.jsonl"), "file")).toBe(
      join(root, "new", "deeper", "t.jsonl"),
    );
    expect(checkOutput("--out", join(root, "file"), "file")).toBe(join(root, "file"));
    // Nothing was created and no probe is left.
    expect(readdirSync(root).sort()).toEqual(["dir", "file"]);
  });

  it("probes a read-only directory and leaves nothing in it", () => {
    const ro = join(root, "ro");
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    const asRoot = process.getuid?.() === 0;
    const check = () => checkOutput("--out", join(ro, "run"), "dir");
    // Root may write anywhere; everyone else is told which directory refuses.
    if (asRoot) expect(check()).toBe(join(ro, "run"));
    else expect(check).toThrow(/cannot write in .*ro \(EACCES\)/);
    expect(readdirSync(ro)).toEqual([]);
  });
});
