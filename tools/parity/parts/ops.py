"""Parity fixtures for the ops of src/nn/ops: every element-wise, reduction, shape, matmul
(with `affine`) and pooling op, plus `l2Normalize`, each on a few small shapes.

One fixture, `ops.json`: {op: [case, ...]} with the op named as src/nn/ops exports it. A case is
{args, inputs, out, upstream, grads}: float32 inputs, the keyword arguments the op takes
(axis, lengths, ...), PyTorch's output and the gradient of every input for a random upstream
gradient. Outputs and gradients are computed in float64 from the float32 inputs, so they are
the exact values our float32 ops should approach. `paddingMask` returns no tensor to
differentiate: its cases have no upstream and no grads. Read by `test/helpers/parity.ts`.

Run through make_fixtures.py: `/usr/bin/python3 tools/parity/make_fixtures.py ops`.
"""
import torch
import torch.nn.functional as F


def randn(*shape, scale=1.0):
    return torch.randn(*shape, dtype=torch.float32) * scale


def positive(*shape):
    """Away from 0, where log, sqrt and division are steep."""
    return 0.5 + randn(*shape).abs()


def away_from_zero(*shape):
    """Either sign, |x| ≥ 0.5: denominators."""
    x = randn(*shape)
    return x.sign() * (0.5 + x.abs())


def with_values(x, values):
    """x with its first elements set to `values` (exact zeros, clamp bounds, ...)."""
    flat = x.flatten().clone()
    flat[: len(values)] = torch.tensor(values, dtype=torch.float32)
    return flat.reshape(x.shape)


def case(fn, inputs, **args):
    """fn(*inputs, **args) in float64; the gradients of the inputs for a random upstream."""
    xs = [x.to(torch.float64).requires_grad_() for x in inputs]
    out = fn(*xs, **args)
    upstream = torch.randn(out.shape, dtype=torch.float32)
    out.backward(upstream.to(torch.float64))
    grads = [torch.zeros_like(x) if x.grad is None else x.grad for x in xs]
    return {"args": args, "inputs": inputs, "out": out, "upstream": upstream, "grads": grads}


def binary_cases(fn, second=randn):
    shapes = [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((2, 1, 3), (1, 4, 1))]
    return [case(fn, [randn(*a), second(*b)]) for a, b in shapes]


def unary_cases(fn, make=randn, **args):
    return [case(fn, [make(3, 5)], **args), case(fn, [make(2, 2, 3)], **args)]


def masked_mean(x, lengths):
    steps = x.shape[1]
    lengths = torch.tensor(lengths)
    mask = (torch.arange(steps)[None, :] < lengths[:, None]).to(x.dtype)
    # A sequence of length 0 pools to zeros (our convention; 0/0 in a plain mean).
    return (x * mask[..., None]).sum(1) / lengths.clamp(min=1)[:, None].to(x.dtype)


def last_valid(x, lengths):
    return x[torch.arange(x.shape[0]), torch.tensor(lengths) - 1]


def padding_mask(lengths, steps):
    lengths = torch.tensor(lengths)
    return (torch.arange(steps)[None, :] >= lengths[:, None]).to(torch.float64)


def reduce_cases(fn):
    x = lambda: randn(2, 3, 4)  # noqa: E731
    return [
        case(lambda t: fn(t), [x()]),
        case(lambda t, axis, keepDim: fn(t, axis, keepDim), [x()], axis=1, keepDim=False),
        case(lambda t, axis, keepDim: fn(t, axis, keepDim), [x()], axis=-1, keepDim=True),
        case(lambda t, axis, keepDim: fn(t, axis, keepDim), [x()], axis=0, keepDim=False),
    ]


