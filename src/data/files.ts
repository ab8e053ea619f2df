/** What went wrong reading a file, in words a user acts on (not Node's `EISDIR: illegal …`). */
export function fileErrorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "ENOENT":
      return "no such file";
    case "EISDIR":
      return "a folder, not a file";
    case "EACCES":
    case "EPERM":
      return "not readable (permission denied)";
    default:
      return err.message ?? String(e);
  }
}
