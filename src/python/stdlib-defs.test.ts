/**
 * What the standard library's modules need to define their classes from source (issue 12): the C
 * halves `_socket` (constants and conversions, no network), `_csv`, `_bz2`, `_lzma`, `_symtable`;
 * the pickle protocol's methods (`__reduce__`, `__getstate__`, …) on instances of Python code; a
 * class of Python code's `__dict__` (enum reads it). Hostile: no socket is ever made, no name is
 * looked up, no registry or class set by one job reaches the next, and no builtin object's
 * reduction (the unguarded `getattr`), builtin class's dict or refused name is handed out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyRunner } from "../../test/helpers/snippets.js";
import { TracerPool } from "./index.js";

let pool: TracerPool;
beforeAll(() => {
  pool = new TracerPool({ workers: 1 });
});
afterAll(() => pool.close());

const inputs = { key: "c-halves", types: ["int"], values: [[1]] };
const { out } = bodyRunner(() => pool, inputs);

describe("_socket without a network", () => {
  it("serves the constants and the pure conversions; socket.py and its clients define their classes", async () => {
    expect(
      await out(
        "import socket, ftplib, smtplib, poplib, socketserver\nreturn (socket.AF_INET.name, int(socket.SOCK_STREAM), socket.has_ipv6, socket.htons(1),\n        socket.inet_aton('1.2.3.4'), socket.inet_ntop(socket.AF_INET, bytes([127, 0, 0, 1])),\n        ftplib.FTP.__name__, smtplib.SMTP.__name__, poplib.POP3.__name__, socketserver.TCPServer.__name__)",
      ),
    ).toBe(
      "('AF_INET',1,False,256,bytes:b'\\x01\\x02\\x03\\x04','127.0.0.1','FTP','SMTP','POP3','TCPServer')",
    );
  });

  it("never makes a socket: construction raises OSError, lookups raise gaierror, a client fails to connect", async () => {
    expect(
      await out(
        "import socket, _socket, errno, ftplib\nr = []\nfor make in (socket.socket, _socket.socket, lambda: socket.socket(fileno=0),\n             lambda: socket.create_connection(('127.0.0.1', 80)), lambda: ftplib.FTP('127.0.0.1'),\n             lambda: socket.getaddrinfo('localhost', 80), lambda: socket.gethostbyname('127.0.0.1')):\n    try:\n        make()\n        r.append('made')\n    except socket.gaierror as e:\n        r.append('gaierror')\n    except OSError as e:\n        r.append(e.errno == errno.ENETUNREACH)\nreturn r",
      ),
    ).toBe("[True,True,True,'gaierror','gaierror','gaierror','gaierror']");
  });

  it("serves no real socket type, descriptor, host table, interface or global timeout", async () => {
    expect(
      await out(
        "import _socket, socket\nabsent = [n for n in ('dup', 'close', 'setdefaulttimeout', 'if_nameindex', 'if_nametoindex', 'CAPI', 'sethostname', 'socketpair') if hasattr(_socket, n)]\nreturn (absent, [k.__name__ for k in socket.socket.__mro__], _socket.getdefaulttimeout(), _socket.gethostname())",
      ),
    ).toBe("([],['socket','socket','object'],None,'sandbox')");
    for (const expr of ["_socket.inet_aton.__self__", "getattr(_socket.htons, '__self__')"]) {
      const r = await pool.trace({
        code: `def f(x):\n    import _socket\n    return ${expr}\n`,
        module: true,
        entry: "f",
        inputs,
      });
      expect(JSON.stringify(r)).not.toMatch(/module/);
      expect(r.status === "limit" || r.runs[0][2] === "raise:AttributeError", expr).toBe(true);
    }
  });

  it("runs methods on a socket never opened: no descriptor, I/O raises EBADF", async () => {
    expect(
      await out(
        "import socket, errno\ns = socket.socket.__new__(socket.socket)\nr = [s.fileno(), s.gettimeout()]\nfor call in (lambda: s.connect(('127.0.0.1', 80)), lambda: s.send(b'x'), lambda: s.bind(('', 0)), lambda: s.listen()):\n    try:\n        call()\n    except OSError as e:\n        r.append(e.errno == errno.EBADF)\nreturn r",
      ),
    ).toBe("[-1,None,True,True,True,True]");
  });

  it("makes its socket class and exceptions afresh per job: a change does not reach the next job", async () => {
    expect(
      await out(
        "import socket, _socket\n_socket.socket.fileno = lambda self: 7\n_socket.gaierror.poisoned = 1\nreturn socket.socket.__new__(socket.socket).fileno()",
        "socket-unit",
      ),
    ).toBe("7");
    expect(
      await out(
        "import socket, _socket\nreturn (socket.socket.__new__(socket.socket).fileno(), hasattr(_socket.gaierror, 'poisoned'))",
        "socket-unit",
      ),
    ).toBe("(-1,False)");
  });
});

describe("_csv, _bz2, _lzma, _symtable", () => {
  it("_csv: reads and writes; a dialect or size limit one job sets is gone for the next", async () => {
    expect(
      await out(
        "import csv, io\nf = io.StringIO()\ncsv.register_dialect('semi', delimiter=';')\ncsv.field_size_limit(5)\ncsv.writer(f, 'semi').writerow([1, 'a;b'])\nreturn (f.getvalue(), list(csv.reader(['x,\"y,z\"'])), sorted(csv.list_dialects()))",
        "csv-unit",
      ),
    ).toBe("('1;\"a;b\"\\r\\n',[['x','y,z']],['excel','excel-tab','semi','unix'])");
    expect(
      await out(
        "import csv\nreturn (sorted(csv.list_dialects()), csv.field_size_limit())",
        "csv-unit",
      ),
    ).toBe("(['excel','excel-tab','unix'],131072)");
  });

  it("_bz2 and _lzma: compression round trips, lzma's filter helpers", async () => {
    expect(
      await out(
        "import bz2, lzma, io\nb = bz2.compress(b'abc' * 20)\nwith bz2.BZ2File(io.BytesIO(b)) as f:\n    back = f.read()\nreturn (bz2.decompress(b) == back == b'abc' * 20, lzma.decompress(lzma.compress(b'xyz')), lzma.is_check_supported(lzma.CHECK_CRC32))",
      ),
    ).toBe("(True,bytes:b'xyz',True)");
  });

  it("_symtable: symbol tables of a text, entries read-only; bz2.open of a file name reads nothing", async () => {
    expect(
      await out(
        "import symtable, _symtable, bz2\nt = symtable.symtable('def g(a):\\n    return a + b\\n', '<s>', 'exec')\ng = [c for c in t.get_children() if c.get_name() == 'g'][0]\ne = _symtable.symtable('x = 1', '<s>', 'exec')\ntry:\n    e.name = 'other'\n    ro = 'writable'\nexcept AttributeError:\n    ro = 'read-only'\ntry:\n    bz2.open('/etc/passwd').read()\n    read = 'read'\nexcept OSError:\n    read = 'refused'\nreturn (g.get_parameters(), g.lookup('b').is_global(), sorted(e.symbols), ro, read)",
      ),
    ).toBe("(('a',),True,['x'],'read-only','refused')");
  });
});

describe("the pickle protocol's methods", () => {
  it("runs them on instances of Python code, through super() too; copy and copyreg use them", async () => {
    expect(
      await out(
        "import copy, ipaddress\nclass P:\n    def __init__(self, a):\n        self.a = a\n    def __reduce__(self):\n        return (P, (self.a,))\nclass Q(int):\n    def __reduce_ex__(self, proto):\n        return super().__reduce_ex__(proto)\np = P(3)\ni = ipaddress.IPv4Interface('1.2.3.4/24')\nreturn (p.__reduce__()[1], p.__getstate__(), copy.deepcopy(p).a, Q(5).__reduce_ex__(2)[1][0] is Q,\n        i.__reduce__()[1], P.__reduce__(p)[1], type(p).__getstate__ is object.__getstate__)",
      ),
    ).toBe("((3,),{'a':3},3,True,('1.2.3.4/24',),(3,),True)");
  });

  it("refuses a builtin object's reduction: it holds the unguarded getattr", async () => {
    for (const expr of [
      "[].append.__reduce__()",
      "[].append.__reduce_ex__(2)",
      "getattr([].append, '__reduce_ex__')(2)",
      "(1).__add__.__reduce__()",
      "len.__reduce__()",
    ]) {
      expect(
        await out(`try:\n    return ${expr}\nexcept AttributeError:\n    return 'refused'`),
      ).toBe("'refused'");
    }
  });

  it("refuses the unbound C methods on anything but an instance of Python code", async () => {
    for (const expr of [
      "object.__reduce_ex__([].append, 2)",
      "int.__reduce_ex__((1).__add__, 2)",
      "object.__getstate__(int)",
      "C.__getstate__(C)",
      "type(math).__reduce_ex__(math, 2)",
      "fractions.Fraction.__reduce__(int)",
      "P.__getstate__(int)",
      "object.__setstate__",
    ]) {
      expect(
        await out(
          `import math, fractions\nclass C:\n    pass\nclass P:\n    def __getstate__(self):\n        return self.__dict__\ntry:\n    return ${expr}\nexcept (TypeError, AttributeError):\n    return 'refused'`,
        ),
      ).toBe("'refused'");
    }
  });

  it("refuses them on modules, views, placeholders, classes' super() and super() of a view", async () => {
    for (const expr of [
      "math.__reduce_ex__(2)",
      "super(type(math), math).__reduce_ex__(2)",
      "super(C, C).__reduce__()",
      "getattr(math, '__getstate__')()",
      "sys.stdout.__reduce_ex__(2)",
    ]) {
      expect(
        await out(
          `import math, sys\nclass C:\n    pass\ntry:\n    return ${expr}\nexcept (TypeError, AttributeError):\n    return 'refused'`,
        ),
        expr,
      ).toBe("'refused'");
    }
    // A failed module-level import binds a placeholder (one of the tracer's own objects).
    const code =
      "import no_such_module as nothing\ndef f(x):\n    try:\n        return super(type(nothing), nothing).__reduce_ex__(2)\n    except (TypeError, AttributeError) as e:\n        return 'refused'\n";
    const r = await pool.trace({ code, module: true, entry: "f", inputs });
    expect(r.runs[0][2]).toBe("'refused'");
  });
});

describe("a class's __dict__", () => {
  it("reads a class of Python code's own names as a read-only copy; enum's Flag runs from source", async () => {
    expect(
      await out(
        "import enum\nclass C:\n    x = 1\n    def m(self):\n        return 2\nd = C.__dict__\ntry:\n    d['y'] = 3\n    w = 'written'\nexcept TypeError:\n    w = 'read-only'\nclass Color(enum.Flag):\n    R = 1\n    G = 2\nreturn (d['x'], d['m'](None), w, 'y' in C.__dict__, (Color.R | Color.G).value, '_member_map_' in Color.__dict__)",
      ),
    ).toBe("(1,2,'read-only',False,3,True)");
  });

  it("leaves out the names the policy refuses; Enum's _convert_ there is the sandbox's", async () => {
    expect(
      await out(
        "import enum, fractions\nnames = set(enum.Enum.__dict__) | set(enum.EnumType.__dict__) | set(fractions.Fraction.__dict__)\nclass K:\n    def __reduce__(self):\n        return (K, ())\ntry:\n    enum.EnumType.__dict__['_convert_'](enum.IntEnum, 'Z', 'builtins', lambda n: True)\n    real = 'ran'\nexcept KeyError:\n    real = 'KeyError'\nreturn (sorted(n for n in names if n in ('__annotate_func__', '__annotate__', '__subclasses__')), '__reduce__' in K.__dict__, real)",
      ),
    ).toBe("([],True,'KeyError')");
  });

  it("reads a builtin class's as its attribute reads would: no refused or guarded name", async () => {
    expect(
      await out(
        "def g():\n    yield 1\nf = lambda: 0\nd = [type(f).__dict__, type.__dict__, object.__dict__, type(g()).__dict__, BaseException.__dict__]\nbad = ('__globals__', '__code__', '__closure__', '__builtins__', '__subclasses__', '__dict__', '__reduce_ex__',\n       '__getstate__', 'gi_code', 'gi_frame', '__context__', '__traceback__', '__getattribute__')\nreturn ([n for x in d for n in bad if n in x], '__add__' in int.__dict__, type(int.__dict__).__name__)",
      ),
    ).toBe("([],True,'mappingproxy')");
  });

  it("refuses modules, views, the tracer's classes and super()", async () => {
    for (const expr of [
      "type(math).__dict__",
      "math.__dict__",
      "types.ModuleType('m').__dict__",
      "super(Meta, C).__dict__",
      "X.__dict__",
    ]) {
      expect(
        await out(
          `import math, types\nclass Meta(type):\n    pass\nclass C(metaclass=Meta):\n    pass\nclass X(type(math)):\n    pass\ntry:\n    return len(${expr})\nexcept AttributeError:\n    return 'refused'`,
        ),
        expr,
      ).toBe("'refused'");
    }
  });
});

describe("annotations", () => {
  it("reads a class's and a function's annotations and annotate function; typing.py's Protocol runs", async () => {
    expect(
      await out(
        "import typing\nclass C:\n    x: int\n    def f(self, a: str) -> None:\n        pass\n@typing.runtime_checkable\nclass P(typing.Protocol):\n    def m(self) -> int: ...\nclass A:\n    def m(self):\n        return 1\nreturn (C.__annotations__, C.f.__annotations__, C.__annotate__(1), isinstance(A(), P))",
      ),
    ).toBe("({'x':<type>},{'a':<type>,'return':None},{'x':<type>},True)");
  });

  it("refuses them of a module or view, and annotations holding a module", async () => {
    for (const expr of [
      "math.__annotations__",
      "getattr(math, '__annotate__')",
      "types.ModuleType('m').__annotations__",
      "super(C, C()).__annotations__",
      "H.__annotations__",
      "H.__annotate__(1)",
    ]) {
      expect(
        await out(
          `import math, types\nclass C:\n    pass\nclass H:\n    m: types.ModuleType('m')\ntry:\n    return ${expr}\nexcept AttributeError:\n    return 'refused'`,
        ),
        expr,
      ).toBe("'refused'");
    }
  });
});

describe("sysconfig and types for isinstance", () => {
  it("sysconfig: the installation's default paths only; pydoc defines its Doc classes", async () => {
    expect(
      await out(
        "import sysconfig, pydoc\ntry:\n    sysconfig.get_path('stdlib', vars={'installed_base': '/etc'})\n    other = 'computed'\nexcept ValueError:\n    other = 'refused'\nreturn (sysconfig.get_path('stdlib').endswith('/lib/python3.14'), other, pydoc.TextDoc().bold('x'), hasattr(sysconfig, 'get_config_vars'))",
      ),
    ).toBe("(True,'refused','x\\x08x',False)");
  });

  // The code, frame and traceback types are served for isinstance only: guarded.test.ts shows no
  // instance, constructor or descriptor is reached through them.
  it("types: ModuleType, the descriptor types and the interpreter's types for isinstance", async () => {
    expect(
      await out(
        "import types\nm = types.ModuleType('m')\nm.x = 1\nr = [isinstance(len, types.BuiltinFunctionType), isinstance(m, types.ModuleType), m.x,\n     isinstance(int.__add__, types.WrapperDescriptorType), isinstance((1).__add__, types.MethodWrapperType)]\nfor make in (lambda: m.__dict__, lambda: m.__spec__, lambda: types.ModuleType.__dict__['__dict__'],\n             lambda: types.CodeType, lambda: types.FrameType, lambda: types.TracebackType):\n    try:\n        make()\n        r.append('made')\n    except (TypeError, AttributeError, KeyError):\n        r.append('refused')\nreturn r",
      ),
    ).toBe("[True,True,1,True,True,'refused','refused','refused','made','made','made']");
  });
});

describe("exception chains and absent modules", () => {
  it("reads __cause__ and __context__ of an exception; contextlib's ExitStack and traceback use them", async () => {
    expect(
      await out(
        "import contextlib\ntry:\n    try:\n        {}['k']\n    except KeyError as k:\n        raise ValueError('v') from k\nexcept ValueError as e:\n    chain = (type(e.__cause__).__name__, type(e.__context__).__name__, e.__cause__.__context__)\ntry:\n    with contextlib.ExitStack() as stack:\n        stack.callback(lambda: 1 / 0)\n        raise KeyError('first')\nexcept ZeroDivisionError as z:\n    exited = type(z.__context__).__name__\nreturn (chain, exited)",
      ),
    ).toBe("(('KeyError','KeyError',None),'KeyError')");
  });

  it("reads them of an object of Python code as its own; refuses them of a module, of an error about a module, and a raised exception's traceback", async () => {
    expect(
      await out(
        "import types\nclass C:\n    __context__ = 1\nc = C()\nc.__cause__ = 'own'\nreturn (c.__context__, getattr(c, '__cause__'))",
      ),
    ).toBe("(1,'own')");
    for (const expr of [
      "types.ModuleType('m').__cause__",
      "chained().__context__",
      "getattr(types, '__cause__')",
      "getattr(len, '__context__')",
    ]) {
      expect(
        await out(
          `import types\nclass C:\n    __context__ = 1\ndef chained():\n    try:\n        types.ModuleType('m').missing\n    except AttributeError:\n        try:\n            raise ValueError()\n        except ValueError as e:\n            return e\ntry:\n    return ${expr}\nexcept AttributeError:\n    return 'refused'`,
        ),
        expr,
      ).toBe("'refused'");
    }
    // A raised exception's traceback, however it is read (the attribute, getattr, the slot's
    // descriptor through the class's dict), and a traceback written into another exception.
    for (const expr of [
      "e.__traceback__",
      "getattr(e, '__traceback__')",
      "BaseException.__dict__['__traceback__'].__get__(e)",
      "ValueError().with_traceback(e.__traceback__)",
      "(setattr(v := ValueError(), '__traceback__', sys.exc_info()[2]), v.__traceback__)",
    ]) {
      expect(
        await out(
          `import sys\ntry:\n    1 / 0\nexcept ZeroDivisionError as e:\n    try:\n        return ${expr}\n    except (AttributeError, KeyError):\n        return 'refused'`,
        ),
        expr,
      ).toBe("'refused'");
    }
  });

  it("reads the __traceback__ of an exception never raised (None): traceback formats it", async () => {
    expect(
      await out(
        "import traceback\ne = ValueError('bad')\ne.__traceback__ = None\nreturn (e.__traceback__, traceback.format_exception(e), traceback.format_exception_only(e))",
      ),
    ).toBe("(None,['ValueError: bad\\n'],['ValueError: bad\\n'])");
  });

  it("gives a refused module of a multi-module import its placeholder alone", async () => {
    const code =
      "import math, subprocess, json\ndef f(x):\n    try:\n        subprocess.run\n        s = 'served'\n    except ImportError:\n        s = 'placeholder'\n    return (math.floor(2.5), json.dumps([x]), s)\n";
    const r = await pool.trace({ code, module: true, entry: "f", inputs });
    expect(r.status, r.error).toBe("ok");
    expect(r.runs[0][2]).toBe("(2,'[1]','placeholder')");
  });

  it("says ModuleNotFoundError for a module this interpreter lacks, ImportError for one it refuses", async () => {
    expect(
      await out(
        "r = []\nfor name in ('msvcrt', '_winapi', 'posix', 'subprocess', 'select'):\n    try:\n        __import__(name)\n        r.append('imported')\n    except ModuleNotFoundError:\n        r.append('absent')\n    except ImportError:\n        r.append('refused')\nreturn r",
      ),
    ).toBe("['absent','absent','imported','refused','refused']");
  });
});

describe("newly readable bookkeeping dunders", () => {
  it("hand out plain values and change nothing of a builtin class", async () => {
    expect(
      await out(
        "import abc, enum, typing\nclass A(abc.ABC):\n    @abc.abstractmethod\n    def m(self):\n        pass\nr = [type.__prepare__('x', ()), type(enum.EnumType.__prepare__('E', (enum.Enum,))).__name__, sorted(A.__abstractmethods__),\n     type(int.__flags__).__name__, type(len.__text_signature__).__name__]\nfor store in (lambda: setattr(int, '__abstractmethods__', frozenset()), lambda: setattr(int, '__slotnames__', []),\n              lambda: int.__abstractmethods__, lambda: typing.List['int'].__args__[0].__forward_code__):\n    try:\n        store()\n        r.append('changed')\n    except (TypeError, AttributeError):\n        r.append('refused')\nreturn r",
      ),
    ).toBe("[{},'EnumDict',['m'],'int','str','refused','refused','refused','refused']");
  });
});

describe("the tracer's shared classes", () => {
  it("are put back after every job: a view, placeholder or sink class changed by one job is whole for the next", async () => {
    const poison = `import math, sys
try:
    import no_such_module as nothing
except ImportError:
    pass
class Meta(type):
    def __call__(cls, *args):
        return 42
class Base:
    __slots__ = ()
    def __eq__(self, other):
        return True
def f(x):
    type.__setattr__(type(math), '__getattribute__', lambda self, n: (lambda *a: 42))
    type(math).__init__ = lambda self, names: None
    type(math).extra = 1
    type.__setattr__(type(sys.stdout), 'write', lambda self, s: 42)
    try:
        type(math).__bases__ = (Base,)
    except TypeError:
        pass
    try:
        type(math).__class__ = Meta
    except TypeError:
        pass
    return math.sqrt(4)
`;
    const r1 = await pool.trace({ code: poison, module: true, entry: "f", inputs, unit: "shared" });
    expect(r1.status, r1.error).toBe("ok");
    expect(
      await out(
        "import cmath, sys\nreturn (cmath.sqrt(4), hasattr(type(cmath), 'extra'), type(type(cmath)).__name__, type(cmath).__bases__[0].__name__, sys.stdout.write('abc'))",
        "shared",
      ),
    ).toBe("((2+0j),False,'type','object',3);stdout:'abc'");
  });
});

describe("library code that reads names it is given, checked", () => {
  // The hostile side is in sandbox.test.ts ("contains ..."): these are the same functions used
  // as real code uses them.
  it("formats, wraps, caches, copies slots, redirects print and reads enum properties as before", async () => {
    expect(
      await out(
        "import functools, copy, contextlib, io, enum\ndef g(a):\n    'doc'\n    return a\n@functools.wraps(g)\ndef w(*a):\n    return g(*a)\n@functools.lru_cache\ndef sq(n):\n    return n * n\nclass C:\n    __slots__ = ('a', 'b')\n    def __init__(self):\n        self.a, self.b = 1, 2\nclass P:\n    @functools.cached_property\n    def v(self):\n        return 7\nbuf = io.StringIO()\nwith contextlib.redirect_stdout(buf):\n    print('hi')\nclass Col(enum.Enum):\n    R = 1\n    @enum.property\n    def twice(self):\n        return self.value * 2\nc = copy.deepcopy(C())\nreturn ('{0.real}|{1[k]}|{2:>3}'.format(3, {'k': 'v'}, 'x'), '{a}'.format_map({'a': 1}), w.__name__, w.__doc__, w.__wrapped__ is g, sq(4), sq.__wrapped__(3), (c.a, c.b), P().v, buf.getvalue(), Col.R.twice, Col.R.value, Col.R.name)",
      ),
    ).toBe("('3|v|  x','1','g','doc',True,16,9,(1,2),7,'hi\\n',2,1,'R')");
  });
});
