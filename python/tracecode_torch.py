#!/usr/bin/env python3
"""Load a TraceCode model directory into PyTorch and embed code with it.

A model directory holds model.safetensors (PyTorch state_dict names), tokenizer.json (ids and
the tokenizer's rules) and architecture.json (every setting of the network). This file builds
the torch.nn module those describe, loads the weights with strict=True, tokenizes exactly as
TraceCode's TypeScript does and embeds. All five encoder kinds: lstm, transformer, trace, joint,
and bag (whose tree-sitter features this file cannot compute: a bag that reads them is refused
at embedding; one trained with `--bag-weights C,T,0` embeds here).

    import tracecode_torch as tt
    model = tt.load("models/default")                 # eval mode
    vectors = model.embed(["def f(x):\\n    return x + 1\\n"])  # [1, dim] float32

    python3 tracecode_torch.py models/default --code 'def f(x):\\n    return x + 1'

Needs only torch (tested with 1.13). The char-LSTM here (CharLstm, CharLstmEncoder) is the
project's one Python definition of it: the parity fixtures and the benchmarks import it.
"""
import argparse
import json
import math
import os
import pathlib
import re
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

TOKENIZER_FORMAT = "tracecode-tokenizer/1"
ARCHITECTURE_FORMAT = "tracecode-architecture/1"
BATCH_SIZE = 64  # `tracecode embed` embeds in batches of 64; no embedding depends on its batch


# --- tokenizers (tokenizer.json) ---


FNV_OFFSET = 0x811C9DC5


def utf16_units(text):
    """The UTF-16 code units of text (JavaScript's charCodeAt, surrogate pairs split)."""
    raw = text.encode("utf-16-le", "surrogatepass")
    return struct.unpack(f"<{len(raw) // 2}H", raw)


def fnv1a_units(units, h=FNV_OFFSET):
    """32-bit FNV-1a over code units, continuing from state h."""
    for u in units:
        h = ((h ^ u) * 0x01000193) & 0xFFFFFFFF
    return h


def fnv1a(text):
    """32-bit FNV-1a over the UTF-16 code units of text (JavaScript's charCodeAt)."""
    return fnv1a_units(utf16_units(text))


LEXER_GROUPS = ["comment", "string", "name", "number", "operator", "newline"]


class PythonLexer:
    """The python_tokens lexer of tokenizer.json: code → tokens."""

    def __init__(self, lexer):
        if [g["name"] for g in lexer["groups"]] != LEXER_GROUPS:
            raise ValueError(f"tokenizer.json: unknown lexer groups {lexer['groups']}")
        self.pattern = re.compile(lexer["pattern"])
        self.indent = lexer["indent_width"]

    def tokens(self, code):
        out = []
        for m in self.pattern.finditer(code):
            kind, text = LEXER_GROUPS[m.lastindex - 1], m.group(m.lastindex)  # one group per match
            if kind == "string":
                out.append("<str>")
            elif kind in ("name", "operator"):
                out.append(text)
            elif kind == "number":
                out += ["<num>", *text]
            elif kind == "newline":
                if out and out[-1] != "<nl>":
                    out.append("<nl>")
                spaces = len(text[1:].replace("\t", " " * self.indent))
                out += ["<indent>"] * (spaces // self.indent)
        return out


# ECMAScript's \s (its WhiteSpace and LineTerminator sets): Python's \s differs (U+FEFF, U+001C–F).
JS_SPACES = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
CAMEL_BREAK = re.compile(r"([a-z0-9])([A-Z])")
BAG_GROUPS = ("chars", "tokens", "tree")


class BagFeatures:
    """Code → the bag encoder's (rows, weights), as tokenizer.json's bag_features rules say."""

    def __init__(self, spec):
        self.buckets = spec["buckets"]
        self.group_weights = spec["group_weights"]
        self.idf = spec["idf"]
        if "lexer" not in spec:
            raise ValueError("tokenizer.json: bag_features has no lexer (a model saved before it was written there; "
                             "rewrite it with `npx tsx tools/write-model-spec.ts MODEL_DIR`)")
        self.lexer = PythonLexer(spec["lexer"])
        self.prefix = {g: fnv1a(g + ":") for g in BAG_GROUPS}

    def grams(self, code, group):
        """The group's grams as tuples of UTF-16 units."""
        if group == "chars":
            units = utf16_units(JS_SPACES.sub(" ", code))
            return [units[i : i + n] for n in (3, 4, 5) for i in range(len(units) - n + 1)]
        if group == "tokens":
            toks = self.lexer.tokens(code)
            out = toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]
            for t in toks:
                if IDENTIFIER.match(t):
                    parts = [p for p in CAMEL_BREAK.sub(r"\1_\2", t).lower().split("_") if p]
                    if len(parts) > 1:
                        out += [f"part {p}" for p in parts]
            return [utf16_units(t) for t in out]
        raise ValueError("this bag model reads tree-sitter node types (its tree group weight is "
                         f"{self.group_weights['tree']}), which this loader cannot compute; "
                         "embed with `tracecode embed`, or train with `--bag-weights C,T,0`")

    def bag(self, code, groups=BAG_GROUPS, weights=None):
        """(rows, weights) of code: each group's rows ascending, (1 + ln count)·idf, scaled to
        unit length times √(group weight); groups of weight 0 are left out (they add nothing)."""
        weights = weights or self.group_weights
        rows, out = [], []
        for g in groups:
            if weights[g] == 0:
                continue
            counts = {}
            for gram in self.grams(code, g):
                r = fnv1a_units(gram, self.prefix[g]) % self.buckets
                counts[r] = counts.get(r, 0) + 1
            ascending = sorted(counts)
            w = [(1 + math.log(counts[r])) * self.idf[r] for r in ascending]
            norm = sum(x * x for x in w)
            scale = math.sqrt(weights[g] / norm) if norm > 0 else 0.0
            rows += ascending
            out += [x * scale for x in w]
        return rows, out

    def anchor_bag(self, code):
        """The frozen anchor's bag: the chars rows alone at unit length."""
        return self.bag(code, ("chars",), {"chars": 1})


