/**
 * `npm run bench -- transformer [--steps N] [--rounds N] [--seq N] [--no-torch]`: one training
 * step of a small token Transformer encoder — embedding (vocab 200, d 64, padding id 0) +
 * sinusoidal positions + 2 post-norm layers (4 heads, ff 128, dropout 0.1, key padding mask) +
 * masked mean pooling + a squared-norm loss, forward + backward + Adam — on 96 sequences of
 * lengths drawn from 10..seq (default 50; the default model trains on up to 128 tokens); then
 * an inference pass (eval mode, no graph). The identical model runs in PyTorch with one thread
 * when `python3 -c 'import torch'` works, in rounds that alternate the two; ratios are taken
 * within a round. Each side reports wall time and the CPU time of its process per step: on a
 * shared machine the wall time also counts the time other processes held the cores.
 */
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
import { benchPython, flag, median, range, runTorchScript } from "./side-by-side.js";

const VOCAB = 200;
const DIM = 64;
const LAYERS = 2;
const HEADS = 4;
const FF = 128;
const BATCH = 96;
const LR = 1e-3;
const WARMUP = 3;

class TokenEncoder extends Module {
  readonly embedding: Embedding;
  readonly positions: SinusoidalPositionalEncoding;
  readonly encoder: TransformerEncoder;

  constructor(
    rng: Random,
    readonly steps: number,
  ) {
    super();
    this.positions = new SinusoidalPositionalEncoding(DIM, steps);
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
    const x = this.positions.forward(this.embedding.forward(ids, [lengths.length, this.steps]));
    const h = this.encoder.forward(x, ops.paddingMask(lengths, this.steps));
    return ops.maskedMeanPool(h, lengths);
  }
}

function batch(rng: Random, seq: number): { ids: Int32Array; lengths: Int32Array } {
  const lengths = Int32Array.from({ length: BATCH }, () => rng.int(10, seq));
  const ids = new Int32Array(BATCH * seq);
  for (let b = 0; b < BATCH; b++)
    for (let t = 0; t < lengths[b]; t++) ids[b * seq + t] = rng.int(1, VOCAB - 1);
  return { ids, lengths };
}

/** CPU time of this process in ms (user + system). */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

function timeOurs(steps: number, seq: number): Result {
  const rng = new Random(0);
  const model = new TokenEncoder(rng.fork("model"), seq);
  const data = batch(rng.fork("data"), seq);
  const adam = new Adam(model.parameters(), { lr: LR });
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < WARMUP + steps; i++) {
    const start = performance.now();
    const startCpu = cpuMs();
    const pooled = model.forward(data.ids, data.lengths);
    const loss = ops.mean(ops.square(pooled));
    adam.zeroGrad();
    loss.backward();
    adam.step();
    if (i >= WARMUP) {
      times.push(performance.now() - start);
      cpu.push(cpuMs() - startCpu);
    }
  }
  model.eval();
  const inferTimes: number[] = [];
  for (let i = 0; i < WARMUP + steps; i++) {
    const start = performance.now();
    noGrad(() => model.forward(data.ids, data.lengths));
    if (i >= WARMUP) inferTimes.push(performance.now() - start);
  }
  return {
    stepMs: median(times),
    stepCpuMs: median(cpu),
    inferPerSec: BATCH / (median(inferTimes) / 1000),
  };
}

/** The same model in PyTorch (src/bench/torch_transformer.py), one thread. */
function runTorch(steps: number, seq: number): Result | string {
  const config = {
    vocab: VOCAB,
    dim: DIM,
    layers: LAYERS,
    heads: HEADS,
    ff: FF,
    steps: seq,
    batch: BATCH,
    lr: LR,
    warmup: WARMUP,
  };
  return runTorchScript<Result>(benchPython("torch_transformer.py"), [
    JSON.stringify(config),
    String(steps),
  ]);
}

interface Result {
  stepMs: number;
  /** CPU time of the process per step (median). */
  stepCpuMs: number;
  inferPerSec: number;
}

export default async function transformerBench(args: string[]): Promise<void> {
  const steps = Math.max(10, flag(args, "--steps", 20));
  const rounds = flag(args, "--rounds", 3);
  const seq = flag(args, "--seq", 50);
  if (!Number.isInteger(seq) || seq < 10) {
    throw new RangeError(`--seq must be an integer ≥ 10 (the shortest sequence), got ${seq}`);
  }
  const withTorch = !args.includes("--no-torch");
  console.log(
    `Transformer encoder step: vocab ${VOCAB}, d ${DIM}, ${LAYERS} layers, ${HEADS} heads, ` +
      `ff ${FF}, seq ≤ ${seq}, batch ${BATCH}; median of ${steps} steps after ${WARMUP} warm-up; ` +
      `${rounds} rounds alternating ours and PyTorch\n`,
  );
  const ours: Result[] = [];
  const torch: Result[] = [];
  let skipped = "";
  for (let round = 1; round <= rounds; round++) {
    const r = timeOurs(steps, seq);
    ours.push(r);
    const show = (x: Result) =>
      `${x.stepMs.toFixed(1)} ms (CPU ${x.stepCpuMs.toFixed(1)}), ${x.inferPerSec.toFixed(0)} seq/s`;
    const line = [`ours ${show(r)}`];
    if (withTorch && !skipped) {
      const t = runTorch(steps, seq);
      if (typeof t === "string") skipped = t;
      else {
        torch.push(t);
        line.push(`PyTorch ${show(t)}`);
      }
    }
    console.log(`round ${round}: ${line.join("; ")}`);
  }
  console.log("\nmedian [min–max] over rounds:");
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `ours: ${range(ours.map((r) => r.stepMs))} ms/step (CPU ${range(
      ours.map((r) => r.stepCpuMs),
    )}), inference ${range(
      ours.map((r) => r.inferPerSec),
      0,
    )} seq/s, peak RSS ${rssMb.toFixed(0)} MB`,
  );
  if (!withTorch) return;
  if (skipped) {
    console.log(`PyTorch: skipped (${skipped})`);
    return;
  }
  console.log(
    `PyTorch (1 thread): ${range(torch.map((t) => t.stepMs))} ms/step (CPU ${range(
      torch.map((t) => t.stepCpuMs),
    )}), inference ${range(
      torch.map((t) => t.inferPerSec),
      0,
    )} seq/s`,
  );
  const step = ours.map((r, i) => r.stepMs / torch[i].stepMs);
  const stepCpu = ours.map((r, i) => r.stepCpuMs / torch[i].stepCpuMs);
  const infer = ours.map((r, i) => r.inferPerSec / torch[i].inferPerSec);
  console.log(
    `ratio ours/PyTorch: step ${range(step, 2)}× (CPU time ${range(stepCpu, 2)}×), ` +
      `inference throughput ${range(infer, 2)}×`,
  );
}
