"""The Python half of the tracer: run once inside each sandboxed Pyodide child, in a module
namespace of its own, before any user code. It records name-free basic-block traces, encodes
values canonically and applies the in-interpreter policy (the second line of defence behind the
operating-system boundary). Semantics: src/python/README.md; keep the two in step."""
import ast, dis, gc, json, sys, types
import bisect as _bisect_mod, cmath as _cmath_mod, collections as _collections_mod
import collections.abc as _abc_mod, copy as _copy_mod, decimal as _decimal_mod
import fractions as _fractions_mod, functools as _functools_mod, heapq as _heapq_mod
import itertools as _itertools_mod, math as _math_mod, operator as _operator_mod
import random as _random_mod, re as _re_mod, statistics as _statistics_mod
import string as _string_mod, typing as _typing_mod, unicodedata as _unicodedata_mod
import builtins as _builtins_mod, symtable as _symtable_mod
import numbers as _numbers_mod, struct as _struct_mod, dataclasses as _dataclasses_mod
import textwrap as _textwrap_mod, json as _json_mod, keyword as _keyword_mod, array as _array_mod
import binascii as _binascii_mod, base64 as _base64_mod, zlib as _zlib_mod
import hashlib as _hashlib_mod, graphlib as _graphlib_mod, pprint as _pprint_mod
import reprlib as _reprlib_mod, difflib as _difflib_mod, calendar as _calendar_mod
import datetime as _datetime_mod, time as _time_mod, io as _io_mod, colorsys as _colorsys_mod
import contextlib as _contextlib_mod, weakref as _weakref_mod, warnings as _warnings_mod
import html as _html_mod, _thread as _thread_mod
import _weakref as _weakref_c_mod, _random as _random_c_mod, _colorize as _colorize_mod
import _typing as _typing_c_mod, _collections_abc as _collections_abc_mod
import __future__ as _future_mod
import codecs as _codecs_mod, _codecs as _codecs_c_mod
# warnings imports it to describe a coroutine never awaited; imported on first use, that would be
# an "open" of the stdlib archive while user code runs (the seal removes its C half afterwards).
import tracemalloc as _tracemalloc_mod

_MON = sys.monitoring
_EV = _MON.events
_TOOL = 4
_DISABLE = _MON.DISABLE

# ---------------------------------------------------------------- aborts
class _Abort(BaseException):
    """Raised from event callbacks to stop user code; BaseException so 'except Exception' can't
    swallow it, and re-raised on every later event if user code catches it anyway."""

class _Timeout(_Abort):
    pass

class _Limit(_Abort):
    pass

# ---------------------------------------------------------------- value encoding
MAX_STR = 200
MAX_ITEMS = 32
MAX_DEPTH = 4
MAX_VALUE = 1000
MAX_SET_SORT = 256
# Items one encoding may visit, all containers and attributes together: it runs inside a
# monitoring callback, where the step budget does not count, so its own work must be bounded.
# 32 items at each of 4 levels would be a million. Past the budget a container encodes as "...".
MAX_NODES = 2048
MAX_MRO = 64
_SMALL_INT = 10 ** 30
_MINUS_SMALL_INT = -_SMALL_INT  # a constant: -_SMALL_INT would make a new big int every time
_MOD61 = (1 << 61) - 1

# A class's own slots, read through type's descriptors: a class body may define __module__ and a
# metaclass may define properties, and neither must run or decide anything in the encoder.
_type_mro = type.__dict__["__mro__"].__get__
_type_flags = type.__dict__["__flags__"].__get__
_type_module = type.__dict__["__module__"].__get__
_type_name = type.__dict__["__name__"].__get__
_HEAPTYPE = 1 << 9
_IMMUTABLETYPE = 1 << 8

def _builtin_class(k):
    return not _type_flags(k) & _HEAPTYPE and _type_module(k) == "builtins"

def _exc_name(t):
    # Nearest builtin class, so user exception classes can be renamed freely (among the first
    # MAX_MRO entries: a metaclass's mro() may return millions).
    for k in _type_mro(t)[:MAX_MRO]:
        if k is SandboxRefused:
            return "SandboxRefused"
        if _builtin_class(k):
            return _type_name(k)
    return "Exception"

# CPython's default repr names an object by its heap address ("<A object at 0x1b795d8>"), which
# depends on what ran before in the unit, not on behaviour: outputs and messages drop it.
# Only inside a repr's angle brackets: "value at 0x1f" of the code's own text is its value.
_ADDRESS_SUB = _re_mod.compile(r"(<[^<>]{0,200}? at )0x[0-9a-fA-F]+(?=>)").sub

def _without_addresses(s):
    return _ADDRESS_SUB(r"\g<1>0x…", s) if " at 0x" in s else s

_left = [MAX_NODES]

def _spend(n):
    # False once the encoding has visited MAX_NODES items.
    left = _left[0] - n
    _left[0] = left
    return left >= 0

def _enc(v, d):
    t = type(v)
    if t is int:
        if _MINUS_SMALL_INT < v < _SMALL_INT:
            return str(v)
        # The residue costs the int's size: charged, so a huge int referenced a thousand times
        # is not a thousand divisions.
        bits = v.bit_length()
        head = "int~" + ("-" if v < 0 else "") + str(bits) + "b"
        return head + "#" + str(abs(v) % _MOD61) if bits < 1 << 20 or _spend(bits >> 20) else head
    if t is str:
        n = len(v)
        if n <= MAX_STR:
            return repr(_without_addresses(v))
        # Cut before the scan (a 100 MB text referenced a thousand times), with room for the
        # addresses the scan shortens.
        return repr(_without_addresses(v[:MAX_STR + 400])[:MAX_STR]) + "...<" + str(n) + ">"
    if v is None or t is bool or t is float or t is complex:
        return repr(v)
    if d >= MAX_DEPTH:
        return "..."
    if t is list:
        return _enc_items("[", v, len(v), "]", d)
    if t is tuple:
        return _enc_items("(", v, len(v), ")", d)
    if t is dict:
        return _enc_pairs(v.items(), len(v), d)
    if t is set or t is frozenset:
        return _enc_set(t.__name__, v, len(v), d)
    if t is bytes or t is bytearray:
        s = bytes(v[:MAX_STR])
        return t.__name__ + ":" + repr(s) + ("...<" + str(len(v)) + ">" if len(v) > MAX_STR else "")
    if t is range:
        return repr(v)
    # A metaclass's mro() may return a tuple of millions: walked per reference, that is unbounded
    # work. Real classes have a few dozen entries at most.
    if len(_type_mro(t)) > MAX_MRO:
        return "<obj:?>"
    # issubclass on the exact type: isinstance would read a __class__ the user defined.
    if issubclass(t, BaseException):
        return "exc:" + _exc_name(t)
    if _builtin_class(t):
        return "<" + _type_name(t) + ">"
    return _enc_other(v, t, d)

def _enc_items(open_, items, n, close, d):
    # A list or tuple of n items whose first MAX_ITEMS are `items` (a plain list or tuple).
    k = min(n, MAX_ITEMS)
    if not _spend(k):
        return "..."
    parts = [_enc(items[i], d + 1) for i in range(k)]
    if n > MAX_ITEMS:
        parts.append("...<" + str(n) + ">")
    return open_ + ",".join(parts) + ("," if n == 1 and open_ == "(" else "") + close

def _enc_pairs(pairs, n, d):
    # A dict of n items from its (key, value) pairs, in insertion order.
    if not _spend(min(n, MAX_ITEMS)):
        return "..."
    parts = []
    for k, x in _islice(pairs, MAX_ITEMS):
        parts.append(_enc(k, d + 1) + ":" + _enc(x, d + 1))
    if n > MAX_ITEMS:
        parts.append("...<" + str(n) + ">")
    return "{" + ",".join(parts) + "}"

def _enc_set(name, v, n, d):
    if n > MAX_SET_SORT:
        return name + "<" + str(n) + ">"
    if not _spend(n):
        return "..."
    # Sorted encodings: iteration order depends on insertion history, behaviour does not.
    parts = sorted([_enc(x, d + 1) for x in v])
    if n > MAX_ITEMS:
        parts = parts[:MAX_ITEMS] + ["...<" + str(n) + ">"]
    return name + "{" + ",".join(parts) + "}"

# Values of other types are read through C functions of their builtin base or of the library
# type, and C descriptors of the instance's own state: never user code (no __repr__, __iter__,
# keys, __getattribute__, property or tzinfo of the user's runs). Without it, every Fraction,
# date, dataclass, namedtuple field or Counter encoded as its type name alone, so functions
# returning different such values had one behaviour. Everything is bound here, at load: user
# code may rebind module attributes such as datetime.datetime.
_type_dict = type.__dict__["__dict__"].__get__
_MemberDescriptor = type(type.__dict__["__dictoffset__"])
_GetSetDescriptor = type(type.__dict__["__mro__"])
_member_get = _MemberDescriptor.__get__
_getset_get = _GetSetDescriptor.__get__
# The class a descriptor was made for and its name, through the descriptor types' own members: a
# metaclass may put another type's getset under the name __dict__ (type's __doc__, which calls
# the class's __doc__.__get__), which must not be read as the instance's dict.
_member_class = _MemberDescriptor.__dict__["__objclass__"].__get__
_getset_class = _GetSetDescriptor.__dict__["__objclass__"].__get__
_getset_name = _GetSetDescriptor.__dict__["__name__"].__get__
_islice = _itertools_mod.islice
_str_isidentifier = str.isidentifier
_str_str = str.__str__

def _prefix(getitem, length):
    # The first MAX_ITEMS items of a builtin sequence and its length, by the builtin's own C
    # functions: a subclass's __getitem__, __len__ and __iter__ do not run, and a long one is not
    # copied whole.
    def read(v):
        return getitem(v, slice(0, MAX_ITEMS)), length(v)
    return read

_list_prefix = _prefix(list.__getitem__, list.__len__)
_tuple_prefix = _prefix(tuple.__getitem__, tuple.__len__)
_dict_items, _dict_len = dict.items, dict.__len__
_set_union, _set_len, _frozenset_len = set.union, set.__len__, frozenset.__len__
_ORDERED_DICT = _collections_mod.OrderedDict
_ordered_items = _ORDERED_DICT.items
_dict_keys = dict.keys

def _ordered_pairs(v):
    # OrderedDict's own iteration hashes every key it visits (a user __hash__): its order only
    # when every key is a str, int, float, bytes, bool or None (checked through the dict's own
    # keys, which does not hash); else the dict's.
    if _dict_len(v) <= MAX_SET_SORT:
        for k in _dict_keys(v):
            t = type(k)
            if not (t is str or t is int or t is float or t is bytes or t is bool or k is None):
                break
        else:
            return _ordered_items(v)
    return _dict_items(v)

def _enc_set_of(name, length):
    # A set subclass: counted first, copied (C, no hashing or comparing) only when it is encoded.
    def enc(v, d):
        n = length(v)
        return _enc_set(name, _set_union(set(), v) if n <= MAX_SET_SORT else (), n, d)
    return enc

# A subclass of a builtin is its builtin value (a namedtuple is its tuple, a Counter its dict,
# an IntEnum member its int), as == says.
_BUILTIN_VALUES = (
    (int, lambda v, d: _enc(int.__int__(v), d)),
    (float, lambda v, d: _enc(float.__float__(v), d)),
    (str, lambda v, d: _enc(_str_str(v), d)),
    (tuple, lambda v, d: _enc_items("(", *_tuple_prefix(v), ")", d)),
    (list, lambda v, d: _enc_items("[", *_list_prefix(v), "]", d)),
    # Before dict: its order is its own list's, which move_to_end changes (C, as dict.items).
    (_ORDERED_DICT, lambda v, d: _enc_pairs(_ordered_pairs(v), _dict_len(v), d)),
    (dict, lambda v, d: _enc_pairs(_dict_items(v), _dict_len(v), d)),
    (set, _enc_set_of("set", _set_len)),
    (frozenset, _enc_set_of("frozenset", _frozenset_len)),
    (bytes, lambda v, d: _enc(bytes.__bytes__(v), d)),
    (bytearray, lambda v, d: _enc(bytearray.__getitem__(v, slice(None)), d)),
)

# Library types whose value is not in an instance dict or slots, read by the library type's own
# C functions, for subclasses too (they do not call what a subclass overrides). A timezone other
# than datetime.timezone is user code (utcoffset): such a value is its naive time and its tzinfo.
_dt = _datetime_mod
_DATETIME, _DATE, _TIME, _TIMEDELTA, _TIMEZONE = _dt.datetime, _dt.date, _dt.time, _dt.timedelta, _dt.timezone
_datetime_iso, _date_iso, _time_iso = _DATETIME.isoformat, _DATE.isoformat, _TIME.isoformat
_timedelta_str = _TIMEDELTA.__str__

def _getters(k, names):
    return tuple(_type_dict(k)[name].__get__ for name in names)

_DATETIME_FIELDS = _getters(_DATE, ("year", "month", "day")) + _getters(
    _DATETIME, ("hour", "minute", "second", "microsecond", "fold"))
_TIME_FIELDS = _getters(_TIME, ("hour", "minute", "second", "microsecond", "fold"))
_datetime_tz, _time_tz = _type_dict(_DATETIME)["tzinfo"].__get__, _type_dict(_TIME)["tzinfo"].__get__

def _enc_zoned(name, kind, fields, tz_of, iso):
    def enc(v, d):
        tz = tz_of(v)
        if tz is None or type(tz) is _TIMEZONE:
            return name + iso(v)
        *parts, fold = [g(v) for g in fields]
        naive = kind(*parts, fold=fold)
        return name + iso(naive) + "+tz:" + _enc(tz, d + 1)
    return enc

_DECIMAL = _decimal_mod.Decimal
# A private context: Decimal.__str__ reads the thread's, whose `capitals` user code may change.
_decimal_text = _decimal_mod.Context(capitals=1).to_sci_string
_ARRAY = _array_mod.array
_array_typecode = _ARRAY.typecode.__get__
_array_prefix = _prefix(_ARRAY.__getitem__, _ARRAY.__len__)
_DEQUE = _collections_mod.deque
_deque_iter, _deque_len = _DEQUE.__iter__, _DEQUE.__len__
_NAMESPACE = types.SimpleNamespace
_namespace_reduce = _NAMESPACE.__reduce__

def _namespace_items(v):
    own = _namespace_reduce(v)[2]  # (type, (), its dict): the C reduce, not __dict__ lookup
    return _dict_items(own) if type(own) is dict else ()

_LIBRARY_VALUES = (
    (_DATETIME, _enc_zoned("datetime:", _DATETIME, _DATETIME_FIELDS, _datetime_tz, _datetime_iso)),
    (_DATE, lambda v, d: "date:" + _date_iso(v)),
    (_TIME, _enc_zoned("time:", _TIME, _TIME_FIELDS, _time_tz, _time_iso)),
    (_TIMEDELTA, lambda v, d: "timedelta:" + _timedelta_str(v)),
    (_DECIMAL, lambda v, d: "Decimal:" + _decimal_text(v)),
    (_ARRAY, lambda v, d: "array:" + _array_typecode(v) + ":" + _enc_items(
        "[", *(lambda p, n: (_ARRAY.tolist(p), n))(*_array_prefix(v)), "]", d)),
    (_DEQUE, lambda v, d: "deque:" + _enc_items("[", list(_islice(_deque_iter(v), MAX_ITEMS)), _deque_len(v), "]", d)),
    (_NAMESPACE, lambda v, d: "namespace" + _enc_attrs(_namespace_items(v), d)),
)
_VALUE_READERS = _BUILTIN_VALUES + _LIBRARY_VALUES
# Each reads through C functions, which a subclass cannot reach into; a pure-Python build of one
# would read attributes a subclass overrides.
assert not any(type(f) is types.FunctionType for f in (
    _datetime_iso, _date_iso, _time_iso, _timedelta_str, _decimal_text, _ARRAY.__getitem__,
    _ARRAY.__len__, _ARRAY.tolist, _array_typecode, _deque_iter, _deque_len, _namespace_reduce,
    _ordered_items, *_DATETIME_FIELDS, *_TIME_FIELDS)), "a library type is pure Python"

def _attr(name, x, d):
    # name=value; a name that is not an identifier (setattr allows any text) is quoted, so
    # "b=1,c" cannot pass for two attributes.
    if type(name) is str and _str_isidentifier(name):
        return name + "=" + _enc(x, d + 1)
    return _enc(name, d + 1) + "=" + _enc(x, d + 1)

def _enc_attrs(pairs, d):
    parts = []
    for name, x in pairs:
        if len(parts) >= MAX_ITEMS:
            parts.append("...")
            break
        if not _spend(1):
            parts.append("...")
            break
        parts.append(_attr(name, x, d))
    return "{" + ",".join(parts) + "}" if parts else ""

def _dunder(name):
    return type(name) is str and len(name) > 4 and name[:2] == "__" and name[-2:] == "__"

def _own_attrs(v, t):
    """
    (name, value) of the instance's own state: its __dict__ and slots, from the classes of its
    MRO that are neither builtins nor the tracer's (Python classes and C extension types alike).
    Dunder names are Python's bookkeeping (an enum member's __objclass__), not state.
    """
    seen_dict = False
    for k in _type_mro(t)[:MAX_MRO]:
        if not _type_flags(k) & _HEAPTYPE or id(k) in _TRACER_CLASS_IDS:
            continue
        for name, desc in _type_dict(k).items():
            if not _spend(1):
                return
            if type(name) is not str:
                continue
            td = type(desc)
            if td is _MemberDescriptor:
                if _dunder(name) or _member_class(desc) is not k:
                    continue
                try:
                    x = _member_get(desc, v, t)
                except Exception:  # unset, or a slot of another class placed in this one
                    continue
                yield name, x
            elif (td is _GetSetDescriptor and name == "__dict__" and not seen_dict
                  and _getset_class(desc) is k and _getset_name(desc) == "__dict__"):
                seen_dict = True
                try:
                    own = _getset_get(desc, v, t)
                except Exception:
                    continue
                if type(own) is dict:
                    for key, x in _dict_items(own):
                        if not _dunder(key):
                            yield key, x

def _enc_other(v, t, d):
    # Identity only: `in` would call a metaclass's __eq__.
    mro = _type_mro(t)
    if id(t) in _TRACER_CLASS_IDS:
        # The tracer's own objects (a module's view, the output sink): their kind, no insides.
        return "<module>" if t is _Module or t is _PackageModule else "<obj:" + _exc_name(t) + ">"
    head = None
    for base, value in _VALUE_READERS:
        if any(k is base for k in mro):
            head = value(v, d)
            break
    if head is None:
        # Instances of Python classes: the nearest builtin base and their state, by name.
        head = "<obj:" + _exc_name(t) + ">"
    return head + _enc_attrs(_own_attrs(v, t), d)

_getrecursionlimit, _setrecursionlimit = sys.getrecursionlimit, sys.setrecursionlimit

def encode(v):
    _left[0] = MAX_NODES
    try:
        s = _enc(v, 0)
    except _Abort:
        raise
    except RecursionError:
        # The value was returned deep in a recursion: its encoding must not depend on the stack
        # left, so it gets the frames it needs (a few dozen; _enc is at most MAX_DEPTH deep).
        limit = _getrecursionlimit()
        _setrecursionlimit(limit + 100)
        _left[0] = MAX_NODES
        try:
            s = _enc(v, 0)
        except _Abort:
            raise
        except BaseException:
            s = "<unencodable>"
        finally:
            _setrecursionlimit(limit)
    except BaseException:
        s = "<unencodable>"
    return _capped(s)

def _capped(s):
    if len(s) > MAX_VALUE:
        s = s[:MAX_VALUE] + "...<" + str(len(s)) + ">"
    return s

# ---------------------------------------------------------------- basic blocks
# Instructions that never fire INSTRUCTION events (measured), so they can't mark a block entry.
_SILENT = {"RESUME", "END_FOR", "RETURN_GENERATOR", "CACHE", "EXTENDED_ARG", "END_SEND", "NOP"}
_ENDS_BLOCK = {"RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE"}
_JUMPS = set(dis.hasjump) if hasattr(dis, "hasjump") else set(dis.hasjrel) | set(dis.hasjabs)

def basic_blocks(code):
    """[(start_offset, entry_offset or None, [instructions])] in offset order."""
    ins = list(dis.get_instructions(code))
    leaders = {ins[0].offset}
    for i, x in enumerate(ins):
        if x.jump_target is not None:
            leaders.add(x.jump_target)
        if (x.opcode in _JUMPS or x.opname in _ENDS_BLOCK) and i + 1 < len(ins):
            leaders.add(ins[i + 1].offset)
    for e in dis.Bytecode(code).exception_entries:
        leaders.add(e.target)
    blocks = []
    for x in ins:
        if x.offset in leaders or not blocks:
            blocks.append([x.offset, None, []])
        b = blocks[-1]
        b[2].append(x)
        if b[1] is None and x.opname not in _SILENT:
            b[1] = x.offset
    return blocks

# The same leaders and entries as basic_blocks, from the raw bytecode without building dis
# Instructions (ten times cheaper): the tracer's hot path. Checked against basic_blocks.
_SILENT_OPS = frozenset(dis.opmap[n] for n in _SILENT if n in dis.opmap)
_ENDS_OPS = frozenset(dis.opmap[n] for n in _ENDS_BLOCK if n in dis.opmap)
_unpack_opargs = dis._unpack_opargs
_jump_target = dis._get_jump_target
_exception_table = dis._parse_exception_table

def block_table(code):
    """(block starts, entry offset or None per block), in offset order."""
    ins = [(x[0], x[2], x[3]) for x in _unpack_opargs(code.co_code)]
    leaders = {ins[0][0]}
    last = len(ins) - 1
    for i, (off, op, arg) in enumerate(ins):
        if op in _JUMPS:
            leaders.add(_jump_target(op, arg, off))
            if i < last:
                leaders.add(ins[i + 1][0])
        elif op in _ENDS_OPS and i < last:
            leaders.add(ins[i + 1][0])
    if code.co_exceptiontable:
        for e in _exception_table(code):
            leaders.add(e.target)
    starts = []
    entries = []
    for off, op, _arg in ins:
        if off in leaders or not starts:
            starts.append(off)
            entries.append(None)
        if entries[-1] is None and op not in _SILENT_OPS:
            entries[-1] = off
    return starts, entries

# Block tables by bytecode: renamed variants of one function share theirs. Bounded; part of the
# tracer's own state, which no user code can reach.
_tables = {}
_MAX_TABLES = 4096