def bag_input(bags):
    """EmbeddingBag input, offsets and per_sample_weights (float32) of a batch of bags."""
    ids, offsets, weights = [], [], []
    for rows, w in bags:
        offsets.append(len(ids))
        ids += rows
        weights += w
    return (torch.tensor(ids, dtype=torch.long), torch.tensor(offsets, dtype=torch.long),
            torch.tensor(weights, dtype=torch.float64).float())


class Tokenizer:
    """Code → ids (characters or Python tokens) or bags, and trace rows → (block, value) events."""

    def __init__(self, spec):
        if spec.get("format") != TOKENIZER_FORMAT:
            raise ValueError(f"tokenizer.json: format {spec.get('format')!r}, expected {TOKENIZER_FORMAT}")
        self.code = spec["code"]
        self.trace = spec["trace"]
        self.bag = BagFeatures(spec["bag_features"]) if spec.get("bag_features") else None
        if self.code:
            self.ids = {tok: i for i, tok in enumerate(self.code["id_to_token"]) if i >= 2}
            if self.code["type"] == "python_tokens":
                self.lexer = PythonLexer(self.code["lexer"])

    def code_tokens(self, code):
        if self.code["type"] == "characters":
            return list(code)  # code points, like JavaScript's [...code]
        return self.lexer.tokens(code)

    def code_ids(self, code):
        ids = [self.ids.get(t, self.code["unk_id"]) for t in self.code_tokens(code)]
        n = self.code["max_length"]
        return ids[:n] if n > 0 else ids

    def trace_events(self, row):
        """(block ids, value ids) of a traces.jsonl row (a dict), or of None for a missing one."""
        enc = self.trace

        def bucket(s):
            return 1 + fnv1a(s) % enc["buckets"]

        if row is None or row["status"] != "ok":
            return [1], [bucket(f"status:{row['status'] if row else 'missing'}")]
        blocks, values = [], []
        for run in row["runs"][: enc["runs"]]:
            for i, b in enumerate(run["blocks"]):
                blocks.append(2 + min(b, enc["blocks"] - 1))
                values.append(bucket(run["values"][i] if i < len(run["values"]) else ""))
            blocks.append(1)
            values.append(bucket(f"out:{run['output']}"))
        return blocks[: enc["max_events"]], values[: enc["max_events"]]


