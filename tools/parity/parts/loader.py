"""Parity fixture of the PyTorch loader (python/tracecode_torch.py): the embeddings and code ids
it computes for a handful of inputs with the shipped models/default and with a tiny model of
every kind and pooling (tools/parity/loader-models.ts writes those). test/torch-loader.test.ts
compares `tracecode embed` and our embedding code against it.

Run through make_fixtures.py: `/usr/bin/python3 tools/parity/make_fixtures.py loader`. Writes
test/fixtures/loader/embeddings.json (its own folder: the loader's fixture, not an op's).
"""
import hashlib
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "tools" / "parity"))
import tracecode_torch as tt  # noqa: E402
from ts_export import ts_written  # noqa: E402

OUT = ROOT / "test" / "fixtures" / "loader" / "embeddings.json"

LONG = "def long(x):\n" + "".join(f"    x = x * {i} + {i % 7}  # step {i}\n" for i in range(40)) + "    return x\n"
CODES = [
    "def f(x):\n    return x + 3\n",
    "",
    "def f():\n    pass\n",
    # CRLF, tabs, non-ASCII names and comments, an astral character, an Arabic-Indic digit
    "def grüße(s):\r\n\t# commént ✓\r\n\treturn s + '😀\\'' + \"tab\\there\" * ٣\r\n",
    # a backslash before U+2028 ends a string literal in ECMAScript's `.`; an unterminated string
    "x = 'a\\\u2028b'\ndef broken(:\n    return 'abc\n",
    'def g(n):\n    """Doc with # not a comment."""\n    return 1_000.5e-3 + 0x1F >> 2 ** -n\n',
    "if x:\n\tif y:\n\t\t  z = 1\n    \n\n      w = [a for a in range(10) if a % 2]\n",
    LONG,
]


def run(values, output, blocks):
    return {"input": ["1"], "blocks": blocks, "values": values, "output": output, "truncated": False}


def trace_row(i, status="ok", runs=()):
    return {"id": f"c{i}", "status": status, "level": "trace", "traceClass": None if status != "ok" else f"t{i}",
            "ioClass": None if status != "ok" else f"io{i}", "runs": list(runs)}


# One trace row per code (None: no row): several runs (more than the tiny models keep), block
# ids past their cap, values shorter than the blocks, non-ASCII values, a failed run.
TRACES = [
    trace_row(0, runs=[run(["4"], "4", [0]), run(["-2"], "-2", [0])]),
    None,
    trace_row(2, "runtime_error"),
    trace_row(3, runs=[run(["'é😀'", "None"], "'é😀'", [0, 1, 9]) for _ in range(2)]),
    trace_row(4, "syntax_error"),
    trace_row(5, runs=[run([str(k), str(k * 2)], f"raise:ValueError{k}", [0, 2, 1]) for k in range(5)]),
    trace_row(6, runs=[run([str(k) for k in range(30)], "0", list(range(30)))]),
    trace_row(7, runs=[run([str(k)] * 12, str(k), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) for k in range(4)]),
]


def compact(t):
    return [[float(f"{v:.9g}") for v in row] for row in t.tolist()]


def describe(model_dir, name):
    model = tt.load(model_dir)
    traces = TRACES if hasattr(model, "trace") else None
    entry = {"sha256": hashlib.sha256((pathlib.Path(model_dir) / "model.safetensors").read_bytes()).hexdigest(),
             "embeddings": compact(model.embed(CODES, traces))}
    if model.tokenizer.bag is not None:
        entry["bags"] = [model.tokenizer.bag.bag(c) for c in CODES]
    elif hasattr(model, "code"):
        entry["ids"] = [model.tokenizer.code_ids(c) for c in CODES]
    if hasattr(model, "trace"):
        entry["events"] = [model.tokenizer.trace_events(r) for r in TRACES]
    print(f"  {name}: {model.architecture['kind']}, pooling {model.architecture['pooling']}")
    return entry


def make(save):
    del save  # writes its own folder
    with ts_written("loader-models.ts") as tmp:
        if tmp is None:
            raise SystemExit("loader fixture: npx is needed to write the tiny models")
        models = {"default": describe(ROOT / "models" / "default", "default")}
        for d in sorted(pathlib.Path(tmp).iterdir()):
            models[d.name] = describe(d, d.name)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fixture = {"torch": tt.torch.__version__, "codes": CODES, "traces": TRACES, "models": models}
    OUT.write_text(json.dumps(fixture) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
