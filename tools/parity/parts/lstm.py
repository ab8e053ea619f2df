"""Parity fixtures for the recurrent stack: LSTM (plain and packed), Linear, Embedding with
padding_idx, Adam on a small char-LSTM encoder, and a full-size char-LSTM model exchanged in
both directions as .safetensors.

Run through make_fixtures.py (`/usr/bin/python3 tools/parity/make_fixtures.py lstm`), or
`/usr/bin/python3 tools/parity/parts/lstm.py --check-export DIR` to check only a model that
tools/parity/export-model.ts wrote to DIR.
"""
import json
import pathlib
import struct
import sys

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "test" / "fixtures" / "parity"
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "tools" / "parity"))
from tracecode_torch import CharLstmEncoder, read_safetensors  # noqa: E402
from ts_export import check_agreement, check_ts_export, export_check_main  # noqa: E402


def compact(t):
    """A tensor as {shape, data} with 9 significant digits: exact for float32, half the bytes."""
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(f"{v:.9g}") for v in t.flatten().tolist()]}


def state(module):
    return {k: compact(v) for k, v in module.state_dict().items()}


def grads(module):
    return {k: compact(p.grad) for k, p in module.named_parameters()}


def lstm_case(lengths):
    lstm = nn.LSTM(5, 6, num_layers=2, batch_first=True)
    x = torch.randn(3, 7, 5, requires_grad=True)
    if lengths is None:
        out, (h, c) = lstm(x)
    else:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        out, (h, c) = lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    g_out, g_h, g_c = torch.randn_like(out), torch.randn_like(h), torch.randn_like(c)
    ((out * g_out).sum() + (h * g_h).sum() + (c * g_c).sum()).backward()
    return {
        "lengths": lengths,
        "params": state(lstm),
        "x": compact(x),
        "output": compact(out),
        "h_n": compact(h),
        "c_n": compact(c),
        "grad_output": compact(g_out),
        "grad_h_n": compact(g_h),
        "grad_c_n": compact(g_c),
        "grad_x": compact(x.grad),
        "grads": grads(lstm),
    }


def CharLstm(vocab, emb, hidden, out):
    """The parity char-LSTM: the loader's, without dropout, pooled at the last valid step
    (h_n of the last layer). Keys embedding.*, lstm.*, proj.*."""
    return CharLstmEncoder(vocab, emb, hidden, out, num_layers=2, dropout=0.0, pooling="last-valid")


def char_batch(vocab, batch, steps, lengths):
    ids = torch.randint(1, vocab, (batch, steps))
    for b, n in enumerate(lengths):
        ids[b, n:] = 0
    return ids


def adam_case(options):
    model = CharLstm(vocab=12, emb=8, hidden=12, out=12)
    lengths = [9, 4, 7, 1, 9]
    ids = char_batch(12, len(lengths), 9, lengths)
    target = torch.randn(len(lengths), 12)
    initial = state(model)
    opt = torch.optim.Adam(model.parameters(), **options)
    losses, after = [], []
    for _ in range(5):
        opt.zero_grad()
        loss = ((model(ids, torch.tensor(lengths)) - target) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        after.append(state(model))
    return {
        "options": options,
        "ids": ids.flatten().tolist(),
        "shape": list(ids.shape),
        "lengths": lengths,
        "target": compact(target),
        "initial": initial,
        "losses": losses,
        "after": after,
    }


# --- safetensors, written by hand (the format is small; no extra package needed; the loader reads) ---

def write_safetensors(path, tensors, metadata=None):
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        raw = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    pathlib.Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def check_export(directory):
    """Loads a model written by our TypeScript code into PyTorch; its embeddings must match."""
    directory = pathlib.Path(directory)
    config = json.loads((directory / "config.json").read_text())
    ours = json.loads((directory / "embeddings.json").read_text())
    model = CharLstm(config["vocab"], config["embeddingDim"], config["hiddenSize"], config["outputDim"])
    model.load_state_dict(read_safetensors(directory / "model.safetensors"), strict=True)
    model.eval()
    ids = torch.tensor(ours["ids"]).reshape(ours["shape"])
    with torch.no_grad():
        emb = model(ids, torch.tensor(ours["lengths"]))
    check_agreement(emb, torch.tensor(ours["embeddings"]).reshape(emb.shape), "model")


def run_export_check():
    check_ts_export("export-model.ts", check_export, "model")


def make(save):
    torch.manual_seed(0)
    save("lstm_full", lstm_case(None))
    save("lstm_packed", lstm_case([7, 3, 5]))

    linear = nn.Linear(5, 4)
    x = torch.randn(3, 5, requires_grad=True)
    y = linear(x)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    save("linear", {"params": state(linear), "x": compact(x), "y": compact(y), "grad_y": compact(g),
                    "grad_x": compact(x.grad), "grads": grads(linear)})

    emb = nn.Embedding(10, 4, padding_idx=0)
    ids = torch.tensor([[0, 3, 3, 9], [1, 0, 0, 5]])
    y = emb(ids)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    save("embedding", {"params": state(emb), "ids": ids.flatten().tolist(), "shape": list(ids.shape),
                       "y": compact(y), "grad_y": compact(g), "grads": grads(emb)})

    torch.manual_seed(1)
    save("adam_char_lstm", adam_case({}))
    torch.manual_seed(2)
    save("adam_char_lstm_wd", adam_case({"lr": 0.005, "betas": (0.8, 0.99), "weight_decay": 0.1}))

    # The paper's char-LSTM encoder at full size, exchanged as .safetensors.
    torch.manual_seed(3)
    model = CharLstm(vocab=100, emb=32, hidden=64, out=64).eval()
    lengths = [20, 13, 5, 1]
    ids = char_batch(100, len(lengths), 20, lengths)
    with torch.no_grad():
        emb = model(ids, torch.tensor(lengths))
    write_safetensors(FIXTURES / "char_lstm.safetensors", model.state_dict(), {"format": "pt"})
    print("wrote test/fixtures/parity/char_lstm.safetensors")
    save("char_lstm_embeddings", {"config": {"vocab": 100, "embeddingDim": 32, "hiddenSize": 64, "outputDim": 64},
                                  "ids": ids.flatten().tolist(), "shape": list(ids.shape),
                                  "lengths": lengths, "embeddings": compact(emb)})
    run_export_check()


if __name__ == "__main__":
    export_check_main(check_export, __doc__)
