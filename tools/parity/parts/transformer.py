"""Parity fixtures for attention and the Transformer: TransformerEncoderLayer (relu and gelu,
with a key padding mask), LayerNorm, softmax/log_softmax and GELU.

Values are drawn in float32 and the computation runs in float64, so the fixtures are the
exact answer for float32 inputs and our float32 results are judged against the truth.
TransformerEncoderLayer runs in train mode with dropout 0: in eval mode PyTorch 1.13 may take
its fused fast path, which returns zeros at padded query positions; the standard path (ours)
computes those positions like any other query, attending to the unpadded keys.
"""
import torch
import torch.nn.functional as F


def f32(*shape):
    return torch.randn(*shape, dtype=torch.float32).double()


def encoder_layer(save, activation):
    d_model, nhead, ff, batch, steps = 16, 2, 32, 3, 5
    layer = torch.nn.TransformerEncoderLayer(
        d_model, nhead, dim_feedforward=ff, dropout=0.0, activation=activation, batch_first=True
    )
    with torch.no_grad():  # non-trivial norms, so their parameters' gradients are exercised
        for name in ("norm1", "norm2"):
            getattr(layer, name).weight.add_(0.3 * torch.randn(d_model))
            getattr(layer, name).bias.add_(0.3 * torch.randn(d_model))
    layer = layer.double().train()
    lengths = [5, 3, 1]
    mask = torch.arange(steps)[None, :] >= torch.tensor(lengths)[:, None]
    x = f32(batch, steps, d_model).requires_grad_(True)
    out = layer(x, src_key_padding_mask=mask)
    upstream = f32(*out.shape)
    out.backward(upstream)
    entry = {
        "config": {
            "dModel": d_model,
            "nhead": nhead,
            "dimFeedforward": ff,
            "activation": activation,
            "lengths": lengths,
        },
        "x": x,
        "out": out,
        "upstream": upstream,
        "x_grad": x.grad,
    }
    for name, p in layer.named_parameters():
        entry[f"param.{name}"] = p
        entry[f"grad.{name}"] = p.grad
    save(f"transformer_encoder_layer_{activation}", entry)


def layer_norm(save):
    x = f32(4, 7).requires_grad_(True)
    weight = f32(7).requires_grad_(True)
    bias = f32(7).requires_grad_(True)
    out = F.layer_norm(x, (7,), weight, bias, eps=1e-5)
    upstream = f32(4, 7)
    out.backward(upstream)
    save(
        "layer_norm",
        {
            "x": x,
            "weight": weight,
            "bias": bias,
            "out": out,
            "upstream": upstream,
            "x_grad": x.grad,
            "weight_grad": weight.grad,
            "bias_grad": bias.grad,
        },
    )


def softmaxes(save):
    # Large logits check the max shift: exp(60) alone overflows float32.
    x = (f32(3, 6) * 20).requires_grad_(True)
    upstream = f32(3, 6)
    entry = {"x": x, "upstream": upstream}
    for name, fn in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
        x.grad = None
        out = fn(x, dim=-1)
        out.backward(upstream)
        entry[f"{name}_out"] = out
        entry[f"{name}_grad"] = x.grad.clone()
    save("softmax", entry)


def gelu(save):
    x = torch.cat([torch.linspace(-8, 8, 65, dtype=torch.float32).double(), f32(31)])
    x.requires_grad_(True)
    out = F.gelu(x)
    upstream = f32(*out.shape)
    out.backward(upstream)
    save("gelu", {"x": x, "out": out, "upstream": upstream, "x_grad": x.grad})


def make(save):
    encoder_layer(save, "relu")
    encoder_layer(save, "gelu")
    layer_norm(save)
    softmaxes(save)
    gelu(save)
