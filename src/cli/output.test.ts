import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { checkNotInput, checkOutput } from "./output.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-output-"));
afterAll(() => {
  chmodSync(join(root, "ro"), 0o755);
  rmSync(root, { recursive: true, force: true });
});

describe("checkOutput", () => {
  it("refuses kernel file systems at once, creating nothing", () => {
    expect(() => checkOutput("--out", "/proc/1/nope", "dir")).toThrow(
      "--out /proc/1/nope: refusing to write under /proc (a kernel file system)",
    );
    expect(() => checkOutput("--out", "/sys/x.jsonl", "file")).toThrow(/refusing .* \/sys/);
    expect(() => checkOutput("--out", "/dev/shm/../null", "file")).toThrow(/refusing .* \/dev/);
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

describe("checkNotInput", () => {
  it("refuses an output that is an input by any path or link, as a usage error", () => {
    const input = join(root, "rows.jsonl");
    writeFileSync(input, "{}\n");
    symlinkSync(input, join(root, "link.jsonl"));
    const inputs = [["--in", input] as const, ["--traces", undefined] as const];
    for (const out of [input, join(root, ".", "rows.jsonl"), join(root, "link.jsonl")]) {
      expect(() => checkNotInput("--out", out, inputs)).toThrow(UsageError);
      expect(() => checkNotInput("--out", out, inputs)).toThrow(
        `--out ${out} is the input --in ${input}: writing it would replace what is read`,
      );
    }
    // Another file, or one not there yet, is fine.
    writeFileSync(join(root, "other.jsonl"), "{}\n");
    expect(() => checkNotInput("--out", join(root, "other.jsonl"), inputs)).not.toThrow();
    expect(() => checkNotInput("--out", join(root, "new.jsonl"), inputs)).not.toThrow();
  });
});
