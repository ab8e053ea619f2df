/**
 * Output paths are checked before any work starts, so a bad `--out` fails in a moment with a
 * message naming it instead of after an hour of training, hanging in `mkdir` under /proc, or
 * leaving temporary files behind. `checkOutput` creates nothing: it finds the nearest existing
 * ancestor, checks that everything is of the expected kind and proves writability with a real
 * probe file that is always removed.
 */
import { closeSync, openSync, realpathSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { UsageError } from "./errors.js";

/** Kernel and device file systems: writing there is never what an output flag means. */
const REFUSED_ROOTS = ["/proc", "/sys", "/dev"];

export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputError";
  }
}

const under = (path: string, root: string) => path === root || path.startsWith(`${root}${sep}`);

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "ENOTDIR") return "not-a-directory" as const;
    throw e;
  }
}

/**
 * Checks that `path` (given as `flag`) can be written as a `file` (its parent directory gets a
 * temporary file and a rename) or a `dir` (created if missing, files written inside). Throws an
 * `OutputError` naming the flag, the path and the problem; returns the absolute path.
 */
export function checkOutput(flag: string, path: string, kind: "file" | "dir"): string {
  const abs = resolve(path);
  const fail = (problem: string): never => {
    throw new OutputError(`${flag} ${path}: ${problem}`);
  };
  for (const root of REFUSED_ROOTS) {
    if (under(abs, root)) fail(`refusing to write under ${root} (a kernel file system)`);
  }
  // The nearest ancestor that exists; each missing level would be created by the writer.
  let existing = abs;
  let stat = statOrNull(existing);
  while (stat === null) {
    const parent = dirname(existing);
    if (parent === existing) fail("no existing ancestor directory");
    existing = parent;
    stat = statOrNull(existing);
  }
  if (stat === "not-a-directory") return fail("a parent of it is a file, not a directory");
  // A symbolic link may lead into a refused file system.
  const real = realpathSync(existing);
  for (const root of REFUSED_ROOTS) {
    if (under(real, root)) fail(`refusing to write under ${root} (${existing} leads there)`);
  }
  let probeDir = existing;
  if (existing === abs) {
    if (kind === "file" && stat.isDirectory()) fail("is a directory; a file path is expected");
    if (kind === "dir" && !stat.isDirectory()) fail("exists and is not a directory");
    if (kind === "file") probeDir = dirname(abs);
  } else if (!stat.isDirectory()) {
    fail(`${existing} is a file, not a directory`);
  }
  const probe = join(probeDir, `.${basename(abs)}.probe-${process.pid}`);
  let created = false;
  try {
    const fd = openSync(probe, "wx");
    created = true;
    closeSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    fail(`cannot write in ${probeDir} (${code})`);
  } finally {
    if (created) rmSync(probe, { force: true });
  }
  return abs;
}

/**
 * Refuses an output that is one of the command's inputs (same file, by any path or link):
 * writing it would replace what is being read. A usage error, before any work.
 */
export function checkNotInput(
  flag: string,
  path: string,
  inputs: readonly (readonly [flag: string, path: string | undefined])[],
): void {
  const out = statOrNull(resolve(path));
  if (!out || out === "not-a-directory") return;
  for (const [inFlag, inPath] of inputs) {
    if (inPath === undefined) continue;
    const input = statOrNull(resolve(inPath));
    if (input && input !== "not-a-directory" && input.dev === out.dev && input.ino === out.ino)
      throw new UsageError(
        `${flag} ${path} is the input ${inFlag ? `${inFlag} ` : ""}${inPath}: writing it would replace what is read; choose another ${flag}`,
      );
  }
}
