"""PyTorch side of `npm run bench -- transformer` (src/bench/transformer.ts): a training step
and an inference pass of the project's token Transformer (python/tracecode_torch.py), one
thread; prints one JSON line (median wall and CPU time per step, inference throughput).

    python3 src/bench/torch_transformer.py '{"vocab": 200, "dim": 64, ...}' STEPS
"""
import json
import pathlib
import statistics
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "python"))
from tracecode_torch import TokenTransformer  # noqa: E402


def main():
    c, steps = json.loads(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    # Embedding + sinusoidal positions → post-norm layers with a key padding mask → mean pool.
    model = TokenTransformer(c["vocab"], c["dim"], c["heads"], c["ff"], c["layers"], dropout=0.1,
                             max_len=c["steps"], pooling="mean")
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"])
    lengths = torch.randint(10, c["steps"] + 1, (c["batch"],))
    valid = torch.arange(c["steps"])[None, :] < lengths[:, None]
    ids = torch.randint(1, c["vocab"], (c["batch"], c["steps"])) * valid
    times, cpu = [], []
    for i in range(c["warmup"] + steps):
        start, start_cpu = time.perf_counter(), time.process_time()
        loss = model(ids, lengths).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= c["warmup"]:
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    model.eval()
    infer = []
    with torch.no_grad():
        for i in range(c["warmup"] + steps):
            start = time.perf_counter()
            model(ids, lengths)
            if i >= c["warmup"]:
                infer.append(time.perf_counter() - start)
    print(json.dumps({"stepMs": statistics.median(times), "stepCpuMs": statistics.median(cpu),
                      "inferPerSec": c["batch"] / statistics.median(infer)}))


if __name__ == "__main__":
    main()