def pad(seqs):
    """Sequences → ids [B, T] padded with 0 to the longest (T ≥ 1) and lengths (each ≥ 1)."""
    steps = max([1, *map(len, seqs)])
    ids = torch.zeros(len(seqs), steps, dtype=torch.long)
    for b, s in enumerate(seqs):
        ids[b, : len(s)] = torch.tensor(s, dtype=torch.long)
    return ids, torch.tensor([max(1, len(s)) for s in seqs], dtype=torch.long)


# --- the network (architecture.json) ---


def pool(out, lengths, pooling, positions="paper"):
    """[B, T, H] → [B, H]: "last" position, "last-valid" position or "mean" over valid steps.
    positions="real" (embedding) reads "last" at each sequence's last real position, so a snippet
    gets the same vector alone or in any batch; "paper" (training) at the batch's last position."""
    if pooling == "last" and positions == "paper":
        return out[:, -1]
    if pooling != "mean":
        return out[torch.arange(out.shape[0]), lengths - 1]
    valid = torch.arange(out.shape[1])[None, :] < lengths[:, None]
    return (out * valid[:, :, None]).sum(1) / lengths[:, None]


def run_lstm(lstm, x, lengths, packed):
    """The LSTM's output [B, T, H]: packed by lengths (zeros at padding), or over the padding."""
    if not packed:
        return lstm(x)[0]
    seq = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    return pad_packed_sequence(lstm(seq)[0], batch_first=True, total_length=x.shape[1])[0]


class CharLstm(nn.Module):
    """The paper's char-LSTM body: Embedding(pad 0) → LSTM (batch_first) → pooling.
    Keys embedding.*, lstm.*. Runs packed unless pooling is "last" (PyTorch's output[:, -1])."""

    def __init__(self, vocab_size, embedding_dim=32, hidden_size=64, num_layers=2, dropout=0.1, pooling="last"):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers=num_layers, dropout=dropout, batch_first=True)
        self.pooling = pooling
        self.reading = "paper"  # TraceCodeEncoder.embed reads real positions

    def forward(self, ids, lengths):
        out = run_lstm(self.lstm, self.embedding(ids), lengths, packed=self.pooling != "last")
        return pool(out, lengths, self.pooling, self.reading)


class CharLstmEncoder(CharLstm):
    """A char-LSTM with its projection head in one module (keys embedding.*, lstm.*, proj.*)."""

    def __init__(self, vocab_size, embedding_dim, hidden_size, out_dim, num_layers=2, dropout=0.1, pooling="last"):
        super().__init__(vocab_size, embedding_dim, hidden_size, num_layers, dropout, pooling)
        self.proj = nn.Linear(hidden_size, out_dim)

    def forward(self, ids, lengths):
        return self.proj(super().forward(ids, lengths))


def sinusoidal_table(max_len, d_model):
    """table[pos, 2i] = sin(pos·10000^(−2i/d)), table[pos, 2i+1] = cos(…); float64 → float32."""
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    rate = torch.exp(-torch.arange(0, d_model, 2, dtype=torch.float64) * math.log(10000.0) / d_model)
    table = torch.zeros(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(pos * rate)
    table[:, 1::2] = torch.cos(pos * rate)[:, : d_model // 2]
    return table.float()


class TokenTransformer(nn.Module):
    """Embedding(pad 0) + sinusoidal positions → nn.TransformerEncoder with a key padding mask
    → pooling. Keys embedding.*, encoder.layers.{i}.* (and encoder.norm.* with final_norm)."""

    def __init__(self, vocab_size, d_model=64, nhead=4, dim_feedforward=128, num_layers=2, dropout=0.1,
                 activation="relu", layer_norm_eps=1e-5, norm_first=False, final_norm=False,
                 max_len=4096, pooling="mean"):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=0)
        self.register_buffer("positions", sinusoidal_table(max_len, d_model), persistent=False)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                           layer_norm_eps, batch_first=True, norm_first=norm_first)
        norm = nn.LayerNorm(d_model, eps=layer_norm_eps) if final_norm else None
        # No nested tensors: they would zero the padded positions, which pooling "last" reads.
        self.encoder = nn.TransformerEncoder(layer, num_layers, norm, enable_nested_tensor=False)
        self.pooling = pooling
        self.reading = "paper"  # TraceCodeEncoder.embed reads real positions

    def forward(self, ids, lengths):
        x = self.embedding(ids) + self.positions[: ids.shape[1]]
        padding = torch.arange(ids.shape[1])[None, :] >= lengths[:, None]
        return pool(self.encoder(x, src_key_padding_mask=padding), lengths, self.pooling, self.reading)


