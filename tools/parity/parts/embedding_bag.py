"""Parity fixture for `EmbeddingBag` (src/nn/layers/embedding-bag.ts).

`embedding_bag`: `nn.EmbeddingBag(12, 5, mode="sum")` on three bags given as flat ids and
offsets (bag 1 empty, ids repeated within and across bags), with per-sample weights that require
gradient: the output and, for a random upstream gradient, the gradients of the weight table and
of the per-sample weights, computed in float64 from float32 values.

Run through make_fixtures.py: `/usr/bin/python3 tools/parity/make_fixtures.py embedding_bag`.
"""
import torch
from torch import nn


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