# Per code object (keyed by id: hashing a code object hashes its whole body): entry offset ->
# block key, and the sorted block starts with their keys (for calls and resumes). Reset per job.
_entries = {}
_starts = {}
# id -> code: a set of code objects hashed each one, at the cost of its size, on every raise.
_user_codes = {}

_CO_SUSPENDABLE = 0x20 | 0x80 | 0x100 | 0x200  # generator, coroutine, iterable coroutine, async gen

def _prepare(code):
    k = (code.co_code, code.co_exceptiontable)
    t = _tables.get(k)
    if t is None:
        if len(_tables) >= _MAX_TABLES:
            _tables.clear()
        t = _tables[k] = block_table(code)
    starts, entries = t
    cid = id(code)
    keys = [(cid, i) for i in range(len(starts))]
    # A plain function's block 0 is entered exactly once per call, so its INSTRUCTION event
    # doubles as the call event (it pushes the frame); generators and coroutines report block 0
    # through PY_START/PY_RESUME instead.
    first = 0 if not (code.co_flags & _CO_SUSPENDABLE) else 1
    m = {entries[i]: keys[i] for i in range(first, len(starts)) if entries[i] is not None}
    _entries[cid] = m
    _starts[cid] = (starts, keys)
    return m

def _all_codes(code, out):
    out.append(code)
    for c in code.co_consts:
        if type(c) is types.CodeType:
            _all_codes(c, out)
    return out

# ---------------------------------------------------------------- per-run state
# Module globals rather than an object: the callbacks run on every block, and global loads are
# the cheapest state access in CPython.
_blocks = []      # canonical block ids of the current call
_values = []      # one value per block event
_stack = []       # per active user frame: index of its current block event (-1: none)
_ids = {}         # block key -> canonical id, shared by all calls of a snippet
_recording = False
_truncated = False
_max_events = 2000
_max_steps = 1000000
_count = 0
_aborted = None   # "timeout" / "limit" once a budget is spent; every later event re-raises

def _abort_again():
    raise _Timeout() if _aborted == "timeout" else _Limit()

def _tick():
    # The budget is counted (block events of user code), never timed, so a result does not
    # depend on how busy the machine is; the parent's wall-clock kill is only a safety net.
    global _aborted
    if _aborted is not None:
        _abort_again()
    if _count > _max_steps:
        _aborted = "timeout"
        raise _Timeout()

def _record(key):
    """Appends a block event; returns its index or -1 when not recorded."""
    global _count, _truncated
    _count += 1
    if not (_count & 255) or _aborted is not None:
        _tick()
    if not _recording:
        return -1
    n = len(_blocks)
    if n >= _max_events:
        _truncated = True
        return -1
    bid = _ids.get(key)
    if bid is None:
        bid = _ids[key] = len(_ids)
    _blocks.append(bid)
    _values.append("")
    return n

# The last code object _on_instruction saw and its map: a call's events mostly come from one
# code object, and comparing it is cheaper than id() and a dict lookup. Reset per job.
_last_code = None
_last_map = None

def _on_instruction(code, off):
    # _record inlined: this runs on every block event.
    global _count, _truncated, _last_code, _last_map
    if code is _last_code:
        m = _last_map
    else:
        m = _entries.get(id(code))
        if m is None:
            m = _prepare(code)
        _last_code = code
        _last_map = m
    # Membership and subscript, not .get: specialised dict operations, no method call.
    if off not in m:
        return _DISABLE
    key = m[off]
    _count += 1
    if not (_count & 255) or _aborted is not None:
        _tick()
    if not _recording:
        i = -1
    else:
        i = len(_blocks)
        if i >= _max_events:
            _truncated = True
            i = -1
        else:
            if key in _ids:
                bid = _ids[key]
            else:
                bid = _ids[key] = len(_ids)
            _blocks.append(bid)
            _values.append("")
    if key[1] == 0:
        _stack.append(i)
    elif _stack:
        _stack[-1] = i
    return None

def _key_at(code, off):
    st = _starts.get(id(code))
    if st is None:
        _prepare(code)
        st = _starts[id(code)]
    if off == 0:
        return st[1][0]
    return st[1][_bisect_mod.bisect_right(st[0], off) - 1]

def _on_start(code, off):
    _stack.append(_record(_key_at(code, off)))

def _on_resume(code, off):
    # A resumed generator re-enters the block holding the resume point.
    _stack.append(_record(_key_at(code, off)))

def _on_return(code, off, value):
    i = _stack.pop() if _stack else -1
    if i >= 0 and _recording:
        if type(value) is int and _MINUS_SMALL_INT < value < _SMALL_INT:
            _values[i] = str(value)
        else:
            _values[i] = v = encode(value)
            _charge_chars(len(v))

def _on_yield(code, off, value):
    i = _stack.pop() if _stack else -1
    if i >= 0 and _recording:
        _values[i] = v = "yield:" + encode(value)
        _charge_chars(len(v))

# Characters of encoded values the job has kept, against run_job's cap: counted as they come,
# or 200 inputs × 2000 values of 1000 characters filled the child's memory before the cap was
# checked at the end (the child died: "ErrnoError").
_value_chars = [0]
_max_chars = [4_000_000]

def _charge_chars(n):
    global _aborted, _violation
    total = _value_chars[0] = _value_chars[0] + n
    if total > _max_chars[0]:
        _aborted = "limit"
        if _violation is None:
            _violation = "trace output exceeds " + str(_max_chars[0]) + " characters"
        raise _Limit()

def _on_unwind(code, off, exc):
    if id(code) not in _user_codes:
        return
    i = _stack.pop() if _stack else -1
    if i >= 0 and _recording and not issubclass(type(exc), _Abort):
        _values[i] = "raise:" + _exc_name(type(exc))

def _on_raise(code, off, exc):
    if id(code) not in _user_codes or not _stack:
        return
    i = _stack[-1]
    if i >= 0 and _recording and not issubclass(type(exc), _Abort):
        _values[i] = "raise:" + _exc_name(type(exc))

_EVENTS = _EV.INSTRUCTION | _EV.PY_RETURN
_EVENTS_SUSPENDABLE = _EV.INSTRUCTION | _EV.PY_START | _EV.PY_RESUME | _EV.PY_RETURN | _EV.PY_YIELD
# Exception events can only be enabled globally; callbacks ignore code that isn't the user's.
# They stay on: changing global events makes CPython re-instrument every code object it runs.
_GLOBAL_EVENTS = _EV.RAISE | _EV.PY_UNWIND

_MON.use_tool_id(_TOOL, "tracecode")
_MON.register_callback(_TOOL, _EV.INSTRUCTION, _on_instruction)
_MON.register_callback(_TOOL, _EV.PY_START, _on_start)
_MON.register_callback(_TOOL, _EV.PY_RESUME, _on_resume)
_MON.register_callback(_TOOL, _EV.PY_RETURN, _on_return)
_MON.register_callback(_TOOL, _EV.PY_YIELD, _on_yield)
_MON.register_callback(_TOOL, _EV.PY_UNWIND, _on_unwind)
_MON.register_callback(_TOOL, _EV.RAISE, _on_raise)
_MON.set_events(_TOOL, _GLOBAL_EVENTS)

# ---------------------------------------------------------------- sandbox policy
class SandboxViolation(Exception):
    pass

_ALLOWED_DUNDERS = {
    "__init__", "__new__", "__name__", "__qualname__", "__class__", "__doc__", "__repr__",
    "__str__", "__hash__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
    "__len__", "__iter__", "__next__", "__contains__", "__getitem__", "__setitem__",
    "__delitem__", "__call__", "__enter__", "__exit__", "__bool__", "__add__", "__sub__",
    "__mul__", "__truediv__", "__floordiv__", "__mod__", "__pow__", "__neg__", "__pos__",
    "__abs__", "__radd__", "__rsub__", "__rmul__", "__iadd__", "__isub__", "__imul__",
    "__and__", "__or__", "__xor__", "__invert__", "__lshift__", "__rshift__", "__int__",
    "__float__", "__index__", "__round__", "__reversed__", "__missing__", "__slots__",
    "__all__", "__format__", "__matmul__", "__divmod__", "__rtruediv__", "__rfloordiv__",
    "__rmod__", "__rpow__", "__post_init__",
}
# Attributes that are harmless to read: protocol methods that return nothing the caller could
# not compute (not __reduce__/__reduce_ex__/__getstate__: a builtin method's reduction holds the
# unguarded getattr), a class's module name and bases, the function a wrapper or method wraps, and
# object.__setattr__/__delattr__ (they set or delete by a computed name, which reads nothing:
# the attributes that lead somewhere are read-only or refused on read). __dict__ is read through
# _instance_dict (below): an instance's, never a class's or a module's.
_READABLE_DUNDERS = _ALLOWED_DUNDERS | {
    "__wrapped__", "__func__", "__match_args__",
    # A class's bases: classes, from which only __subclasses__ (refused) or a class's __dict__
    # (refused) would lead further.
    "__mro__", "__bases__", "__base__",
    "__module__", "__isabstractmethod__", "__setattr__", "__delattr__", "__getattr__",
    "__del__", "__dir__", "__copy__", "__deepcopy__", "__class_getitem__", "__init_subclass__",
    "__set_name__", "__get__", "__set__", "__delete__", "__rdivmod__", "__rand__", "__ror__",
    "__rxor__", "__rlshift__", "__rrshift__", "__rmatmul__", "__iand__", "__ior__", "__ixor__",
    "__ilshift__", "__irshift__", "__itruediv__", "__ifloordiv__", "__imod__", "__ipow__",
    "__trunc__", "__floor__", "__ceil__", "__complex__", "__bytes__", "__fspath__",
    "__length_hint__", "__sizeof__", "__members__", "__replace__",
    # The async context protocol, an exception's flag, and the class checks of type, ABCMeta and
    # GenericAlias (they answer a bool) and object's subclass hook (NotImplemented).
    "__aenter__", "__aexit__", "__suppress_context__", "__instancecheck__", "__subclasscheck__",
    "__subclasshook__",
    # The notes added to an exception (strings; enum's class creation reads and deletes them).
    "__notes__",
    # Typing and dataclass bookkeeping: classes, type variables and tuples of them, a generic
    # class's original bases, a dataclass's Field objects and flags: values the code could
    # name itself.
    "__origin__", "__args__", "__parameters__", "__orig_bases__", "__type_params__",
    "__dataclass_fields__", "__dataclass_params__",
    # typing's bookkeeping of unpacked tuples and type variables' defaults (bools, tuples of
    # types, a type), a forward reference's flags, a class's flags and a builtin's text signature.
    "__typing_is_unpacked_typevartuple__", "__typing_unpacked_tuple_args__", "__unpacked__",
    "__default__", "__forward_is_argument__", "__forward_is_class__", "__flags__",
    "__text_signature__",
    # A metaclass's namespace maker (a new dict, or enum's _EnumDict), copyreg's cache of slot
    # names, abc's abstract method names, functools' and typing's own bookkeeping on functions.
    "__prepare__", "__slotnames__", "__abstractmethods__", "__partialmethod__",
    "__getitem_inner__", "__generated_by_dataclasses__",
}
# Introspection that leads from a value to frames, code, globals or the interpreter: the
# attributes of frames, tracebacks, code objects, generators, coroutines and async generators.
# Only those C types define names with these prefixes, and none can be subclassed, so the same
# name on any other object is the code's own (pdb's self.tb_lineno, profile's fake code's
# co_filename): such a read is rewritten to _tc_attr (_guarded_attr, below), which refuses it on
# an object of a C type; a plain store is allowed (the only writable ones, a frame's f_trace* and
# a traceback's tb_next, hand nothing out, and a frame is never reached: every route is audited).
_GUARDED_PREFIXES = ("gi_", "cr_", "ag_", "f_", "tb_", "co_")

def _attr_allowed(name):
    """Whether an attribute may be read of any object (a guarded name may not: see below)."""
    if name.startswith("__") and name.endswith("__"):
        return name in _READABLE_DUNDERS
    if name.startswith(_GUARDED_PREFIXES):
        return False
    return True

# Dunders that no C type defines, or only static ones do (checked over every type of the
# interpreter: GenericAlias's __mro_entries__, descriptors' __objclass__), so of an object of
# Python code they are that code's own: a module's (a real module's __spec__ holds its loader,
# which reads files, but the code never holds a real module: views answer from their served
# names, modules run from source refuse dunders), enum's __new_member__, typing's and
# annotationlib's bookkeeping, a Signature. Guarded like the names above, which lets argparse's
# __main__.__spec__ check, sys.__stdout__ and enum's and typing's own source run.
_OWN_DUNDERS = frozenset((
    "__spec__", "__file__", "__path__", "__loader__", "__package__", "__cached__", "__stdout__",
    "__stderr__", "__stdin__", "__new_member__", "__metadata__", "__arg__", "__supertype__",
    "__forward_arg__", "__signature__", "__displayhook__", "__excepthook__", "__mro_entries__",
    "__orig_class__", "__objclass__", "__protocol_attrs__", "__non_callable_proto_members__",
    "__required_keys__", "__optional_keys__", "__readonly_keys__", "__mutable_keys__", "__total__",
    "__final__", "__override__", "__no_type_check__",
    # annotationlib's ForwardRef (a Python class): its module name, owner and compiled text (a
    # code object, which the guarded read never hands out).
    "__forward_module__", "__owner__", "__forward_code__"))

# The pickle protocol's methods. Refused of builtin objects: a bound builtin method's reduction is
# (getattr, (obj, name)), the unguarded getattr, and object.__getstate__(C) hands out a class's
# own dict. Of an instance of Python code (a heap type: user and library classes, and C types
# made from a spec) they give what the instance holds: its state, its class and the functions of
# copyreg, operator or re that rebuild it (their globals stay unreadable). So a read is checked
# by _pickle_attr: allowed of such an instance (or of super() bound to one); of a class, the
# function (Python or C) wrapped to refuse any target but such an instance.
_PICKLE_DUNDERS = frozenset(("__reduce__", "__reduce_ex__", "__getstate__", "__setstate__",
                             "__getnewargs__", "__getnewargs_ex__"))

# Annotations (typing's Protocol and annotationlib read them of classes and functions): the dict
# evaluated from a class's or function's annotation code (the user's, under the policy, or a
# library's) and that code as a function. Checked by _annotations_attr: never of a module, never
# a module, frame, traceback or code object among the values.
_ANNOTATION_DUNDERS = frozenset(("__annotations__", "__annotate__"))
# An exception's chain (traceback, contextlib and pdb read it): of an exception, another exception
# raised while this job ran, or None. And its __traceback__, which is given only when it is None
# (an exception made and never raised: traceback.format_exception(ValueError('x'))); a traceback
# itself is refused, as every guarded read refuses one. Checked by _exception_link.
_EXCEPTION_TRACEBACK = "__traceback__"
_EXCEPTION_LINKS = frozenset(("__cause__", "__context__", _EXCEPTION_TRACEBACK))

def _attr_guarded(name):
    """Whether an attribute is one of the interpreter types' names (readable of other objects)."""
    if name.startswith("__"):
        return name in _OWN_DUNDERS or name in _PICKLE_DUNDERS or name in _ANNOTATION_DUNDERS or name in _EXCEPTION_LINKS
    return name.startswith(_GUARDED_PREFIXES)

# A name is a variable: it reaches only the snippet's own namespaces and the restricted builtins,
# so any name is allowed (a class body defining __copy__, __class_getitem__, __rdivmod__, ...
# gives the class a protocol that runs under the guard and budget; the builtin __import__ is the
# sandbox's own import) except the reserved ones below.
# Names the tracer inserts (the class-pattern checks): user code may not bind or read them, or
# it could rebind the check itself, or the checked class between the check and the match. Nor
# __builtins__, however it would be bound (a name, a def or class, an import alias, an except or
# match capture, global): a module's __builtins__ becomes the builtins of every function defined
# after it, and the class-pattern check is looked up there, so a class __builtins__ whose
# __class_getitem__ answered '_tc_match_class' with an identity turned the check off.
_RESERVED = "_tc_"
_NAME_FIELDS = ("id", "name", "arg", "asname", "rest")

def _is_reserved(v):
    return type(v) is str and (v.startswith(_RESERVED) or v == "__builtins__")

def _reserved_name(node):
    for field in _NAME_FIELDS:
        v = getattr(node, field, None)
        if _is_reserved(v):
            return v
    for v in getattr(node, "names", ()):
        if _is_reserved(v):
            return v
    return None

def check_tree(tree, guarded=None):
    """The first policy problem of a tree, or None. A guarded attribute read (or plain store) is
    allowed and noted in `guarded` (a list, when given): the tree must then be rewritten before
    it is compiled (_rewrite_reads)."""
    # Imports are not refused here: _safe_import serves views with public names only, so a
    # private or relative import fails when it runs (a placeholder in a module) rather than
    # refusing the whole statement, say a class one of whose methods imports lazily.
    augmented = None  # ids of augmented-assignment targets: x.f_y += v reads x.f_y unchecked
    for node in ast.walk(tree):
        t = type(node)
        reserved = _reserved_name(node)
        if reserved is not None:
            return "name '" + reserved + "' is reserved (line " + str(getattr(node, "lineno", "?")) + ")"
        if t is ast.AugAssign:
            augmented = (augmented or set()) | {id(node.target)}
        if t is ast.Attribute and not _attr_allowed(node.attr) and not (node.attr == "__dict__" and type(node.ctx) is ast.Load):
            if not (_attr_guarded(node.attr) and type(node.ctx) is not ast.Del and (augmented is None or id(node) not in augmented)):
                return "attribute '" + node.attr + "' is not allowed (line " + str(node.lineno) + ")"
            if guarded is not None:
                guarded.append(node)
        if t is ast.MatchClass:
            for k in node.kwd_attrs:
                if not _attr_allowed(k) or k in _FORMAT_METHODS:
                    return "attribute '" + k + "' is not allowed (line " + str(node.lineno) + ")"
    return None

# A class pattern with positional sub-patterns (case C(v)) reads the attributes named in
# C.__match_args__ from the subject, with no policy in between: a class whose __match_args__
# names '__globals__' and whose metaclass says yes to isinstance would read any attribute of any
# object. So every such class is evaluated just before its match statement and checked: a
# class of an ordinary metaclass whose __match_args__ is a plain tuple of allowed names.
_MATCH_CLASS = "_tc_match_class"
import abc as _abcmeta_mod, enum as _enum_mod
_SAFE_METACLASSES = (type, _abcmeta_mod.ABCMeta, _enum_mod.EnumType)

def _match_class(cls):
    # type(), not isinstance: isinstance falls back to a user __class__ property, which would run
    # here; the same holds for the exception checks in the callbacks and after module statements.
    if not issubclass(type(cls), type):
        return cls  # the match statement raises TypeError itself
    if type(cls) not in _SAFE_METACLASSES:
        _refuse_match("a class with a custom metaclass")
    for k in cls.__mro__:
        d = k.__dict__
        if "__match_args__" in d:
            names = d["__match_args__"]
            if type(names) is not tuple or not all(type(n) is str and _attr_allowed(n) and n not in _FORMAT_METHODS for n in names):
                _refuse_match("__match_args__ " + encode(names))
            break
    return cls

def _refuse_match(what):
    global _aborted, _violation
    _violation = "sandbox: a class pattern with " + what + " is not allowed"
    _aborted = "limit"
    raise _Limit()

# Module context refuses the smallest function whose body breaks the policy, not its whole
# statement: the body becomes a call that raises SandboxRefused, so the rest of a class (or a
# module) still runs. The refused body is never compiled; a violation outside every function
# body (a decorator, a default, a base class, a class body, module code) skips the statement.
class SandboxRefused(Exception):
    """Raised by a function whose body the sandbox refused; carries only a message string."""

_REFUSE = "_tc_refuse"
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_SCOPES = _FUNCTIONS + (ast.ClassDef,)
_refused_defs = {}  # message -> (problem, qualified name, line), this run's refused functions

def _refuse(message):
    raise SandboxRefused(message)

def _own_yield(body):
    """Whether a function body yields in its own scope (a refused generator stays one)."""
    todo = list(body)
    while todo:
        n = todo.pop()
        t = type(n)
        if t is ast.Yield or t is ast.YieldFrom:
            return True
        if t not in _SCOPES:
            todo.extend(ast.iter_child_nodes(n))
    return False

def _refuse_defs(st, notes):
    """Rewrites the innermost functions whose bodies fail check_tree (inner first, so an outer
    function is refused only for what remains outside its inner ones); returns the problem
    left in the statement, or None once the rewritten statement passes."""
    found = []

    def visit(node, prefix):
        t = type(node)
        inner = prefix
        if t is ast.ClassDef:
            inner = prefix + node.name + "."
        elif t is ast.FunctionDef or t is ast.AsyncFunctionDef:
            inner = prefix + node.name + ".<locals>."
        elif t is ast.Lambda:
            inner = prefix + "<lambda>.<locals>."
        start = len(found)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)
        if t in _FUNCTIONS:
            lam = t is ast.Lambda
            problem = check_tree(node.body if lam else ast.Module(node.body, []))
            if problem is not None:
                body = node.body
                doc = None
                if not lam and type(body[0]) is ast.Expr and type(body[0].value) is ast.Constant and type(body[0].value.value) is str:
                    doc = body[0]
                gen = not lam and _own_yield(body)
                del found[start:]  # refused inside a body that goes as a whole
                found.append((node, problem, prefix + ("<lambda>" if lam else node.name), doc, gen))
                # A placeholder until the statement passes: the raiser's reserved name would
                # fail the re-check.
                node.body = ast.Constant(None) if lam else [ast.Pass()]

    visit(st, "")
    problem = check_tree(st)
    if problem is not None or not found:
        return problem
    for node, why, name, doc, gen in found:
        message = "def " + name + " (line " + str(node.lineno) + ") refused by the sandbox: " + why
        _refused_defs[message] = (why, name, node.lineno)
        notes.append(message)
        call = ast.Call(ast.Name(_REFUSE, ast.Load()), [ast.Constant(message)], [])
        if type(node) is ast.Lambda:
            node.body = call
        else:
            node.body = ([doc] if doc else []) + [ast.Expr(call)] + ([ast.Expr(ast.Yield(None))] if gen else [])
    ast.fix_missing_locations(st)
    return None

_COMPOUND = (ast.If, ast.Try, ast.TryStar, ast.With, ast.For, ast.While)

