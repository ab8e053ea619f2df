/**
 * `npm run bench -- transformer [--steps N] [--no-torch]`: one training step of a small token
 * Transformer encoder — embedding (vocab 200, d 64, padding id 0) + sinusoidal positions +
 * 2 post-norm layers (4 heads, ff 128, dropout 0.1, key padding mask) + masked mean pooling +
 * a squared-norm loss, forward + backward + Adam — on 96 sequences of length ≤ 50; then an
 * inference pass (eval mode, no graph). The identical model runs in PyTorch with one thread
 * when `python3 -c 'import torch'` works, and the ratio is printed.
 */
import { spawnSync } from "node:child_process";
import {
  Adam,
  Module,
  noGrad,
  ops,
  SinusoidalPositionalEncoding,
  type Tensor,
  TransformerEncoder,
} from "../nn/index.js";
import { Embedding } from "../nn/layers/embedding.js";
import { Random } from "../random/index.js";

const VOCAB = 200;
const DIM = 64;
const LAYERS = 2;
const HEADS = 4;
const FF = 128;
const STEPS = 50;
const BATCH = 96;
const LR = 1e-3;
const WARMUP = 3;

class TokenEncoder extends Module {
  readonly embedding: Embedding;
  readonly positions = new SinusoidalPositionalEncoding(DIM, STEPS);
  readonly encoder: TransformerEncoder;

  constructor(rng: Random) {
    super();
    this.embedding = this.child(
      "embedding",
      new Embedding(VOCAB, DIM, { paddingIdx: 0, rng: rng.fork("embedding") }),
    );
    this.encoder = this.child(
      "encoder",
      new TransformerEncoder(
        { dModel: DIM, nhead: HEADS, dimFeedforward: FF, dropout: 0.1, rng: rng.fork("encoder") },
        LAYERS,
      ),
    );
  }

  forward(ids: Int32Array, lengths: Int32Array): Tensor {
    const x = this.positions.forward(this.embedding.forward(ids, [lengths.length, STEPS]));
    const h = this.encoder.forward(x, ops.paddingMask(lengths, STEPS));
    return ops.maskedMeanPool(h, lengths);
  }
}

function batch(rng: Random): { ids: Int32Array; lengths: Int32Array } {
  const lengths = Int32Array.from({ length: BATCH }, () => rng.int(10, STEPS));
  const ids = new Int32Array(BATCH * STEPS);
  for (let b = 0; b < BATCH; b++)
    for (let t = 0; t < lengths[b]; t++) ids[b * STEPS + t] = rng.int(1, VOCAB - 1);
  return { ids, lengths };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timeOurs(steps: number): { stepMs: number; inferPerSec: number } {
  const rng = new Random(0);
  const model = new TokenEncoder(rng.fork("model"));
  const data = batch(rng.fork("data"));
  const adam = new Adam(model.parameters(), { lr: LR });
  const times: number[] = [];
  for (let i = 0; i < WARMUP + steps; i++) {
    const start = performance.now();
    const pooled = model.forward(data.ids, data.lengths);
    const loss = ops.mean(ops.square(pooled));
    adam.zeroGrad();
    loss.backward();
    adam.step();
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  model.eval();
  const inferTimes: number[] = [];
  for (let i = 0; i < WARMUP + steps; i++) {
    const start = performance.now();
    noGrad(() => model.forward(data.ids, data.lengths));
    if (i >= WARMUP) inferTimes.push(performance.now() - start);
  }
  return { stepMs: median(times), inferPerSec: BATCH / (median(inferTimes) / 1000) };
}

const TORCH_SCRIPT = `
import json, sys, time, math, torch
torch.set_num_threads(1)
torch.manual_seed(0)
VOCAB, DIM, LAYERS, HEADS, FF, STEPS, BATCH, LR, WARMUP = ${VOCAB}, ${DIM}, ${LAYERS}, ${HEADS}, ${FF}, ${STEPS}, ${BATCH}, ${LR}, ${WARMUP}
steps = int(sys.argv[1])
pe = torch.zeros(STEPS, DIM)
pos = torch.arange(STEPS, dtype=torch.float32)[:, None]
div = torch.exp(torch.arange(0, DIM, 2, dtype=torch.float32) * (-math.log(10000.0) / DIM))
pe[:, 0::2] = torch.sin(pos * div)
pe[:, 1::2] = torch.cos(pos * div)
emb = torch.nn.Embedding(VOCAB, DIM, padding_idx=0)
layer = torch.nn.TransformerEncoderLayer(DIM, HEADS, dim_feedforward=FF, dropout=0.1, batch_first=True)
enc = torch.nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False)
params = list(emb.parameters()) + list(enc.parameters())
opt = torch.optim.Adam(params, lr=LR)
lengths = torch.randint(10, STEPS + 1, (BATCH,))
valid = torch.arange(STEPS)[None, :] < lengths[:, None]
ids = torch.randint(1, VOCAB, (BATCH, STEPS)) * valid
def forward():
    h = enc(emb(ids) + pe, src_key_padding_mask=~valid)
    return (h * valid[:, :, None]).sum(1) / lengths[:, None]
times = []
for i in range(WARMUP + steps):
    start = time.perf_counter()
    loss = forward().square().mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if i >= WARMUP:
        times.append((time.perf_counter() - start) * 1000)
emb.eval(); enc.eval()
infer = []
with torch.no_grad():
    for i in range(WARMUP + steps):
        start = time.perf_counter()
        forward()
        if i >= WARMUP:
            infer.append(time.perf_counter() - start)
times.sort(); infer.sort()
print(json.dumps({"stepMs": times[len(times) // 2], "inferPerSec": BATCH / infer[len(infer) // 2]}))
`;

function timeTorch(steps: number): { stepMs: number; inferPerSec: number } | string {
  for (const python of ["/usr/bin/python3", "python3"]) {
    const run = spawnSync(python, ["-c", TORCH_SCRIPT, String(steps)], { encoding: "utf8" });
    if (run.status === 0) return JSON.parse(run.stdout.trim().split("\n").pop() ?? "") as never;
    if (run.stderr && !/No module named 'torch'|ENOENT/.test(run.stderr)) return run.stderr.trim();
  }
  return "PyTorch not available";
}

export default async function transformerBench(args: string[]): Promise<void> {
  const stepsArg = args.indexOf("--steps");
  const steps = Math.max(10, stepsArg >= 0 ? Number(args[stepsArg + 1]) : 20);
  console.log(
    `Transformer encoder step: vocab ${VOCAB}, d ${DIM}, ${LAYERS} layers, ${HEADS} heads, ` +
      `ff ${FF}, seq ${STEPS}, batch ${BATCH}; median of ${steps} steps after ${WARMUP} warm-up`,
  );
  const ours = timeOurs(steps);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `  ours    ${ours.stepMs.toFixed(1)} ms/step  inference ${ours.inferPerSec.toFixed(0)} seq/s  peak RSS ${rssMb.toFixed(0)} MB`,
  );
  if (args.includes("--no-torch")) return;
  const torch = timeTorch(steps);
  if (typeof torch === "string") {
    console.log(`  PyTorch skipped: ${torch.split("\n").pop()}`);
    return;
  }
  console.log(
    `  PyTorch ${torch.stepMs.toFixed(1)} ms/step  inference ${torch.inferPerSec.toFixed(0)} seq/s  (1 thread)`,
  );
  console.log(
    `  ratio   ${(ours.stepMs / torch.stepMs).toFixed(2)}× PyTorch's step time, ` +
      `${(torch.inferPerSec / ours.inferPerSec).toFixed(2)}× its inference time`,
  );
}
