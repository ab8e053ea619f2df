#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures that the TypeScript tests compare against.

Run with an interpreter that has PyTorch 1.13 (Debian: apt-get install python3-torch):
    /usr/bin/python3 tools/parity/make_fixtures.py
Each module in tools/parity/parts/ defines make(save), where save(name, tensors) writes
test/fixtures/parity/<name>.json with float64-printed values. Seeds are fixed, so
rerunning reproduces the committed files.
"""
import importlib.util
import json
import pathlib
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "test" / "fixtures" / "parity"
PARTS = pathlib.Path(__file__).resolve().parent / "parts"


def to_entry(value):
    if isinstance(value, torch.Tensor):
        t = value.detach().to(torch.float64).contiguous()
        return {"shape": list(t.shape), "data": t.flatten().tolist()}
    if isinstance(value, (int, float, bool, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [to_entry(v) for v in value]
    if isinstance(value, dict):
        return {k: to_entry(v) for k, v in value.items()}
    raise TypeError(f"cannot store {type(value)}")


def save(name, tensors):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps({k: to_entry(v) for k, v in tensors.items()}) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


def main():
    torch.set_num_threads(1)
    only = set(sys.argv[1:])
    for file in sorted(PARTS.glob("*.py")):
        if only and file.stem not in only:
            continue
        spec = importlib.util.spec_from_file_location(file.stem, file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        torch.manual_seed(0)
        module.make(save)


if __name__ == "__main__":
    main()