def _refuse_statements(st, notes):
    """A module-level try, if, with, for or while that still fails once its functions are
    refused: every innermost statement of its bodies that fails becomes a call that raises
    SandboxRefused, so the statements around it run (types.py's try: from _types import * with a
    fallback that reads __code__ in its except branch). Returns the problem left in the
    statement's own header (a condition, an iterable), or None."""
    found = []

    def visit(stmts):
        for i, s in enumerate(stmts):
            if check_tree(s) is None:
                continue
            if type(s) in _COMPOUND:
                for block in (s.body, getattr(s, "orelse", []), getattr(s, "finalbody", [])):
                    visit(block)
                for h in getattr(s, "handlers", []):
                    visit(h.body)
            problem = check_tree(s)
            if problem is not None:
                found.append((stmts, i, problem, s))
                stmts[i] = ast.copy_location(ast.Pass(), s)  # the raiser's name would fail the re-check

    for block in (st.body, getattr(st, "orelse", []), getattr(st, "finalbody", [])):
        visit(block)
    for h in getattr(st, "handlers", []):
        visit(h.body)
    problem = check_tree(st)
    if problem is not None or not found:
        return problem
    for stmts, i, why, s in found:
        message = "line " + str(s.lineno) + " refused by the sandbox: " + why
        notes.append(message)
        call = ast.Call(ast.Name(_REFUSE, ast.Load()), [ast.Constant(message)], [])
        stmts[i] = ast.copy_location(ast.Expr(call), s)
    ast.fix_missing_locations(st)
    return None

def _hoist_match_classes(tree):
    """Rewrites case C(p, ...) to case _tc_mN(p, ...), with _tc_mN = _tc_match_class(C) placed
    right before the match statement, so the class is checked before any attribute is read;
    every x.__dict__ read to _tc_instance_dict(x) and every guarded read x.f_y to
    _tc_attr(x, 'f_y')."""
    counter = [0]
    def fix(stmts):
        out = []
        for st in stmts:
            if type(st) is ast.Match:
                for case in st.cases:
                    for node in ast.walk(case.pattern):
                        if type(node) is ast.MatchClass and node.patterns:
                            name = "_tc_m" + str(counter[0])
                            counter[0] += 1
                            call = ast.Call(ast.Name(_MATCH_CLASS, ast.Load()), [node.cls], [])
                            out.append(ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], call), st))
                            node.cls = ast.copy_location(ast.Name(name, ast.Load()), node.cls)
            out.append(st)
        return out
    _AttributeReads().visit(tree)
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            v = getattr(node, field, None)
            if type(v) is list and v and isinstance(v[0], ast.stmt):
                setattr(node, field, fix(v))
    ast.fix_missing_locations(tree)

_INSTANCE_DICT = "_tc_instance_dict"

_type_dict = type.__dict__["__dict__"].__get__

def _instance_dict(obj):
    # A module's __dict__ is its globals, and super(Meta, C) reads a class's: refused. An
    # instance's holds only what its attributes already give. A class's holds descriptors (a
    # function type's __globals__ getter, type's __subclasses__ and __dict__):
    # a read-only copy of the entries whose names the policy lets code read of that class (of a
    # builtin class no guarded name) gives what its attribute reads give (enum's and
    # annotationlib's source read them). Never the tracer's own classes (views, placeholders).
    t = type(obj)
    if issubclass(t, type) and not issubclass(obj, _TRACER_CLASSES):
        heap = _type_flags(obj) & _HEAPTYPE
        return types.MappingProxyType({k: _format_method(v) for k, v in _type_dict(obj).items() if type(k) is str and (
            _attr_allowed(k) or (heap and _attr_guarded(k))) and type(v) not in _INTERPRETER_TYPES})
    if issubclass(t, (type, types.ModuleType, super, _Module)):
        raise AttributeError("'__dict__' of a class or module is not available in the sandbox")
    return obj.__dict__

_GUARDED_ATTR = "_tc_attr"
# The types whose guarded attributes lead to the interpreter; a guarded read never returns one.
_INTERPRETER_TYPES = frozenset((types.FrameType, types.TracebackType, types.CodeType))

def _guarded_attr(obj, name):
    # type(), not isinstance: a user __class__ property must decide nothing. The six types are
    # static (not heap) types and final, so a heap type (a class of Python code, or a C type
    # made from a spec: os.statvfs_result's f_ fields) never has their attributes: the name is
    # its own there, and refused on every static type (classes included, whose descriptors
    # would read a frame's) and on modules.
    if name in _FORMAT_METHODS:
        return _format_method(getattr(obj, name))
    t = type(obj)
    if name in _PICKLE_DUNDERS:
        return _pickle_attr(obj, name)
    if name in _ANNOTATION_DUNDERS:
        return _annotations_attr(obj, name)
    # Of an exception, its own slot; of an object of Python code, its own attribute, read below
    # as any guarded name is (traceback's TracebackException keeps its chain as self.__cause__).
    if name in _EXCEPTION_LINKS and issubclass(t, BaseException):
        return _exception_link(obj, name)
    if not _type_flags(t) & _HEAPTYPE or issubclass(t, types.ModuleType):
        raise AttributeError("attribute " + repr(name) + " of a " + _type_name(type(obj)) + " is not available in the sandbox")
    v = getattr(obj, name)
    if type(v) in _INTERPRETER_TYPES:
        # A real-module property that hands one on (types.coroutine's wrapper's gi_code).
        raise AttributeError("attribute " + repr(name) + " holds a " + _type_name(type(v)) + ", which is not available in the sandbox")
    return v

_super_self = super.__dict__["__self__"].__get__

def _pickle_target(obj):
    """Whether the pickle methods may run on obj: an instance of Python code (a heap type), never
    a class, a module, a super object or one of the tracer's views and placeholders."""
    t = type(obj)
    return bool(_type_flags(t) & _HEAPTYPE) and not issubclass(t, (type, types.ModuleType, super, *_TRACER_CLASSES))

def _pickle_attr(obj, name):
    t = type(obj)
    if t is super:
        if not _pickle_target(_super_self(obj)):
            raise AttributeError("attribute " + repr(name) + " of super() is available in the sandbox only for an instance of Python code")
        return getattr(obj, name)
    if not issubclass(t, type):
        if not _pickle_target(obj):
            raise AttributeError("attribute " + repr(name) + " of a " + _type_name(t) + " is not available in the sandbox")
        return getattr(obj, name)
    v = getattr(obj, name)
    tv = type(v)
    if tv is types.MethodType and type(v.__func__) is types.FunctionType:
        return v  # a classmethod of Python code, bound to its class
    if tv is not types.FunctionType and tv is not types.MethodDescriptorType and tv is not types.WrapperDescriptorType:
        raise AttributeError("attribute " + repr(name) + " of this class is not available in the sandbox")
    # Unbound, it runs on whatever it is given: object.__reduce_ex__, or a library's function
    # that reads self.__dict__ unchecked. One checking wrapper per function and job, so
    # type(x).__getstate__ is object.__getstate__ (copyreg asks) still holds.
    key = ("pickle", v)
    w = _views.get(key)
    if w is None:
        def w(self, *args, **kwargs):
            if not _pickle_target(self):
                raise TypeError(name + " is available in the sandbox only for an instance of Python code")
            return v(self, *args, **kwargs)
        w.__name__ = w.__qualname__ = name
        _views[key] = w
    return w

def _exception_link(obj, name):
    v = BaseException.__dict__[name].__get__(obj)  # the exception's own slot, never a property
    if name == _EXCEPTION_TRACEBACK and v is not None:
        raise AttributeError("attribute '__traceback__' holds a traceback, which is not available in the sandbox")
    # An AttributeError that real code caught names the object it failed on: never a module.
    if v is not None and issubclass(type(v), AttributeError) and issubclass(type(AttributeError.__dict__["obj"].__get__(v)), (types.ModuleType, _Module)):
        raise AttributeError("attribute " + repr(name) + " holds an error about a module, which is not available in the sandbox")
    return v

def _annotations_attr(obj, name):
    if issubclass(type(obj), (types.ModuleType, super, _Module, *_INTERPRETER_TYPES)):
        raise AttributeError("attribute " + repr(name) + " of a " + _type_name(type(obj)) + " is not available in the sandbox")
    v = getattr(obj, name)
    if name == "__annotations__":
        return _checked_annotations(v)
    if v is None:
        return v
    if type(v) is not types.FunctionType:
        raise AttributeError("attribute '__annotate__' that is not a Python function is not available in the sandbox")
    # What the annotate function returns is checked as __annotations__ is: one wrapper per
    # function and job, so identity holds within the job.
    key = ("annotate", v)
    w = _views.get(key)
    if w is None:
        def w(format, *args, **kwargs):
            return _checked_annotations(v(format, *args, **kwargs))
        w.__name__ = w.__qualname__ = "__annotate__"
        _views[key] = w
    return w

def _checked_annotations(v):
    if type(v) is not dict or any(issubclass(type(x), (types.ModuleType, super, _Module, *_INTERPRETER_TYPES)) for x in v.values()):
        raise AttributeError("annotations that are not a plain dict of annotations are not available in the sandbox")
    return v

class _AttributeReads(ast.NodeTransformer):
    """x.__dict__ (read) → _tc_instance_dict(x), x.f_y and x.format (read) → _tc_attr(x, 'f_y'); writes and
    deletes of __dict__ and deletes of guarded names stay refused by check_tree."""
    def visit_Attribute(self, node):
        self.generic_visit(node)
        if type(node.ctx) is ast.Load:
            if node.attr == "__dict__":
                call = ast.Call(ast.Name(_INSTANCE_DICT, ast.Load()), [node.value], [])
                return ast.copy_location(call, node)
            if _attr_guarded(node.attr) or node.attr in _FORMAT_METHODS:
                call = ast.Call(ast.Name(_GUARDED_ATTR, ast.Load()), [node.value, ast.Constant(node.attr)], [])
                return ast.copy_location(call, node)
        return node

def _safe_getattr(obj, name, *default):
    if type(name) is str and name in _FORMAT_METHODS:
        return _format_method(getattr(obj, name, *default))
    if type(name) is str and _attr_guarded(name):
        # As x.f_y reads: refused (missing, so the default applies) on a C object.
        try:
            return _guarded_attr(obj, name)
        except AttributeError:
            if default:
                return default[0]
            raise
    if type(name) is not str or not _attr_allowed(name):
        raise AttributeError("attribute " + repr(name) + " is not allowed in the sandbox")
    return getattr(obj, name, *default)

def _safe_hasattr(obj, name):
    if type(name) is str and _attr_guarded(name):
        try:
            _guarded_attr(obj, name)
        except AttributeError:
            return False
        return True
    if type(name) is not str or not _attr_allowed(name):
        return False
    return hasattr(obj, name)

def _own_attr_name(obj, name):
    # A name set or deleted by a computed name: allowed, or guarded on an object of Python code.
    t = type(obj)
    return type(name) is str and (_attr_allowed(name) or (
        _attr_guarded(name) and _type_flags(t) & _HEAPTYPE and not issubclass(t, types.ModuleType)))

def _safe_setattr(obj, name, value):
    if not _own_attr_name(obj, name):
        raise AttributeError("attribute " + repr(name) + " is not allowed in the sandbox")
    setattr(obj, name, value)

def _safe_delattr(obj, name):
    if not _own_attr_name(obj, name):
        raise AttributeError("attribute " + repr(name) + " is not allowed in the sandbox")
    delattr(obj, name)

class _Module:
    """A read-only view of an allowed module: public names only, modules replaced by views."""
    __slots__ = ("_names",)

    def __init__(self, names):
        object.__setattr__(self, "_names", names)

    def __getattribute__(self, name):
        # Every lookup goes to the names, never to the class, so attributes set on the class
        # (type(math).sqrt = ...) cannot shadow a module's functions.
        try:
            return object.__getattribute__(self, "_names")[name]
        except KeyError:
            raise AttributeError("module has no attribute " + repr(name)) from None

    def __setattr__(self, name, value):
        raise AttributeError("sandbox modules are read-only")

    def __dir__(self):
        return sorted(object.__getattribute__(self, "_names"))

# ---------------------------------------------------------------- audit hook
# CPython raises audit events for reads of frames (of generators, coroutines and tracebacks),
# for frame walks, the garbage collector, tracing hooks, files, processes and sockets, however
# the code got there: a computed name, a match class pattern, a format string. While user code
# (or a garbage collection) runs they end the snippet with status "limit". A hook can't be
# removed, and sys.addaudithook itself is refused while user code runs.
_guard = False
_violation = None
_DENIED_EVENTS = frozenset((
    "object.__delattr__", "sys._getframe",
    "sys._current_frames", "sys._current_exceptions", "sys.addaudithook", "sys.settrace",
    "sys.setprofile", "sys.monitoring.register_callback", "code.__new__", "function.__new__",
    "open", "builtins.input", "builtins.breakpoint", "marshal.loads", "marshal.load",
    "pickle.find_class", "time.sleep", "signal.pthread_kill", "resource.setrlimit",
    "resource.prlimit", "setopencookiehook", "cpython.run_command", "cpython.run_file",
    "cpython.run_module", "cpython.run_startup", "cpython.run_interactivehook",
    "cpython.remote_debugger_script", "cpython._PySys_ClearAuditHooks", "sys.remote_exec",
))
_DENIED_PREFIXES_EV = ("os.", "socket.", "subprocess.", "ctypes.", "gc.", "shutil.", "mmap.",
                       "fcntl.", "winreg.", "msvcrt.", "sqlite3.", "urllib.", "http.", "ftplib.",
                       "smtplib.", "poplib.", "imaplib.", "nntplib.", "telnetlib.", "webbrowser.",
                       "pdb.", "syslog.", "tempfile.", "glob.", "_posixsubprocess", "pty.",
                       "ensurepip.", "sys.monitoring")

def _denied(event, args):
    if event == "object.__getattr__":
        # Frames lead to every namespace; a function's __code__ does not (dataclasses and
        # namedtuple read it, and the policy keeps user code from its co_ attributes).
        return len(args) > 1 and type(args[1]) is str and (args[1].endswith("_frame") or args[1] == "f_back")
    return event in _DENIED_EVENTS or event.startswith(_DENIED_PREFIXES_EV)

# Code that allowed modules compile from strings while user code runs: namedtuple and dataclasses
# generate functions, a ForwardRef (typing.get_args(List['...']), a dataclass field's type)
# evaluates its text. That text can come from the user (a field name from __annotations__, a
# type argument) and runs unchecked, often with the real builtins (exec with globals {}): so it
# must pass the policy, read no __dict__, name no builtin the snippet does not get (eval, open,
# the unguarded getattr, ...) and hold no class pattern.
_own_compile = False   # the tracer compiling a package module, checked statement by statement
# The builtins a snippet gets; any other builtin (exceptions aside) is unsafe in compiled strings.
_SAFE_BUILTIN_NAMES = [
    "abs", "all", "any", "ascii", "bin", "bool", "bytearray", "bytes", "callable", "chr",
    "classmethod", "complex", "dict", "dir", "divmod", "enumerate", "filter", "float",
    "format", "frozenset", "hash", "hex", "id", "int", "isinstance", "issubclass", "iter",
    "len", "list", "map", "max", "min", "next", "object", "oct", "ord", "pow", "print",
    "property", "range", "repr", "reversed", "round", "set", "slice", "sorted", "staticmethod",
    "str", "sum", "super", "tuple", "type", "zip", "aiter", "anext", "memoryview",
    "NotImplemented", "Ellipsis", "None", "True", "False", "__build_class__",
]
_UNSAFE_NAMES = frozenset(k for k in dir(_builtins_mod) if k not in _SAFE_BUILTIN_NAMES and not (
    isinstance(getattr(_builtins_mod, k), type) and issubclass(getattr(_builtins_mod, k), BaseException)))

_AST_CLASSES = frozenset(c for c in vars(ast).values() if type(c) is type and issubclass(c, ast.AST))
_TREE_ATOMS = frozenset((str, bytes, int, float, complex, bool, type(None), type(...)))

def _plain_source(source):
    """Whether reading the source runs no user code: an exact str or bytes, or a tree made only
    of ast's own node classes, lists, tuples and atoms. Anything else (a str subclass, an object
    with __buffer__, a node subclass with properties) could run user code while the check is
    off, or answer the check differently from the compiler."""
    todo = [source]
    while todo:
        value = todo.pop()
        t = type(value)
        if t in _AST_CLASSES:
            todo.extend(vars(value).values())
        elif t is list or t is tuple:
            todo.extend(value)
        elif t not in _TREE_ATOMS:
            return False
    return type(source) in _AST_CLASSES or type(source) is str or type(source) is bytes

def _compiled_problem(source):
    global _own_compile
    if not _plain_source(source):
        return "a source that is not a plain string or tree"
    _own_compile = True
    try:
        tree = source if type(source) in _AST_CLASSES else ast.parse(source)
    except BaseException:
        return "source that does not parse"
    finally:
        _own_compile = False
    problem = check_tree(tree)
    if problem is not None:
        return problem
    unsafe = False
    for node in ast.walk(tree):
        t = type(node)
        if t is ast.Name and node.id in _UNSAFE_NAMES:
            unsafe = True
        # Compiled as it is, without the rewrites: no __dict__, no guarded name.
        if t is ast.Attribute and (node.attr == "__dict__" or _attr_guarded(node.attr) or node.attr in _FORMAT_METHODS):
            return "attribute '" + node.attr + "'"
        if t is ast.MatchClass:
            return "a class pattern"
        # Library code runs what it compiles with its own globals, whose builtins are real.
        if t is ast.Import or t is ast.ImportFrom:
            return "an import"
    return _unsafe_lookup(tree) if unsafe else None

def _unsafe_lookup(tree):
    """The first builtin the snippet does not get that the code would look up in the builtins,
    or None. A function's parameters and locals never fall through to the builtins (a fast
    local or a closure cell), so namedtuple('ArgInfo', 'args locals') is fine; at module and
    class level and in annotation scopes a lookup may (LOAD_NAME), so any read there counts."""
    global _own_compile
    _own_compile = True
    try:
        todo = [_symtable_mod.symtable(ast.unparse(tree), "<string>", "exec")]
        while todo:
            table = todo.pop()
            function = table.get_type() == "function"
            for sym in table.get_symbols():
                name = sym.get_name()
                if name in _UNSAFE_NAMES and sym.is_referenced() and (not function or sym.is_global()):
                    return "name '" + name + "'"
            todo.extend(table.get_children())
    except BaseException:
        return "source whose names cannot be resolved"
    finally:
        _own_compile = False
    return None

# Loads what ast.unparse and symtable import on first use (ast.unparse's module is imported
# lazily), before any guard is up.
_unsafe_lookup(ast.parse("lambda locals: locals"))

def _audit(event, args):
    global _aborted, _violation
    if not _guard:
        return
    denied = _denied(event, args)
    if not denied and event == "compile" and not _own_compile and args:
        problem = _compiled_problem(args[0])
        if problem is not None:
            denied = True
            if _violation is None:
                _violation = "sandbox: compiling a string with " + problem + " is not allowed"
    if denied:
        if _violation is None:
            detail = event
            if event == "object.__getattr__" and len(args) > 1 and type(args[1]) is str:
                detail = "reading attribute " + args[1]
            _violation = "sandbox: " + detail + " is not allowed"
        _aborted = "limit"
        raise _Limit()

sys.addaudithook(_audit)

_guard_outside_gc = [False]

def _gc_phase(phase, info):
    # A collection can start anywhere, also in the tracer's own code; the finalizers of user
    # objects it runs are user code, so the guard is up for every collection.
    global _guard
    if phase == "start":
        _guard_outside_gc[0] = _guard
        _guard = True
    else:
        _guard = _guard_outside_gc[0]

gc.callbacks.append(_gc_phase)

# Names that hand back live objects by name or evaluate strings, so they would bypass the
# attribute policy above.
_MODULE_DENY = {
    "operator": {"attrgetter", "methodcaller"},
    "string": {"Formatter"},
    "typing": {"get_type_hints", "evaluate_forward_ref", "ForwardRef", "get_annotations"},
    "functools": {"singledispatchmethod"},
    # writes an enum's members into sys.modules[cls.__module__] of the real interpreter, which a
    # class body names (__module__ = 'builtins' replaced the tracer's own builtins)
    "enum": {"global_enum"},
    # codecs.py's C half, for codecs run from source, without the codec and error-handler
    # registries: they are the interpreter's, seen by every later job
    "_codecs": {"register", "unregister", "register_error"},
}

_seeded = _random_mod.Random(0)
# Reseeded through the C generator's seed, bound now, and the instance's own dict: random.Random
# is a class code shares (a patched Random.seed ran in the tracer's reseed of later jobs).
_seed_c = _random_c_mod.Random.seed
_seeded_dict = object.__getattribute__(_seeded, "__dict__")
# Whether the job's code was served the random module (an import the text does not show:
# __import__('ran' + 'dom')): its calls are then reseeded.
_random_served = [False]

# decimal's context is the interpreter's: getcontext().prec = 3 in one job made 1/7 '0.143' in
# every later job of its unit (two identical functions in two files, two behaviours). A job
# served decimal gets back a copy of the context as loaded, and DefaultContext's fields.
_decimal_served = [False]
_DECIMAL_CONTEXT = _decimal_mod.Context()
_decimal_copy = _decimal_mod.Context.copy
_decimal_setcontext = _decimal_mod.setcontext
_DECIMAL_DEFAULT = _decimal_mod.DefaultContext
_DECIMAL_FIELDS = ("prec", "rounding", "Emin", "Emax", "capitals", "clamp")
# Through Context's own getset descriptors (C), bound now.
_DECIMAL_SETTERS = tuple(_decimal_mod.Context.__dict__[f].__set__ for f in _DECIMAL_FIELDS)
_DECIMAL_DEFAULT_VALUES = tuple(getattr(_DECIMAL_DEFAULT, f) for f in _DECIMAL_FIELDS)

def _decimal_reset():
    _decimal_served[0] = False
    _decimal_setcontext(_decimal_copy(_DECIMAL_CONTEXT))
    for set_field, v in zip(_DECIMAL_SETTERS, _DECIMAL_DEFAULT_VALUES):
        set_field(_DECIMAL_DEFAULT, v)

def _reseed():
    _seed_c(_seeded, 0)
    _seeded_dict["gauss_next"] = None

import os as _os_mod, posixpath as _posixpath_mod, genericpath as _genericpath_mod
import stat as _stat_mod, errno as _errno_mod, fnmatch as _fnmatch_mod, shlex as _shlex_mod
import ipaddress as _ipaddress_mod, token as _token_mod, tokenize as _tokenize_mod
import gettext as _gettext_mod

# Path strings: what posixpath computes from its arguments alone (abspath, realpath, relpath,
# expanduser, expandvars and the exists/is*/get* family ask the file system or the environment:
# served below, on the job's own folder).
_PURE_PATH = {"sep", "altsep", "extsep", "pathsep", "defpath", "curdir", "pardir", "devnull",
              "normcase", "isabs", "join", "splitroot", "split", "splitext", "splitdrive",
              "basename", "dirname", "commonprefix", "commonpath", "normpath", "samestat",
              "supports_unicode_filenames"}