class TraceLstm(nn.Module):
    """Block ids and value ids, embedded and summed → LSTM → pooling. Keys block_embedding.*,
    value_embedding.*, lstm.*."""

    def __init__(self, blocks, buckets, embedding_dim=32, hidden_size=64, num_layers=2, dropout=0.1, pooling="last"):
        super().__init__()
        self.block_embedding = nn.Embedding(blocks + 2, embedding_dim, padding_idx=0)
        self.value_embedding = nn.Embedding(buckets + 1, embedding_dim, padding_idx=0)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers=num_layers, dropout=dropout, batch_first=True)
        self.pooling = pooling
        self.reading = "paper"  # TraceCodeEncoder.embed reads real positions

    def forward(self, blocks, values, lengths):
        x = self.block_embedding(blocks) + self.value_embedding(values)
        return pool(run_lstm(self.lstm, x, lengths, packed=self.pooling != "last"), lengths, self.pooling, self.reading)


class BagOfFeatures(nn.Module):
    """A snippet's bag (rows, weights) → bag (EmbeddingBag, mode "sum"); keys bag.weight and,
    with a frozen lexical anchor, anchor.weight (TraceCodeEncoder puts it beside proj's output)."""

    def __init__(self, buckets, width, anchor=None):
        super().__init__()
        self.bag = nn.EmbeddingBag(buckets, width, mode="sum")
        self.anchor = nn.EmbeddingBag(buckets, anchor["embedding_dim"], mode="sum") if anchor else None
        self.anchor_weight = anchor["weight"] if anchor else None

    def forward(self, ids, offsets, weights):
        return self.bag(ids, offsets, per_sample_weights=weights)


def build_body(body, pooling):
    """One body of architecture.json as a module."""
    if body["type"] == "bag_of_features":
        return BagOfFeatures(body["bag"]["num_embeddings"], body["bag"]["embedding_dim"], body.get("anchor"))
    emb = body.get("embedding")
    if body["type"] in ("char_lstm", "trace_lstm"):
        lstm = body["lstm"]
        if lstm["packed"] != (pooling != "last") or lstm["bidirectional"]:
            raise ValueError(f"architecture.json: unsupported LSTM settings {lstm}")
        common = dict(hidden_size=lstm["hidden_size"], num_layers=lstm["num_layers"], dropout=lstm["dropout"],
                      pooling=pooling, embedding_dim=lstm["input_size"])
        if body["type"] == "char_lstm":
            return CharLstm(emb["num_embeddings"], **common)
        return TraceLstm(body["block_embedding"]["num_embeddings"] - 2,
                         body["value_embedding"]["num_embeddings"] - 1, **common)
    if body["type"] == "token_transformer":
        enc = body["encoder"]
        return TokenTransformer(emb["num_embeddings"], enc["d_model"], enc["nhead"], enc["dim_feedforward"],
                                enc["num_layers"], enc["dropout"], enc["activation"], enc["layer_norm_eps"],
                                enc["norm_first"], enc["final_norm"], body["positions"]["max_len"], pooling)
    raise ValueError(f"architecture.json: unknown body type {body['type']!r}")


