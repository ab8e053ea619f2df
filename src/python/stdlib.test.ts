/**
 * Standard-library modules run from their source (issue 12): an import that is neither the
 * job's package nor a served view runs the module's pure-Python source from Pyodide's stdlib
 * archive, statement by statement under the snippet's policy, budget and events, per job.
 * Hostile: names that try to leave the archive, Pyodide's own packages, a module whose
 * statements the policy refuses, state left by one job for the next, loops in library code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRow, type TraceRow } from "../data/index.js";
import { TracerPool, traceFunctions } from "./index.js";

let pool: TracerPool;
beforeAll(() => {
  pool = new TracerPool({ workers: 1 });
});
afterAll(() => pool.close());

const MODULE = `import urllib.parse
import email.utils
import tomllib
import ftplib
import selectors
import inspect
import traceback
import html.parser
from collections import namedtuple

def quote(s):
    return urllib.parse.quote(s + "/ é")

def address(s):
    return email.utils.parseaddr("Bob <" + s + "@example.com>")

def toml(s):
    return tomllib.loads("a = " + str(len(s)))["a"]

def passive(s):
    return ftplib.parse227("227 Entering Passive Mode (127,0,0,1,4,%d)" % len(s))

def c_only(s):
    try:
        selectors.select.select
    except ImportError as e:
        return str(e)

def members(s):
    def g(y):
        return y
    m = dict(inspect.getmembers(g))
    return ["__globals__" in m, "__code__" in m, "__name__" in m]

def frames(s):
    return inspect.currentframe()

def stack(s):
    return len(inspect.stack())

def walk(s):
    return traceback.format_exception(ValueError(s))

def walk_again(s):
    return len(traceback.format_exception(ValueError(s)))

def walk_stack(s):
    return list(traceback.walk_stack(None))

def parser(s):
    seen = []
    class P(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            seen.append(tag)
    P().feed("<b>" + s + "</b><i>")
    return seen

def fields(s):
    P = namedtuple("P", "locals eval")
    return P(len(s), s).eval

def escapes(s):
    out = []
    for name in ["..os", "/lib/python314.zip/os", "os/../subprocess", "js", "pyodide",
                 "pyodide.ffi", "_pyodide", "_pyodide._base", "pyodide_js", "micropip",
                 "site-packages", "email..utils", ".email", "", "select", "_posixsubprocess",
                 "subprocess", "importlib", "_thread.start_new_thread", "posix.system"]:
        try:
            __import__(name)
            out.append(name)
        except ImportError:
            pass
    return out
`;

async function run(
  entries: string[],
  module = MODULE,
  options: { maxSteps?: number; unitOf?: (row: FunctionRow, i: number) => string } = {},
): Promise<Record<string, TraceRow>> {
  const rows = entries.map((entry) =>
    FunctionRow.parse({ id: entry, code: `def ${entry}(s): ...`, entry, module, args: ["str"] }),
  );
  // The first job of a unit compiles its imports' sources (seconds on a loaded machine): the
  // wall-clock safety net is widened so that it never decides a result here.
  const traced = await traceFunctions(rows, { pool, inputs: 3, timeoutMs: 60_000, ...options });
  return Object.fromEntries(traced.map((t) => [t.id, t]));
}

const outputs = (r: TraceRow) => r.runs.map((x) => x.output);

describe("standard-library modules run from source", () => {
  let r: Record<string, TraceRow>;
  beforeAll(async () => {
    r = await run(
      [
        "quote",
        "address",
        "toml",
        "passive",
        "c_only",
        "members",
        "frames",
        "stack",
        "walk",
        "walk_again",
        "walk_stack",
        "parser",
        "fields",
        "escapes",
      ],
      MODULE,
      { unitOf: () => "one" },
    ); // one unit: the imports compile once
  });

  it("serves modules that are not views: urllib.parse, email.utils, ftplib", () => {
    expect(r.quote.status).toBe("ok");
    for (const run of r.quote.runs) {
      const s = run.input[0].slice(1, -1);
      expect(run.output).toBe(`'${encodeURIComponent(s)}/%20%C3%A9'`);
    }
    for (const run of r.address.runs) {
      expect(run.output).toBe(`('Bob','${run.input[0].slice(1, -1)}@example.com')`);
    }
    expect(r.passive.status).toBe("ok");
    expect(r.passive.runs[0].output).toMatch(/^\('127\.0\.0\.1',10\d\d\)$/);
  });

  it("runs a stdlib package's relative imports (tomllib), and a view's submodule (html.parser)", () => {
    for (const run of r.toml.runs) expect(run.output).toBe(String(run.input[0].length - 2));
    expect(r.parser.status).toBe("ok");
    expect(r.parser.runs.every((x) => x.output === "['b','i']")).toBe(true);
  });

  it("gives a C-only import inside a stdlib module a placeholder", () => {
    expect(outputs(r.c_only)).toEqual(
      Array(3).fill("'not available in the sandbox (selectors line 12)'"),
    );
  });

  it("lets a generated function's parameters share a refused builtin's name", () => {
    expect(r.fields.status).toBe("ok");
    expect(r.fields.runs.map((x) => x.output)).toEqual(r.fields.runs.map((x) => x.input[0]));
  });

  it("keeps the policy inside stdlib code: no frames, globals or code objects", () => {
    expect(outputs(r.members)).toEqual(Array(3).fill("[False,False,True]"));
    expect(outputs(r.frames)).toEqual(Array(3).fill("None"));
    expect(r.stack.status).not.toBe("ok");
    expect(r.stack.runs.every((x) => x.output.startsWith("raise:"))).toBe(true);
    // format_exception reads the exception's __traceback__: None for one never raised, so it
    // formats (a raised one's traceback stays refused: stdlib-defs.test.ts), in this job and in
    // a later job of the unit that finds traceback compiled.
    for (const t of [r.walk, r.walk_again]) expect(t.status, t.error).toBe("ok");
    expect(outputs(r.walk).every((o) => o.startsWith("['ValueError: "))).toBe(true);
    expect(outputs(r.walk_again)).toEqual(Array(3).fill("1"));
    // walk_stack starts from sys._getframe, which the sys view does not serve (its f_back reads
    // are checked when they run).
    expect(r.walk_stack.status).toBe("always_raises");
    expect(r.walk_stack.error).toMatch(/AttributeError/);
  });

  it("refuses names outside the archive, Pyodide's packages and host modules", () => {
    expect(outputs(r.escapes)).toEqual(Array(3).fill("[]"));
  });
});

describe("a stdlib module's state and cost belong to its job", () => {
  it("drops a module-level mutation with the job, even inside one unit of trust", async () => {
    const module = `import urllib.parse
def poison(s):
    urllib.parse.uses_relative.append("zzz")
    return len(urllib.parse.uses_relative)
def look(s):
    return "zzz" in urllib.parse.uses_relative
`;
    const r = await run(["poison", "look"], module, { unitOf: () => "one" });
    expect(r.poison.status).toBe("ok");
    expect(outputs(r.look)).toEqual(["False", "False", "False"]);
  });

  it("counts library code's blocks against the step budget", async () => {
    const module = `import email.utils
def slow(s):
    return email.utils.parseaddr("a" * 20000 + s)
`;
    const r = await run(["slow"], module, { maxSteps: 5000 });
    expect(r.slow.status).toBe("timeout");
    expect(r.slow.error).toMatch(/step budget spent/);
  });
});

describe("the io view's stream classes", () => {
  const IO = `import io

def wrap(s):
    return io.TextIOWrapper(io.BytesIO(s.encode()), encoding="utf-8").read()

def raw(s):
    class R(io.RawIOBase):
        done = False
        def readable(self):
            return True
        def readinto(self, b):
            if self.done:
                return 0
            self.done = True
            data = s.encode()
            b[:len(data)] = data
            return len(data)
    return io.BufferedReader(R()).read()

def subclass(s):
    class B(io.BufferedIOBase):
        pass
    return [isinstance(B(), io.IOBase), io.DEFAULT_BUFFER_SIZE > 0]

def hostile(s):
    out = []
    for attempt in (
        lambda: io.open("/etc/passwd"),
        lambda: io.open_code("/etc/passwd"),
        lambda: io.FileIO("/etc/passwd"),
        lambda: io.TextIOWrapper("/etc/passwd").read(),
        lambda: io.TextIOWrapper(0).read(),
        lambda: io.BufferedReader(0).read(),
        lambda: io.BufferedReader(3).read(),
        lambda: io.BufferedWriter(1).write(b"x"),
        lambda: io.BufferedRWPair(0, 1).read(),
        lambda: io.BufferedRandom(0).read(),
        lambda: io.TextIOWrapper(io.BufferedReader(io.BytesIO(b"x"))).buffer.raw.fileno(),
    ):
        try:
            attempt()
            out.append("ran")
        except Exception as e:
            out.append(type(e).__name__)
    return out

def subclasses(s):
    return io.IOBase.__subclasses__()
`;

  it("wrap in-memory streams and user raw streams, and can be subclassed", async () => {
    const r = await run(["wrap", "raw", "subclass"], IO);
    for (const run of r.wrap.runs) expect(run.output).toBe(run.input[0]);
    for (const run of r.raw.runs) expect(run.output).toBe(`bytes:b${run.input[0]}`);
    expect(outputs(r.subclass)).toEqual(Array(3).fill("[True,True]"));
  });

  it("open no file or descriptor, and lead to no other stream class", async () => {
    const r = await run(["hostile", "subclasses"], IO);
    // io.open and io.open_code are the sandbox's own: /etc/passwd is absent there.
    const refused = `['FileNotFoundError','FileNotFoundError',${Array(8).fill("'AttributeError'").join(",")},'UnsupportedOperation']`;
    expect(outputs(r.hostile)).toEqual(Array(3).fill(refused));
    expect(r.subclasses.status).toBe("limit");
    expect(r.subclasses.error).toMatch(/'__subclasses__' is not allowed/);
  });
});

describe("enum helpers that write into a module's namespace", () => {
  const ENUM = `import enum, errno
K_B = 2
K_A = 1

def convert(s):
    E = enum.Enum._convert_("E", "builtins", lambda n: n in ("open", "eval"))
    return [m.value for m in E]

def global_enum(s):
    class X(enum.Enum):
        __module__ = "builtins"
        len = 1
    return enum.global_enum(X)

def own_convert(s):
    E = enum.IntEnum._convert_("E", __name__, lambda n: n.startswith("K_"))
    F = enum.IntEnum._convert_("F", __name__, lambda n: n in ("ENOENT", "_tc_attr"), source=errno)
    return ([(m.name, int(m)) for m in E], K_A is E.K_A, E is globals_E(), [m.name for m in F])

def globals_E():
    return E

def own_global(s):
    @enum.global_enum
    class Colour(enum.IntEnum):
        RED = 1
    return (RED is Colour.RED, repr(RED))

def hostile(s):
    out = []
    for attempt in (
        lambda: enum.global_enum(enum.IntEnum("Y", {"_tc_attr": 1}, module=__name__)),
        lambda: enum.IntEnum._convert_("_tc_attr", __name__, lambda n: False),
        lambda: enum.IntEnum._convert_("Z", "errno", lambda n: True),
        lambda: enum.IntEnum._convert_("Z", __name__, lambda n: True, source=len),
        lambda: enum.IntEnum.__dict__["_convert_"],
        lambda: getattr(enum.IntEnum, "_con" + "vert_").__func__(enum.IntEnum, "Z", "builtins", lambda n: True),
        lambda: super(enum.IntEnum, enum.IntEnum)._convert_,
    ):
        try:
            attempt()
            out.append("ran")
        except Exception as e:
            out.append(type(e).__name__)
    return out
`;

  it("never reach the real interpreter's modules: builtins is no module of the job", async () => {
    const r = await run(["convert", "global_enum"], ENUM);
    expect(r.convert.status).toBe("always_raises");
    expect(r.convert.error).toBe("raises KeyError on every input ('builtins')");
    expect(r.global_enum.status).toBe("always_raises");
    expect(r.global_enum.error).toBe("raises KeyError on every input ('builtins')");
  });

  it("write into the job's own module, never a reserved name, a view or the real _convert_", async () => {
    const r = await run(["own_convert", "own_global", "hostile"], ENUM);
    expect(outputs(r.own_convert)).toEqual(
      Array(3).fill("([('K_A',1),('K_B',2)],True,True,['ENOENT'])"),
    );
    expect(outputs(r.own_global)).toEqual(Array(3).fill("(True,'snippet.RED')"));
    expect(outputs(r.hostile)).toEqual(
      Array(3).fill(
        "['ValueError','ValueError','KeyError','TypeError','KeyError','KeyError','AttributeError']",
      ),
    );
  });
});