# The paths a program in an empty sandbox sees: a fixed working folder, no home folder and an
# empty environment, so these are string computations, the same on every machine.
_CWD = "/sandbox"

# ---------------------------------------------------------------- files: /sandbox
# Real code that touches files gets an empty, private, in-memory folder per job: /sandbox, the
# working folder, is the only place it can create, write, rename or delete anything; "/" holds
# just it; everything else reads as absent (nothing of the stdlib, the worker or Pyodide's file
# system is ever read). The files are plain Python data of the tracer's (paths normalised
# lexically: there are no symbolic links), never Emscripten's file system, which stays read-only
# to user code (worker.ts); so no file-system call or "open" audit event happens at all. They are
# emptied at every job and put back before every call to what the definitions left, so a call's
# output depends on its input alone; inode numbers, timestamps (one second per change from
# 2000-01-01) and listing order (sorted) follow from the calls alone. Counted limits: bytes
# written per job, entries in the folder, and the tracer's work on them (a scan of the folder, a
# copy of a file's bytes) spends the job's step budget. File descriptors (os.open, fileno) are numbers of a table of the job's own
# open files of /sandbox (from 3), never the process's; FileIO is not served.
_FS_EPOCH = 946684800
_FS_QUOTA = 16 << 20
_FS_ENTRIES = 10000
_FS_PID = 2

class _FileState:
    __slots__ = ("nodes", "cwd", "clock", "ino", "gen", "written", "base", "touched", "entropy",
                 "fds", "pending")

_fs = _FileState()
_fs.gen = 0

def _fs_reset(base=None, job=True):
    """Back to the empty folder (a new job), or to the state a job's definitions left (a call)."""
    nodes, cwd, clock, ino = base or ({_CWD: (True, b"", 2, _FS_EPOCH, 0o755)}, _CWD, _FS_EPOCH, 2)
    _fs.nodes, _fs.cwd, _fs.clock, _fs.ino = dict(nodes), cwd, clock, ino
    _fs.gen += 1  # files still open from before write nowhere
    _fs.touched = False
    _fs.entropy = None
    _fs.fds = {}
    _fs.pending = []
    if job:
        _fs.base = None
        _fs.written = 0

_fs_reset()

def _fs_mark():
    # After the definitions: what every call starts from.
    if _fs.touched:
        _fs.base = (dict(_fs.nodes), _fs.cwd, _fs.clock, _fs.ino)
        _fs.touched = False

# A node: (is_dir, data, inode, mtime, permission bits); replaced, never changed in place.
_FS_ROOT = (True, b"", 1, _FS_EPOCH, 0o755)

def _fs_abs(path):
    """The normalised absolute str path of a path argument (str, bytes, os.PathLike)."""
    if isinstance(path, int):
        raise OSError(_errno_mod.EBADF, "Bad file descriptor (no file descriptors in the sandbox)")
    p = _os_mod.fspath(path)
    if type(p) is not str and type(p) is not bytes:  # a subclass's methods are the user's
        p = ("" if isinstance(p, str) else b"").join([p])
    if type(p) is bytes:
        p = p.decode("utf-8", "surrogateescape")
    if "\0" in p:
        raise ValueError("embedded null byte")
    if not p:
        raise OSError(_errno_mod.ENOENT, "No such file or directory", path)
    p = _posixpath_mod.normpath(p if p[0] == "/" else _fs.cwd + "/" + p)
    return "/" + p.lstrip("/")

def _fs_inside(a):
    return a.startswith(_CWD + "/")

def _fs_node(a):
    if _fs.pending:  # os.write is seen at once, as a file's size, by path
        for f in _fs.pending:
            _file_store(f)
        del _fs.pending[:]
    if a == "/":
        return _FS_ROOT
    return _fs.nodes.get(a) if a == _CWD or _fs_inside(a) else None

def _fs_err(code, path, path2=None):
    return OSError(code, _os_mod.strerror(code), path, None, path2)

def _fs_get(path):
    a = _fs_abs(path)
    n = _fs_node(a)
    if n is None:
        raise _fs_err(_errno_mod.ENOENT, path)
    return a, n

def _fs_tick():
    _fs.touched = True
    _fs.clock += 1
    return _fs.clock

def _fs_parent_ok(a, path):
    """Raises unless a new entry may be made at a: inside /sandbox, in an existing folder."""
    parent = _fs_node(_posixpath_mod.dirname(a))
    if parent is None:
        raise _fs_err(_errno_mod.ENOENT, path)
    if not parent[0]:
        raise _fs_err(_errno_mod.ENOTDIR, path)
    if not _fs_inside(a):
        raise _fs_err(_errno_mod.EACCES, path)

def _fs_work(n):
    # The tracer's own work for user code counts like the code's steps (_record): one per 8
    # entries scanned or KiB copied.
    global _count
    _count += n
    if _count > _max_steps or _aborted is not None:
        _tick()

def _fs_new(a, is_dir, data=b"", mode=None):
    if len(_fs.nodes) >= _FS_ENTRIES:
        raise _fs_err(_errno_mod.ENOSPC, a)
    _fs.ino += 1
    _fs.nodes[a] = (is_dir, data, _fs.ino, _fs_tick(), (0o755 if is_dir else 0o644) if mode is None else mode)

def _fs_children(a):
    prefix = a.rstrip("/") + "/"
    if a == "/":
        return [_CWD[1:]]
    _fs_work(len(_fs.nodes) >> 3)
    return sorted(k[len(prefix):] for k in _fs.nodes if k.startswith(prefix) and "/" not in k[len(prefix):])

