/**
 * Names served for real code (issue 12): os.path's string computations against a fixed working
 * folder (abspath, relpath, expanduser, expandvars, getcwd), sys.argv and sys.__stdout__, the
 * module dunders argparse checks (__spec__), and the pure C halves weakref, random and the
 * colour support need (_weakref, _random, _colorize). Hostile: none of them reaches the file
 * system, the environment, the host's working folder, a real module or another job's state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyRunner } from "../../test/helpers/snippets.js";
import { TracerPool } from "./index.js";

let pool: TracerPool;
beforeAll(() => {
  pool = new TracerPool({ workers: 1 });
});
afterAll(() => pool.close());

const { out } = bodyRunner(() => pool, { key: "served", types: ["int"], values: [[1]] });

describe("os.path against a fixed working folder", () => {
  it("computes absolute and relative paths, and leaves ~ and $ unexpanded", async () => {
    expect(
      await out(
        "import os\nreturn (os.path.abspath('a/../b'), os.path.abspath(b'c'), os.path.abspath('/x/./y'),\n        os.path.relpath('/sandbox/a/b'), os.path.relpath('/a/b', '/a/c'), os.getcwd(),\n        os.path.expanduser('~/x'), os.path.expandvars('$HOME/$PATH'), os.getcwdb())",
      ),
    ).toBe(
      "('/sandbox/b',bytes:b'/sandbox/c','/x/y','a/b','../b','/sandbox','~/x','$HOME/$PATH',bytes:b'/sandbox')",
    );
  });

  it("resolves against the fixed folder, never the interpreter's real one", async () => {
    // posixpath.relpath of two relative paths would read the real working folder.
    expect(await out("import os.path\nreturn os.path.relpath('a', 'b/c')")).toBe("'../../a'");
    expect(await out("import posixpath\nreturn posixpath.abspath('.')")).toBe("'/sandbox'");
  });
});

describe("sys for command-line code", () => {
  it("serves argv as [''] afresh for every job, even in one unit", async () => {
    expect(await out("import sys\nsys.argv.append('x')\nreturn list(sys.argv)", "u1")).toBe(
      "['','x']",
    );
    expect(await out("import sys\nreturn sys.argv", "u1")).toBe("['']");
  });

  it("serves stdin as an empty stream afresh for every job (cmd.Cmd and pdb read it)", async () => {
    expect(
      await out("import sys\nsys.stdin.write('left over')\nreturn sys.stdin.getvalue()", "u2"),
    ).toBe("'left over'");
    expect(
      await out(
        "import sys\nreturn (sys.stdin.read(), sys.stdin is sys.__stdin__, 'argv' in sys.__all__)",
        "u2",
      ),
    ).toBe("('',True,True)");
  });

  it("serves __stdout__/__stderr__ as the sinks: no descriptor, nothing printed reaches the host", async () => {
    expect(
      await out(
        "import sys\nprint('leak', file=sys.__stdout__)\ntry:\n    sys.__stdout__.fileno()\n    fd = 'fd'\nexcept AttributeError:\n    fd = 'no fd'\nreturn (sys.__stdout__ is sys.stdout, sys.__stderr__ is sys.stderr, fd)",
      ),
      // What it printed is the call's (kept in the sandbox, part of its output), never the host's.
    ).toBe("(True,True,'no fd');stdout:'leak\\n'");
  });

  it("reads __spec__, __file__, __loader__ of no module: views and source modules answer AttributeError", async () => {
    const body = `import sys, os, json, email.utils
out = []
for m, n in ((sys, '__spec__'), (os, '__file__'), (json, '__loader__'), (email.utils, '__spec__'),
             (email, '__path__'), (sys, '__loader__')):
    try:
        getattr(m, n)
        out.append('read')
    except AttributeError:
        out.append('no')
try:
    os.__loader__
except AttributeError:
    out.append('no')
class Own:
    __spec__ = 'mine'
out.append(Own().__spec__)
return out`;
    expect(await out(body)).toBe("['no','no','no','no','no','no','no','mine']");
  });

  it("serves the installation's constants, never the child script's path", async () => {
    expect(
      await out(
        "import sys\nreturn (sys.executable, sys.prefix, sys.base_prefix, sys.implementation.name)",
      ),
    ).toBe("('','/','/','cpython')");
  });

  it("runs argparse: a parser, its parse and its help", async () => {
    expect(
      await out(
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--n', type=int)\nreturn (p.parse_args(['--n', '3']).n, p.prog, p.format_usage())",
      ),
    ).toBe("(3,'','usage: [-h] [--n N]\\n')");
  });
});

describe("clocks", () => {
  it("sleep waits for nothing: it moves the wall and monotonic clocks on, not CPU time, reproducibly", async () => {
    const body =
      "import time, sched\na, c = time.monotonic(), time.process_time()\ntime.sleep(2.5)\nout = [round(time.monotonic() - a, 3), time.process_time() - c < 0.01]\ns = sched.scheduler()\nlog = []\ns.enter(5, 1, log.append, ('late',))\ns.enter(1, 1, log.append, ('early',))\ns.run()\nout.append(log)\ntry:\n    time.sleep(-1)\nexcept ValueError:\n    out.append('negative')\nreturn out";
    expect(await out(body, "sleep1")).toBe("[2.5,True,['early','late'],'negative']");
  });

  it("process_time counts calls like the other clocks: reproducible, never the host's", async () => {
    expect(
      await out(
        "import time\na = time.process_time_ns()\nb = time.process_time_ns()\nc = time.monotonic_ns()\nreturn (b - a, c - b, time.process_time() < 1000)",
      ),
    ).toBe("(1000,1000,True)");
  });
});

describe("sys.modules", () => {
  it("holds only what the job imported, read-only and live; never a real module or the tracer", async () => {
    const body = `import sys, math
m = sys.modules
before = sorted(m)
import json
out = [before, 'json' in m, m['math'] is math, m.get('tracer'), m.get('builtins'), len(m) == len(list(m))]
out.append(all(type(v) is type(math) or type(v) is type(json) for v in m.values()))
for attempt in (lambda: m.__setitem__('math', 1), lambda: m.pop('math'), lambda: m.clear(),
                lambda: type(m).__dict__):
    try:
        attempt()
        out.append('ran')
    except (TypeError, AttributeError) as e:
        out.append(type(e).__name__)
c = m.copy()
c['x'] = 1
out.append(('x' in m, type(c) is dict))
type(m).__getitem__ = lambda self, k: 'forged'
return out`;
    expect(await out(body, "mods")).toBe(
      "[['math','sys'],True,True,None,None,True,True,'TypeError','TypeError','TypeError','AttributeError',(False,True)]",
    );
    // A class changed by one job is put back before the next of the same unit.
    expect(await out("import sys, math\nreturn sys.modules['math'] is math", "mods")).toBe("True");
  });
});

describe("sys.monitoring", () => {
  it("serves its constants only: no tool, callback or event can be set", async () => {
    expect(
      await out(
        "import sys\nm = sys.monitoring\nout = [m.events.LINE, m.DEBUGGER_ID, sorted(dir(m))]\nfor attempt in (lambda: m.use_tool_id, lambda: m.register_callback, lambda: m.set_events, lambda: setattr(m.events, 'LINE', 1)):\n    try:\n        attempt()\n        out.append('ran')\n    except AttributeError:\n        out.append('AttributeError')\nreturn out",
      ),
    ).toBe(
      "[32,0,['COVERAGE_ID','DEBUGGER_ID','OPTIMIZER_ID','PROFILER_ID','events'],'AttributeError','AttributeError','AttributeError','AttributeError']",
    );
  });
});

describe("warnings._deprecated", () => {
  it("warns through the C warn (no frame read) and raises once past the removal version", async () => {
    expect(
      await out(
        "import warnings\nout = []\nwith warnings.catch_warnings(record=True) as w:\n    warnings.simplefilter('always')\n    warnings._deprecated('thing', remove=(3, 99))\n    out.append([str(m.message) for m in w])\ntry:\n    warnings._deprecated('old', remove=(3, 1))\nexcept RuntimeError as e:\n    out.append(str(e))\nreturn out",
      ),
    ).toBe(
      "[[\"'thing' is deprecated and slated for removal in Python 3.99\"],\"'old' was slated for removal after Python 3.1 alpha\"]",
    );
  });
});

describe("audit events", () => {
  it("sys.audit from Python code reaches no hook and does nothing", async () => {
    expect(
      await out("import sys\nreturn (sys.audit('open', '/etc/passwd', 'r'), sys.audit('pdb.Pdb'))"),
    ).toBe("(None,None)");
  });
});

describe("C halves with a pure surface", () => {
  it("_weakref: references to the code's own objects", async () => {
    expect(
      await out(
        "import _weakref\nclass C:\n    pass\nc = C()\nr = _weakref.ref(c)\nd = {'k': r}\nreturn (r() is c, _weakref.getweakrefcount(c), type(r) is _weakref.ReferenceType, _weakref.proxy(c).__class__ is C)",
      ),
    ).toBe("(True,1,True,True)");
  });

  it("_weakref: a reference's callback (another object's internals) stays unreadable", async () => {
    expect(
      await out(
        "import _weakref, weakref\nclass C:\n    pass\nc = C()\ns = weakref.WeakSet([c])\nrefs = _weakref.getweakrefs(c)\ntry:\n    return getattr(refs[0], '__call' + 'back__')\nexcept AttributeError:\n    return 'denied'",
      ),
    ).toBe("'denied'");
  });

  it("_random: the generator's base class, seeded or from the seeded entropy stream", async () => {
    const body =
      "import _random\nreturn (_random.Random(5).random(), _random.Random().getrandbits(32))";
    const a = await out(body, "r1");
    const b = await out(body, "r2");
    expect(a).toBe(b);
    expect(a).toMatch(/^\(0\.6229016948897019,/);
  });

  it("_colorize: never colours, and cannot set the theme for later jobs", async () => {
    expect(
      await out(
        "import _colorize\ntry:\n    _colorize.set_theme\n    s = 'served'\nexcept AttributeError:\n    s = 'absent'\nreturn (_colorize.can_colorize(), _colorize.get_theme().argparse.usage, _colorize.get_colors() is _colorize.NoColors, s)",
      ),
    ).toBe("(False,'',True,'absent')");
  });
  it("_types: the type objects the types view serves and no other", async () => {
    expect(
      await out(
        "import _types, types\nhidden = [n for n in ('CapsuleType', 'FrameLocalsProxyType') if hasattr(_types, n)]\nreturn (hidden, _types.GeneratorType is types.GeneratorType, sorted(_types.__all__) == sorted(n for n in types.__all__ if hasattr(_types, n)))",
      ),
    ).toBe("([],True,True)");
  });

  it("posix: the os view's names that posix has, on the job's folder; no process, host or environment", async () => {
    expect(
      await out(
        "import posix, os\nabsent = [n for n in ('system', 'fork', 'execv', 'kill', 'putenv', 'getenv', 'walk', 'path', 'getuid', 'uname', 'times') if hasattr(posix, n)]\nreturn (absent, dict(posix.environ), posix.stat is os.stat, posix.getcwd(), 'listdir' in posix.__all__)",
      ),
    ).toBe("([],{},True,'/sandbox',True)");
  });

  it("_thread: threading's Thread objects without starting one, on an immutable handle type", async () => {
    const body = `import threading, _thread, sys
t = threading.Thread(target=print, name='a', daemon=True)
out = [repr(t), t.is_alive(), threading.current_thread() is threading.main_thread()]
try:
    t.start()
except Exception as e:
    out.append(hasattr(_thread, 'start_joinable_thread'))
try:
    _thread._ThreadHandle.join = None
except TypeError:
    out.append('immutable')
try:
    _thread._make_thread_handle(_thread.get_ident()).join()
except RuntimeError as e:
    out.append(str(e))
out.append((_thread._make_thread_handle(12345).join(0), sys.excepthook(ValueError, ValueError(), None)))
return out`;
    expect(await out(body)).toBe(
      "['<Thread(a, initial daemon)>',False,True,False,'immutable','Cannot join current thread',(None,None)]",
    );
  });
});

describe("what the views lead to", () => {
  // Every view's names, the non-dunder attributes of the classes among them and the containers
  // they hold, two steps deep: no module, frame, code object, traceback or cell (the tracer's
  // own served functions are expected; their globals are unreadable).
  it("reaches no module, frame, code object, traceback or cell within two steps", async () => {
    expect(
      await out(
        "import sys\nmods = ['math','cmath','itertools','functools','heapq','bisect','statistics','fractions','decimal','string','re','operator','copy','typing','unicodedata','collections','collections.abc','numbers','struct','types','dataclasses','enum','abc','textwrap','json','keyword','array','binascii','base64','zlib','hashlib','graphlib','pprint','reprlib','difflib','calendar','datetime','time','io','colorsys','contextlib','weakref','warnings','html','os','os.path','posixpath','genericpath','stat','errno','fnmatch','shlex','ipaddress','token','tokenize','gettext','random','builtins','_thread','_weakref','_random','_colorize','_typing','_codecs','_csv','_bz2','_lzma','_symtable','_types','posix','sysconfig','_collections_abc','_socket', 'sys']\nout = []\ndef bad(v):\n    tn = type(v).__name__\n    if tn in ('module', 'frame', 'code', 'traceback', 'cell'):\n        return tn\n    m = getattr(v, '__module__', None)\n    if tn in ('function', 'method', 'builtin_function_or_method') and m == '_tracecode_tracer' and getattr(v, '__name__', '').startswith('_') and not getattr(v, '__name__', '').startswith('__'):\n        return 'tracer ' + v.__name__\n    return None\nseen = set()\ndef walk(where, v, depth):\n    if id(v) in seen or depth > 2:\n        return\n    seen.add(id(v))\n    b = bad(v)\n    if b:\n        out.append((where, b))\n        return\n    if isinstance(v, dict):\n        for k, x in list(v.items())[:200]:\n            walk(where + '[' + repr(k)[:30] + ']', x, depth + 1)\n    elif isinstance(v, (list, tuple, set, frozenset)):\n        for i, x in enumerate(list(v)[:200]):\n            walk(where + '[' + str(i) + ']', x, depth + 1)\n    elif isinstance(v, type):\n        for k in dir(v):\n            if k.startswith('__'):\n                continue\n            try:\n                x = getattr(v, k)\n            except Exception:\n                continue\n            walk(where + '.' + k, x, depth + 1)\nfor m in mods:\n    try:\n        mod = __import__(m, fromlist=['x'])\n    except Exception as e:\n        continue\n    for k in dir(mod):\n        try:\n            v = getattr(mod, k)\n        except Exception:\n            continue\n        walk(m + '.' + k, v, 0)\nreturn [o for o in out if not o[1].startswith('tracer')][:20]",
      ),
    ).toBe("[]");
  });
});
