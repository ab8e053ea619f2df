/**
 * A seccomp filter (classic BPF, the form `bwrap --seccomp FD` loads) for the sandbox
 * children: no sockets of any kind (the IPC channel is inherited, never created), no new
 * processes (threads only), no tracing of other processes, no namespace, mount, module, key or
 * BPF calls. Everything else is allowed: Node and Pyodide need a broad set of ordinary calls,
 * and the namespaces and read-only binds around the process do the rest.
 */

/** `struct sock_filter`: 8 bytes each. */
interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;
const CLONE_THREAD = 0x00010000;
/** Offsets in `struct seccomp_data`: nr, arch, then args[0] (low 32 bits on little-endian). */
const NR = 0;
const ARCH = 4;
const ARG0 = 16;

interface SyscallTable {
  audit: number;
  /** Refused with EPERM. */
  deny: number[];
  /** Refused with ENOSYS, so libc and libuv fall back to an older call (clone3 → clone). */
  absent: number[];
  /** clone(2): allowed only with CLONE_THREAD in its flags, i.e. for threads. */
  clone: number;
  /** Numbers at or above this are another ABI on the same architecture (x32): refused. */
  abiBit?: number;
}

const TABLES: Record<string, SyscallTable> = {
  x64: {
    audit: 0xc000003e,
    // socket connect accept bind listen socketpair accept4, fork vfork, ptrace
    // process_vm_readv/writev, mount umount2 pivot_root chroot unshare setns, kexec_load
    // init_module delete_module finit_module, bpf perf_event_open userfaultfd, add_key
    // request_key keyctl, personality, open_by_handle_at, name_to_handle_at
    deny: [
      41, 42, 43, 49, 50, 53, 288, 57, 58, 101, 310, 311, 165, 166, 155, 161, 272, 308, 246, 175,
      176, 313, 321, 298, 323, 248, 249, 250, 135, 304, 303,
    ],
    // clone3, io_uring_setup/enter/register
    absent: [435, 425, 426, 427],
    clone: 56,
    abiBit: 0x40000000,
  },
  arm64: {
    audit: 0xc00000b7,
    deny: [
      198, 203, 202, 200, 201, 199, 242, 117, 270, 271, 40, 39, 41, 51, 97, 268, 104, 105, 106, 273,
      280, 241, 282, 217, 218, 219, 92, 265, 264,
    ],
    absent: [435, 425, 426, 427],
    clone: 220,
  },
};

/** True where a filter can be built for this machine's architecture. */
export function seccompSupported(arch: string = process.arch): boolean {
  return arch in TABLES;
}

/** The filter program for `arch` (Node's `process.arch` names), as bytes for `--seccomp`. */
export function seccompFilter(arch: string = process.arch): Buffer {
  const t = TABLES[arch];
  if (!t) throw new Error(`no seccomp filter for architecture ${arch}`);
  const prog: Insn[] = [];
  const ld = (k: number) => prog.push({ code: BPF_LD_W_ABS, jt: 0, jf: 0, k });
  const ret = (k: number) => prog.push({ code: BPF_RET_K, jt: 0, jf: 0, k });
  // Jumps are filled in once the labels' positions are known.
  const fixups: { at: number; whenTrue: string; whenFalse: string }[] = [];
  const jump = (code: number, k: number, whenTrue: string, whenFalse: string) => {
    fixups.push({ at: prog.length, whenTrue, whenFalse });
    prog.push({ code, jt: 0, jf: 0, k });
  };
  const labels = new Map<string, number>();
  const label = (name: string) => labels.set(name, prog.length);

  ld(ARCH);
  jump(BPF_JEQ_K, t.audit, "next", "kill");
  label("next");
  ld(NR);
  if (t.abiBit !== undefined) jump(BPF_JGE_K, t.abiBit, "eperm", "go");
  label("go");
  for (const nr of t.deny) jump(BPF_JEQ_K, nr, "eperm", "");
  for (const nr of t.absent) jump(BPF_JEQ_K, nr, "enosys", "");
  jump(BPF_JEQ_K, t.clone, "clone", "allow");
  label("clone");
  ld(ARG0);
  jump(BPF_JSET_K, CLONE_THREAD, "allow", "eperm");
  label("allow");
  ret(SECCOMP_RET_ALLOW);
  label("eperm");
  ret(SECCOMP_RET_ERRNO | EPERM);
  label("enosys");
  ret(SECCOMP_RET_ERRNO | ENOSYS);
  label("kill");
  ret(SECCOMP_RET_KILL_PROCESS);

  for (const f of fixups) {
    // An empty label falls through to the next instruction.
    const target = (name: string) => (name === "" ? f.at + 1 : labels.get(name)!);
    const jt = target(f.whenTrue) - f.at - 1;
    const jf = target(f.whenFalse) - f.at - 1;
    if (jt < 0 || jt > 255 || jf < 0 || jf > 255) throw new Error("seccomp jump out of range");
    prog[f.at].jt = jt;
    prog[f.at].jf = jf;
  }
  const out = Buffer.alloc(prog.length * 8);
  prog.forEach((p, i) => {
    out.writeUInt16LE(p.code, i * 8);
    out.writeUInt8(p.jt, i * 8 + 2);
    out.writeUInt8(p.jf, i * 8 + 3);
    out.writeUInt32LE(p.k >>> 0, i * 8 + 4);
  });
  return out;
}
