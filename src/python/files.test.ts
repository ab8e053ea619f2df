/**
 * The in-memory folder /sandbox (issue 12): real code that touches files gets an empty, private
 * folder per job. Hostile: nothing outside it can be read, listed, written, renamed or removed,
 * by any spelling of a path (str, bytes, os.PathLike, "..", relative after chdir) or by a file
 * descriptor; nothing a job writes reaches a later call, job or unit; writing is a counted limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyRunner } from "../../test/helpers/snippets.js";
import { TracerPool } from "./index.js";

let pool: TracerPool;
beforeAll(() => {
  pool = new TracerPool({ workers: 1 });
});
afterAll(() => pool.close());

const one = { key: "files", types: ["int"], values: [[1]] };
const { trace, out } = bodyRunner(() => pool, one);

// Runs every accessor on every spelling of a path and collects what each gave.
const PROBE = `import os, io
class P:
    def __init__(self, p):
        self.p = p
    def __fspath__(self):
        return self.p
class S(str):  # a path whose methods claim to be inside /sandbox
    def startswith(self, *a):
        return True
    def lstrip(self, *a):
        return '/sandbox/x'
    def __add__(self, o):
        return '/sandbox/x'
    __radd__ = __add__
    def __eq__(self, o):
        return True
    __hash__ = str.__hash__
class B(bytes):
    def decode(self, *a):
        return '/sandbox/x'
def probe(paths, lying=False):
    seen = set()
    for p in paths:
        for form in (S(p), B(p.encode()), P(S(p))) if lying else (p, p.encode(), P(p)):
            for ask in (open, lambda q: open(q, 'rb'), io.open, os.stat, os.lstat, os.listdir,
                        lambda q: list(os.scandir(q)), os.path.exists, os.path.isfile,
                        os.path.getsize, lambda q: os.open(q, os.O_RDONLY)):
                try:
                    r = ask(form)
                    seen.add(r if type(r) is bool else 'read')
                except Exception as e:
                    seen.add(type(e).__name__)
    return sorted(seen, key=str)
`;

describe("what user code sees outside /sandbox", () => {
  const outside = [
    "/lib/python314.zip",
    "/lib",
    "/lib/python3.14/os.py",
    "/proc/self/environ",
    "/dev/null",
    "/dev/urandom",
    "/etc/passwd",
    `${process.cwd()}/dist/python/worker.js`,
    "/sandbox/../lib/python314.zip",
    "../lib",
    "/sandbox/./../../../lib",
    "//lib",
  ];
  it("an absent file's error reads as CPython's, without WebAssembly's errno number", async () => {
    const r = await trace("return open('data.txt').read()");
    expect(r.error).toBe("FileNotFoundError: No such file or directory: 'data.txt'");
  });
  it("reads every path outside as absent, by str, bytes, PathLike, lying subclasses and '..'", async () => {
    const lying = ["/lib", "../lib", "/etc/passwd", "/sandbox/../lib/python314.zip"];
    const r = await trace(
      `return probe(${JSON.stringify(outside)}), probe(${JSON.stringify(lying)}, True)`,
      undefined,
      one,
      PROBE,
    );
    expect(r.status, r.error).toBe("ok");
    expect(r.runs[0][2]).toBe("([False,'FileNotFoundError'],[False,'FileNotFoundError'])");
  });

  it("serves '/' as a folder holding only sandbox, and nothing below it but /sandbox", async () => {
    expect(
      await out(
        "import os\nos.chdir('/')\nr = (os.listdir('/'), os.listdir(b'.'), os.getcwd(), os.path.isdir('/'), os.path.exists('lib'))\ntry:\n    open('/')\nexcept IsADirectoryError:\n    return r + ('is a folder',)",
      ),
    ).toBe("(['sandbox'],[bytes:b'sandbox'],'/',True,False,'is a folder')");
    // Relative names after chdir resolve against the new folder, and still never leave /sandbox.
    const r = await trace(
      "os.chdir('/')\nopen('sandbox/a', 'w').write('x')\nos.chdir('sandbox')\nreturn (open('a').read(), probe(['../lib', '../../lib/python314.zip', '../dev/null']))",
      undefined,
      one,
      PROBE,
    );
    expect(r.status, r.error).toBe("ok");
    expect(r.runs[0][2]).toBe("('x',[False,'FileNotFoundError'])");
  });

  it("refuses every change outside /sandbox and to /sandbox itself", async () => {
    expect(
      await out(
        `import os
open('f', 'w').close()
tries = [lambda: open('/x', 'w'), lambda: open('/lib/x', 'w'), lambda: open('/sandbox/../x', 'a'),
         lambda: open(b'/etc/passwd', 'r+'), lambda: open('/dev/x', 'x'), lambda: os.mkdir('/x'),
         lambda: os.makedirs('/lib/a/b'), lambda: os.rename('/sandbox/f', '/f'),
         lambda: os.rename('f', '../f'), lambda: os.replace('f', '/lib/f'),
         lambda: os.rename('/sandbox', '/s'), lambda: os.rename('/lib', '/sandbox/lib'),
         lambda: os.rmdir('/sandbox'), lambda: os.remove('/lib/python314.zip'),
         lambda: os.remove('/'), lambda: os.chmod('/', 0o777), lambda: os.utime('/'),
         lambda: os.open('/x', os.O_CREAT | os.O_WRONLY), lambda: os.mkdir('/sandbox')]
out = set()
for t in tries:
    try:
        t()
        out.add('done')
    except OSError as e:
        out.add(type(e).__name__)
return sorted(out), os.listdir('/'), os.listdir('.')`,
      ),
    ).toBe(
      "(['FileExistsError','FileNotFoundError','IsADirectoryError','OSError','PermissionError'],['sandbox'],['f'])",
    );
  });

  it("serves no symbolic links, no FileIO, no device or pipe", async () => {
    expect(
      await out(
        "import os, io\nreturn [hasattr(os, n) for n in ('symlink', 'link', 'readlink', 'mkfifo', 'mknod', 'pipe', 'dup', 'dup2', 'sendfile', 'truncate')] + [hasattr(io, 'FileIO'), os.path.islink('.')]",
      ),
    ).toBe("[False,False,False,False,False,False,False,False,False,False,False,False]");
  });
});

describe("file descriptors", () => {
  it("are numbers of the job's own table: 0, 1, 2 and the process's are not there", async () => {
    expect(
      await out(
        `import os, io
tries = [lambda: open(0), lambda: open(1, 'w'), lambda: open(2, 'wb'), lambda: os.read(0, 1),
         lambda: os.write(1, b'x'), lambda: os.fstat(2), lambda: os.close(0),
         lambda: os.lseek(0, 0, 0), lambda: open(-1), lambda: os.fdopen(1), lambda: io.open(4),
         lambda: open('a', 'w', opener=lambda p, fl: 1), lambda: os.stat(3)]
out = set()
for t in tries:
    try:
        t()
        out.add('done')
    except OSError as e:
        out.add(e.strerror)
return sorted(out)`,
      ),
    ).toBe("['Bad file descriptor','Bad file descriptor (no file descriptors in the sandbox)']");
  });

  it("serve os.open, os.write, os.fstat, fileno and an opener on files of /sandbox", async () => {
    expect(
      await out(
        "import os\nfd = os.open('a', os.O_CREAT | os.O_WRONLY, 0o600)\nos.write(fd, b'abc')\nseen = (os.path.getsize('a'), os.fstat(fd).st_size, oct(os.stat('a').st_mode))\nos.close(fd)\nwith open('b', 'w', opener=lambda p, fl: os.open(p, fl)) as f:\n    f.write('hi')\n    n = f.fileno()\nwith open(os.open('a', os.O_RDONLY), 'rb') as g:\n    return seen, fd, n, g.read(), open('b').read()",
      ),
    ).toBe("((3,3,'0o100600'),3,3,bytes:b'abc','hi')");
  });
});

describe("what a job leaves", () => {
  it("nothing for the next job of the unit or another unit; module code's files for every call", async () => {
    const write =
      "import os\nopen('leak', 'w').write('secret')\nos.mkdir('d')\nreturn sorted(os.listdir('.'))";
    const look = "import os\nreturn os.listdir('.'), os.getcwd()";
    expect(await out(write, "files-u1")).toBe("['d','leak']");
    expect(await out(look, "files-u1")).toBe("([],'/sandbox')");
    expect(await out(look, "files-u2")).toBe("([],'/sandbox')");
    // Every call starts from what the definitions left: a call's files are gone at the next.
    const r = await trace(
      "open(str(x), 'w').close()\nimport os\nos.chdir('d')\nreturn sorted(os.listdir('..'))",
      "files-u1",
      { key: "files-calls", types: ["int"], values: [[1], [2], [3]] },
      "import os\nos.mkdir('d')\nopen('base', 'w').write('b')\n",
    );
    expect(r.status, r.error).toBe("ok");
    expect(r.runs.map((run) => run[2])).toEqual([
      "['1','base','d']",
      "['2','base','d']",
      "['3','base','d']",
    ]);
  });

  it("a file object kept from an earlier call writes nowhere", async () => {
    const r = await trace(
      "import os\nif _keep:\n    _keep[0].write('late')\n    _keep[0].close()\n    return os.listdir('.')\n_keep.append(open('kept', 'w'))\nreturn os.listdir('.')",
      undefined,
      { key: "files-keep", types: ["int"], values: [[1], [2]] },
      "_keep = []\n",
    );
    expect(r.status, r.error).toBe("ok");
    expect(r.runs.map((run) => run[2])).toEqual(["['kept']", "[]"]);
  });

  it("what a job sets on the file classes is undone before the next job", async () => {
    expect(
      await out(
        "import os\nos.DirEntry.marker = 1\nos.DirEntry.__name__ = 'X'\ntype(open('a', 'wb')).write = None\nreturn 1",
        "files-u3",
      ),
    ).toBe("1");
    expect(
      await out(
        "import os\nreturn getattr(os.DirEntry, 'marker', 'clean'), os.DirEntry.__name__, open('a', 'wb').write(b'x')",
        "files-u3",
      ),
    ).toBe("('clean','DirEntry',1)");
  });

  it("writing more than the quota stops the job with status limit", async () => {
    const r = await trace("f = open('big', 'wb')\nwhile True:\n    f.write(b'x' * 65536)");
    expect(r.status).toBe("limit");
    expect(r.error).toMatch(/more than 16 MiB written to \/sandbox/);
    // Deleting does not give the quota back: it counts bytes written.
    const again = await trace(
      "import os\nfor i in range(40):\n    with open('f', 'wb') as f:\n        f.write(b'x' * (1 << 20))\n    os.remove('f')",
    );
    expect(again.status).toBe("limit");
  });
});

describe("the tracer's work on the folder", () => {
  it("caps the entries, and spends the step budget on scans and copies", async () => {
    expect(
      await out(
        "n = 0\ntry:\n    while True:\n        open(str(n), 'w').close()\n        n += 1\nexcept OSError as e:\n    return n, e.strerror",
      ),
    ).toBe("(9999,'No space left on device')");
    // One listing of 800 entries costs 100 steps: 200 of them spend a budget of 10,000.
    const listing = await pool.trace({
      code: "import os\ndef f(x):\n    for i in range(800):\n        open(str(i), 'w').close()\n    for i in range(200):\n        os.listdir('.')\n",
      module: true,
      entry: "f",
      inputs: one,
      maxSteps: 10_000,
    });
    expect(listing.status).toBe("timeout");
    // Storing a 1 MiB file costs 1,024 steps per flush.
    const copies = await pool.trace({
      code: "def f(x):\n    with open('a', 'wb') as f:\n        f.write(b'x' * (1 << 20))\n        for i in range(10):\n            f.write(b'y')\n            f.flush()\n",
      module: true,
      entry: "f",
      inputs: one,
      maxSteps: 10_000,
    });
    expect(copies.status).toBe("timeout");
  });
});

describe("determinism", () => {
  it("stat, listing order, inodes, timestamps and os.urandom are the same in every unit", async () => {
    const body =
      "import os\nos.makedirs('b/c')\nfor n in ('z', 'a', 'm'):\n    open(n, 'w').write(n * 3)\nos.rename('m', 'b/m')\nst = os.stat('b/m')\nreturn (os.listdir('.'), [e.name for e in os.scandir('b')], list(os.walk('.')), st.st_ino, st.st_mtime, st.st_size, os.urandom(4), os.getpid())";
    const a = await trace(body, "files-d1");
    const b = await trace(`${body}\n`, "files-d2");
    expect(a.status, a.error).toBe("ok");
    expect(a.runs).toEqual(b.runs);
    expect(a.runs[0][2]).toBe(
      "(['a','b','z'],['c','m'],[('.',['b'],['a','z']),('./b',['c'],['m']),('./b/c',[],[])],7,946684808.0,3,bytes:b'\\x0c3J$',2)",
    );
  });

  it("answers host questions alike everywhere: host name, process id", async () => {
    expect(
      await out(
        "import socket, platform, os\nreturn socket.gethostname() == platform.node(), type(socket.gethostname()).__name__, os.getpid()",
      ),
    ).toBe("(True,'str',2)");
  });

  it("SystemRandom and secrets draw from os.urandom's stream, reseeded per call", async () => {
    const r = await trace(
      "import random, secrets\nr = random.SystemRandom()\nr.seed(5)\ntry:\n    r.getstate()\nexcept NotImplementedError:\n    pass\nreturn r.getrandbits(12), r.randint(1, 6), secrets.token_hex(4)",
      undefined,
      { key: "files-sysrand", types: ["int"], values: [[1], [2]] },
    );
    expect(r.status, r.error).toBe("ok");
    expect(r.runs[0][2]).toBe(r.runs[1][2]);
    expect(r.runs[0][2]).toMatch(/^\(\d+,[1-6],'[0-9a-f]{8}'\)$/);
  });

  it("sys.path is an empty list of the job's own", async () => {
    expect(await out("import sys\nsys.path.append('/lib')\nreturn sys.path", "files-u4")).toBe(
      "['/lib']",
    );
    expect(await out("import sys\nreturn sys.path", "files-u4")).toBe("[]");
  });
});

describe("codecs", () => {
  it("a text file in a codec not used yet, and codecs.open, work; the registries are not served", async () => {
    expect(
      await out(
        "import codecs, _codecs\nopen('a', 'w', encoding='cp1252').write('\u00e9')\nwith codecs.open('u', 'w', 'utf-16-le') as f:\n    f.write('\u00e9')\nbad = []\nfor name in ('os', 'subprocess', '../os', 'encodings.idna', '.rot13', 'aliases', 'search_function'):\n    try:\n        codecs.lookup(name)\n        bad.append(name)\n    except LookupError:\n        pass\nreturn (open('a', 'rb').read(), open('u', 'rb').read(), codecs.encode('ab', 'rot13'), bad,\n        [hasattr(m, n) for m in (codecs, _codecs) for n in ('register', 'unregister', 'register_error')])",
      ),
    ).toBe("(bytes:b'\\xe9',bytes:b'\\xe9\\x00','no',[],[False,False,False,False,False,False])");
  });
});

describe("imports the interpreter makes while user code runs", () => {
  it("a codec used first, a zip file's names, a coroutine never awaited: no 'open' refused", async () => {
    const r = await trace(
      "import zipfile\nasync def g():\n    return 1\nc = g()\nwith zipfile.ZipFile('z.zip', 'w') as z:\n    z.writestr('\u00e9.txt', 'b')\nwith zipfile.ZipFile('z.zip') as z:\n    return '\u00e9'.encode('cp437'), b'\\x82'.decode('cp850'), z.namelist(), z.read('\u00e9.txt')",
      undefined,
      { key: "files-imports", types: ["int"], values: [[1], [2]] },
    );
    expect(r.status, r.error).toBe("ok");
    expect(r.runs[1][2]).toBe("(bytes:b'\\x82','\u00e9',['\u00e9.txt'],bytes:b'b')");
  });
});

describe("real code on the folder", () => {
  it("runs shutil, glob, tempfile, filecmp, fileinput and mailbox", async () => {
    expect(
      await out(
        `import os, shutil, glob, tempfile, filecmp, fileinput, mailbox
os.makedirs('a/b')
open('a/b/f.py', 'w').write('x = 1\\n')
shutil.copytree('a', 'c')
same = filecmp.cmp('a/b/f.py', 'c/b/f.py', shallow=False)
shutil.rmtree('a')
found = sorted(glob.glob('**/*.py', recursive=True))
with tempfile.NamedTemporaryFile('w+', dir='c') as t:
    t.write('tmp')
    t.seek(0)
    tmp = t.read()
lines = list(fileinput.input(['c/b/f.py']))
box = mailbox.mbox('box')
box.add('Subject: hi\\n\\nbody\\n')
box.flush()
return same, found, tmp, lines, len(box), sorted(os.listdir('.'))`,
      ),
    ).toBe("(True,['c/b/f.py'],'tmp',['x = 1\\n'],1,['box','c'])");
  });
});
