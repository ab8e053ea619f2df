"""Parity fixture for `EmbeddingBag` (src/nn/layers/embedding-bag.ts), and the check that a
bag-of-features encoder written by our TypeScript code loads into PyTorch.

`embedding_bag`: `nn.EmbeddingBag(12, 5, mode="sum")` on three bags given as flat ids and
offsets (bag 1 empty, ids repeated within and across bags), with per-sample weights that require
gradient: the output and, for a random upstream gradient, the gradients of the weight table and
of the per-sample weights, computed in float64 from float32 values.

Then `npx tsx tools/parity/export-bag.ts DIR` saves a `bag` encoder and each snippet's bag; the
run fails unless `nn.EmbeddingBag` + `nn.Linear`, loaded with `load_state_dict(strict=True)` from
its `model.safetensors` and built from its `architecture.json`, give our embeddings within 1e-5;
and the same for its `anchored/` encoder (a frozen anchor table beside the trained one, joined
by F.normalize, scaling and torch.cat).

    /usr/bin/python3 tools/parity/make_fixtures.py embedding_bag
    /usr/bin/python3 tools/parity/parts/embedding_bag.py --check-export DIR
"""
import json
import pathlib
import sys

import torch
import torch.nn.functional as F
from torch import nn

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "tools" / "parity"))
from tracecode_torch import read_safetensors  # noqa: E402
from ts_export import check_agreement, check_ts_export, export_check_main  # noqa: E402


def summed(table, bags):
    """EmbeddingBag(mode="sum") over bags given as rows and per-sample weights."""
    ids = torch.tensor([i for b in bags for i in b["ids"]])
    weights = torch.tensor([w for b in bags for w in b["weights"]])
    offsets, start = [], 0
    for b in bags:
        offsets.append(start)
        start += len(b["ids"])
    return table(ids, torch.tensor(offsets), per_sample_weights=weights)


class BagEncoder(nn.Module):
    """The `bag` encoder's layers under their state_dict keys: code.bag.weight, code.anchor.weight
    (when it has an anchor), proj.*."""

    def __init__(self, arch):
        super().__init__()
        body = arch["bodies"][0]
        bag = body["bag"]
        self.code = nn.Module()
        self.code.bag = nn.EmbeddingBag(bag["num_embeddings"], bag["embedding_dim"], mode=bag["mode"])
        anchor = body.get("anchor")
        self.anchor_weight = anchor["weight"] if anchor else None
        if anchor:
            self.code.anchor = nn.EmbeddingBag(
                anchor["num_embeddings"], anchor["embedding_dim"], mode=anchor["mode"])
            self.code.anchor.weight.requires_grad_(False)
        proj = arch["proj"]
        self.proj = nn.Linear(proj["in_features"], proj["out_features"], bias=proj["bias"])

    def forward(self, bags, anchor_bags=None):
        trained = self.proj(summed(self.code.bag, bags))
        if self.anchor_weight is None:
            return trained
        w = self.anchor_weight
        lexical = summed(self.code.anchor, anchor_bags)
        return torch.cat([(1 - w) ** 0.5 * F.normalize(trained, dim=1),
                          w ** 0.5 * F.normalize(lexical, dim=1)], dim=1)


def check_one(directory, what):
    arch = json.loads((directory / "architecture.json").read_text())
    ours = json.loads((directory / "bags.json").read_text())
    model = BagEncoder(arch)
    model.load_state_dict(read_safetensors(directory / "model.safetensors"), strict=True)
    with torch.no_grad():
        emb = model(ours["bags"], ours.get("anchor_bags"))
    check_agreement(emb, torch.tensor(ours["embeddings"]), what)


def check_export(directory):
    directory = pathlib.Path(directory)
    check_one(directory, "bag encoder")
    if (directory / "anchored").is_dir():
        check_one(directory / "anchored", "bag encoder with an anchor")


def run_export_check():
    check_ts_export("export-bag.ts", check_export, "bag encoder")


def make(save):
    bag = nn.EmbeddingBag(12, 5, mode="sum")
    weight = bag.weight.detach().clone()
    ids = torch.tensor([3, 7, 3, 0, 11, 7, 2])
    offsets = torch.tensor([0, 3, 3])
    psw = torch.randn(len(ids))
    bag64 = nn.EmbeddingBag(12, 5, mode="sum").double()
    with torch.no_grad():
        bag64.weight.copy_(weight.double())
    w64 = psw.double().requires_grad_()
    out = bag64(ids, offsets, per_sample_weights=w64)
    upstream = torch.randn(out.shape)
    out.backward(upstream.double())
    save("embedding_bag", {
        "weight": weight, "ids": ids.tolist(), "offsets": offsets.tolist(),
        "per_sample_weights": psw, "out": out, "upstream": upstream,
        "grad_weight": bag64.weight.grad, "grad_per_sample_weights": w64.grad,
    })
    run_export_check()


if __name__ == "__main__":
    export_check_main(check_export, __doc__)