class TraceCodeEncoder(nn.Module):
    """A TraceCode model: its bodies (code., trace.) side by side, concatenated, then proj."""

    def __init__(self, architecture, tokenizer=None):
        super().__init__()
        if architecture.get("format") != ARCHITECTURE_FORMAT:
            raise ValueError(f"architecture.json: format {architecture.get('format')!r}, expected {ARCHITECTURE_FORMAT}")
        self.architecture = architecture
        self.tokenizer = tokenizer
        for body in architecture["bodies"]:
            self.add_module(body["name"], build_body(body, architecture["pooling"]))
        p = architecture["proj"]
        self.proj = nn.Linear(p["in_features"], p["out_features"], bias=p["bias"])

    def forward(self, code=None, trace=None, anchor=None):
        """code = (ids, lengths), or a bag's (ids, offsets, weights); trace = (blocks, values,
        lengths); anchor = the anchor's (ids, offsets, weights), as the bodies need."""
        parts = [self.code(*code)] if hasattr(self, "code") else []
        if hasattr(self, "trace"):
            parts.append(self.trace(*trace))
        out = self.proj(torch.cat(parts, dim=1))
        if getattr(getattr(self, "code", None), "anchor", None) is None:
            return out
        if anchor is None:
            raise ValueError("this bag model's embedding needs its anchor's bag too (batch() gives both)")
        w = self.code.anchor_weight
        ids, offsets, weights = anchor
        lexical = F.normalize(self.code.anchor(ids, offsets, per_sample_weights=weights), dim=1)
        return torch.cat([math.sqrt(1 - w) * F.normalize(out, dim=1), math.sqrt(w) * lexical], dim=1)

    def batch(self, codes, traces=None):
        """Tokenized, padded inputs of forward() for lists of code strings and trace rows."""
        out = {}
        if isinstance(getattr(self, "code", None), BagOfFeatures):
            features = self.tokenizer.bag
            out["code"] = bag_input([features.bag(c) for c in codes])
            if self.code.anchor is not None:
                out["anchor"] = bag_input([features.anchor_bag(c) for c in codes])
        elif hasattr(self, "code"):
            out["code"] = pad([self.tokenizer.code_ids(c) for c in codes])
        if hasattr(self, "trace"):
            rows = traces if traces is not None else [None] * len(codes)
            events = [self.tokenizer.trace_events(r) for r in rows]
            blocks, lengths = pad([e[0] for e in events])
            out["trace"] = (blocks, pad([e[1] for e in events])[0], lengths)
        return out

    @torch.no_grad()
    def embed(self, codes, traces=None, batch_size=BATCH_SIZE):
        """Embeddings [N, dim] of code strings (and their traces.jsonl rows for trace models), as
        `tracecode embed` gives them: real positions only (the same vector alone or in any batch),
        unit vectors for a cosine model."""
        self.eval()
        bodies = [m for m in (getattr(self, "code", None), getattr(self, "trace", None)) if m is not None]
        for body in bodies:
            body.reading = "real"
        try:
            out = []
            for i in range(0, len(codes), batch_size):
                chunk = None if traces is None else traces[i : i + batch_size]
                out.append(self(**self.batch(codes[i : i + batch_size], chunk)))
        finally:
            for body in bodies:
                body.reading = "paper"
        e = torch.cat(out) if out else torch.zeros(0, self.proj.out_features)
        if self.architecture.get("distance") == "cosine":
            e = e / e.norm(dim=1, keepdim=True).clamp_min(torch.finfo(e.dtype).tiny)
        return e


# --- loading ---


def read_safetensors(path):
    """A .safetensors file (F32 tensors) as a state dict, without the safetensors package."""
    raw = pathlib.Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} has dtype {info['dtype']}, only F32 is read")
        begin, end = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(info["shape"]).clone()
    return out


def load(model_dir):
    """The model saved in model_dir, weights loaded with strict=True, in eval mode."""
    d = pathlib.Path(model_dir)
    if not d.exists():
        raise FileNotFoundError(f"{d}: no such model folder")
    if not d.is_dir():
        raise NotADirectoryError(f"{d} is a file, not a model folder (one with model.safetensors, "
                                 "tokenizer.json and architecture.json)")
    for name in ("tokenizer.json", "architecture.json"):
        if not (d / name).exists():
            raise FileNotFoundError(f"{d / name} is missing: a model saved before these files existed; "
                                    "write them with `npx tsx tools/write-model-spec.ts MODEL_DIR`")
    tokenizer = Tokenizer(json.loads((d / "tokenizer.json").read_text(encoding="utf-8")))
    model = TraceCodeEncoder(json.loads((d / "architecture.json").read_text(encoding="utf-8")), tokenizer)
    model.load_state_dict(read_safetensors(d / "model.safetensors"), strict=True)
    return model.eval()


PARQUET_MAGIC = b"PAR1"


class CommandError(Exception):
    """A problem with the command's input, printed as one line (no traceback)."""


