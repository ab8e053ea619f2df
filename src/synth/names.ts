/**
 * Reserved Python names and fresh-name generation. A fresh name is never a keyword, a soft
 * keyword, a builtin, a dunder, or any identifier already present in the code, so renaming
 * and inserted statements cannot capture or shadow anything.
 */
import type { Random } from "../random/index.js";
import { descendants, type Node } from "./syntax.js";

/** `keyword.kwlist`. */
// biome-ignore format: a table reads better packed
export const KEYWORDS: readonly string[] = [
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
  "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
  "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
  "try", "while", "with", "yield",
];

/** `keyword.softkwlist` of CPython 3.12+ (`type` joined in 3.12). */
export const SOFT_KEYWORDS: readonly string[] = ["_", "case", "match", "type"];

/** `dir(builtins)` without dunders, CPython 3.11–3.14 (union). */
// biome-ignore format: a table reads better packed
export const BUILTINS: readonly string[] = [
  "ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BaseExceptionGroup",
  "BlockingIOError", "BrokenPipeError", "BufferError", "BytesWarning", "ChildProcessError",
  "ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError", "ConnectionResetError",
  "DeprecationWarning", "EOFError", "Ellipsis", "EncodingWarning", "EnvironmentError",
  "Exception", "ExceptionGroup", "False", "FileExistsError", "FileNotFoundError",
  "FloatingPointError", "FutureWarning", "GeneratorExit", "IOError", "ImportError",
  "ImportWarning", "IndentationError", "IndexError", "InterruptedError", "IsADirectoryError",
  "KeyError", "KeyboardInterrupt", "LookupError", "MemoryError", "ModuleNotFoundError",
  "NameError", "None", "NotADirectoryError", "NotImplemented", "NotImplementedError", "OSError",
  "OverflowError", "PendingDeprecationWarning", "PermissionError", "ProcessLookupError",
  "PythonFinalizationError", "RecursionError", "ReferenceError", "ResourceWarning",
  "RuntimeError", "RuntimeWarning", "StopAsyncIteration", "StopIteration", "SyntaxError",
  "SyntaxWarning", "SystemError", "SystemExit", "TabError", "TimeoutError", "True", "TypeError",
  "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError",
  "UnicodeTranslateError", "UnicodeWarning", "UserWarning", "ValueError", "Warning",
  "ZeroDivisionError", "_IncompleteInputError", "abs", "aiter", "all", "anext", "any", "ascii",
  "bin", "bool", "breakpoint", "bytearray", "bytes", "callable", "chr", "classmethod",
  "compile", "complex", "copyright", "credits", "delattr", "dict", "dir", "divmod", "enumerate",
  "eval", "exec", "exit", "filter", "float", "format", "frozenset", "getattr", "globals",
  "hasattr", "hash", "help", "hex", "id", "input", "int", "isinstance", "issubclass", "iter",
  "len", "license", "list", "locals", "map", "max", "memoryview", "min", "next", "object", "oct",
  "open", "ord", "pow", "print", "property", "quit", "range", "repr", "reversed", "round", "set",
  "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple", "type", "vars",
  "zip",
];

const RESERVED = new Set([...KEYWORDS, ...SOFT_KEYWORDS, ...BUILTINS]);

/** True for names a generated identifier must never be. */
export function isReserved(name: string): boolean {
  return RESERVED.has(name) || name.startsWith("__");
}

/** Plausible variable names; reserved ones are filtered out at use. */
// biome-ignore format: a table reads better packed
const STEMS: readonly string[] = [
  "a", "b", "k", "m", "n", "p", "q", "u", "v", "w", "y", "z", "val", "value", "num", "acc",
  "total", "res", "result", "tmp", "temp", "out", "arg", "inp", "data", "item", "cnt", "step",
  "cur", "prev", "base", "delta", "offset", "shift", "part", "left", "right", "lhs", "rhs",
  "score", "amount", "term", "node", "key", "idx", "pos", "mid", "level", "size",
];

/** Function-like names for renaming the entry point. */
// biome-ignore format: a table reads better packed
const FUNCTION_STEMS: readonly string[] = [
  "g", "h", "fn", "func", "compute", "calc", "apply", "transform", "evaluate", "solve", "run",
  "process", "handle", "get_value", "score_of", "shifted", "adjust", "update", "helper",
];

/** Every identifier spelled anywhere under `root` (including attributes, to stay conservative). */
export function identifiersIn(root: Node): Set<string> {
  const out = new Set<string>();
  for (const n of descendants(root)) if (n.type === "identifier") out.add(n.text);
  return out;
}

/**
 * A name not in `taken` and not reserved; adds it to `taken`. Mostly a stem, sometimes with a
 * numeric suffix or a short random spelling, so that names vary across variants.
 */
export function freshName(
  rng: Random,
  taken: Set<string>,
  kind: "var" | "function" = "var",
): string {
  const stems = kind === "function" ? FUNCTION_STEMS : STEMS;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const style = rng.float();
    let name: string;
    if (style < 0.7) name = rng.pick(stems);
    else if (style < 0.9) name = `${rng.pick(stems)}${rng.int(0, 9)}`;
    else name = randomSpelling(rng);
    if (!taken.has(name) && !isReserved(name)) {
      taken.add(name);
      return name;
    }
  }
  throw new Error("no fresh name found after 1000 attempts");
}

function randomSpelling(rng: Random): string {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const alnum = `${letters}0123456789_`;
  let s = letters[rng.int(0, 25)];
  const len = rng.int(1, 5);
  for (let i = 0; i < len; i++) s += alnum[rng.int(0, alnum.length - 1)];
  return s;
}
