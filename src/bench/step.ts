/**
 * `npm run bench -- step [--steps N] [--warmup N] [--rounds N] [--kernels NAME] [--no-torch]`: the paper's training step —
 * 3×32 char-tokenised snippets of length 50 (vocab 100) → Embedding 32 → 2-layer LSTM (hidden
 * 64, dropout 0.1) → last state → Linear 64 → triplet margin loss (margin 0.2, Euclidean) →
 * backward → Adam — as median ms/step, plus an inference pass (embeddings/s), for each kernel
 * backend available and for PyTorch (one thread) in the same run, in rounds that alternate the
 * two; ratios are taken within a round.
 */

import { CharLstmEncoder } from "../models/index.js";
import {
  Adam,
  type Kernels,
  loadWasmKernels,
  noGrad,
  ops,
  setKernels,
  type Tensor,
  tsKernels,
} from "../nn/index.js";
import { Random } from "../random/index.js";
import { benchPython, flag, median, range, runTorchScript } from "./side-by-side.js";

const VOCAB = 100;
const STEPS_PER_SNIPPET = 50;
const PER_ROLE = 32;
const MARGIN = 0.2;

/** PyTorch's TripletMarginLoss(margin, p=2): mean(relu(‖a−p+ε‖ − ‖a−n+ε‖ + margin)), ε=1e-6. */
function tripletLoss(emb: Tensor): Tensor {
  const rows = (from: number) => Array.from({ length: PER_ROLE }, (_, i) => from + i);
  const [a, p, n] = [0, PER_ROLE, 2 * PER_ROLE].map((from) => ops.gather(emb, rows(from)));
  const dist = (x: Tensor, y: Tensor) =>
    ops.sqrt(ops.sum(ops.square(ops.addScalar(ops.sub(x, y), 1e-6)), 1));
  return ops.mean(ops.relu(ops.addScalar(ops.sub(dist(a, p), dist(a, n)), MARGIN)));
}

interface Result {
  stepMs: number;
  inferPerSec: number;
  loss: number;
}

function runOurs(kernels: Kernels, steps: number, warmup: number): Result {
  setKernels(kernels);
  const rng = new Random(0);
  // The project's char-LSTM with its head: Embedding 32 → LSTM 64 × 2 (dropout 0.1) → Linear 64.
  const model = new CharLstmEncoder({ vocabSize: VOCAB, outputDim: 64 }, rng.fork("model"));
  const adam = new Adam(model.parameters());
  const batch = 3 * PER_ROLE;
  const ids = Int32Array.from({ length: batch * STEPS_PER_SNIPPET }, () => rng.int(1, VOCAB - 1));
  const lengths = new Int32Array(batch).fill(STEPS_PER_SNIPPET);
  const times: number[] = [];
  let loss = 0;
  for (let s = 0; s < warmup + steps; s++) {
    const start = performance.now();
    adam.zeroGrad();
    const l = tripletLoss(model.forward(ids, [batch, STEPS_PER_SNIPPET], lengths));
    l.backward();
    adam.step();
    loss = l.item();
    if (s >= warmup) times.push(performance.now() - start);
  }
  model.eval();
  const inferTimes: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const start = performance.now();
    noGrad(() => model.forward(ids, [batch, STEPS_PER_SNIPPET], lengths));
    if (s >= warmup) inferTimes.push(performance.now() - start);
  }
  setKernels(tsKernels);
  return { stepMs: median(times), inferPerSec: (batch * 1000) / median(inferTimes), loss };
}

/** The same step in PyTorch (src/bench/torch_step.py), one thread. */
function runTorch(steps: number, warmup: number): TorchResult | string {
  const config = { vocab: VOCAB, length: STEPS_PER_SNIPPET, perRole: PER_ROLE, margin: MARGIN };
  return runTorchScript<TorchResult>(benchPython("torch_step.py"), [
    JSON.stringify(config),
    String(steps),
    String(warmup),
  ]);
}

/** Kernel backends to time: the TypeScript reference, plus WebAssembly when it is built. */
function backends(): Kernels[] {
  const wasm = loadWasmKernels();
  return wasm ? [tsKernels, wasm] : [tsKernels];
}

type TorchResult = Result & { maxRssMb: number; version: string };

/**
 * Rounds alternate ours and PyTorch so that both see the same machine: on a shared machine the
 * load drifts within a minute, and a ratio of two medians taken minutes apart drifts with it.
 * The TypeScript reference backend is slow and only timed in the first round.
 */
export default async function bench(args: string[]): Promise<void> {
  const steps = flag(args, "--steps", 20);
  const warmup = flag(args, "--warmup", 3);
  const rounds = flag(args, "--rounds", 3);
  const only = args.includes("--kernels") ? args[args.indexOf("--kernels") + 1] : null;
  const withTorch = !args.includes("--no-torch");
  const fmt = (x: number) => x.toFixed(1);
  console.log(
    `training step: 3×${PER_ROLE} snippets × ${STEPS_PER_SNIPPET} chars, 2-layer LSTM 64, Adam`,
  );
  console.log(
    `median of ${steps} steps after ${warmup} warm-up; ${rounds} rounds alternating ours and PyTorch\n`,
  );
  const ours = new Map<string, Result[]>();
  const torch: TorchResult[] = [];
  let skipped = "";
  for (let round = 1; round <= rounds; round++) {
    const line: string[] = [];
    for (const k of backends()) {
      if (only ? k.name !== only : k.name === "ts" && round > 1) continue;
      const r = runOurs(k, steps, warmup);
      ours.set(k.name, [...(ours.get(k.name) ?? []), r]);
      line.push(`ours(${k.name}) ${fmt(r.stepMs)} ms, ${fmt(r.inferPerSec)} emb/s`);
    }
    if (withTorch && !skipped) {
      const t = runTorch(steps, warmup);
      if (typeof t === "string") skipped = t;
      else {
        torch.push(t);
        line.push(`PyTorch ${fmt(t.stepMs)} ms, ${fmt(t.inferPerSec)} emb/s`);
      }
    }
    console.log(`round ${round}: ${line.join("; ")}`);
  }
  console.log("\nmedian [min–max] over rounds:");
  for (const [name, rs] of ours) {
    console.log(
      `ours (${name} kernels): ${range(rs.map((r) => r.stepMs))} ms/step, inference ${range(
        rs.map((r) => r.inferPerSec),
        0,
      )} embeddings/s`,
    );
  }
  console.log(`ours peak RSS: ${fmt(process.resourceUsage().maxRSS / 1024)} MB`);
  if (!withTorch) return;
  if (skipped) {
    console.log(`PyTorch: skipped (${skipped})`);
    return;
  }
  console.log(
    `PyTorch ${torch[0].version} (1 thread): ${range(torch.map((t) => t.stepMs))} ms/step, inference ${range(
      torch.map((t) => t.inferPerSec),
      0,
    )} embeddings/s, peak RSS ${fmt(Math.max(...torch.map((t) => t.maxRssMb)))} MB`,
  );
  for (const [name, rs] of ours) {
    // Ratios within a round: ours and PyTorch measured back to back.
    const pair = (i: number) => torch[rs.length === torch.length ? i : 0];
    const step = rs.map((r, i) => r.stepMs / pair(i).stepMs);
    const infer = rs.map((r, i) => r.inferPerSec / pair(i).inferPerSec);
    console.log(
      `ratio ours(${name})/PyTorch: step ${range(step, 2)}×, inference throughput ${range(infer, 2)}×`,
    );
  }
}