def make_ops():
    scalar = lambda f: lambda t, s: f(t, s)  # noqa: E731
    return {
        # element-wise, binary with broadcasting
        "add": binary_cases(torch.add),
        "sub": binary_cases(torch.sub),
        "mul": binary_cases(torch.mul),
        "div": binary_cases(torch.div, second=away_from_zero),
        "maximum": binary_cases(torch.maximum),
        # element-wise, unary
        "neg": unary_cases(torch.neg),
        "scale": unary_cases(scalar(torch.mul), s=-2.5),
        "addScalar": unary_cases(scalar(torch.add), s=3.0),
        "exp": unary_cases(torch.exp, make=lambda *s: randn(*s, scale=2.0)),
        "log": unary_cases(torch.log, make=positive),
        "sqrt": unary_cases(torch.sqrt, make=positive),
        "square": unary_cases(torch.square),
        "tanh": unary_cases(torch.tanh, make=lambda *s: randn(*s, scale=2.0)),
        "sigmoid": unary_cases(torch.sigmoid, make=lambda *s: randn(*s, scale=3.0)),
        # exact zeros: the gradient there is 0 (threshold_backward)
        "relu": unary_cases(torch.relu, make=lambda *s: with_values(randn(*s), [0.0, -0.0])),
        # values on the bounds keep their gradient (clamp_backward: min ≤ x ≤ max)
        "clamp": unary_cases(
            lambda t, min, max: t.clamp(min, max),
            make=lambda *s: with_values(randn(*s), [-0.5, 0.5]),
            min=-0.5,
            max=0.5,
        ),
        # reductions
        "sum": reduce_cases(lambda t, axis=None, keepDim=False: t.sum() if axis is None
                            else t.sum(axis, keepdim=keepDim)),
        "mean": reduce_cases(lambda t, axis=None, keepDim=False: t.mean() if axis is None
                             else t.mean(axis, keepdim=keepDim)),
        # shape
        "reshape": [
            case(lambda t, shape: t.reshape(shape), [randn(2, 3, 4)], shape=[4, -1]),
            case(lambda t, shape: t.reshape(shape), [randn(2, 3)], shape=[6]),
        ],
        "transpose": [  # ours swaps the last two dimensions
            case(lambda t: t.transpose(-1, -2), [randn(3, 4)]),
            case(lambda t: t.transpose(-1, -2), [randn(2, 3, 4)]),
        ],
        "concat": [
            case(lambda *ts, axis: torch.cat(ts, axis), [randn(2, 3), randn(1, 3)], axis=0),
            case(lambda *ts, axis: torch.cat(ts, axis), [randn(2, 3), randn(2, 2), randn(2, 1)],
                 axis=1),
            case(lambda *ts, axis: torch.cat(ts, axis), [randn(2, 2, 3), randn(2, 2, 1)],
                 axis=-1),
        ],
        "gather": [  # rows along the first dimension, repeated rows accumulate
            case(lambda t, index: t[torch.tensor(index)], [randn(4, 3)], index=[2, 0, 2, 3]),
            case(lambda t, index: t[torch.tensor(index)], [randn(3, 2, 2)], index=[1, 1, 0]),
        ],
        # matrix products
        "matmul": [
            case(torch.matmul, [randn(3, 4), randn(4, 5)]),
            case(torch.matmul, [randn(5, 7), randn(7, 9)]),  # beyond one 4×8 register tile
            case(torch.matmul, [randn(2, 3, 4), randn(4, 5)]),  # leading dims folded
            case(torch.matmul, [randn(2, 3, 4), randn(2, 4, 5)]),  # batched
            case(torch.matmul, [randn(4), randn(4, 3)]),  # a vector
        ],
        "affine": [
            case(F.linear, [randn(3, 5), randn(4, 5), randn(4)]),
            case(F.linear, [randn(2, 3, 5), randn(6, 5), randn(6)]),
            case(F.linear, [randn(3, 5), randn(4, 5)]),  # no bias
        ],
        # pooling over x[B, T, D]
        "maskedMeanPool": [
            case(masked_mean, [randn(3, 4, 2)], lengths=[4, 1, 0]),
            case(masked_mean, [randn(2, 3, 3)], lengths=[2, 3]),
        ],
        "lastValidPool": [
            case(last_valid, [randn(3, 4, 2)], lengths=[2, 4, 1]),
        ],
        "lastPool": [
            case(lambda t: t[:, -1], [randn(2, 3, 2)]),
        ],
        "paddingMask": [
            {"args": {"lengths": [3, 1, 0], "steps": 3}, "inputs": [],
             "out": padding_mask([3, 1, 0], 3)},
        ],
        # normalisation
        "l2Normalize": [
            case(lambda t: F.normalize(t, dim=-1), [randn(3, 4)]),
            # a zero row: x / max(‖x‖, 1e-12) stays 0, its gradient is g / 1e-12
            case(lambda t: F.normalize(t, dim=-1), [with_values(randn(2, 3), [0.0, 0.0, 0.0])]),
        ],
    }


# Ties: torch.maximum splits the gradient of equal inputs evenly; ours gives it all to `a`.
def make_ties():
    a = torch.tensor([1.0, 2.0, -1.0, 0.5])
    b = torch.tensor([1.0, 1.0, 0.0, 0.5])
    return [case(torch.maximum, [a, b])]


def make(save):
    ops = make_ops()
    ops["maximum_ties"] = make_ties()
    save("ops", ops)