def _fs_stat(n):
    t = n[3]
    mode = (_stat_mod.S_IFDIR if n[0] else _stat_mod.S_IFREG) | n[4]
    return _os_mod.stat_result(
        (mode, n[2], 1, 2 if n[0] else 1, 0, 0, 4096 if n[0] else len(n[1]), t, t, t),
        {"st_atime": float(t), "st_mtime": float(t), "st_ctime": float(t), "st_atime_ns": t * 10**9,
         "st_mtime_ns": t * 10**9, "st_ctime_ns": t * 10**9, "st_blksize": 4096,
         "st_blocks": (len(n[1]) + 511) // 512})

def _fs_int(x):
    # What the tracer keeps is its own: an int subclass could run code when read later.
    if type(x) is not int:
        raise TypeError("an integer is required, not " + type(x).__name__)
    return x

def _fs_no_dir_fd(dir_fd):
    if dir_fd is not None:
        raise NotImplementedError("dir_fd unavailable on this platform")

def _fs_stat_fn(path, *, dir_fd=None, follow_symlinks=True):
    _fs_no_dir_fd(dir_fd)
    return _fs_stat(_fs_get(path)[1])

def _fs_listdir(path="."):
    a, n = _fs_get(path)
    if not n[0]:
        raise _fs_err(_errno_mod.ENOTDIR, path)
    names = _fs_children(a)
    return [x.encode("utf-8", "surrogateescape") for x in names] if type(_os_mod.fspath(path)) is bytes else names

class _DirEntry:
    """os.DirEntry of /sandbox: what os.scandir yields."""
    def __init__(self, name, path, node):
        self.name, self.path, self._node = name, path, node
    def is_dir(self, *, follow_symlinks=True):
        return self._node[0]
    def is_file(self, *, follow_symlinks=True):
        return not self._node[0]
    def is_symlink(self):
        return False
    def is_junction(self):
        return False
    def stat(self, *, follow_symlinks=True):
        return _fs_stat(self._node)
    def inode(self):
        return self._node[2]
    def __fspath__(self):
        return self.path
    def __repr__(self):
        return "<DirEntry " + repr(self.name) + ">"

class _ScandirIterator:
    def __init__(self, entries):
        self._entries = iter(entries)
    def __iter__(self):
        return self
    def __next__(self):
        return next(self._entries)
    def close(self):
        self._entries = iter(())
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.close()

_DirEntry.__name__ = _DirEntry.__qualname__ = "DirEntry"

def _fs_scandir(path="."):
    given = _os_mod.fspath(path)
    a = _fs_abs(path)
    entries = []
    for name in _fs_listdir(path):
        full = a.rstrip("/") + "/" + (name.decode("utf-8", "surrogateescape") if type(name) is bytes else name)
        entries.append(_DirEntry(name, _posixpath_mod.join(given, name), _fs_node(full)))
    return _ScandirIterator(entries)

def _fs_walk(top, topdown=True, onerror=None, followlinks=False):
    todo = [_os_mod.fspath(top)]
    while todo:
        top = todo.pop()
        if type(top) is tuple:  # bottom-up: the folder's own triple after its subfolders
            yield top
            continue
        try:
            entries = list(_fs_scandir(top))
        except OSError as e:
            if onerror is not None:
                onerror(e)
            continue
        dirs = [e.name for e in entries if e.is_dir()]
        files = [e.name for e in entries if not e.is_dir()]
        if topdown:
            yield top, dirs, files
        else:
            todo.append((top, dirs, files))
        todo.extend(_posixpath_mod.join(top, d) for d in reversed(dirs))

def _fs_mkdir(path, mode=0o777, *, dir_fd=None):
    _fs_no_dir_fd(dir_fd)
    a = _fs_abs(path)
    if _fs_node(a) is not None:
        raise _fs_err(_errno_mod.EEXIST, path)
    _fs_parent_ok(a, path)
    _fs_new(a, True, mode=_fs_int(mode) & 0o777)

def _fs_makedirs(name, mode=0o777, exist_ok=False):
    a = _fs_abs(name)
    n = _fs_node(a)
    if n is not None:
        if not exist_ok or not n[0]:
            raise _fs_err(_errno_mod.EEXIST, name)
        return
    parent = _posixpath_mod.dirname(a)
    if _fs_node(parent) is None:
        _fs_makedirs(parent, mode, True)
    _fs_mkdir(a, mode)

def _fs_remove(path, *, dir_fd=None):
    _fs_no_dir_fd(dir_fd)
    a, n = _fs_get(path)
    if n[0]:
        raise _fs_err(_errno_mod.EISDIR, path)
    _fs_tick()
    del _fs.nodes[a]

def _fs_rmdir(path, *, dir_fd=None):
    _fs_no_dir_fd(dir_fd)
    a, n = _fs_get(path)
    if not n[0]:
        raise _fs_err(_errno_mod.ENOTDIR, path)
    if not _fs_inside(a):
        raise _fs_err(_errno_mod.EBUSY if a == _CWD else _errno_mod.EACCES, path)
    if _fs_children(a):
        raise _fs_err(_errno_mod.ENOTEMPTY, path)
    _fs_tick()
    del _fs.nodes[a]

def _fs_rename(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
    _fs_no_dir_fd(src_dir_fd if src_dir_fd is not None else dst_dir_fd)
    a, n = _fs_get(src)
    b = _fs_abs(dst)
    if not _fs_inside(a) or not _fs_inside(b):
        raise _fs_err(_errno_mod.EACCES, src, dst)
    _fs_parent_ok(b, dst)
    old = _fs_node(b)
    if a == b:
        return
    if old is not None:
        if old[0] and not n[0]:
            raise _fs_err(_errno_mod.EISDIR, src, dst)
        if n[0] and not old[0]:
            raise _fs_err(_errno_mod.ENOTDIR, src, dst)
        if old[0] and _fs_children(b):
            raise _fs_err(_errno_mod.ENOTEMPTY, src, dst)
    if n[0] and b.startswith(a + "/"):
        raise _fs_err(_errno_mod.EINVAL, src, dst)
    _fs_tick()
    _fs_work(len(_fs.nodes) >> 3)
    moved = [k for k in _fs.nodes if k == a or k.startswith(a + "/")]
    for k in moved:
        _fs.nodes[b + k[len(a):]] = _fs.nodes.pop(k)

def _fs_chdir(path):
    a, n = _fs_get(path)
    if not n[0]:
        raise _fs_err(_errno_mod.ENOTDIR, path)
    _fs.touched = True
    _fs.cwd = a

def _fs_chmod(path, mode, *, dir_fd=None, follow_symlinks=True):
    _fs_no_dir_fd(dir_fd)
    a, n = _fs_get(path)
    if not _fs_inside(a):
        raise _fs_err(_errno_mod.EPERM, path)
    _fs.nodes[a] = n[:3] + (_fs_tick(), _fs_int(mode) & 0o7777)

def _fs_utime(path, times=None, *, ns=None, dir_fd=None, follow_symlinks=True):
    _fs_no_dir_fd(dir_fd)
    a, n = _fs_get(path)
    if not _fs_inside(a):
        raise _fs_err(_errno_mod.EPERM, path)
    t = int(times[1]) if times is not None else (int(ns[1]) // 10**9 if ns is not None else _fs.clock + 1)
    _fs_tick()
    _fs.nodes[a] = n[:3] + (t, n[4])

def _fs_access(path, mode, *, dir_fd=None, effective_ids=False, follow_symlinks=True):
    try:
        a, n = _fs_get(path)
    except (OSError, ValueError):
        return False
    return not mode & _os_mod.W_OK or _fs_inside(a) or a == _CWD

def _fs_urandom(size):
    # From a generator of its own, seeded alike at every call: deterministic per job and input.
    if _fs_int(size) < 0:
        raise ValueError("negative argument not allowed")
    if _fs.entropy is None:
        _fs.entropy = _random_mod.Random(0x5EED)
    _fs.touched = True
    return _fs.entropy.randbytes(size)

class _SystemRandom(_random_mod.Random):
    """random.SystemRandom on os.urandom's stream (seeded alike at every call), never the
    host's: secrets, tempfile and uuid draw from it."""
    def random(self):
        return (int.from_bytes(_fs_urandom(7)) >> 3) * 2 ** -53
    def getrandbits(self, k):
        k = _fs_int(k)
        if k < 0:
            raise ValueError("number of bits must be non-negative")
        n = (k + 7) // 8
        return int.from_bytes(_fs_urandom(n)) >> (n * 8 - k)
    def randbytes(self, n):
        return _fs_urandom(n)
    def seed(self, *args, **kwds):
        return None
    def _notimplemented(self, *args, **kwds):
        raise NotImplementedError("System entropy source does not have state.")
    getstate = setstate = _notimplemented

_SystemRandom.__name__ = _SystemRandom.__qualname__ = "SystemRandom"

def _fs_test(test):
    def question(path):
        try:
            return test(_fs_get(path)[1])
        except (OSError, ValueError):
            return False
    return question

_FS_ALLOW_MISSING = getattr(_posixpath_mod, "ALLOW_MISSING", None)

def _fs_realpath(path, *, strict=False):
    a = _fs_abs(path)
    if strict is True and _fs_node(a) is None:
        raise _fs_err(_errno_mod.ENOENT, path)
    return a.encode("utf-8", "surrogateescape") if type(_os_mod.fspath(path)) is bytes else a

def _fs_samefile(f1, f2):
    return _posixpath_mod.samestat(_fs_stat_fn(f1), _fs_stat_fn(f2))

_FS_PATH = {
    "exists": _fs_test(lambda n: True), "lexists": _fs_test(lambda n: True),
    "isfile": _fs_test(lambda n: not n[0]), "isdir": _fs_test(lambda n: n[0]),
    "islink": _fs_test(lambda n: False), "isjunction": lambda path: False,
    "isdevdrive": lambda path: False, "ismount": _fs_test(lambda n: n is _FS_ROOT),
    "getsize": lambda path: _fs_stat_fn(path).st_size,
    "getmtime": lambda path: _fs_stat_fn(path).st_mtime,
    "getatime": lambda path: _fs_stat_fn(path).st_atime,
    "getctime": lambda path: _fs_stat_fn(path).st_ctime,
    "realpath": _fs_realpath, "samefile": _fs_samefile, "ALLOW_MISSING": _FS_ALLOW_MISSING,
}

class _File(_io_mod.BytesIO):
    """A file of /sandbox open in binary mode: its contents in memory, written back to the
    folder on flush and close (as long as the job or call that opened it runs)."""

def _file_state(f):
    return _open_files.get(f) if type(f) is _File else None

def _file_check(f, i, what):
    s = _file_state(f)
    if s is not None and not s[i]:
        raise _io_mod.UnsupportedOperation(what)
    return s

def _file_read(name):
    method = getattr(_io_mod.BytesIO, name)
    def read(self, *args):
        _file_check(self, 2, "read")
        return method(self, *args)
    read.__name__ = name
    return read

for _name in ("read", "read1", "readline", "readlines", "readinto", "readinto1", "__next__"):
    setattr(_File, _name, _file_read(_name))

def _file_write(self, b):
    s = _file_check(self, 3, "write")
    if s is not None and s[4]:
        self.seek(0, 2)
    n = _io_mod.BytesIO.write(self, b)
    if s is not None:
        s[6] = True
        _fs_charge(n)
    return n

def _file_writelines(self, lines):
    for line in lines:
        self.write(line)

def _file_truncate(self, size=None):
    s = _file_check(self, 3, "truncate")
    if s is not None:
        s[6] = True
    return _io_mod.BytesIO.truncate(self, size)

def _file_flush(self):
    _io_mod.BytesIO.flush(self)
    _file_store(self)

def _file_close(self):
    if not self.closed:
        _file_store(self)
    _io_mod.BytesIO.close(self)

_File.write, _File.writelines, _File.truncate = _file_write, _file_writelines, _file_truncate
def _file_fileno(self):
    s = _file_state(self)
    if s is None or self.closed:
        return _io_mod.BytesIO.fileno(self)
    if s[5] is None:
        s[5] = 3 + len(_fs.fds)
        while s[5] in _fs.fds:
            s[5] += 1
        _fs.fds[s[5]] = self
    return s[5]

_File.flush, _File.close, _File.fileno = _file_flush, _file_close, _file_fileno
_File.readable = lambda self: bool((_file_state(self) or (0, 0, 1))[2])
_File.writable = lambda self: bool((_file_state(self) or (0, 0, 0, 1))[3])

# The state of each open file, out of user code's reach: [generation, inode, readable, writable,
# append, file descriptor or None, written since stored].
_open_files = _weakref_mod.WeakKeyDictionary()

def _fs_charge(n):
    global _aborted, _violation
    _fs.written += n
    if _fs.written > _FS_QUOTA:
        _aborted = "limit"
        if _violation is None:
            _violation = "sandbox: more than " + str(_FS_QUOTA >> 20) + " MiB written to /sandbox"
        raise _Limit()

def _fs_by_ino(f):
    f.flush()
    ino = _open_files[f][1]
    for n in _fs.nodes.values():
        if n[2] == ino:
            return n
    return (False, _io_mod.BytesIO.getvalue(f), ino, _fs.clock, 0o644)  # deleted while open

def _file_store(f):
    s = _file_state(f)
    if s is None or not s[6] or s[0] != _fs.gen or f.closed:
        return
    s[6] = False
    data = _io_mod.BytesIO.getvalue(f)
    _fs_work((len(_fs.nodes) >> 3) + (len(data) >> 10))
    for k, n in _fs.nodes.items():
        if n[2] == s[1]:
            _fs.nodes[k] = (False, data, n[2], _fs_tick(), n[4])
            return

_OPEN_MODE = frozenset("rwxabt+")

def _fs_open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None,
             closefd=True, opener=None):
    """open and io.open on the files of /sandbox (never a file descriptor or an opener)."""
    if type(mode) is not str:
        raise TypeError("open() argument 'mode' must be str, not " + type(mode).__name__)
    m = set(mode)
    if not m <= _OPEN_MODE or len(mode) != len(m) or sum(c in m for c in "rwxa") != 1 or {"b", "t"} <= m:
        raise ValueError("invalid mode: " + repr(mode))
    binary = "b" in m
    if binary and (encoding is not None or errors is not None or newline is not None):
        raise ValueError("binary mode doesn't take an encoding, errors or newline argument")
    if not binary and buffering == 0:
        raise ValueError("can't have unbuffered text I/O")
    if opener is not None:
        # The opener gets the flags and must give a descriptor of this job's table (os.open).
        flags = (_os_mod.O_RDWR if "+" in m else 0 if "r" in m else _os_mod.O_WRONLY) | (
            0 if "r" in m else _os_mod.O_CREAT) | (_os_mod.O_TRUNC if "w" in m else 0) | (
            _os_mod.O_APPEND if "a" in m else 0) | (_os_mod.O_EXCL if "x" in m else 0)
        file = opener(file, flags)
        if not isinstance(file, int):
            raise TypeError("expected an integer from opener")
    if isinstance(file, int):
        raw = _fs_fd(file)
        return raw if binary else _io_mod.TextIOWrapper(raw, encoding or "utf-8", errors, newline, buffering == 1)
    a = _fs_abs(file)
    n = _fs_node(a)
    if n is not None and n[0]:
        raise _fs_err(_errno_mod.EISDIR, file)
    if "x" in m and n is not None:
        raise _fs_err(_errno_mod.EEXIST, file)
    if n is None:
        if "r" in m:
            raise _fs_err(_errno_mod.ENOENT, file)
        _fs_parent_ok(a, file)
        _fs_new(a, False)
    elif "w" in m:
        _fs.nodes[a] = (False, b"", n[2], _fs_tick(), n[4])
    n = _fs.nodes[a]
    raw = _File(n[1])
    _open_files[raw] = [_fs.gen, n[2], "r" in m or "+" in m, "r" not in m or "+" in m, "a" in m, None, False]
    if "a" in m:
        raw.seek(0, 2)
    raw.name = file
    raw.mode = mode.replace("t", "")
    if binary:
        return raw
    if encoding is None or encoding == "locale":
        encoding = "utf-8"
    text = _io_mod.TextIOWrapper(raw, encoding, errors, newline, buffering == 1)
    text.mode = mode
    return text

def _fs_fd(fd):
    f = _fs.fds.get(fd) if type(fd) is int else None
    if f is None or f.closed:
        raise OSError(_errno_mod.EBADF, "Bad file descriptor")
    return f

def _fs_os_open(path, flags, mode=0o777, *, dir_fd=None):
    _fs_no_dir_fd(dir_fd)
    acc = _fs_int(flags) & 3
    a = _fs_abs(path)
    n = _fs_node(a)
    if n is None:
        if not flags & _os_mod.O_CREAT:
            raise _fs_err(_errno_mod.ENOENT, path)
        _fs_parent_ok(a, path)
        _fs_new(a, False, mode=_fs_int(mode) & 0o777)
    elif flags & _os_mod.O_CREAT and flags & _os_mod.O_EXCL:
        raise _fs_err(_errno_mod.EEXIST, path)
    f = _fs_open(a, "w+b" if flags & _os_mod.O_TRUNC and acc else "r+b")
    s = _open_files[f]
    s[2], s[3], s[4] = acc != 1, acc != 0, bool(flags & _os_mod.O_APPEND)
    return f.fileno()

def _fs_fd_write(fd, data):
    f = _fs_fd(fd)
    n = f.write(data)
    _fs.pending.append(f)
    return n

def _fs_fd_close(fd):
    _fs_fd(fd).close()
    del _fs.fds[fd]

# The classes user code gets instances of are the tracer's: what a job sets on them (a method, a
# base, a name) is undone at its end, with the guard still up (a value's __del__ is user code).
_FS_CLASSES = [(c, dict(c.__dict__), c.__bases__, c.__name__, c.__qualname__)
               for c in (_File, _DirEntry, _ScandirIterator, _SystemRandom)]

def _fs_restore_classes():
    for c, saved, bases, name, qualname in _FS_CLASSES:
        now = c.__dict__
        if len(now) != len(saved) or any(now.get(k) is not v for k, v in saved.items()):
            for k in [k for k in now if k not in saved]:
                type.__delattr__(c, k)
            for k, v in saved.items():
                if now.get(k) is not v and k not in ("__dict__", "__weakref__"):
                    type.__setattr__(c, k, v)
        if c.__bases__ is not bases:
            c.__bases__ = bases
        if type(c.__name__) is not str or c.__name__ != name:
            c.__name__ = name
        if type(c.__qualname__) is not str or c.__qualname__ != qualname:
            c.__qualname__ = qualname

# A codec not used yet is imported from the stdlib archive, an "open" event the audit hook
# refuses while user code runs (str.encode('cp437'), zipfile's names, a text file's encoding).
# The encodings package's own search runs with the guard lowered: it gets the normalised name as
# an exact str and imports only encodings.<name>, trusted code. Registered before the snapshot.
import encodings as _encodings_mod
_encodings_search = _encodings_mod.search_function

def _codec_search(name):
    global _guard
    guard = _guard
    _guard = False
    try:
        return _encodings_search(name) if type(name) is str else None
    finally:
        _guard = guard

_codecs_mod.unregister(_encodings_search)
_codecs_mod.register(_codec_search)

# os names served on these files, and the host questions answered alike everywhere.
_FS_OS = {
    "stat": _fs_stat_fn, "lstat": _fs_stat_fn, "listdir": _fs_listdir, "scandir": _fs_scandir,
    "DirEntry": _DirEntry, "walk": _fs_walk, "mkdir": _fs_mkdir, "makedirs": _fs_makedirs,
    "remove": _fs_remove, "unlink": _fs_remove, "rmdir": _fs_rmdir, "rename": _fs_rename,
    "replace": _fs_rename, "chdir": _fs_chdir, "chmod": _fs_chmod, "utime": _fs_utime,
    "access": _fs_access, "urandom": _fs_urandom, "getpid": lambda: _FS_PID,
    "getcwd": lambda: _fs.cwd, "getcwdb": lambda: _fs.cwd.encode("utf-8", "surrogateescape"),
    "supports_dir_fd": frozenset(), "supports_fd": frozenset(),
    "supports_follow_symlinks": frozenset(), "supports_effective_ids": frozenset(),
    "_walk_symlinks_as_files": object(), "open": _fs_os_open, "close": _fs_fd_close,
    "read": lambda fd, n: _fs_fd(fd).read(n), "write": _fs_fd_write,
    "lseek": lambda fd, pos, how: _fs_fd(fd).seek(pos, how),
    "fstat": lambda fd: _fs_stat(_fs_by_ino(_fs_fd(fd))), "fdopen": _fs_open,
    "fsync": lambda fd: _fs_fd(fd).flush(),
}

def _abspath(path):
    path = _os_mod.fspath(path)
    if not _posixpath_mod.isabs(path):
        path = _posixpath_mod.join(_fs.cwd.encode() if type(path) is bytes else _fs.cwd, path)
    return _posixpath_mod.normpath(path)

def _relpath(path, start=None):
    # posixpath.relpath resolves both against the host's working folder: done here first.
    path = _os_mod.fspath(path)
    if not path:
        raise ValueError("no path specified")
    if start is None:
        start = b"." if type(path) is bytes else "."
    return _posixpath_mod.relpath(_abspath(path), _abspath(start))

def _unexpanded(path):
    # expanduser with no home folder known and expandvars with no variable set give the path.
    return _os_mod.fspath(path)

_PATH_REPLACE = {"abspath": _abspath, "relpath": _relpath, "expanduser": _unexpanded,
                 "expandvars": _unexpanded, **_FS_PATH}

# Modules that also reach the host or the interpreter: only the names listed are served.
_MODULE_ONLY = {
    # os for the many modules that import it for os.path, os.fspath and the constants; no
    # files, processes, clocks of the host or environment (environ is empty, below).
    "os": {"path", "sep", "altsep", "extsep", "pathsep", "linesep", "defpath", "curdir",
           "pardir", "devnull", "name", "fspath", "fsencode", "fsdecode", "PathLike", "error",
           "strerror", "SEEK_SET", "SEEK_CUR", "SEEK_END", "F_OK", "R_OK", "W_OK", "X_OK",
           "O_RDONLY", "O_WRONLY", "O_RDWR", "O_APPEND", "O_CREAT", "O_EXCL", "O_TRUNC",
           "supports_bytes_environ", "terminal_size", "stat_result"},
    "os.path": _PURE_PATH,
    "posixpath": _PURE_PATH,
    "genericpath": {"commonprefix", "samestat"},
    "shlex": {"split", "join", "quote"},  # the shlex class reads sys.stdin and opens files
    "tokenize": {"tokenize", "generate_tokens", "detect_encoding", "untokenize", "TokenInfo",
                 "TokenError", "tok_name", "EXACT_TOKEN_TYPES", "ENCODING", "COMMENT", "NL",
                 "NAME", "NUMBER", "STRING", "OP", "NEWLINE", "INDENT", "DEDENT", "ENDMARKER",
                 "ERRORTOKEN", "FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END"},
    "gettext": {"NullTranslations"},  # the message functions are NullTranslations' (below)
    # FunctionType for isinstance and dispatch tables (pickle's): type(lambda: 0) gives it anyway,
    # and calling it is refused by the audit hook (function.__new__).
    "types": {"SimpleNamespace", "MappingProxyType", "GeneratorType", "NoneType", "GenericAlias",
              "FunctionType", "LambdaType",
              "UnionType", "EllipsisType", "NotImplementedType", "BuiltinFunctionType",
              "MethodType", "DynamicClassAttribute", "new_class", "prepare_class", "resolve_bases",
              "coroutine", "AsyncGeneratorType", "CoroutineType", "BuiltinMethodType",
              # For isinstance checks (inspect, pydoc, doctest): a module made by ModuleType is an
              # empty namespace the policy treats as a module (no __dict__, no guarded names); a
              # descriptor type's methods apply only to its own instances; a cell holds what it
              # is given. The interpreter's types too (inspect's isframe/iscode/istraceback,
              # dataclasses' and copy's tables of atomic types): code never holds an instance
              # (every route is guarded, a traceback's type is type(sys.exc_info()[2]) anyway),
              # making one is refused (code.__new__) or impossible, and their attributes are
              # guarded names, refused of the types as of their instances.
              "ModuleType", "MethodWrapperType", "WrapperDescriptorType", "MethodDescriptorType",
              "ClassMethodDescriptorType", "GetSetDescriptorType", "MemberDescriptorType",
              "CellType", "CodeType", "FrameType", "TracebackType"},
    # process_time reads the same counted clock as the others (profile's default timer).
    "time": {"time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns",
             "process_time", "process_time_ns",
             "gmtime", "localtime", "mktime", "strftime", "strptime", "asctime", "ctime",
             "struct_time", "timezone", "altzone", "daylight", "tzname"},
    # Locks and thread identity only, which threading (run from source) builds its locks,
    # conditions, events and queues on: never start_new_thread, interrupt_main or exit.
    "_thread": {"allocate_lock", "allocate", "LockType", "RLock", "get_ident", "get_native_id",
                "error", "TIMEOUT_MAX", "daemon_threads_allowed"},
    "_weakref": {"ref", "proxy", "getweakrefcount", "getweakrefs", "ReferenceType", "ProxyType",
                 "CallableProxyType"},
    # The C base class of random.Random, for random.py run from source: seeded by its caller,
    # or unseeded from the seeded entropy stream, as random.Random() is.
    "_random": {"Random"},
    # The C half of typing (the same classes the typing view serves), for typing.py from source.
    "_typing": {"TypeVar", "ParamSpec", "TypeVarTuple", "ParamSpecArgs", "ParamSpecKwargs",
                "TypeAliasType", "Generic", "Union", "NoDefault"},
    "_colorize": {"ANSIColors", "NoColors", "decolor", "COLORIZE", "Theme", "ThemeSection",
                  "Argparse", "Syntax", "Traceback", "Unittest", "default_theme",
                  "theme_no_color"},
    # In-memory streams and the stream classes real code subclasses or wraps around them; open
    # and open_code are the folder's (below), never FileIO.
    "io": {"StringIO", "BytesIO", "SEEK_SET", "SEEK_CUR", "SEEK_END", "UnsupportedOperation",
           "IOBase", "RawIOBase", "BufferedIOBase", "TextIOBase", "TextIOWrapper",
           "BufferedReader", "BufferedWriter", "BufferedRWPair", "BufferedRandom",
           "IncrementalNewlineDecoder", "DEFAULT_BUFFER_SIZE", "text_encoding"},
    "sys": {"maxsize", "maxunicode", "byteorder", "float_info", "int_info", "hash_info",
            "version_info", "version", "hexversion", "float_repr_style", "getrecursionlimit",
            "getsizeof", "intern", "stdout", "stderr", "getdefaultencoding", "exc_info",
            "exception", "get_int_max_str_digits", "platform", "exit", "flags",
            "getfilesystemencoding", "getfilesystemencodeerrors", "builtin_module_names",
            # Constants of the interpreter's installation (gettext's locale folder, platform).
            "prefix", "base_prefix", "exec_prefix", "base_exec_prefix", "implementation"},
}
def _warn_deprecated(name, message="{name!r} is deprecated and slated for removal in Python {remove}",
                     *, remove, _version=sys.version_info):
    # warnings._deprecated (glob, wave, locale and typing call it), warning through the C warn:
    # the module's own goes through its Python warn, which reads frames (refused).
    removal = str(remove[0]) + "." + str(remove[1])
    if _version[:2] > remove or (_version[:2] == remove and _version[3] != "alpha"):
        raise RuntimeError(repr(name) + " was slated for removal after Python " + removal + " alpha")
    if issubclass(type(message), str):
        _check_format(message)  # the caller's text and name: str.format reads its fields unchecked
    _warnings_mod.warn(message.format(name=name, remove=removal), DeprecationWarning, stacklevel=3)

# time.sleep waits for nothing: it moves the time view's wall and monotonic clocks on by the
# length asked (sched's delays), on top of the counted clock; CPU time (process_time) does not
# move. Reset with the interpreter at every unit, as the counted clock is.
_slept_ns = [0]

def _sleep(secs):
    ns = round(float(secs) * 1e9)
    if ns < 0:
        raise ValueError("sleep length must be non-negative")
    _slept_ns[0] += ns

# _thread's lock as code in the sandbox sees it. No thread ever runs there, so a held lock is
# never released by another and a wait on it is decided at once, not timed: with a timeout it
# moves the slept clocks on by that much (as time.sleep does) and fails; without one it could
# only hang, so it ends the job as a spent budget does (status timeout, counted), instead of
# leaving the wall clock to kill the child (Event.wait, Queue.get, Condition.wait on nothing).
class _Lock:
    __slots__ = ("_held",)

    def __init__(self):
        self._held = False

    def acquire(self, blocking=True, timeout=-1):
        if not blocking and timeout != -1:
            raise ValueError("can't specify a timeout for a non-blocking call")
        if timeout < 0 and timeout != -1:
            raise ValueError("timeout value must be a non-negative number")
        if not self._held:
            self._held = True
            return True
        if not blocking or timeout == 0:
            return False
        if timeout == -1:
            _wait_forever()
        _sleep(timeout)
        return False

    def release(self):
        if not self._held:
            raise RuntimeError("release unlocked lock")
        self._held = False

    def locked(self):
        return self._held

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()

    def _at_fork_reinit(self):
        self._held = False

    def __repr__(self):
        return "<" + ("locked" if self._held else "unlocked") + " _thread.lock object>"

    acquire_lock = acquire
    release_lock = release
    locked_lock = locked

_Lock.__name__ = _Lock.__qualname__ = "lock"
_Lock.__module__ = "_thread"

def _wait_forever():
    # A job already stopped keeps its verdict (a wait in a finally block after a limit, say).
    global _aborted, _violation
    if _aborted is None:
        _aborted = "timeout"
        _violation = "waits forever on a lock no thread can release (no thread runs in the sandbox)"
    _abort_again()

_SLEPT_CLOCKS = {
    "time": lambda: _time_mod.time() + _slept_ns[0] / 1e9,
    "time_ns": lambda: _time_mod.time_ns() + _slept_ns[0],
    "monotonic": lambda: _time_mod.monotonic() + _slept_ns[0] / 1e9,
    "monotonic_ns": lambda: _time_mod.monotonic_ns() + _slept_ns[0],
    "perf_counter": lambda: _time_mod.perf_counter() + _slept_ns[0] / 1e9,
    "perf_counter_ns": lambda: _time_mod.perf_counter_ns() + _slept_ns[0],
}

def _discard_exception(exc_type, value, traceback, /):
    pass

_NULL_TRANSLATIONS = _gettext_mod.NullTranslations()
# Names a view serves in place of the module's own: the environment is empty (and read-only),
# and messages are not translated (gettext would read the environment and locale files).
_MODULE_REPLACE = {
    "os": {"environ": types.MappingProxyType({}), "getenv": types.MappingProxyType({}).get,
           **_FS_OS},
    "genericpath": _FS_PATH,
    "io": {"open": _fs_open, "open_code": lambda path: _fs_open(path, "rb")},
    # gzip's reader decompresses with it (a C class like zlib's own decompressobj)
    "zlib": {k: getattr(_zlib_mod, k) for k in ("_ZlibDecompressor",) if hasattr(_zlib_mod, k)},
    # Private helpers the standard library imports from these modules by name: _simple_enum
    # builds an enum class from a plain one (uuid, http, re, pstats), _check_methods answers
    # whether a class's MRO defines methods (subclass hooks).
    "enum": {"_simple_enum": _enum_mod._simple_enum, "global_enum": lambda cls, update_str=False: _global_enum(cls, update_str)},
    "_collections_abc": {"_check_methods": _collections_abc_mod._check_methods},
    "warnings": {"_deprecated": _warn_deprecated},
    "time": {"sleep": _sleep, **_SLEPT_CLOCKS},
    "_typing": {"_idfunc": _typing_c_mod._idfunc},
    # The real one names the child script, a path of the host's (unknown, as Python says "").
    # audit: events raised by Python code reach no hook (pdb.Pdb and shutil raise their own); what
    # they announce is done by C code, which raises its own events to the tracer's hook.
    # excepthook prints to stderr, which discards what is written (threading's Thread reads it).
    "sys": {"executable": "", "audit": lambda event, *args: None,
            "excepthook": _discard_exception, "__excepthook__": _discard_exception},
    "os.path": _PATH_REPLACE,
    "posixpath": _PATH_REPLACE,
    # Thread objects for threading.py run from source: the handle type (immutable, made per
    # Thread; join waits only for a thread that was started, and none ever is) and the main
    # thread's identity. Still nothing that starts a thread; with none started, shutdown has
    # nothing to wait for. Locks whose waits are counted, not timed (_Lock).
    "_thread": {"allocate_lock": _Lock, "allocate": _Lock, "LockType": _Lock,
                "_ThreadHandle": _thread_mod._ThreadHandle,
                "_make_thread_handle": _thread_mod._make_thread_handle,
                "_get_main_thread_ident": _thread_mod._get_main_thread_ident,
                "_is_main_interpreter": _thread_mod._is_main_interpreter, "_shutdown": lambda: None},
    # Pure parts of the C half of weakref (the weakref view serves the same functions), so
    # weakref.py itself runs from source; _remove_dead_weakref deletes a dead entry of a dict.
    "_weakref": {"_remove_dead_weakref": _weakref_c_mod._remove_dead_weakref},
    # Terminal colours, never on: the real can_colorize and get_theme read the environment and
    # set_theme changes them for every later job, so neither is served as it is.
    "_colorize": {"can_colorize": lambda *, file=None: False,
                  "get_theme": lambda *, tty_file=None, force_color=False, force_no_color=False:
                      _colorize_mod.get_theme(force_color=force_color, force_no_color=not force_color),
                  "get_colors": lambda colorize=False, *, file=None:
                      _colorize_mod.ANSIColors() if colorize else _colorize_mod.NoColors},
    "gettext": {k: getattr(_NULL_TRANSLATIONS, k) for k in (
        "gettext", "ngettext", "pgettext", "npgettext")},
}

# ---------------------------------------------------------------- library code that reads names it is given
# The policy checks the names code reads; the views above serve library code as it is, which reads
# and sets with the real getattr and setattr. Where such code reads or sets a name it is given,
# the name reached whatever it named: '{0.__globals__}'.format(f) (str.format reads fields in C),
# functools.lru_cache(type).__dict__ (update_wrapper copied type's descriptors, whose __get__
# gives any class's dict), a cached_property read of a class's own dict, a redirect_stdout
# subclass with _stream = 'modules' (the real sys.modules), an enum.property's or copy's slot
# state's name, a typing alias forwarding _convert_. So those functions are replaced in the
# interpreter's own modules, and every route to them, however obtained, gets the checked one;
# each reads what it checks once (a mapping or property of the code's could answer twice).
import _string as _string_c_mod

_FORMAT_METHODS = frozenset(("format", "format_map"))
_STR_FORMATS = (str.__dict__["format"], str.__dict__["format_map"])

def _check_format(text):
    """Refuses a format string whose fields (nested ones in format specs too) read an attribute
    code may not read."""
    for _literal, field, spec, _conversion in _string_c_mod.formatter_parser(text):
        if field:
            for is_attr, key in _string_c_mod.formatter_field_name_split(field)[1]:
                if is_attr and not _attr_allowed(key):
                    raise AttributeError("attribute " + repr(key) + " is not allowed in the sandbox (a format string reads it)")
        if spec and "{" in spec:
            _check_format(spec)

def _format_method(v):
    """v, or a checking version of it when it is str.format or str.format_map, bound or not:
    str is a static type, so its methods cannot be replaced; every read of the two names
    (x.format, getattr, a class's __dict__) comes here instead."""
    t = type(v)
    if t is types.BuiltinMethodType:
        text = v.__self__
        if not (issubclass(type(text), str) and v.__name__ in _FORMAT_METHODS):
            return v
        def checked(*args, **kwargs):
            _check_format(text)
            return v(*args, **kwargs)
    elif t is types.MethodDescriptorType and (v is _STR_FORMATS[0] or v is _STR_FORMATS[1]):
        checked = _views.get(("format", v))  # one per job: str.format is str.format holds
        if checked is not None:
            return checked
        def checked(text, *args, **kwargs):
            if issubclass(type(text), str):
                _check_format(text)
            return v(text, *args, **kwargs)
        _views[("format", v)] = checked
    else:
        return v
    checked.__name__ = checked.__qualname__ = v.__name__
    return checked

_WRAPPER_ASSIGNMENTS = _functools_mod.WRAPPER_ASSIGNMENTS

def _update_wrapper(wrapper, wrapped, assigned=_WRAPPER_ASSIGNMENTS, updated=_functools_mod.WRAPPER_UPDATES):
    # functools' own, reading as code reads: wrapped's __dict__ through _instance_dict (of a class,
    # the policy's copy), other names through the checked getattr; a name is set as code's
    # setattr sets it, unless it is one of functools' defaults, set as functools sets them.
    for attr in assigned:
        try:
            value = _safe_getattr(wrapped, attr)
        except AttributeError:
            continue
        if type(attr) is str and attr in _WRAPPER_ASSIGNMENTS:
            setattr(wrapper, attr, value)
        else:
            _safe_setattr(wrapper, attr, value)
    for attr in updated:
        if type(attr) is str and attr == "__dict__":
            try:
                source = _instance_dict(wrapped)
            except AttributeError:
                source = {}
            _instance_dict(wrapper).update(source)
        else:
            _safe_getattr(wrapper, attr).update(_safe_getattr(wrapped, attr, {}))
    wrapper.__wrapped__ = wrapped
    return wrapper

_functools_mod.update_wrapper = _update_wrapper  # wraps, lru_cache, singledispatch look it up

_cached_property_get = _functools_mod.cached_property.__get__

def _checked_cached_property_get(self, instance, owner=None):
    # It caches in instance.__dict__, read unchecked: of a class, the class's own dict.
    if instance is not None and issubclass(type(instance), (type, types.ModuleType, super, *_TRACER_CLASSES)):
        raise TypeError("a cached_property of a class or module is not available in the sandbox")
    return _cached_property_get(self, instance, owner)

_functools_mod.cached_property.__get__ = _checked_cached_property_get

_REDIRECTED = ("stdout", "stderr")

def _redirect_enter(self):
    stream = self._stream
    if type(stream) is not str or stream not in _REDIRECTED:
        raise ValueError("only sys.stdout and sys.stderr can be redirected in the sandbox")
    self._old_targets.append(getattr(sys, stream))
    setattr(sys, stream, self._new_target)
    return self._new_target

def _redirect_exit(self, exctype, excinst, exctb):
    stream = self._stream
    if type(stream) is not str or stream not in _REDIRECTED:
        raise ValueError("only sys.stdout and sys.stderr can be redirected in the sandbox")
    setattr(sys, stream, self._old_targets.pop())

_contextlib_mod._RedirectStream.__enter__ = _redirect_enter
_contextlib_mod._RedirectStream.__exit__ = _redirect_exit

def _enum_property_get(self, instance, ownerclass=None):
    # enum.property reads a previous attribute by its name; here through the checked getattr.
    name = self.name
    if instance is None:
        member = self.member
        if member is not None:
            return member
        raise AttributeError("%r has no attribute %r" % (ownerclass, name))
    fget = self.fget
    if fget is not None:
        return fget(instance)
    kind = self._attr_type
    if kind == "attr":
        return _safe_getattr(self._cls_type, name)
    if kind == "desc":
        return _safe_getattr(instance._value_, name)
    try:
        return ownerclass._member_map_[name]
    except KeyError:
        raise AttributeError("%r has no attribute %r" % (ownerclass, name)) from None

_enum_mod.property.__get__ = _enum_property_get

_copy_reconstruct = _copy_mod._reconstruct

def _reconstruct(x, memo, func, args, state=None, listiter=None, dictiter=None, *, deepcopy=_copy_mod.deepcopy):
    # copy applies a reduction's state with the real setattr by the names the state gives: the
    # real one runs without the state, which is then applied here as code would apply it.
    if state is None:
        return _copy_reconstruct(x, memo, func, args, None, listiter, dictiter, deepcopy=deepcopy)
    y = _copy_reconstruct(x, memo, func, args, deepcopy=deepcopy)
    if memo is not None:
        state = deepcopy(state, memo)
    setstate = getattr(y, "__setstate__", None)
    if setstate is not None:
        setstate(state)
    else:
        slots = None
        if isinstance(state, tuple) and len(state) == 2:
            state, slots = state
        if state is not None:
            _instance_dict(y).update(state)
        if slots is not None:
            for key, value in slots.items():
                _safe_setattr(y, key, value)
    deep = memo is not None
    if listiter is not None:
        for item in listiter:
            y.append(deepcopy(item, memo) if deep else item)
    if dictiter is not None:
        for key, value in dictiter:
            if deep:
                key, value = deepcopy(key, memo), deepcopy(value, memo)
            y[key] = value
    return y

_copy_mod._reconstruct = _reconstruct

def _alias_getattr(self, attr):
    # typing's generic aliases relay a name to the class they alias: through the checked getattr
    # (Annotated[gen, 1].__getattr__('gi_code') read a generator's code past the policy).
    if attr in ("__name__", "__qualname__"):
        return self._name or self.__origin__.__name__
    if "__origin__" in self.__dict__ and not (attr.startswith("__") and attr.endswith("__")):
        return _safe_getattr(self.__origin__, attr)
    raise AttributeError(attr)

_typing_mod._BaseGenericAlias.__getattr__ = _alias_getattr

def _refuse_install(self, names=None):
    raise NotImplementedError("installing translations into the builtins is not available in the sandbox")

# It writes into the interpreter's builtins, which library code and compiled strings share.
_gettext_mod.NullTranslations.install = _refuse_install

# ---------------------------------------------------------------- C halves of modules run from source
# The pure C halves that socket.py, csv.py, bz2.py, lzma.py and symtable.py import (from _x import
# *): served as views like the modules above, so those modules define their classes and functions.
import _socket as _socket_c_mod, _csv as _csv_c_mod, _bz2 as _bz2_c_mod, _lzma as _lzma_c_mod
import _symtable as _symtable_c_mod, _types as _types_c_mod

def _socket_names():
    """_socket's Python parts, made anew for every job's view (a class is mutable: what one job
    sets on it must not reach the next). socket: constructing one raises OSError (network
    unreachable), so socket.socket and the clients built on it define their classes, and their
    methods run on instances made without __init__, as on a socket never opened (no descriptor:
    fileno() is -1, I/O raises EBADF). The real socket type is never served."""
    class herror(OSError):
        pass

    class gaierror(OSError):
        pass

    def no_resolver(*args, **kwargs):
        # Every name lookup of a machine with no network and no hosts file.
        raise gaierror(_socket_c_mod.EAI_NONAME, "Name or service not known (the sandbox has no network)")

    def bad_descriptor(self, *args, **kwargs):
        raise OSError(_errno_mod.EBADF, "Bad file descriptor")

    def init(self, family=-1, type=-1, proto=-1, fileno=None):
        raise OSError(_errno_mod.ENETUNREACH, "Network is unreachable (the sandbox has no network)")

    body = {k: bad_descriptor for k in (
        "send", "sendall", "sendto", "sendmsg", "recv", "recv_into", "recvfrom", "recvfrom_into",
        "recvmsg", "connect", "connect_ex", "bind", "listen", "_accept", "getsockname",
        "getpeername", "setsockopt", "getsockopt", "setblocking", "settimeout", "getblocking",
        "shutdown")}
    # No instance dict and no weak references, as the C type (socket.socket adds __weakref__).
    body.update({"__module__": "_socket", "__slots__": (), "__init__": init, "family": 0, "type": 0, "proto": 0,
                 "timeout": None, "fileno": lambda self: -1, "detach": lambda self: -1,
                 "close": lambda self: None, "gettimeout": lambda self: None})
    sock = type("socket", (), body)
    for k in (herror, gaierror):
        k.__module__ = "socket"
    names = {"socket": sock, "SocketType": sock, "herror": herror, "gaierror": gaierror}
    for k in ("getaddrinfo", "getnameinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr",
              "getservbyname", "getservbyport", "getprotobyname"):
        names[k] = no_resolver
    return names

# Constants (the AF_/SOCK_/IPPROTO_/... integers), OSError and TimeoutError under their old names,
# and the pure byte-order and address conversions; the socket type, the exceptions of its own and
# the name lookups are _socket_names' (above). Never the real socket type, descriptors (dup,
# close), the host's name tables or interfaces, or setdefaulttimeout (state the next job sees).
_MODULE_ONLY["_socket"] = {k for k in dir(_socket_c_mod) if k.isupper() and type(getattr(_socket_c_mod, k)) is int} | {
    "error", "timeout", "htonl", "htons", "ntohl", "ntohs", "inet_aton", "inet_ntoa",
    "inet_pton", "inet_ntop"}
_MODULE_REPLACE["_socket"] = {"has_ipv6": False, "getdefaulttimeout": lambda: None,
                              "gethostname": lambda: "sandbox"}
# os.py's C half (from posix import *): the os view's names that posix itself has, with the
# same replacements (the job's folder, an empty environment).
import posix as _posix_mod
_MODULE_ONLY["posix"] = _MODULE_ONLY["os"]
_MODULE_REPLACE["posix"] = {k: v for k, v in _MODULE_REPLACE["os"].items() if hasattr(_posix_mod, k)}
# types.py starts with from _types import *: the same type objects the types view serves.
_MODULE_ONLY["_types"] = _MODULE_ONLY["types"]
# lzma.py imports these two private helpers by name (pure: filter specs to bytes and back).
_MODULE_REPLACE["_lzma"] = {k: getattr(_lzma_c_mod, k) for k in (
    "_encode_filter_properties", "_decode_filter_properties")}

# sysconfig's answers for this installation, computed before any user code (they read the
# interpreter's build data, not the host): pydoc's Doc computes a default from get_path('stdlib').
import sysconfig as _sysconfig_mod
_SYSCONFIG_PATHS = types.MappingProxyType(dict(_sysconfig_mod.get_paths()))

def _sysconfig_get_path(name, scheme=None, vars=None, expand=True):
    if scheme is not None or vars is not None or not expand:
        raise ValueError("only the installation's default paths are available in the sandbox")
    return _SYSCONFIG_PATHS[name]

def _sysconfig_get_paths(scheme=None, vars=None, expand=True):
    if scheme is not None or vars is not None or not expand:
        raise ValueError("only the installation's default paths are available in the sandbox")
    return dict(_SYSCONFIG_PATHS)

_SYSCONFIG_NAMES = {
    "get_path": _sysconfig_get_path, "get_paths": _sysconfig_get_paths,
    "get_path_names": lambda: tuple(_SYSCONFIG_PATHS),
    "get_default_scheme": (lambda v: lambda: v)(_sysconfig_mod.get_default_scheme()),
    "get_python_version": (lambda v: lambda: v)(_sysconfig_mod.get_python_version()),
    "get_platform": (lambda v: lambda: v)(_sysconfig_mod.get_platform())}

def _csv_reset():
    # _csv keeps its dialect registry and field size limit in the interpreter, not in the view:
    # emptied and reset whenever a job's first import makes its view, so no job sees another's.
    for k in _csv_c_mod.list_dialects():
        _csv_c_mod.unregister_dialect(k)
    _csv_c_mod.field_size_limit(128 * 1024)

def _public_names(name, mod):
    deny = _MODULE_DENY.get(name, set())
    only = _MODULE_ONLY.get(name)
    names = {}
    for k in dir(mod):
        if k.startswith("_") or k in deny or (only is not None and k not in only):
            continue
        v = getattr(mod, k)
        if type(v) is types.ModuleType:
            sub = name + "." + k
            if sub in _ALLOWED_MODULES:
                names[k] = sub  # a submodule: its view is made on import
            continue
        names[k] = v
    names.update(_MODULE_REPLACE.get(name, {}))
    # from m import * reads __all__: the served names, nothing private.
    names["__all__"] = tuple(sorted(k for k in names if not k.startswith("_")))
    return names

_ALLOWED_MODULES = {
    "math": _math_mod, "cmath": _cmath_mod, "itertools": _itertools_mod,
    "functools": _functools_mod, "heapq": _heapq_mod, "bisect": _bisect_mod,
    "statistics": _statistics_mod, "fractions": _fractions_mod, "decimal": _decimal_mod,
    "string": _string_mod, "re": _re_mod, "operator": _operator_mod, "copy": _copy_mod,
    "typing": _typing_mod, "unicodedata": _unicodedata_mod, "collections": _collections_mod,
    "collections.abc": _abc_mod,
    # Compiler directives (e.g. "from __future__ import annotations"), common in real code.
    "__future__": _future_mod,
    "numbers": _numbers_mod, "struct": _struct_mod, "types": types, "dataclasses": _dataclasses_mod,
    "enum": _enum_mod, "abc": _abcmeta_mod, "textwrap": _textwrap_mod, "json": _json_mod,
    "keyword": _keyword_mod, "array": _array_mod, "binascii": _binascii_mod,
    "base64": _base64_mod, "zlib": _zlib_mod, "hashlib": _hashlib_mod, "graphlib": _graphlib_mod,
    "pprint": _pprint_mod, "reprlib": _reprlib_mod, "difflib": _difflib_mod,
    "calendar": _calendar_mod, "datetime": _datetime_mod, "time": _time_mod, "io": _io_mod,
    "_thread": _thread_mod, "_weakref": _weakref_c_mod, "_random": _random_c_mod,
    "_colorize": _colorize_mod, "_typing": _typing_c_mod, "_codecs": _codecs_c_mod,
    "_socket": _socket_c_mod, "_csv": _csv_c_mod, "_bz2": _bz2_c_mod, "_lzma": _lzma_c_mod,
    "_symtable": _symtable_c_mod, "_types": _types_c_mod, "posix": _posix_mod,
    "colorsys": _colorsys_mod, "contextlib": _contextlib_mod, "weakref": _weakref_mod,
    "warnings": _warnings_mod, "html": _html_mod, "sys": sys,
    "os": _os_mod, "os.path": _posixpath_mod, "posixpath": _posixpath_mod,
    "genericpath": _genericpath_mod, "stat": _stat_mod, "errno": _errno_mod,
    "fnmatch": _fnmatch_mod, "shlex": _shlex_mod, "ipaddress": _ipaddress_mod,
    "token": _token_mod, "tokenize": _tokenize_mod, "gettext": _gettext_mod,
    # The private twin of collections.abc, which real code imports by that name.
    "_collections_abc": _abc_mod,
}
_VIEW_NAMES = {k: _public_names(k, m) for k, m in _ALLOWED_MODULES.items()}
_VIEW_NAMES["sys"]["argv"] = _VIEW_NAMES["sys"]["stdin"] = _VIEW_NAMES["sys"]["path"] = None  # per view
_VIEW_NAMES["sys"]["__all__"] = tuple(sorted(k for k in _VIEW_NAMES["sys"] if not k.startswith("_")))
# random: one generator reseeded before every call, so results are reproducible.
_VIEW_NAMES["random"] = {k: getattr(_seeded, k) for k in (
    "random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform",
    "gauss", "normalvariate", "getrandbits", "triangular")}
_VIEW_NAMES["random"]["Random"] = _random_mod.Random
_VIEW_NAMES["random"]["SystemRandom"] = _SystemRandom
_VIEW_NAMES["random"]["__all__"] = tuple(sorted(_VIEW_NAMES["random"]))
# sysconfig: only the installation's constants (the module reads config files and the environment).
_VIEW_NAMES["sysconfig"] = dict(_SYSCONFIG_NAMES, __all__=tuple(sorted(_SYSCONFIG_NAMES)))

# Views are made per snippet, so nothing a snippet does to one is seen by the next.
_views = {}

class _Modules:
    """sys.modules as a job sees it: read-only, live, and holding only what the job's own imports
    gave it (this job's views and the modules it ran from source), never the interpreter's
    modules or the tracer. Stateless, so one object serves every job (its class is restored)."""
    __slots__ = ()

    def _now(self):
        # _views also caches the job's checking wrappers, under keys that are not names.
        out = {k: v for k, v in _views.items() if type(k) is str}
        out.update(_package_views)
        return out

    def __getitem__(self, name):
        return _Modules._now(self)[name]

    def get(self, name, default=None):
        return _Modules._now(self).get(name, default)

    def __contains__(self, name):
        return name in _Modules._now(self)

    def __iter__(self):
        return iter(list(_Modules._now(self)))

    def __len__(self):
        return len(_Modules._now(self))

    def keys(self):
        return _Modules._now(self).keys()

    def values(self):
        return _Modules._now(self).values()

    def items(self):
        return _Modules._now(self).items()

    def copy(self):
        return _Modules._now(self)

    def _read_only(self, *args, **kwargs):
        raise TypeError("sys.modules is read-only in the sandbox")

    __setitem__ = __delitem__ = pop = setdefault = update = clear = popitem = _read_only

    def __repr__(self):
        return "<sys.modules of the sandbox: " + str(len(_Modules._now(self))) + " modules>"

_VIEW_NAMES["sys"]["modules"] = _Modules()
# sys.monitoring's constants (bdb's tables of events and its tool id), none of its functions:
# the tracer's own events use it, and user code never registers or reads a tool. A view per
# sys view, as every view is made per snippet.
_MONITORING_EVENTS = {k: getattr(_EV, k) for k in dir(_EV) if k.isupper()}
_MONITORING_IDS = {k: getattr(_MON, k) for k in ("DEBUGGER_ID", "COVERAGE_ID", "PROFILER_ID", "OPTIMIZER_ID")}
_VIEW_NAMES["sys"]["monitoring"] = None  # per view

# Enum._convert_ and enum.global_enum write an enum's members into the namespace of the module
# sys.modules names; the real ones reach the interpreter's modules. These reach only the
# namespaces of this job's own code: the snippet's module and the modules it ran from source.
_snippet_ns = [None]

def _job_namespace(name):
    view = _package_views.get(name)
    if view is not None:
        return _package_ns[id(view)]
    ns = _snippet_ns[0]
    if ns is not None and type(name) is str and ns.get("__name__") == name:
        return ns
    raise KeyError(name)

def _job_bind(ns, names):
    for k in names:
        if type(k) is not str or _is_reserved(k):
            raise ValueError("an enum member may not be named " + repr(k) + " in the sandbox")
    ns.update(names)

def _global_enum(cls, update_str=False):
    ns = _job_namespace(_type_module(cls))
    if issubclass(cls, _enum_mod.Flag):
        cls.__repr__ = _enum_mod.global_flag_repr
    else:
        cls.__repr__ = _enum_mod.global_enum_repr
    if not issubclass(cls, _enum_mod.ReprEnum) or update_str:
        cls.__str__ = _enum_mod.global_str
    _job_bind(ns, cls.__members__)
    return cls

def _enum_convert(cls, name, module, filter, source=None, *, boundary=None, as_global=False):
    ns = _job_namespace(module)
    t = type(source)
    if not source:
        found = ns
    elif t is _PackageModule:
        found = _package_ns[id(source)]
    elif t is _Module:
        found = object.__getattribute__(source, "_names")
    else:
        raise TypeError("Enum._convert_ in the sandbox takes its members from a module")
    members = [(k, v) for k, v in list(found.items()) if not _is_reserved(k) and filter(k)]
    try:
        members.sort(key=lambda t: (t[1], t[0]))
    except TypeError:
        members.sort(key=lambda t: t[0])
    body = {k: v for k, v in members}
    body["__module__"] = module
    made = _enum_mod._simple_enum(etype=cls, boundary=boundary or _enum_mod.KEEP)(type(name, (object,), body))
    if as_global:
        _global_enum(made)
    else:
        _job_bind(ns, made.__members__)
    _job_bind(ns, {name: made})
    return made
_VIEW_NAMES["sys"]["__all__"] = tuple(sorted(k for k in _VIEW_NAMES["sys"] if not k.startswith("_")))

# Enum._convert_ reads sys.modules[name] of the real interpreter and makes its globals members:
# enum.Enum._convert_('E', 'builtins', ...) handed out the real open, eval and sys.modules, and
# library code relays the name unchecked (typing.Annotated[E, 1].__getattr__('_convert_')). So the
# metaclass's own is the sandbox's, which reaches only the job's own module namespaces: every
# route to the name gets it, and the real one is never reachable.
def _sandbox_convert(cls, name, module, filter, source=None, *, boundary=None, as_global=False):
    return _enum_convert(cls, name, module, filter, source, boundary=boundary, as_global=as_global)

_enum_mod.EnumType._convert_ = _sandbox_convert

def _view(name):
    v = _views.get(name)
    if v is None:
        names = dict(_VIEW_NAMES[name])
        for k, x in names.items():
            # A submodule (_public_names); never a served string that names a view ('posix').
            if type(x) is str and x == name + "." + k and x in _VIEW_NAMES:
                names[k] = _view(x)
        if name == "sys":
            # As in an interpreter with no script and no input; mutable, so made per snippet.
            names["argv"] = [""]
            names["path"] = []  # nothing is imported from a folder
            names["stdin"] = names["__stdin__"] = _io_mod.StringIO()
            names["monitoring"] = _Module(dict(_MONITORING_IDS, events=_Module(dict(_MONITORING_EVENTS))))
        elif name == "_socket":
            names.update(_socket_names())
            names["__all__"] = tuple(sorted(k for k in names if not k.startswith("_")))
        elif name == "_csv":
            _csv_reset()
        elif name == "random":
            _random_served[0] = True
        elif name == "decimal":
            _decimal_served[0] = True
        v = _views[name] = _Module(names)
    return v

def _safe_import(name, globals=None, locals=None, fromlist=(), level=0):
    if type(name) is not str:
        raise ImportError("module names are strings")
    if level:
        return _import_source(_relative_target(name, globals, level), fromlist, True)
    top = name.split(".")[0]
    if _package is not None and top in _package:
        return _import_source(name, fromlist, False)
    if name in _VIEW_NAMES:
        if not fromlist:
            return _view(top)
        view = _view(name)
        # from html import parser: a submodule the view does not serve, run from source.
        for attr in fromlist:
            if type(attr) is str and attr not in object.__getattribute__(view, "_names"):
                if _stdlib_path(name + "." + attr) is not None:
                    _source_module(name + "." + attr)
        return view
    if _stdlib_path(name) is not None:
        return _import_source(name, fromlist, False)
    if name.split(".")[0] not in _EXISTING_TOPS:
        # Absent from this interpreter altogether (msvcrt, _winapi): as Python says it, so code
        # that falls back on ModuleNotFoundError (subprocess's _mswindows) does.
        raise ModuleNotFoundError("no module named " + repr(name))
    raise ImportError("module " + repr(name) + " is not available in the sandbox")

# ---------------------------------------------------------------- modules run from source
# Real code in a package folder imports its siblings (from . import x, from .x import y, import
# pkg.x), and real code everywhere imports the standard library. Both are run from their source:
# the job's package files (read-only text the job brings) and the pure-Python modules of the
# standard library inside the sandbox (Pyodide's stdlib archive, read by the tracer itself). A
# module runs on first import, statement by statement like the indexed file, under the same
# policy, builtins, import function, budget and events, and is served as a view that reads its
# namespace live but never hands it out (its __builtins__ holds the class-pattern check). So a
# standard-library module run this way can do nothing the indexed code could not do by pasting
# its source. Views keep precedence for the modules they serve; the job's package shadows both,
# as a folder on sys.path would. Per job: nothing is kept for the next.
_package = None        # {dotted name: (source, is_package)} of the job's package, or None
_package_views = {}    # dotted name -> view (loading or loaded)
_package_ns = {}       # id(view) -> its module namespace
_package_of = {}       # id(namespace) -> the package its relative imports start from
_package_codes = []    # code objects of the modules run, for the events

# The standard library: the archive Pyodide puts on sys.path and imports os from, opened with a
# zipimporter of the tracer's own (user code reaches neither). Only .py files whose every path
# part is an identifier, never Pyodide's own packages (pyodide, _pyodide: the archive holds
# them), the JavaScript bridge or an installer; site-packages is not an identifier.
import zipimport as _zipimport_mod
_STDLIB_ZIP = _posixpath_mod.dirname(_os_mod.__file__)
_STDLIB_BRIDGES = ("js", "pyodide", "_pyodide", "micropip")
# Modules whose whole purpose is the host: refused by name (a clear ImportError) rather than run
# from source only to fail on their C half (_posixsubprocess, _thread, _ctypes, ...) after
# spending the job's budget. (_colorize, whose dataclasses the audit hook refuses when run from
# source, is a view.)
_STDLIB_REFUSED = frozenset((
    "subprocess", "multiprocessing", "concurrent", "asyncio", "ctypes",
    "importlib", "sqlite3", "webbrowser", "pty", "tty", "getpass", "site", "sysconfig", "venv",
    "ensurepip", "idlelib", "turtle", "tkinter", "zipimport", "runpy", "pkgutil",
))

def _stdlib_files():
    if not _STDLIB_ZIP.endswith(".zip") or _STDLIB_ZIP not in sys.path:
        return None, frozenset()
    reader = _zipimport_mod.zipimporter(_STDLIB_ZIP)
    paths = []
    for p in reader._get_files():
        parts = p[:-3].split("/") if p.endswith(".py") else ()
        if parts and all(x.isidentifier() and x.isascii() for x in parts) and not _stdlib_refused(parts[0]):
            paths.append(p)
    return reader, frozenset(paths)

def _stdlib_refused(top):
    return top in _STDLIB_REFUSED or top.startswith(_STDLIB_BRIDGES)

_STDLIB, _STDLIB_PATHS = _stdlib_files()
# Every top-level module name this interpreter has, served or not: the archive's and the builtin ones.
_EXISTING_TOPS = frozenset(sys.builtin_module_names) | frozenset(
    p.split("/")[0].removesuffix(".py") for p in (_STDLIB._get_files() if _STDLIB is not None else ()))

def _stdlib_path(dotted):
    """The archive path of a standard-library module's source, or None (not a plain dotted
    name, a view's own name, refused, C-only or absent)."""
    if type(dotted) is not str or dotted in _VIEW_NAMES:
        return None
    parts = dotted.split(".")
    if not all(x.isidentifier() and x.isascii() for x in parts) or _stdlib_refused(parts[0]):
        return None
    p = "/".join(parts)
    if p + "/__init__.py" in _STDLIB_PATHS:
        return p + "/__init__.py"
    if p + ".py" in _STDLIB_PATHS:
        return p + ".py"
    return None

def _stdlib_source(dotted):
    global _guard
    path = _stdlib_path(dotted)
    if path is None:
        return None
    # Reading the archive is an "open" event, refused while user code runs; none runs here (a
    # collection in between raises the guard for its finalizers itself).
    guard = _guard
    _guard = False
    try:
        text = _STDLIB.get_data(path).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    finally:
        _guard = guard
    return text, path.endswith("/__init__.py")

class _PackageModule:
    """A module run from source: its public names, read live from its namespace."""
    __slots__ = ()

    def __getattribute__(self, name):
        ns = _package_ns[id(self)]
        if name == "__all__":
            return tuple(ns.get("__all__") or sorted(k for k in ns if not k.startswith("_")))
        if type(name) is str and name.startswith("__"):
            raise AttributeError("module attribute " + repr(name) + " is not available in the sandbox")
        try:
            return ns[name]
        except KeyError:
            raise AttributeError("module has no attribute " + repr(name)) from None

    def __setattr__(self, name, value):
        raise AttributeError("sandbox modules are read-only")

def _set_package(files, path):
    """files: {relative path: source}; path: the indexed file's. Returns the file's dotted name
    and its package (where its relative imports start)."""
    global _package
    _package = {}
    for p, text in files.items():
        parts = p[:-3].split("/")
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        if parts and all(x.isidentifier() for x in parts):
            _package[".".join(parts)] = (text, is_pkg)
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), ".".join(parts[:-1])
    return ".".join(parts), ".".join(parts[:-1])

def _relative_target(name, globals, level):
    base = _package_of.get(id(globals))
    if base is None:
        raise ImportError("relative imports are not available here: the code is not in a package")
    parts = base.split(".") if base else []
    if level - 1 > len(parts) or (level - 1 == len(parts) and not name):
        raise ImportError("relative import beyond the top-level package")
    parts = parts[:len(parts) - (level - 1)]
    return ".".join(parts + ([name] if name else []))

def _in_package(dotted):
    return _package is not None and dotted.split(".")[0] in _package

def _import_source(target, fromlist, relative):
    # Every package on the way is imported, as Python does.
    pieces = target.split(".")
    top = view = None
    for i in range(1, len(pieces) + 1):
        view = _source_module(".".join(pieces[:i]))
        if top is None:
            top = view
    for attr in fromlist or ():
        if type(attr) is str and attr != "*":
            sub = target + "." + attr
            if (sub in _package) if _in_package(sub) else (_stdlib_path(sub) is not None):
                _source_module(sub)
    return view if fromlist or relative else top

def _source_module(dotted):
    view = _package_views.get(dotted)
    if view is not None:
        return view
    if _in_package(dotted):
        entry = _package.get(dotted)
        if entry is None:
            raise ImportError("no module named " + repr(dotted) + " in the indexed package")
        text, is_pkg = entry
        units, codes, refused = _compile_module(dotted, text)
    elif dotted in _VIEW_NAMES:
        return _view(dotted)
    else:
        return _run_module(dotted, *_stdlib_compiled(dotted))
    return _run_module(dotted, units, codes, is_pkg, True, refused)

def _compile_module(dotted, text):
    """Its units, their code objects, and the functions the policy refused in it (registered for
    every job that runs the module: the registry is this run's)."""
    global _own_compile
    _own_compile = True
    before = dict(_refused_defs)
    try:
        units, _notes = _compile_units(ast.parse(text, dotted), True, text)
    finally:
        _own_compile = False
    refused = {k: v for k, v in _refused_defs.items() if k not in before}
    codes = []
    for code, _line, _names in units:
        _all_codes(code, codes)
    return units, codes, refused

# Standard-library modules compiled (policy walks and all, the bulk of an import's cost) once per
# interpreter and kept: code objects are immutable, the source is the archive's, and what a job
# changes (its namespaces, the events on the codes) is dropped with the job; the reset that
# starts the next unit drops them.
_stdlib_units = {}

def _stdlib_compiled(dotted):
    done = _stdlib_units.get(dotted)
    if done is None:
        entry = _stdlib_source(dotted)
        if entry is None:
            raise ImportError("module " + repr(dotted) + " is not available in the sandbox")
        text, is_pkg = entry
        units, codes, refused = _compile_module(dotted, text)
        # Their events stay on for good: these codes run only where a job imports the module,
        # and then they must count (switching them per job cost a quarter of an import).
        _enable_events(codes)
        done = _stdlib_units[dotted] = (units, codes, is_pkg, False, refused)
    return done

def _enable_events(codes):
    for c in codes:
        _MON.set_local_events(_TOOL, c, _EVENTS_SUSPENDABLE if c.co_flags & _CO_SUSPENDABLE else _EVENTS)

def _run_module(dotted, units, codes, is_pkg, own_events, refused):
    _refused_defs.update(refused)
    view = object.__new__(_PackageModule)
    ns = {"__builtins__": dict(_BUILTINS), "__name__": dotted}
    _package_ns[id(view)] = ns
    _package_of[id(ns)] = dotted if is_pkg else dotted.rpartition(".")[0]
    _package_views[dotted] = view
    _bind_in_parent(dotted, view)
    if own_events:
        _enable_events(codes)
        _package_codes.extend(codes)
    _user_codes.update((id(c), c) for c in codes)
    for code, line, names in units:
        try:
            exec(code, ns)
        except (_Abort, MemoryError):
            raise
        except BaseException as e:
            if _aborted is not None:
                raise
            if names is not None and issubclass(type(e), ImportError):
                for n in names:
                    ns[n] = _Unavailable("not available in the sandbox (" + dotted + " line " + str(line) + ")")
    _bind_in_parent(dotted, view)
    return view

def _bind_in_parent(dotted, view):
    # import a.b binds b in a, again after b ran (its own code may have bound the name).
    parent, _, leaf = dotted.rpartition(".")
    if parent in _package_views:
        _package_ns[id(_package_views[parent])][leaf] = view
    elif parent in _VIEW_NAMES and not _in_package(parent):
        # A served module's submodule run from source (html.parser): this job's copy of the
        # view gets it, unless the view serves that name itself.
        names = object.__getattribute__(_view(parent), "_names")
        if leaf not in names:
            names[leaf] = view

def _clear_package():
    global _package
    for c in _package_codes:
        _MON.set_local_events(_TOOL, c, 0)
    _package = None
    _package_views.clear()
    _package_ns.clear()
    _package_of.clear()
    del _package_codes[:]


# The snippet's id(): a number counted per call in the order objects are first asked for, not a
# heap address, which depends on what ran before in the unit (a memo keyed by id(), as
# copy.deepcopy's, was another output under row isolation and on every rerun). Distinct for
# objects alive together, as id() is; a number kept from an earlier call may name another.
_object_ids = {}
_real_id = id

def _counted_id(obj):
    real = _real_id(obj)
    n = _object_ids.get(real)
    if n is None:
        n = _object_ids[real] = len(_object_ids) + 1
    return n

def _safe_builtins():
    b = {}
    for k in _SAFE_BUILTIN_NAMES:
        b[k] = getattr(_builtins_mod, k)
    for k in dir(_builtins_mod):
        v = getattr(_builtins_mod, k)
        if isinstance(v, type) and issubclass(v, BaseException):
            b[k] = v
    b["getattr"] = _safe_getattr
    b["id"] = _counted_id
    b["open"] = _fs_open
    b["hasattr"] = _safe_hasattr
    b["setattr"] = _safe_setattr
    b["delattr"] = _safe_delattr
    b["__import__"] = _safe_import
    b[_MATCH_CLASS] = _match_class
    b[_INSTANCE_DICT] = _instance_dict
    b[_GUARDED_ATTR] = _guarded_attr
    b[_REFUSE] = _refuse
    return b

_BUILTINS = _safe_builtins()
# import builtins: the snippet's own restricted builtins (getattr with the policy, no open, eval).
_VIEW_NAMES["builtins"] = {k: v for k, v in _BUILTINS.items() if not k.startswith("_")}
_VIEW_NAMES["builtins"]["__all__"] = tuple(sorted(_VIEW_NAMES["builtins"]))

class _Sink:
    """Discards printed text: prints must not reach the host."""
    # No instance dict: sys.stdout.write = w would outlive the job in its unit.
    __slots__ = ()

    def write(self, s):
        return len(s)
    def flush(self):
        pass

# What a call prints is part of what it does: print(2 * x) and print(3 * x) both return None.
# The first MAX_STR characters are kept, and the total length.
_printed = []
_printed_len = [0]

class _Printed(_Sink):
    """sys.stdout: keeps the start of what the current call prints (a call starts it empty)."""
    __slots__ = ()

    def write(self, s):
        if type(s) is not str:
            if not issubclass(type(s), str):
                return 0
            s = _str_str(s)  # print passes what __str__ returned, a subclass whose len() may lie
        have = _printed_len[0]
        if have < MAX_STR:
            _printed.append(s[:MAX_STR - have])
        _printed_len[0] = have + len(s)
        return len(s)

def _printed_text():
    # ";stdout:" and what the call printed, encoded as a str is (capped, no heap addresses).
    text = _without_addresses("".join(_printed))
    total = _printed_len[0]
    _printed.clear()
    _printed_len[0] = 0
    return ";stdout:" + repr(text) + ("...<" + str(total) + ">" if total > MAX_STR else "")

# ---------------------------------------------------------------- inputs
_inputs = {}
# Per input set: whether some argument is mutable (lists, dicts, sets, nested ones), so calls
# get fresh copies; decided once here rather than per snippet.
_inputs_mutable = {}

def _convert(t, v, _parsed={}):
    """A JSON value drawn for type t (src/python/inputs.ts) as the Python value it stands for:
    floats as float, tuples and sets from lists, dicts from [key, value] pairs, bytes from byte
    values, optional (None or T), union ([branch, value]), callable[N] (the index of a fixed
    pure builtin) and *list[T] (a list, spread into the call by register_inputs)."""
    if t == "float":
        return float(v)
    if t == "list[float]":
        return [float(x) for x in v]
    if t in ("int", "str", "bool", "nonneg_int", "pos_int", "small_nonneg_int", "list[int]",
             "list[str]", "sorted_list[int]"):
        return v
    node = _parsed.get(t)
    if node is None:
        def split(body):
            out, depth, start = [], 0, 0
            for i, c in enumerate(body):
                if c == "[":
                    depth += 1
                elif c == "]":
                    depth -= 1
                elif c == "," and depth == 0:
                    out.append(body[start:i])
                    start = i + 1
            out.append(body[start:])
            return out

        def parse(text):
            if text.startswith("*"):
                return ("list", parse(text[1:])[1])
            if "[" not in text:
                return ("atom", text)
            head, body = text[:text.index("[")], text[text.index("[") + 1:-1]
            if head == "sorted_list":
                return ("list", ("atom", "int"))
            if head == "callable":
                return ("callable", int(body))
            args = split(body) if body else []
            if head == "tuple" and len(args) == 2 and args[1] == "...":
                return ("list_tuple", parse(args[0]))
            if head in ("tuple", "union"):
                return (head, tuple(parse(a) for a in args))
            if head == "dict":
                return ("dict", parse(args[0]), parse(args[1]))
            return (head, parse(args[0]))

        node = _parsed[t] = parse(t)
    fns = _parsed.get(None)
    if fns is None:
        # callable[N] inputs: pure builtins (C functions: no Python frames, globals or code).
        fns = _parsed[None] = (
            (int, str, list, tuple, dict),
            (abs, _operator_mod.neg, str, bool, len),
            (_operator_mod.add, _operator_mod.sub, _operator_mod.mul, max, min),
        )

    def conv(n, x):
        k = n[0]
        if k == "atom":
            if n[1] == "float":
                return float(x)
            if n[1] == "bytes":
                return bytes(x)
            return x
        if k == "list":
            return [conv(n[1], y) for y in x]
        if k == "list_tuple":
            return tuple(conv(n[1], y) for y in x)
        if k == "tuple":
            return tuple(conv(m, y) for m, y in zip(n[1], x))
        if k == "set":
            return set(conv(n[1], y) for y in x)
        if k == "frozenset":
            return frozenset(conv(n[1], y) for y in x)
        if k == "dict":
            return {conv(n[1], a): conv(n[2], b) for a, b in x}
        if k == "optional":
            return None if x is None else conv(n[1], x)
        if k == "union":
            return conv(n[1][x[0]], x[1])
        if k == "callable":
            return fns[n[1]][x]
        raise ValueError("unknown argument type " + repr(t))

    return conv(node, v)

# Argument types whose JSON values _convert returns as they are.
_AS_SENT = frozenset(("int", "str", "bool", "nonneg_int", "pos_int", "small_nonneg_int"))

def _store_inputs(key, rows):
    _inputs[key] = rows
    _inputs_mutable[key] = not set(map(type, _itertools_mod.chain.from_iterable(rows))) <= _ATOMS

def register_inputs(key, types_json, values_json, want_encoded=True):
    """Stores an input set; returns the encoded inputs (JSON list of lists of strings), or ""
    when not wanted (a child registers a set again after every reset; the parent has it). A
    *list[T] argument is spread into extra positional arguments; a callable is encoded by its
    name."""
    types_ = _json_parse(types_json)
    values = _json_parse(values_json)
    if not want_encoded and all(t in _AS_SENT for t in types_):
        # Values of these types are used as JSON gives them: no conversion per value (a child
        # registers its sets again after every reset, at row isolation before every snippet).
        n = len(types_)
        _store_inputs(key, [tuple(row[:n]) for row in values])
        return ""
    star = [t.startswith("*") for t in types_]
    rows = []
    encoded = []
    for row in values:
        args = []
        texts = [] if want_encoded else None
        for t, s, v in zip(types_, star, row):
            x = _convert(t, v)
            if s:
                args.extend(x)
                if texts is not None:
                    texts.extend(encode(y) for y in x)
            else:
                args.append(x)
                if texts is not None:
                    texts.append("fn:" + x.__name__ if t.startswith("callable[") else encode(x))
        # A tuple: a call spreads it as it is (a list would be copied into one on every call).
        rows.append(tuple(args))
        if texts is not None:
            encoded.append(texts)
    _store_inputs(key, rows)
    return _result_json(encoded) if want_encoded else ""

# ---------------------------------------------------------------- running a snippet
def _result(status, error=None, runs=None):
    r = {"s": status, "r": runs or []}
    if error is not None:
        # Within the parent's cap in UTF-16 units, whatever the characters (a long identifier).
        r["e"] = error if len(error) <= 1900 else error[:1900] + "…"
    return r

def _set_events(codes, on):
    for c in codes:
        ev = (_EVENTS_SUSPENDABLE if c.co_flags & _CO_SUSPENDABLE else _EVENTS) if on else 0
        _MON.set_local_events(_TOOL, c, ev)
    _user_codes.clear()
    if on:
        _user_codes.update((id(c), c) for c in codes)

def _syntax(e):
    return _result("syntax_error", type(e).__name__ + ": " + str(e.msg) + " (line " + str(e.lineno) + ")")

def _is_main_guard(st):
    """if __name__ == "__main__": (either side), which a module run as a library never enters."""
    if type(st) is not ast.If or type(st.test) is not ast.Compare or len(st.test.ops) != 1:
        return False
    sides = [st.test.left, st.test.comparators[0]]
    names = [x for x in sides if type(x) is ast.Name and x.id == "__name__"]
    consts = [x for x in sides if type(x) is ast.Constant and x.value == "__main__"]
    return type(st.test.ops[0]) is ast.Eq and len(names) == 1 and len(consts) == 1

def _bound_names(st):
    """The names an import statement binds (placeholders go there when it fails)."""
    if type(st) is ast.Import:
        return [a.asname or a.name.split(".")[0] for a in st.names]
    if type(st) is ast.ImportFrom:
        return [a.asname or a.name for a in st.names if a.name != "*"]
    return None

# _hoist_match_classes rewrites match statements, __dict__ reads, format reads and guarded reads.
# ASCII source that spells none of those words has nothing to rewrite (an identifier in ASCII
# text is spelled as it is), so the text is compiled as it is: cheaper than compiling the tree,
# and the same code.
# Guarded reads are found by check_tree's walk instead (their prefixes are common text). A new
# rewrite must add its word here or be found by check_tree.
def _needs_rewrite(text):
    return not text.isascii() or "match" in text or "__dict__" in text or "format" in text

def _compile_units(tree, module, text=None):
    """[(code, line, import names or None)], or a result when the snippet can't run at all.
    A snippet compiles whole and is refused whole; a module (module=True) compiles statement by
    statement, so one refused or failing statement costs only what it defines."""
    # Without the text (a tree of the tracer's own), every rewrite is applied.
    needs_rewrite = text is None or _needs_rewrite(text)
    if not module:
        guarded = []
        problem = check_tree(tree, guarded)
        if problem is not None:
            return _result("limit", "sandbox: " + problem)
        if not needs_rewrite and not guarded:
            return [(compile(text, "<snippet>", "exec"), 1, None)], []
        _hoist_match_classes(tree)
        return [(compile(tree, "<snippet>", "exec"), 1, None)], []
    return _units_of(_compile_statements(tree.body, _future_flags(tree.body), needs_rewrite))

def _units_of(stmts):
    """The units and notes of compiled statements; registers the functions they refuse."""
    units = []
    notes = []
    for _end, unit, st_notes, refused in stmts:
        notes.extend(st_notes)
        _refused_defs.update(refused)
        if unit is not None:
            units.append(unit)
    return units, notes

def _future_flags(stmts):
    flags = 0
    for st in stmts:
        if type(st) is ast.ImportFrom and st.module == "__future__":
            for a in st.names:
                feature = getattr(_future_mod, a.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
    return flags

def _one_import_each(stmts):
    """import a, b, c as one statement per module: when one is refused, only its name gets a
    placeholder (imaplib's import of re, socket, subprocess, ... left every name unusable)."""
    for st in stmts:
        if type(st) is ast.Import and len(st.names) > 1:
            for alias in st.names:
                yield ast.copy_location(ast.Import([alias]), st)
        else:
            yield st

def _compile_statements(stmts, flags, needs_rewrite):
    """Per top-level statement: (its last line, its unit or None when skipped, its notes, the
    functions it refuses {message: (problem, name, line)})."""
    out = []
    for st in _one_import_each(stmts):
        if _is_main_guard(st):
            out.append((st.end_lineno, None, [], {}))
            continue
        notes = []
        guarded = []
        problem = check_tree(st, guarded)
        refused = {}
        if problem is not None:
            before = dict(_refused_defs)
            problem = _refuse_defs(st, notes)
            if problem is not None and type(st) in _COMPOUND:
                problem = _refuse_statements(st, notes)
            refused = {k: v for k, v in _refused_defs.items() if k not in before}
            guarded = [st]  # whatever the refused bodies leave is rewritten
        if problem is not None:
            notes.append("line " + str(st.lineno) + " skipped: sandbox: " + problem)
            out.append((st.end_lineno, None, notes, refused))
            continue
        unit = ast.Module([st], [])
        if needs_rewrite or guarded:
            _hoist_match_classes(unit)
        code = compile(unit, "<module>", "exec", flags=flags, dont_inherit=True)
        out.append((st.end_lineno, (code, st.lineno, _bound_names(st)), notes, refused))
    return out

# A file's functions run as jobs of one unit of trust, each with the same module text and its
# own call wrapper appended; parsing and compiling a big module is most of such a job's time.
# So the statements compiled for the unit's last module are kept (the reset that starts the next
# unit clears them) and reused for the leading lines the new text shares with it; only the rest
# is parsed, alone. A rest that does not parse alone (it continues the last kept statement: an
# indented line, else, except, ...) or that brings a __future__ import means a full parse.
_last_module = [None]  # (lines, statements as _compile_statements gives them, flags)

def _module_units(text):
    lines = text.splitlines(True)
    needs_rewrite = _needs_rewrite(text)
    kept = []
    last = _last_module[0]
    if last is not None:
        old_lines, old_stmts, flags = last
        same = 0
        most = min(len(lines), len(old_lines))
        while same < most and lines[same] == old_lines[same]:
            same += 1
        for entry in old_stmts:
            if entry[0] > same:
                break
            kept.append(entry)
    stmts = None
    if kept:
        start = kept[-1][0]
        try:
            rest = ast.parse("".join(lines[start:]), "<snippet>")
        except SyntaxError:
            rest = None
        if rest is not None and not _future_flags(rest.body):
            ast.increment_lineno(rest, start)
            stmts = kept + _compile_statements(rest.body, flags, needs_rewrite)
    if stmts is None:
        tree = ast.parse(text, "<snippet>")
        flags = _future_flags(tree.body)
        stmts = _compile_statements(tree.body, flags, needs_rewrite)
    _last_module[0] = (lines, stmts, flags)
    return _units_of(stmts)

# A unit of trust's snippets often repeat a text (renamed variants that drew the same names: 18 %
# of the trace bench's rows). Parsing, the policy walk and compiling are a pure function of the
# text, so a snippet's outcome (its code object, or the refusal) is kept by text for the rest of
# the unit: the reset that starts the next unit takes it away with the rest of the interpreter's
# memory, so no unit sees another's. Reusing the code object is the same as compiling it again:
# code objects are immutable to user code (no __code__, no co_*), and every job execs it in a
# namespace of its own. Long texts are not kept, so the cache stays small.
_snippet_cache = {}
_SNIPPET_CACHE_ENTRIES = 256
_SNIPPET_CACHE_CHARS = 16384

def _snippet_units(text):
    """_compile_units of a snippet (not a module) from its text, through the unit's cache."""
    hit = _snippet_cache.get(text)
    if hit is not None:
        return hit if type(hit) is dict else (hit, [])
    compiled = _compile_units(ast.parse(text, "<snippet>"), False, text)
    if len(text) <= _SNIPPET_CACHE_CHARS:
        if len(_snippet_cache) >= _SNIPPET_CACHE_ENTRIES:
            _snippet_cache.clear()
        # A refusal as it is (a result dict, never changed once made), else the units alone:
        # notes are a fresh list per job.
        _snippet_cache[text] = compiled if type(compiled) is dict else compiled[0]
    return compiled

class _Unavailable:
    """What a module-level import that failed binds: any use raises ImportError, so functions of
    the module that never touch it still run."""
    __slots__ = ("_why",)

    def __init__(self, why):
        object.__setattr__(self, "_why", why)

    def _fail(self, *args, **kwargs):
        raise ImportError(object.__getattribute__(self, "_why"))

    def __getattribute__(self, name):
        raise ImportError(object.__getattribute__(self, "_why"))

    __call__ = __getitem__ = __iter__ = __len__ = __bool__ = __int__ = __index__ = _fail
    __eq__ = __lt__ = __add__ = __radd__ = __contains__ = __hash__ = _fail

def _run(code_text, entry, key, max_steps, max_events, module=False, package=None):
    global _aborted, _count, _recording, _max_events, _max_steps, _ids, _blocks, _values
    global _stack, _truncated, _guard, _violation, _last_code, _last_map
    _aborted = None
    _last_code = _last_map = None
    _violation = None
    _value_chars[0] = 0
    _count = 0
    _recording = False
    _max_events = max_events
    _max_steps = max_steps
    _ids = {}
    _entries.clear()
    _starts.clear()
    _refused_defs.clear()
    budget = " (budget " + str(max_steps) + " block events for all inputs)"
    try:
        if module:
            compiled = _module_units(code_text)
        else:
            compiled = _snippet_units(code_text)
    except SyntaxError as e:
        return _syntax(e)
    except (MemoryError, RecursionError):
        return _result("limit", "source too large or too deeply nested to compile")
    if type(compiled) is dict:
        return compiled
    units, notes = compiled
    codes = []
    for code, _line, _names in units:
        _all_codes(code, codes)
    rows = _inputs.get(key)
    if rows is None:
        return _result("limit", "internal: unknown input set")
    # Reseeding costs more than a tiny call, so only snippets that mention random pay for it.
    reseed = "random" in code_text
    _views.clear()
    _random_served[0] = False
    _object_ids.clear()
    _fs_reset()
    ns = {"__builtins__": dict(_BUILTINS), "__name__": "snippet", "_tracecode_watch": _tracecode_watch}
    _snippet_ns[0] = ns
    if package is not None:
        own, base = _set_package(package["files"], package["path"])
        _package_of[id(ns)] = base
        # Siblings that import this file get this run's namespace, not a second copy.
        view = object.__new__(_PackageModule)
        _package_ns[id(view)] = ns
        _package_views[own] = view
    _set_events(codes, True)
    _guard = True
    try:
        return _define_and_call(units, notes, module, ns, entry, rows, _inputs_mutable[key], reseed, budget)
    finally:
        _watched.clear()
        # What user code made is released while the guard is still up, so the __del__ methods
        # this runs do so under the same policy and budget as the code itself.
        ns.clear()
        _snippet_ns[0] = None
        for other in _package_ns.values():
            other.clear()
        _fs_reset()
        _fs_restore_classes()
        _restore_shared_classes()
        if _decimal_served[0]:
            _decimal_reset()
        _guard = False
        _recording = False
        _last_code = _last_map = None
        _set_events(codes, False)
        _clear_package()
        _views.clear()

def _arity_mismatch(fn, entry, n):
    """Why n positional arguments can't bind to a plain function, or None. Read with the guard
    down: a function's code and defaults are C attributes, no user code runs here."""
    global _guard
    if type(fn) is not types.FunctionType:
        return None
    _guard = False
    try:
        co = fn.__code__
        defaults = fn.__defaults__ or ()
        kwdefaults = fn.__kwdefaults__ or {}
    finally:
        _guard = True
    most = co.co_argcount
    least = most - len(defaults)
    kwonly = [n for n in co.co_varnames[most:most + co.co_kwonlyargcount] if n not in kwdefaults]
    if kwonly:
        return entry + " needs keyword-only arguments (" + ", ".join(kwonly) + ")"
    if n < least or (n > most and not co.co_flags & 0x04):
        want = str(least) if least == most else str(least) + " to " + str(most)
        return entry + " takes " + want + " positional arguments, the inputs give " + str(n)
    return None

_ATOMS = frozenset((int, float, str, bool, bytes, complex, type(None)))
_GeneratorType = types.GeneratorType
# A generator's body runs only when it is consumed: its first items are what the call gives (the
# call wrappers of real code collect as many).
GENERATOR_ITEMS = 64

# The instance a method's call wrapper built, and its state before the call: what the method
# leaves in it is part of the call's result, as what a function leaves in its arguments is.
_watched = []

def _tracecode_watch(obj):
    # The first watch of a call is the wrapper's; code that calls it again in a loop must not
    # pay an encoding each time, nor swap the instance.
    if not _watched:
        _watched[:] = [obj, encode(obj)]
    return obj
def _copy_input(v):
    """
    A fresh copy of an input value, of the types _convert makes (lists, tuples, dicts, sets of
    atoms, bytes and builtins): by the tracer's own code, not copy.deepcopy, whose dispatch
    table is a library module's state a job can change (copy.dispatch_table[set] = f ran f on
    every later job's inputs in the unit).
    """
    t = type(v)
    if t is list:
        return [_copy_input(x) for x in v]
    if t is dict:
        return {k: _copy_input(x) for k, x in v.items()}
    if t is tuple:
        return tuple([_copy_input(x) for x in v])
    if t is set:
        return set(v)  # of hashable, so immutable, items
    return v

def _nth_input(i, rows):
    # Counted from 1, with the total ("input 0" read as the value 0), and the value: a function
    # that loops on negative numbers only is seen to.
    try:
        value = encode(tuple(rows[i]))
    except BaseException:
        value = "?"
    if len(value) > 80:
        value = value[:80] + "…"
    return "on input " + str(i + 1) + " of " + str(len(rows)) + ", " + value

def _stopped(where, budget):
    # The abort's kind is the status; what stopped it says why, else the budget or a trace limit.
    status = "timeout" if _aborted == "timeout" else "limit"
    if status == "timeout" and _violation is None:
        return _result(status, "step budget spent " + where + budget)
    return _result(status, (_violation or "trace limit") + " (" + where + ")")

def _self_change():
    # ";self:" and the watched instance's state when the call changed it, else "".
    obj, before = _watched
    _watched.clear()
    after = encode(obj)
    return "" if after == before else ";self:" + after

def _define_and_call(units, notes, module, ns, entry, rows, copy_inputs, reseed, budget):
    global _recording, _blocks, _values, _stack, _truncated
    # A module that deletes a function after use (statistics' kernels, registered by a decorator
    # and then del'd): the entry is still the function its def made, bound again for the call.
    deleted = None
    for code, line, names in units:
        before = ns.get(entry) if module else None
        try:
            exec(code, ns)
        except _Abort:
            return _stopped("while defining the code", budget)
        except MemoryError:
            return _result("limit", "memory limit while defining the code")
        except BaseException as e:
            if _aborted is not None:
                return _stopped("while defining the code", budget)
            what = _exc_name(type(e)) + ": " + _short(e)
            if not module:
                return _result("runtime_error", "exception while defining the code: " + what)
            if names is not None and issubclass(type(e), ImportError):
                for name in names:
                    ns[name] = _Unavailable("not available in the sandbox (line " + str(line) + ": " + what + ")")
            notes.append("line " + str(line) + " raised " + what)
        if before is not None and entry not in ns:
            deleted = before
    if type(deleted) is types.FunctionType and entry not in ns:
        ns[entry] = deleted
    if notes and entry not in ns:
        # Skipped and failing statements first: a refused function body explains no missing name.
        notes.sort(key=lambda n: n.startswith("def "))
        return _result("runtime_error", "entry function '" + entry + "' is not defined; " + "; ".join(notes[:3]))
    fn = ns.get(entry)
    if fn is None:
        return _result("runtime_error", "entry function '" + entry + "' is not defined")
    if not callable(fn):
        return _result("runtime_error", "entry '" + entry + "' is not callable")
    _fs_mark()
    mismatch = _arity_mismatch(fn, entry, len(rows[0]) if rows else 0)
    if mismatch is not None:
        return _result("runtime_error", "signature mismatch: " + mismatch)
    runs = []
    # Fresh containers per call (lists, dicts, sets, nested ones) when copy_inputs: one call's
    # mutations must not leak into the next call's inputs. Immutable atoms are passed as they are.
    refused = None  # the refused function's message while every call so far raised it
    first = None  # the first call's exception as text, sent only when no call returned
    for i, row in enumerate(rows):
        _blocks = blocks = []
        _values = values = []
        _recording = True
        try:
            out, e = _call_once(fn, row, copy_inputs, reseed)
        except _Abort:
            return _stopped(_nth_input(i, rows), budget)
        except MemoryError:
            return _result("limit", "memory limit " + _nth_input(i, rows))
        if e is not None:
            if i == 0:
                first = _exc_text(e)
            # Only the tracer's own messages count (user code can build the exception).
            a = e.args if type(e) is SandboxRefused else None
            if (i == 0 or refused is not None) and a and type(a[0]) is str and a[0] in _refused_defs:
                refused = a[0]
            else:
                refused = None
        else:
            refused = None
        e = None
        _recording = False
        runs.append([blocks, values, out, _truncated])
    if _aborted is not None:
        return _stopped("after the last input", budget)
    if refused is not None:
        # Not a behaviour: every call stopped at code the sandbox would not compile.
        why, name, line = _refused_defs[refused]
        return _result("limit", "sandbox: " + why + " (def " + name + ", line " + str(line) + ", refused; called on every input)")
    raised = all(r[2][:6] == "raise:" for r in runs)
    result = _result("ok", first if raised else None, runs)
    # Real code only (a module): the paper's generated functions keep no state.
    if module and len(runs) > 1 and not raised:
        again = _first_input_again(fn, rows[0], copy_inputs, reseed)
        if again is not None and again != runs[0][2]:
            # The outputs depend on the calls before (a class attribute the first call rebinds,
            # a counter): a rerun of one input, as serve's, gives another output.
            result["o"] = "input 1 gave " + _clip(runs[0][2]) + " first and " + _clip(again) + " after the others"
    return result

def _clip(out):
    return out if len(out) <= 60 else out[:60] + "…"

def _first_input_again(fn, row, copy_inputs, reseed):
    # The first input once more after the others, counted against the budget and not recorded;
    # its output, or None when the budget or memory ran out.
    global _blocks, _values
    _blocks, _values = [], []
    try:
        out, e = _call_once(fn, row, copy_inputs, reseed)
    except (_Abort, MemoryError):
        return None
    return None if _aborted is not None else out

def _call_once(fn, row, copy_inputs, reseed):
    """
    One call of the entry on one input row: (its output's text, the exception it raised or None).
    _Abort and MemoryError pass through. Each call starts afresh: no printed text, watched
    instance, counted ids or stack of the call before; random reseeded; fresh copies of mutable
    inputs, so one call's mutations do not leak into the next call's inputs.
    """
    global _stack, _truncated, _recording
    # Both are mostly as the last call left them: a call pops what it pushed.
    if _stack:
        _stack = []
    if _truncated:
        _truncated = False
    if reseed or _random_served[0]:
        _reseed()
    if _fs.touched:
        _fs_reset(_fs.base, False)
    args = None
    if _watched:
        _watched.clear()
    if _printed_len[0]:
        _printed.clear()
        _printed_len[0] = 0
    if _object_ids:
        _object_ids.clear()
    e = None
    try:
        if copy_inputs:
            args = _copy_input(row)
            value = fn(*args)
        else:
            value = fn(*row)
        if type(value) is _GeneratorType:
            value = list(_islice(value, GENERATOR_ITEMS))
        _recording = False
        if copy_inputs:
            # A function may work on its arguments in place (insort, clear, sort, pop): what it
            # left in them is part of its result, or `a.pop()` would look like `a[-1]` and every
            # function that returns nothing like any other.
            out = encode(value)
            after = encode(args)
            if after != encode(row):
                out += ";args:" + after
        elif type(value) is int and _MINUS_SMALL_INT < value < _SMALL_INT:
            out = str(value)
        else:
            out = encode(value)
        value = None
    except (_Abort, MemoryError):
        raise
    except BaseException as raised:
        if _aborted is not None:
            raise _Abort() from None
        e = raised
        out = "raise:" + _exc_name(type(e))
        if args is not None:
            # What a call left in its arguments before it raised is part of what it did.
            after = encode(args)
            if after != encode(row):
                out += ";args:" + after
    if _watched:
        out += _self_change()
    if _printed_len[0]:
        out += _printed_text()
    # Value, arguments, instance and printed text together stay one capped encoding.
    return _capped(out), e

def _plain_atom(x):
    # Identity checks: `type(x) in (str, …)` would call a metaclass's __eq__.
    t = type(x)
    return t is str or t is int or t is float or t is bool

def _exc_text(e):
    # The exception as "Type: message".
    msg = _exc_message(e)
    return _exc_name(type(e)) + (": " + _without_addresses(msg)[:200] if msg else "")

def _exc_message(e):
    # Built from plain values only, through C getters: no __str__, __repr__, __class__ or
    # __getattribute__ of the code's runs while recording.
    a = BaseException.args.__get__(e)
    msg = ""
    try:
        if issubclass(type(e), OSError) and len(a) == 2 and type(a[0]) is int and type(a[1]) is str:
            # CPython's own text without the number: inside WebAssembly errno numbers are
            # WASI's (ENOENT is 44, not Linux's 2).
            fname = OSError.filename.__get__(e)
            msg = a[1] + (": " + repr(fname) if type(fname) is str else "")
        elif all(_plain_atom(x) for x in a):
            if len(a) == 1:
                msg = repr(a[0]) if issubclass(type(e), KeyError) else str(a[0])
            elif a:
                msg = repr(a)
    except Exception:  # an int too long to print
        pass
    return msg

def _short(e):
    # The exception's message from plain values only (no __str__ or __repr__ of the code's).
    if type(e) is SandboxRefused:
        a = BaseException.args.__get__(e)  # the tracer's message (a user-built one could hold anything)
        return (a[0] if a and type(a[0]) is str else "")[:200]
    return _exc_message(e)[:200] if _builtin_class(type(e)) else ""

# The result's JSON text: json.dumps with separators builds a new encoder for every call, which
# cost more than encoding a paper-sized result; this one is made once, with json.dumps's settings
# but no cycle check (the result is the tracer's own lists, dicts, str, int and bool: no cycles).
# Built from the C encoder and scanner at load, never through json's classes: user code shares
# them (json.JSONEncoder.encode patched by one job wrote the result text, JSONDecoder.decode the
# inputs of a later job in its unit).
_c_encoder = getattr(json.encoder, "c_make_encoder", None)
_c_scanner = getattr(json.scanner, "c_make_scanner", None)
assert _c_encoder is not None and _c_scanner is not None, "json's C half is missing"
_result_encoder = _c_encoder(None, json.JSONEncoder().default,
                             json.encoder.encode_basestring_ascii, None, ":", ",", False,
                             False, True)
_json_scan = _c_scanner(json.JSONDecoder())

def _result_json(r):
    return "".join(_result_encoder(r, 0))

def _json_parse(text):
    # The parent's JSON text (JSON.stringify: no whitespace around the value).
    value, end = _json_scan(text, 0)
    if end != len(text):
        raise ValueError("extra data after the JSON value")
    return value

def run_job(code_text, entry, key, max_steps, max_events, max_chars, module=False, package=None):
    """package: JSON text {"path": the file's path in its package, "files": {path: source}}."""
    pkg = _json_parse(package) if type(package) is str else None
    _max_chars[0] = int(max_chars)
    try:
        r = _run(code_text, entry, key, int(max_steps), int(max_events), bool(module), pkg)
    except _Abort:
        # Past every handler of the job (the code's objects handled while cleaning up): the
        # budget or a limit stopped it all the same.
        r = _result("timeout" if _aborted == "timeout" else "limit",
                    (_violation or "step budget spent") + " (while the tracer cleaned up after the code)")
    text = _result_json(r)
    if len(text) > max_chars:
        text = _result_json(_result("limit", "trace output exceeds " + str(int(max_chars)) + " characters"))
    return text

# Trusted snippets run once before a child takes its snapshot: every unit then starts from an
# interpreter whose tracer code is already specialised and instrumented.
_WARM_UP = (
    "def f(x):\n    return x + 1\n",
    "def f(x):\n    t = 0\n    for i in range(x):\n        if i % 2:\n            t += i\n    return t\n",
    "def f(x):\n    if x < 0:\n        raise ValueError(x)\n    return [x, {x: (x, 'a')}, None]\n",
    "def g(x):\n    yield x\n\ndef f(x):\n    return sum(g(x))\n",
)

def warm_up():
    key = "\0warm-up"
    register_inputs(key, '["int"]', "[[-3],[0],[4]]", False)
    for code in _WARM_UP:
        run_job(code, "f", key, 100000, 2000, 100000)
    del _inputs[key], _inputs_mutable[key]
    _last_module[0] = None
    _snippet_cache.clear()

def describe_blocks(code_text):
    """Static basic blocks of every code object in the snippet (for tests and docs)."""
    code = compile(code_text, "<snippet>", "exec")
    out = []
    for c in _all_codes(code, [])[1:]:
        out.append({"name": c.co_name, "blocks": [
            {"start": b[0], "entry": b[1], "ops": [x.opname for x in b[2]]} for b in basic_blocks(c)
        ]})
    return _result_json(out)

# ---------------------------------------------------------------- closing the bridges
def _seal():
    """Removes every Python-to-JS path and import route to dangerous builtin modules. Called by
    the worker once the interpreter is up (after a memory snapshot is loaded: Pyodide's own start
    still imports _pyodide_core), before any user code."""
    sys.stdout = _Printed()
    sys.stderr = _Sink()
    _sinks[:] = [(sys.stdout, _Printed), (sys.stderr, _Sink)]
    _VIEW_NAMES["sys"]["stdout"] = _VIEW_NAMES["sys"]["__stdout__"] = sys.stdout
    _VIEW_NAMES["sys"]["stderr"] = _VIEW_NAMES["sys"]["__stderr__"] = sys.stderr
    bridges = ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip")
    for name in list(sys.modules):
        if name.split(".")[0] in bridges:
            del sys.modules[name]
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "JsFinder"]
    import _imp
    denied = frozenset(("_pyodide_core", "_ctypes", "_posixsubprocess", "_socket", "_testcapi",
                        "_testinternalcapi", "_testlimitedcapi", "_testbuffer", "_testclinic",
                        "_testclinic_limited", "_xxtestfuzz", "_remote_debugging", "mmap",
                        "_sqlite3", "fcntl", "termios", "select", "_lsprof", "_tracemalloc"))
    create = _imp.create_builtin
    def create_builtin(spec, _create=create, _denied=denied):
        if spec.name in _denied:
            raise ImportError("module " + repr(spec.name) + " is disabled in the sandbox")
        return _create(spec)
    _imp.create_builtin = create_builtin
    for name in denied:
        sys.modules.pop(name, None)
    sys.setrecursionlimit(1000)

# The tracer's own classes, whose __dict__ stays unreadable (_instance_dict).
# Classes defined here, also those named as a module's (_Lock is _thread.lock): Python classes no
# loaded module holds under their name.
_TRACER_CLASSES = tuple(
    v for v in list(globals().values())
    if type(v) is type and _type_flags(v) & _HEAPTYPE and not _type_flags(v) & _IMMUTABLETYPE
    and getattr(sys.modules.get(_type_module(v)), _type_name(v), None) is not v)
_TRACER_CLASS_IDS = frozenset(id(k) for k in _TRACER_CLASSES)

# The classes of the tracer's objects that code holds (views, placeholders, the output sink) are
# shared by the jobs of a unit, and type.__setattr__ changes them (type(math).__getattribute__ =
# ... forged every later job's imports): their dicts as loaded are put back after every job, while
# the guard is still up (a value dropped here may run a __del__ of the job's code).
_SHARED_CLASSES = tuple(
    (k, dict(_type_dict(k)), tuple(_type_dict(k)), tuple(_type_dict(k).values()), type(k),
     type.__dict__["__bases__"].__get__(k))
    # Every class of the tracer's (the output sink, a lock, SandboxRefused, …) and the library
    # classes the tracer itself calls into (random.Random's seed).
    for k in (*_TRACER_CLASSES, _random_mod.Random))
_is_not = _operator_mod.is_not

_type_bases = type.__dict__["__bases__"]
_set_class = object.__dict__["__class__"].__set__
# The output sinks and their classes, from _seal on.
_sinks = []

# All of them at once, for a check in C: their metaclasses, bases, and the names and values of
# their dicts in order (a Python loop over twenty classes cost 50 µs a job).
_chain = _itertools_mod.chain.from_iterable
_SHARED_KINDS = tuple(x[0] for x in _SHARED_CLASSES)
_SHARED_METAS = tuple(x[4] for x in _SHARED_CLASSES)
_SHARED_BASES = tuple(x[5] for x in _SHARED_CLASSES)
_SHARED_NAMES = tuple(_chain(x[2] for x in _SHARED_CLASSES))
_SHARED_VALUES = tuple(_chain(x[3] for x in _SHARED_CLASSES))
_proxy_values = type(type.__dict__).values

def _shared_classes_changed():
    dicts = tuple(map(_type_dict, _SHARED_KINDS))
    return (any(map(_is_not, map(type, _SHARED_KINDS), _SHARED_METAS))
            or any(map(_is_not, map(_type_bases.__get__, _SHARED_KINDS), _SHARED_BASES))
            or sum(map(len, dicts)) != len(_SHARED_NAMES)
            or any(map(_is_not, _chain(map(_proxy_values, dicts)), _SHARED_VALUES))
            or any(map(_is_not, _chain(dicts), _SHARED_NAMES)))

def _restore_shared_classes():
    # The sinks' own class too: object.__setattr__(sys.stdout, '__class__', P) would outlive the job.
    for sink, k in _sinks:
        if type(sink) is not k:
            _set_class(sink, k)
    if not _shared_classes_changed():
        return
    for k, orig, names, values, meta, bases0 in _SHARED_CLASSES:
        # Their metaclass and bases too: a metaclass's __call__ would run when a view is made.
        if type(k) is not meta:
            _set_class(k, meta)
        bases = _type_bases.__get__(k)
        if len(bases) != len(bases0) or any(map(_is_not, bases, bases0)):
            _type_bases.__set__(k, bases0)
        now = _type_dict(k)
        # In C: the names and values in order, by identity (== could run the code's __eq__).
        if len(now) != len(names) or any(map(_is_not, now.values(), values)) or any(map(_is_not, now, names)):
            for n in [n for n in now if n not in orig]:
                type.__delattr__(k, n)
            for n, v in orig.items():
                if now.get(n) is not v:
                    type.__setattr__(k, n, v)
