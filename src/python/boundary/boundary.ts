/**
 * The operating-system boundary around every sandbox child: bubblewrap puts the Node process
 * that hosts Pyodide in its own user, network, PID, IPC, UTS and cgroup namespaces, on a
 * read-only view of only the files it needs (the Node binary and its libraries, the Pyodide
 * package, the worker script), with a small private /tmp, no /proc, a new session (no
 * terminal), no capabilities, a seccomp filter, and kernel resource limits set by `prlimit`
 * before Node starts. It is designed to hold after the Python code has taken over the
 * interpreter and the JavaScript realm it runs in (SECURITY.md).
 */
import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seccompFilter, seccompSupported } from "./seccomp.js";

export interface BoundaryLimits {
  /** Kernel cap on the child's writable private memory (RLIMIT_DATA), in MiB. */
  dataMb: number;
  /** Address space (RLIMIT_AS), in MiB: WebAssembly reserves ~10 GiB of guard pages. */
  addressSpaceMb: number;
  /** Open files (RLIMIT_NOFILE). */
  openFiles: number;
  /** CPU seconds over the child's whole life (RLIMIT_CPU), a backstop behind the parent's kill. */
  cpuSeconds: number;
  /** Largest file the child may write, in bytes (RLIMIT_FSIZE). */
  fileBytes: number;
  /** Size of the private /tmp, in bytes. */
  tmpBytes: number;
}

export const DEFAULT_LIMITS: BoundaryLimits = {
  dataMb: 2048,
  addressSpaceMb: 32 * 1024,
  openFiles: 64,
  cpuSeconds: 24 * 3600,
  fileBytes: 1 << 20,
  tmpBytes: 4 << 20,
};

/** How to start one child: the program, its arguments, and descriptors to hand over. */
export interface BoundaryCommand {
  file: string;
  args: string[];
  /** Descriptors the caller opens for the child (stdio index → fd) and closes after spawn. */
  extraFds: number[];
  /** Removes the temporary files made for the command (the seccomp program). */
  cleanup: () => void;
}

const FIX =
  "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`) and allow user namespaces " +
  "(sysctl kernel.unprivileged_userns_clone=1 where it exists), or pass --unsafe-no-isolation " +
  "to run untrusted code without the operating-system boundary";

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    const p = join(dir || ".", name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

let probed:
  | { ok: true; bwrap: string; prlimit: string }
  | { ok: false; reason: string }
  | undefined;

/**
 * Whether the boundary can be set up here, checked once per process by starting a trivial
 * program inside it (the same namespaces, binds and filter the children get).
 */
export function boundaryStatus(): { ok: true } | { ok: false; reason: string } {
  if (!probed) probed = probe();
  return probed.ok ? { ok: true } : probed;
}

function probe(): NonNullable<typeof probed> {
  if (process.platform !== "linux") {
    return {
      ok: false,
      reason: `the sandbox boundary needs Linux (this is ${process.platform}); ${FIX}`,
    };
  }
  const bwrap = which("bwrap");
  if (!bwrap) return { ok: false, reason: `bubblewrap (bwrap) is not installed; ${FIX}` };
  const prlimit = which("prlimit");
  if (!prlimit) return { ok: false, reason: `prlimit (util-linux) is not installed; ${FIX}` };
  if (!seccompSupported()) {
    return { ok: false, reason: `no seccomp filter for the ${process.arch} architecture; ${FIX}` };
  }
  probed = { ok: true, bwrap, prlimit };
  const cmd = boundaryCommand(
    [process.execPath, "-e", "process.stdout.write('ok')"],
    [],
    DEFAULT_LIMITS,
  );
  try {
    const r = spawnSync(cmd.file, cmd.args, {
      stdio: ["ignore", "pipe", "pipe", ...cmd.extraFds],
      env: {},
      timeout: 30_000,
      encoding: "utf8",
    });
    if (r.stdout === "ok") return probed;
    const why = (r.stderr || r.error?.message || `exit ${r.status ?? r.signal}`)
      .trim()
      .split("\n")[0];
    return { ok: false, reason: `bubblewrap cannot set up the sandbox here (${why}); ${FIX}` };
  } finally {
    cmd.cleanup();
  }
}

/** Binds for a system folder: a symlink stays a symlink (merged-/usr systems), a folder is bound. */
function systemDir(path: string): string[] {
  if (!existsSync(path)) return [];
  const st = lstatSync(path);
  if (st.isSymbolicLink()) {
    return ["--symlink", readlinkSync(path), path];
  }
  return ["--ro-bind", path, path];
}

/**
 * The command that runs `argv` (a Node program) inside the boundary. `readOnly` lists the
 * files and folders the program may read besides the Node binary and system libraries.
 * The caller passes `extraFds` as the child's stdio entries after its own (seccomp comes first).
 */
export function boundaryCommand(
  argv: string[],
  readOnly: string[],
  limits: BoundaryLimits,
  firstExtraFd = 3,
): BoundaryCommand {
  if (!probed?.ok)
    throw new Error(
      `the sandbox boundary is not available: ${boundaryStatus().ok ? "" : (boundaryStatus() as { reason: string }).reason}`,
    );
  const dir = mkdtempSync(join(tmpdir(), "tracecode-seccomp-"));
  const file = join(dir, "filter.bpf");
  writeFileSync(file, seccompFilter());
  const fd = openSync(file, "r");
  const binds: string[] = [];
  for (const p of [process.execPath, ...readOnly]) binds.push("--ro-bind", p, p);
  const mb = 1024 * 1024;
  const args = [
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--clearenv",
    ...systemDir("/usr/lib"),
    ...systemDir("/usr/lib64"),
    ...systemDir("/lib"),
    ...systemDir("/lib64"),
    // The private /tmp comes before the binds, which may lie under the host's /tmp.
    "--size",
    String(limits.tmpBytes),
    "--tmpfs",
    "/tmp",
    "--dev",
    "/dev",
    "--ro-bind",
    probed.prlimit,
    probed.prlimit,
    ...binds,
    "--remount-ro",
    "/",
    // /dev is a tmpfs of its own, without a size: writable, it would be host memory with no
    // limit (/dev/shm). Device nodes such as /dev/null stay writable on a read-only mount.
    "--remount-ro",
    "/dev",
    "--chdir",
    "/tmp",
    "--seccomp",
    String(firstExtraFd),
    "--",
    probed.prlimit,
    `--data=${limits.dataMb * mb}`,
    `--as=${limits.addressSpaceMb * mb}`,
    `--nofile=${limits.openFiles}`,
    `--cpu=${limits.cpuSeconds}`,
    `--fsize=${limits.fileBytes}`,
    "--core=0",
    "--",
    ...argv,
  ];
  return {
    file: probed.bwrap,
    args,
    extraFds: [fd],
    cleanup: () => {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
