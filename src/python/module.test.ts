/**
 * Real code as it is: a function runs inside its module (constants, classes, helpers, imports,
 * statement by statement), an import the sandbox refuses binds a placeholder that raises only
 * when used, `if __name__ == "__main__":` never runs; verdicts are honest (a function that
 * raises on every input has no behaviour class, inputs that cannot bind are a signature
 * mismatch); the widened module allow-list serves pure computation and nothing else.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asFunction } from "../../test/helpers/snippets.js";
import { FunctionRow, type TraceRow } from "../data/index.js";
import { TracerPool, traceFunctions } from "./index.js";

let pool: TracerPool;
beforeAll(() => {
  pool = new TracerPool({ workers: 2 });
});
afterAll(() => pool.close());

const MODULE = `"""A module like colorsys: constants, a class, helpers, imports it may not get."""
import subprocess
from os.path import *
import sys
from dataclasses import dataclass

K = 3
TABLE = {i: i * K for i in range(5)}

@dataclass
class Point:
    x: int
    y: int = 1

def _helper(x):
    return TABLE.get(x % 5, -1)

def uses_constants(x):
    return _helper(x) + K

def uses_class(x):
    return Point(x).y + Point(x, x).x

def uses_star_import(x):
    return join("a", basename("/b/c" + str(x)))

def uses_subprocess(x):
    return subprocess.getoutput("id")

def uses_sys(x):
    return sys.maxsize > x

sys._getframe()

def defined_after_a_refused_line(x):
    return x + 1

def two(a, b):
    return a + b

def keyword_only(x, *, scale):
    return x * scale

if __name__ == "__main__":
    while True:
        pass
`;

async function run(entries: string[], module = MODULE): Promise<Record<string, TraceRow>> {
  const rows = entries.map((entry) =>
    FunctionRow.parse({ id: entry, code: `def ${entry}(x): ...`, entry, module }),
  );
  const traced = await traceFunctions(rows, { pool, inputs: 4, range: { min: -6, max: 6 } });
  return Object.fromEntries(traced.map((t) => [t.id, t]));
}

describe("a function inside its module", () => {
  let r: Record<string, TraceRow>;
  beforeAll(async () => {
    r = await run([
      "uses_constants",
      "uses_class",
      "uses_subprocess",
      "uses_star_import",
      "uses_sys",
      "defined_after_a_refused_line",
      "two",
      "keyword_only",
    ]);
  });

  it("sees the module's constants, helpers and classes", () => {
    expect(r.uses_constants.status).toBe("ok");
    const xs = r.uses_constants.runs.map((run) => Number(run.input[0]));
    expect(r.uses_constants.runs.map((run) => run.output)).toEqual(
      xs.map((x) => String((((x % 5) + 5) % 5) * 3 + 3)),
    );
    expect(r.uses_class.status).toBe("ok");
    expect(r.uses_class.runs.map((run) => run.output)).toEqual(
      r.uses_class.runs.map((run) => String(1 + Number(run.input[0]))),
    );
  });

  it("serves a view's names to from m import *", () => {
    expect(r.uses_star_import.runs.map((run) => run.output)).toEqual(
      r.uses_star_import.runs.map((run) => `'a/c${run.input[0]}'`),
    );
  });

  it("runs a function that never touches an import the sandbox refused", () => {
    expect(r.defined_after_a_refused_line.status).toBe("ok");
    expect(r.uses_sys.status).toBe("ok");
  });

  it("gives a function that uses a refused import its own status, not a behaviour", () => {
    expect(r.uses_subprocess.status).toBe("always_raises");
    expect(r.uses_subprocess.error).toBe(
      "raises ImportError on every input (not available in the sandbox (line 2: ImportError: module 'subprocess' is not available in the sandbox))",
    );
    expect(r.uses_subprocess.ioClass).toBeNull();
  });

  it("checks the inputs against the signature", () => {
    expect(r.two.status).toBe("runtime_error");
    expect(r.two.error).toMatch(
      /signature mismatch: two takes 2 positional arguments, the inputs give 1/,
    );
    expect(r.keyword_only.error).toMatch(/needs keyword-only arguments \(scale\)/);
  });

  it("never runs the main block (it would loop forever)", () => {
    for (const t of Object.values(r)) expect(t.status).not.toBe("timeout");
  });

  it("says which module lines failed when the entry is missing", async () => {
    const missing = await run(["nope"]);
    expect(missing.nope.status).toBe("runtime_error");
    expect(missing.nope.error).toMatch(
      /entry function 'nope' is not defined; line 2 raised ImportError/,
    );
  });

  it("holds slow module-level code to the step budget", async () => {
    const slow = `N = 0\nwhile True:\n    N += 1\ndef f(x):\n    return x\n`;
    const t = await run(["f"], slow);
    expect(t.f.status).toBe("timeout");
  });

  it("applies a module's __future__ imports to every statement", async () => {
    const future = `from __future__ import annotations\ndef f(x: Undefined) -> AlsoUndefined:\n    return x\n`;
    const t = await run(["f"], future);
    expect(t.f.status).toBe("ok");
  });
});

describe("inputs", () => {
  it("are fresh for every call, nested containers included", async () => {
    // Each call appends to every inner list; shared inputs would grow from call to call.
    const code =
      "def f(a):\n    for x in a:\n        x.append(0)\n    return sum(len(x) for x in a)\n";
    const [t] = await traceFunctions(
      [FunctionRow.parse({ id: "n", code, args: ["list[list[int]]"] })],
      { pool, inputs: 6 },
    );
    expect(t.status).toBe("ok");
    for (const run of t.runs) {
      const a = JSON.parse(run.input[0]) as number[][];
      // The value counts each list grown by one; what the call left in its argument follows.
      const grown = a.map((x) => `[${[...x, 0].join(",")}]`).join(",");
      const left = a.length > 0 ? `;args:([${grown}],)` : "";
      expect(run.output).toBe(`${a.reduce((n, x) => n + x.length + 1, 0)}${left}`);
    }
  });
});

describe("the module allow-list", () => {
  const snippet = (body: string) => asFunction(body);
  const cases: [string, string, (t: TraceRow) => void][] = [
    [
      "dataclasses",
      "from dataclasses import dataclass, make_dataclass\n@dataclass\nclass P:\n    a: int\nC = make_dataclass('C', ['b'])\nreturn P(x).a + C(x).b",
      (t) => expect(t.status).toBe("ok"),
    ],
    [
      "namedtuple",
      "from collections import namedtuple\nP = namedtuple('P', 'a b')\nreturn P(x, 1).a",
      (t) => expect(t.status).toBe("ok"),
    ],
    [
      "numbers, struct, enum, json, io.StringIO",
      "import numbers, struct, enum, json, io\ns = io.StringIO()\ns.write(json.dumps(x))\nreturn (isinstance(x, numbers.Integral), struct.pack('<i', x)[0], s.getvalue())",
      (t) => expect(t.status).toBe("ok"),
    ],
    [
      // Served for isinstance only (guarded.test.ts): code never holds an instance.
      "types.CodeType",
      "import types\nreturn types.CodeType.__name__",
      (t) => expect(t.runs.map((run) => run.output)).toEqual(Array(3).fill("'code'")),
    ],
    [
      // Served for isinstance and pickle's dispatch table: type(lambda: 0) gives it anyway, and
      // building a function is refused by the audit hook (function.__new__).
      "types.FunctionType, which is type(lambda: 0)",
      "import types\nreturn (types.FunctionType is type(lambda: 0), types.LambdaType is types.FunctionType)",
      (t) => expect(t.runs.map((r) => r.output)).toEqual(Array(t.runs.length).fill("(True,True)")),
    ],
    [
      "io.open",
      "import io\nreturn io.open('/etc/passwd').read()",
      (t) => expect(t.status).toBe("always_raises"),
    ],
    [
      // Read-only, and only what the job imported (served.test.ts).
      "sys.modules",
      "import sys\nreturn sorted(sys.modules)",
      (t) => expect(t.runs.map((run) => run.output)).toEqual(Array(3).fill("['sys']")),
    ],
    [
      // Waits for nothing: it moves the view's clocks on (served.test.ts).
      "time.sleep",
      "import time\nreturn time.sleep(0)",
      (t) => expect(t.runs.map((run) => run.output)).toEqual(Array(3).fill("None")),
    ],
    [
      "os: path strings, constants and an empty environment",
      "import os, os.path, posixpath\nfrom os.path import basename\nreturn (os.path.join('a', str(x)), posixpath.splitext('a.b.py'), basename('/x/y'), os.sep, os.name, dict(os.environ), os.getenv('HOME', 'none'))",
      (t) => {
        expect(t.status).toBe("ok");
        for (const run of t.runs)
          expect(run.output).toBe(`('a/${run.input[0]}',('a.b','.py'),'y','/','posix',{},'none')`);
      },
    ],
    ...["os.system('true')", "os.fork()", "os.environ.__setitem__('A', 'b')"].map(
      (call): [string, string, (t: TraceRow) => void] => [
        `os without ${call}`,
        `import os\nreturn ${call}`,
        (t) => expect(t.status).toBe("always_raises"),
      ],
    ),
    [
      "pure modules: stat, errno, fnmatch, shlex, ipaddress, tokenize, gettext, builtins",
      "import stat, errno, fnmatch, shlex, ipaddress, io, tokenize, builtins\nfrom gettext import gettext as _\ntoks = [t.string for t in tokenize.generate_tokens(io.StringIO('a+1').readline)]\nreturn (stat.S_ISDIR(0o40000), errno.ENOENT > 0, fnmatch.fnmatch('a.py', '*.py'), shlex.split('a \"b c\"'), str(ipaddress.ip_address(x % 256)), toks[:3], _('hi'), builtins.len('ab'))",
      (t) => {
        expect(t.status).toBe("ok");
        for (const run of t.runs)
          expect(run.output).toBe(
            `(True,True,True,['a','b c'],'0.0.0.${((Number(run.input[0]) % 256) + 256) % 256}',['a','+','1'],'hi',2)`,
          );
      },
    ],
    ...[
      "shlex.shlex()",
      "builtins.open('/etc/hostname')",
      "builtins.eval",
      "builtins.__import__",
      "tokenize.open",
      "gettext.translation",
    ].map((name): [string, string, (t: TraceRow) => void] => [
      `no ${name}`,
      `import shlex, builtins, tokenize, gettext\nreturn ${name}`,
      (t) => expect(t.status).not.toBe("ok"),
    ]),
    ["subprocess", "import subprocess\nreturn 1", (t) => expect(t.status).toBe("always_raises")],
    [
      "clocks are fixed",
      "import time, datetime\nreturn (time.time(), str(datetime.date.today()))",
      (t) => expect(new Set(t.runs.map((run) => run.output)).size).toBe(1),
    ],
  ];

  it.each(cases)("%s", async (_name, body, check) => {
    const [t] = await traceFunctions([FunctionRow.parse({ id: "m", code: snippet(body) })], {
      pool,
      inputs: 3,
    });
    check(t);
  });
});

describe("limits that do not depend on load", () => {
  // A file whose rows end every way a budget can decide: on the step budget (at some input,
  // inside a module statement too), with traces cut by the event cap, always raising, and
  // drawing on the seeded randomness and the counted clocks.
  const rows = [
    ["spin", "def f(x):\n    while True:\n        x += 1\n"],
    [
      "late",
      "def f(x):\n    t = 0\n    for i in range(abs(x) * 200):\n        t += i\n    return t\n",
    ],
    ["long", "def f(x):\n    t = 0\n    for i in range(1200):\n        t += i\n    return t\n"],
    ["raises", "def f(x):\n    return [][x]\n"],
    ["random", "import random, time\ndef f(x):\n    return (random.random(), time.time(), x)\n"],
    ["slow module", "N = 0\nwhile N < 10**9:\n    N += 1\ndef f(x):\n    return N\n"],
  ].map(([id, code]) =>
    FunctionRow.parse({ id, code, module: id === "slow module" ? code : undefined }),
  );
  const traceAll = () =>
    traceFunctions(rows, { pool, inputs: 20, maxSteps: 100_000, range: { min: -40, max: 40 } });

  it("gives byte-identical output with two CPU-burning processes alongside", async () => {
    const idle = JSON.stringify(await traceAll());
    const burners = [0, 1].map(() =>
      spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
    );
    let busy: string;
    try {
      busy = JSON.stringify(await traceAll());
    } finally {
      for (const b of burners) b.kill("SIGKILL");
    }
    expect(busy).toBe(idle);
    // The budget, not the clock, decided: the rows that ran out say so, with the input.
    const statuses = (JSON.parse(idle) as TraceRow[]).map((t) => `${t.id} ${t.status}`);
    expect(statuses).toEqual([
      "spin timeout",
      "late timeout",
      "long ok",
      "raises always_raises",
      "random ok",
      "slow module timeout",
    ]);
    expect(idle).toMatch(/step budget spent on input \d+ of \d+, \(-?\d+,\) \(budget/);
    expect(idle).toContain('"truncated":true');
  }, 60_000);
});

describe("a function whose body the policy refuses (module context)", () => {
  // The policy refuses the smallest function whose body breaks it, not its whole statement:
  // the rest of the class runs, the refused function raises SandboxRefused when called, and a
  // caller that reaches it on every input is reported refused, not "always raises".
  const FRAMES = `import sys
SEEN = []

class Frames:
    """One method reads frames; the others are innocent."""

    def __init__(self, x):
        self.x = x

    def innocent(self):
        return self.x * 2

    def walk(self):
        """Walks the frames."""
        SEEN.append("walk ran")
        while True:
            pass
        return self.innocent.__globals__

    def nested(self):
        def inner(tb):
            SEEN.append("inner ran")
            return tb.__code__
        return inner

    key = staticmethod(lambda t: t.__closure__)

    def gen(self):
        yield self.x.__globals__

def innocent(x):
    return Frames(x).innocent()

def calls_walk(x):
    return Frames(x).walk()

def walk_when_positive(x):
    if x > 0:
        return Frames(x).walk()
    return x

def outer_runs(x):
    return Frames(x).nested() is not None

def calls_inner(x):
    return Frames(x).nested()(None)

def calls_lambda(x):
    return Frames.key(x)

def still_a_generator(x):
    return type(Frames(x).gen()).__name__

def no_side_effects(x):
    for call in (Frames(x).walk, lambda: Frames(x).nested()(None)):
        try:
            call()
        except Exception:
            pass
    return len(SEEN)

def itself_refused(x):
    return x.__globals__

def caught(x):
    try:
        Frames(x).walk()
    except Exception as e:
        try:
            getattr(e, "__traceback__")
            tb = "read"
        except AttributeError:
            tb = "denied"
        return (type(e).__name__, e.args, e.__dict__, tb)

def forged(x):
    try:
        Frames(x).walk()
    except Exception as e:
        raise type(e)("not the sandbox's message")
`;
  const inputs = (values: number[]) => ({
    key: `refused:${values.join(",")}`,
    types: ["int"],
    values: values.map((v) => [v]),
  });
  const call = (entry: string, module = FRAMES, values = [1, 2, 3]) =>
    pool.trace({ code: module, module: true, entry, inputs: inputs(values) });
  const outputs = (r: { runs: [unknown, unknown, string, unknown][] }) => r.runs.map((x) => x[2]);

  it("runs the innocent methods of a class one of whose methods reads frames", async () => {
    const r = await call("innocent");
    expect(r.status).toBe("ok");
    expect(outputs(r)).toEqual(["2", "4", "6"]);
  });

  it("reports a caller that reaches the refused method on every input as refused, with the reason", async () => {
    const r = await call("calls_walk");
    expect(r.status).toBe("limit");
    expect(r.error).toMatch(
      /^sandbox: attribute '__globals__' is not allowed \(line \d+\) \(def Frames\.walk, line 13, refused; called on every input\)$/,
    );
    // The entry itself refused is reported the same way.
    const own = await call("itself_refused");
    expect(own.status).toBe("limit");
    expect(own.error).toMatch(
      /'__globals__' is not allowed .*\(def itself_refused, line \d+, refused/,
    );
  });

  it("gives an exception output on the inputs that reach it, behaviour on the others", async () => {
    const r = await call("walk_when_positive", FRAMES, [1, -2, 0]);
    expect(r.status).toBe("ok");
    expect(outputs(r)).toEqual(["raise:SandboxRefused", "-2", "0"]);
  });

  it("refuses the innermost function: a nested def, a lambda; a generator stays a generator", async () => {
    expect(outputs(await call("outer_runs"))).toEqual(["True", "True", "True"]);
    expect((await call("calls_inner")).error).toMatch(/\(def Frames\.nested\.<locals>\.inner,/);
    expect((await call("calls_lambda")).error).toMatch(/'__closure__' .*\(def Frames\.<lambda>,/);
    expect(outputs(await call("still_a_generator"))).toEqual(Array(3).fill("'generator'"));
  });

  it("never runs the refused body (no side effect, no endless loop)", async () => {
    expect(outputs(await call("no_side_effects"))).toEqual(["0", "0", "0"]);
  });

  it("hands a catcher only the message: no traceback, no attributes, and a forged one is no refusal", async () => {
    const r = await call("caught", FRAMES, [1]);
    expect(r.status).toBe("ok");
    expect(outputs(r)).toEqual([
      "('SandboxRefused',(\"def Frames.walk (line 13) refused by the sandbox: attribute '__globals__' is not allowed (line 18)\",),{},'denied')",
    ]);
    const f = await call("forged");
    expect(f.status).toBe("ok");
    expect(outputs(f)).toEqual(Array(3).fill("raise:SandboxRefused"));
  });

  it("still skips the whole statement when the violation is outside every function body", async () => {
    const cases = [
      ["a decorator", "def deco(g):\n    return g\n@deco(sys.__code__)\ndef f(x):\n    return x\n"],
      ["a default value", "def f(x, d=sys.__closure__):\n    return x\n"],
      ["an annotation", "def f(x: sys.__globals__):\n    return x\n"],
      [
        "a base class",
        "class C(sys.__subclasses__):\n    def m(self):\n        return 1\nif C:\n    def f(x):\n        return 1\n",
      ],
      [
        "a class body",
        "class C:\n    v = sys.__globals__\n    def m(self):\n        return 1\nif C:\n    def f(x):\n        return 1\n",
      ],
      [
        "module code",
        "F = sys.__code__\ndef g():\n    return 1\nif F:\n    def f(x):\n        return 1\n",
      ],
    ];
    const results = await Promise.all(cases.map(([, m]) => call("f", `import sys\n${m}`)));
    results.forEach((r, i) => {
      expect(r.status, cases[i][0]).toBe("runtime_error");
      expect(r.error, cases[i][0]).toMatch(
        /entry function 'f' is not defined; line \d+ skipped: sandbox: attribute '(__code__|__closure__|__globals__|__subclasses__)' is not allowed/,
      );
    });
  });

  it("refuses the innermost statement of a module-level try, if or for, and runs the rest", async () => {
    const module = `import sys
try:
    from _types import *
except ImportError:
    CodeType = type(sys.__code__)
try:
    a = 1
    b = sys.__code__
except ImportError:
    a = 2
if a:
    c = 3
    for i in range(2):
        d = len.__self__
    e = 5
if sys.__code__:
    g = 6
def bound(thunk):
    try:
        thunk()
        return True
    except NameError:
        return False
def f(x):
    return (GeneratorType.__name__, a, c, [bound(t) for t in (
        lambda: CodeType, lambda: b, lambda: d, lambda: e, lambda: g)])
`;
    // The refused statement raises SandboxRefused, which no except ImportError catches, so what
    // follows it in its block stays unbound; a header that breaks the policy skips its statement.
    const r = await call("f", module, [1]);
    expect(r.status, r.error).toBe("ok");
    expect(outputs(r)).toEqual(["('generator',1,3,[True,False,False,False,False])"]);
  });

  it("calls an entry its module deleted after use, and nothing else gets the name back", async () => {
    const module = `registry = {}
def register(fn):
    registry[fn.__name__] = fn
    return fn
@register
def kernel(x):
    return x * 2
del register, kernel
def other(x):
    try:
        return kernel(x)
    except NameError:
        return 'gone'
`;
    expect(outputs(await call("kernel", module, [1]))).toEqual(["2"]);
    expect(outputs(await call("other", module, [1]))).toEqual(["'gone'"]);
  });

  it("names the refused function a failing statement called", async () => {
    const r = await call(
      "f",
      "def deco(c):\n    return c.__globals__\n@deco\nclass C:\n    pass\nif C:\n    def f(x):\n        return 1\n",
    );
    expect(r.error).toMatch(
      /not defined; line \d+ raised SandboxRefused: def deco \(line 1\) refused by the sandbox: attribute '__globals__' is not allowed \(line 2\); line 6 raised NameError/,
    );
  });

  it("refuses an outer function for a violation in its nested def's decorator", async () => {
    const r = await call(
      "f",
      "def f(x):\n    @x.__globals__\n    def g():\n        return 1\n    return 2\n",
    );
    expect(r.error).toMatch(
      /'__globals__' is not allowed .*\(def f, line 1, refused; called on every input\)/,
    );
  });

  it("keeps the raiser's reserved name out of reach: read, called, rebound or shadowed", async () => {
    const BAD = "    return x.__globals__\n";
    const cases: [string, string, RegExp][] = [
      ["read", "def f(x):\n    return _tc_refuse\n", /name '_tc_refuse' is reserved .*\(def f,/],
      [
        "called",
        "def f(x):\n    return _tc_refuse('x')\n",
        /name '_tc_refuse' is reserved .*\(def f,/,
      ],
      [
        "rebound at module level",
        `_tc_refuse = len\ndef f(x):\n${BAD}`,
        /'__globals__' is not allowed .*\(def f, line 2, refused/,
      ],
      [
        "shadowed by a parameter",
        `def f(x, _tc_refuse=len):\n${BAD}`,
        /not defined; line 1 skipped: sandbox: name '_tc_refuse' is reserved/,
      ],
      [
        "shadowed in the enclosing function",
        `def f(x):\n    _tc_refuse = len\n    def g():\n    ${BAD}    return g()\n`,
        /name '_tc_refuse' is reserved .*\(def f, line 1, refused/,
      ],
      [
        "declared global",
        `def f(x):\n    global _tc_refuse\n${BAD}`,
        /name '_tc_refuse' is reserved .*\(def f, line 1, refused/,
      ],
      [
        "shadowed in a class body",
        `class C:\n    _tc_refuse = len\n    def m(self, x):\n    ${BAD}if C:\n    def f(x):\n        return 1\n`,
        /not defined; line 1 skipped: sandbox: name '_tc_refuse' is reserved/,
      ],
      [
        "reached through builtins",
        "import builtins\ndef f(x):\n    return getattr(builtins, '_tc_' + 'refuse')\n",
        /^$/,
      ],
    ];
    const results = await Promise.all(cases.map(([, m]) => call("f", m)));
    results.forEach((r, i) => {
      const [name, , want] = cases[i];
      if (name === "reached through builtins") {
        expect(outputs(r), name).toEqual(Array(3).fill("raise:AttributeError"));
        return;
      }
      expect(r.status, name).not.toBe("ok");
      expect(r.error, name).toMatch(want);
    });
  });

  it("refuses a snippet (not a module) whole, as before", async () => {
    const r = await pool.trace({
      code: "class C:\n    def m(self):\n        return self.__globals__\ndef f(x):\n    return 1\n",
      entry: "f",
      inputs: inputs([1]),
    });
    expect(r.status).toBe("limit");
    expect(r.error).toMatch(/^sandbox: attribute '__globals__' is not allowed \(line 3\)$/);
  });
});
