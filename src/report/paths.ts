/**
 * Paths as a report records them: never an absolute local folder, since reports are committed
 * and read on other machines. A path inside the working folder is written relative to it; one
 * outside it as `…/` and its last component, because where it lies on this machine means
 * nothing elsewhere.
 */
import { basename, isAbsolute, relative, resolve, sep } from "node:path";

export function portablePath(path: string, base: string = process.cwd()): string {
  const absolute = resolve(base, path);
  const inside = relative(base, absolute);
  if (inside === "") return ".";
  const outside = inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  return outside ? `…/${basename(absolute)}` : inside;
}

/** A recorded command line with every absolute path in it made portable (words split on spaces). */
export function portableCommand(command: string, base: string = process.cwd()): string {
  return command
    .split(" ")
    .map((word) => (isAbsolute(word) ? portablePath(word, base) : word))
    .join(" ");
}
