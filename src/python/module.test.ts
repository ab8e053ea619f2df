/**
 * Real code as it is: a function runs inside its module (constants, classes, helpers, imports,
 * statement by statement), an import the sandbox refuses binds a placeholder that raises only
 * when used, `if __name__ == "__main__":` never runs; verdicts are honest (a function that
 * raises on every input has no behaviour class, inputs that cannot bind are a signature
 * mismatch); the widened module allow-list serves pure computation and nothing else.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FunctionRow, type TraceRow } from "../data/index.js";
import { TracerPool, traceFunctions } from "./index.js";

let pool: TracerPool;
beforeAll(() => {
  pool = new TracerPool({ workers: 2 });
});
afterAll(() => pool.close());

const MODULE = `"""A module like colorsys: constants, a class, helpers, imports it may not get."""
import socket
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

def uses_socket(x):
    return socket.gethostname()

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
      "uses_socket",
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
    expect(r.uses_socket.status).toBe("always_raises");
    expect(r.uses_socket.error).toBe("raises ImportError on every input");
    expect(r.uses_socket.ioClass).toBeNull();
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
      expect(run.output).toBe(String(a.reduce((n, x) => n + x.length + 1, 0)));
    }
  });
});

describe("the module allow-list", () => {
  const snippet = (body: string) => `def f(x):\n${body.replace(/^/gm, "    ")}\n`;
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
      "types.CodeType",
      "import types\nreturn types.CodeType",
      (t) => expect(t.status).toBe("always_raises"),
    ],
    [
      "types.FunctionType",
      "import types\nreturn types.FunctionType",
      (t) => expect(t.status).toBe("always_raises"),
    ],
    [
      "io.open",
      "import io\nreturn io.open('/etc/passwd').read()",
      (t) => expect(t.status).toBe("always_raises"),
    ],
    [
      "sys.modules",
      "import sys\nreturn sys.modules",
      (t) => expect(t.status).toBe("always_raises"),
    ],
    [
      "time.sleep",
      "import time\nreturn time.sleep(0)",
      (t) => expect(t.status).toBe("always_raises"),
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
    ...[
      "os.system('true')",
      "os.getcwd()",
      "os.listdir('/')",
      "os.stat('/')",
      "os.getpid()",
      "os.urandom(4)",
      "os.path.exists('/')",
      "os.path.abspath('a')",
      "os.path.expanduser('~')",
      "os.path.expandvars('$HOME')",
      "os.environ.__setitem__('A', 'b')",
    ].map((call): [string, string, (t: TraceRow) => void] => [
      `os without ${call}`,
      `import os\nreturn ${call}`,
      (t) => expect(t.status).toBe("always_raises"),
    ]),
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
      "builtins.open",
      "builtins.eval",
      "builtins.__import__",
      "tokenize.open",
      "gettext.translation",
    ].map((name): [string, string, (t: TraceRow) => void] => [
      `no ${name}`,
      `import shlex, builtins, tokenize, gettext\nreturn ${name}`,
      (t) => expect(t.status).not.toBe("ok"),
    ]),
    ["inspect", "import inspect\nreturn 1", (t) => expect(t.status).toBe("always_raises")],
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
    expect(idle).toMatch(/step budget spent on input \d+/);
    expect(idle).toContain('"truncated":true');
  }, 60_000);
});
