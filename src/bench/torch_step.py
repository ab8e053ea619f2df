"""PyTorch side of `npm run bench -- step` (src/bench/step.ts): the paper's training step with
the project's char-LSTM (python/tracecode_torch.py), one thread; prints one JSON line.

    python3 src/bench/torch_step.py '{"vocab": 100, "length": 50, "perRole": 32, "margin": 0.2}' STEPS WARMUP
"""
import json
import pathlib
import resource
import statistics
import sys
import time

import torch
from torch import nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "python"))
from tracecode_torch import CharLstmEncoder  # noqa: E402


def main():
    config, steps, warmup = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    per_role, vocab, length = config["perRole"], config["vocab"], config["length"]
    # Embedding 32 → LSTM 64 × 2 (dropout 0.1) → last state → Linear 64; every snippet is full
    # length, so the last position is the last state.
    model = CharLstmEncoder(vocab, 32, 64, 64, num_layers=2, dropout=0.1, pooling="last")
    opt = torch.optim.Adam(model.parameters())
    loss_fn = nn.TripletMarginLoss(margin=config["margin"])
    ids = torch.randint(1, vocab, (3 * per_role, length))
    lengths = torch.full((3 * per_role,), length)
    times = []
    for s in range(warmup + steps):
        t = time.perf_counter()
        opt.zero_grad()
        e = model(ids, lengths)
        loss = loss_fn(e[:per_role], e[per_role : 2 * per_role], e[2 * per_role :])
        loss.backward()
        opt.step()
        if s >= warmup:
            times.append((time.perf_counter() - t) * 1000)
    model.eval()
    infer = []
    with torch.no_grad():
        for s in range(warmup + steps):
            t = time.perf_counter()
            model(ids, lengths)
            if s >= warmup:
                infer.append(time.perf_counter() - t)
    print(json.dumps({"stepMs": statistics.median(times), "inferPerSec": 3 * per_role / statistics.median(infer),
                      "loss": loss.item(), "maxRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "version": torch.__version__}))


if __name__ == "__main__":
    main()