def read_jsonl(path, flag):
    """The rows of a JSONL file given as flag; a Parquet file or bad line is a CommandError."""
    p = pathlib.Path(path)
    if not p.is_file():
        raise CommandError(f"{flag} {path}: " + ("not a file" if p.exists() else "no such file"))
    with open(p, "rb") as f:
        parquet = f.read(4) == PARQUET_MAGIC
    if parquet or p.suffix.lower() == ".parquet":
        # Reading Parquet would need pyarrow or duckdb: this script needs only torch.
        raise CommandError(
            f"{flag} {path} is Parquet, which this script does not read (JSONL only: it needs nothing but torch); "
            f"`tracecode embed --model MODEL_DIR --in FILE [--traces FILE]` reads Parquet and gives the same "
            f"vectors, or convert it to JSONL, e.g. duckdb -c \"COPY (FROM '{path}') TO 'rows.jsonl' (FORMAT json)\" "
            f"or with pandas: pd.read_parquet('{path}').to_json('rows.jsonl', orient='records', lines=True)")
    rows = []
    try:
        with open(p, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as e:
                    raise CommandError(f"{flag} {path}:{n}: not valid JSON ({e})") from None
                if not isinstance(row, dict) or "id" not in row:
                    raise CommandError(f"{flag} {path}:{n}: not a row with an \"id\"")
                rows.append(row)
    except UnicodeDecodeError:
        raise CommandError(f"{flag} {path} is not UTF-8 text: a JSONL file was expected") from None
    return rows


def count(n, noun):
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def check_traces_found(rows, traces, args):
    """As `tracecode embed`: a row without a trace is embedded by its status alone ("not traced"),
    fine for a few (a warning naming some), but none at all means the traces of another file."""
    missing = [r["id"] for r, t in zip(rows, traces) if t is None]
    if not missing:
        return
    source = " and ".join(
        (["the --code strings (ids 0, 1, …)"] if args.code else []) + ([f"--in {args.inp}"] if args.inp else []))
    if len(missing) == len(rows):
        fix = f": trace this file with tracecode trace --in {args.inp}" if args.inp and not args.code else ""
        raise CommandError(
            f"--traces {args.traces}: no trace for any row of {source} (traces are matched by id){fix}")
    shown = ", ".join(str(i) for i in missing[:3]) + (", …" if len(missing) > 3 else "")
    sys.stderr.write(
        f"tracecode_torch.py: warning: {count(len(missing), 'row')} of {source} "
        f"{'has' if len(missing) == 1 else 'have'} no trace in --traces {args.traces} ({shown}): "
        "embedded as not traced\n")


def run(args, parser):
    rows = [{"id": str(i), "code": c} for i, c in enumerate(args.code)]
    if args.inp:
        functions = read_jsonl(args.inp, "--in")
        for r in functions:
            if not isinstance(r.get("code"), str):
                raise CommandError(f"--in {args.inp}: row {r['id']!r} has no \"code\" string")
        rows += functions
    torch.set_num_threads(1)
    model = load(args.model_dir)
    traces = None
    if hasattr(model, "trace"):
        if not args.traces:
            parser.error(f"the {model.architecture['kind']} model reads traces: pass --traces FILE")
        by_id = {r["id"]: r for r in read_jsonl(args.traces, "--traces")}
        traces = [by_id.get(r["id"]) for r in rows]
        check_traces_found(rows, traces, args)
    vectors = model.embed([r["code"] for r in rows], traces)
    for r, v in zip(rows, vectors):
        sys.stdout.write(json.dumps({"id": r["id"], "embedding": v.tolist()}) + "\n")
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Embed Python code with a TraceCode model (JSON lines out).")
    parser.add_argument("model_dir")
    parser.add_argument("--code", action="append", default=[], help="a code string (repeatable); ids 0, 1, …")
    parser.add_argument("--in", dest="inp", help="functions JSONL file (rows with id and code); not Parquet")
    parser.add_argument("--traces", help="traces JSONL file, for trace and joint models; not Parquet")
    args = parser.parse_args(argv)
    try:
        run(args, parser)
    except BrokenPipeError:
        # The reader went away (`| head`): no traceback, and none at exit either (Python's
        # recipe: stdout pointed at /dev/null so the final flush cannot fail again).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except (CommandError, OSError, ValueError) as e:
        # Expected problems (a missing folder or file, a model this file cannot embed with) as
        # one line, exit 1; a bug still gives its traceback.
        sys.stderr.write(f"tracecode_torch.py: error: {e}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
