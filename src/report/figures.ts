/**
 * One figure per paper figure: per configuration of a preset, loss (train solid, val dashed)
 * and val top-1 per epoch — the mean over seeds as a line, the min–max over seeds as a band.
 * Vega-Lite specs rendered server-side to SVG by Vega, and to PNG by resvg.
 */
import { existsSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import * as vl from "vega-lite";
import type { RunConfig } from "../experiments/index.js";
import { band, type Metric } from "./aggregate.js";
import type { Group, Sweep } from "./load.js";

export interface FigureDef {
  name: string;
  preset: string;
  title: string;
  /** The paper's caption, quoted (null for the protocol figure, which the paper does not have). */
  paper: string | null;
}

export const FIGURES: readonly FigureDef[] = [
  {
    name: "fig1-epochs",
    preset: "epochs",
    title: "Figure 1: epoch budgets E",
    paper:
      "(a) All runs reach zero train loss by ≈ 15 epochs; val loss plateaus with spikes. (b) Retrieval accuracy jumps to 1.0 at epochs {8, 10, 12} for E = {10, 30, 50}.",
  },
  {
    name: "fig2-negatives",
    preset: "negatives",
    title: "Figure 2: random vs hard (top-5) negatives",
    paper:
      "Hard negatives slow convergence and yield val accuracy ≈ 0.8, while random negatives quickly reach ≈ 1.0 but show loss spikes.",
  },
  {
    name: "fig3-distance",
    preset: "distance",
    title: "Figure 3: Euclidean vs cosine distance",
    paper:
      "Euclidean converges faster and more stably; cosine shows higher validation-loss variance and delayed accuracy gains.",
  },
  {
    name: "fig4-dim",
    preset: "dim",
    title: "Figure 4: embedding dimension",
    paper:
      "Dimensions ≥ 64 reach zero loss and 100% accuracy within ≈ 5 epochs; smaller dims plateau at higher loss and lower accuracy.",
  },
  {
    name: "fig5-architecture",
    preset: "architecture",
    title: "Figure 5: architecture",
    paper: "Joint model yields highest retrieval accuracy on synthetic task.",
  },
  {
    name: "fig6-margin",
    preset: "margin",
    title: "Figure 6: triplet margin",
    paper:
      "Larger margins slow convergence and reduce final accuracy on the synthetic retrieval task.",
  },
  {
    name: "fig7-renaming",
    preset: "renaming",
    title: "Figure 7: renaming invariance",
    paper:
      "Performance remains near-perfect, confirming trace grouping is unaffected by superficial code edits.",
  },
  {
    name: "fig8-protocol",
    preset: "protocol",
    title: "Protocol choices the paper leaves unstated",
    paper: null,
  },
];

/** Presets whose configurations are ordered by a number of the config rather than as planned. */
const ORDER: Partial<Record<string, (c: RunConfig) => number>> = {
  epochs: (c) => c.epochs,
  dim: (c) => c.dim,
  margin: (c) => c.margin,
};

interface Point {
  config: string;
  split: "train" | "val";
  epoch: number;
  mean: number;
  min: number;
  max: number;
}

function groupsOf(sweep: Sweep, preset: string): Group[] {
  const groups = sweep.groups.filter((g) => g.preset === preset && g.runs.length > 0);
  const key = ORDER[preset];
  if (!key) return groups;
  return [...groups].sort(
    (a, b) => (a.config ? key(a.config) : 0) - (b.config ? key(b.config) : 0),
  );
}

function points(groups: readonly Group[]): { loss: Point[]; top1: Point[] } {
  const loss: Point[] = [];
  const top1: Point[] = [];
  for (const g of groups) {
    const runs = g.runs.map((r) => r.rows);
    const add = (out: Point[], metric: Metric, split: "train" | "val") => {
      for (const b of band(runs, metric)) out.push({ config: g.label, split, ...b });
    };
    add(loss, "trainLoss", "train");
    add(loss, "valLoss", "val");
    add(top1, "valTop1", "val");
  }
  return { loss, top1 };
}

function panel(values: Point[], title: string, order: string[]) {
  const x = { field: "epoch", type: "quantitative", title: "epoch" };
  const color = {
    field: "config",
    type: "nominal",
    title: "configuration",
    sort: order,
    legend: { symbolType: "stroke", symbolStrokeWidth: 2, symbolOpacity: 1 },
  };
  return {
    title,
    width: 340,
    height: 220,
    data: { values },
    layer: [
      {
        mark: { type: "line", strokeWidth: 1.6 },
        encoding: {
          x,
          y: { field: "mean", type: "quantitative", title },
          color,
          strokeDash: {
            field: "split",
            type: "nominal",
            title: "split",
            scale: {
              domain: ["train", "val"],
              range: [
                [1, 0],
                [5, 3],
              ],
            },
          },
        },
      },
      {
        mark: { type: "area", opacity: 0.15 },
        encoding: {
          x,
          y: { field: "min", type: "quantitative", title },
          y2: { field: "max" },
          color,
          detail: { field: "split" },
        },
      },
    ],
  };
}

/** Words of `text` in lines of at most `width` characters (a title does not wrap by itself). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return line === "" ? lines : [...lines, line];
}

/** The Vega-Lite spec of a figure, or null when the preset has no finished runs. */
export function figureSpec(sweep: Sweep, def: FigureDef): object | null {
  const groups = groupsOf(sweep, def.preset);
  if (groups.length === 0) return null;
  const { loss, top1 } = points(groups);
  const order = groups.map((g) => g.label);
  const seeds = [...new Set(groups.map((g) => g.runs.length))].sort((a, b) => a - b).join("–");
  const subtitle = [
    `lines: mean over seeds (${seeds} per configuration); bands: min–max over seeds`,
  ];
  if (def.paper) subtitle.push(...wrap(`paper: “${def.paper}”`, 100));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: def.title, subtitle, anchor: "start" },
    hconcat: [panel(loss, "loss", order), panel(top1, "val top-1", order)],
    resolve: { scale: { color: "shared", strokeDash: "shared" } },
    config: { font: "DejaVu Sans, Arial, Helvetica, sans-serif", background: "white" },
  };
}

export async function renderSvg(spec: object): Promise<string> {
  const compiled = vl.compile(spec as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Fonts for PNG text: files to load, and whether to also load the system's fonts. */
export interface FontOptions {
  files: readonly string[];
  system: boolean;
}

const DEJAVU = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
];

/** DejaVu Sans when installed (the figures' font, loaded fast and alone); else system fonts. */
export function defaultFonts(): FontOptions {
  const files = DEJAVU.filter((f) => existsSync(f));
  return { files, system: files.length === 0 };
}

/**
 * PNG at twice the SVG's size. Font files that do not exist are skipped, and with none left
 * the system fonts are used; with no usable font at all the text is left out, never an error.
 */
export function renderPng(svg: string, fonts: FontOptions = defaultFonts()): Uint8Array {
  const files = fonts.files.filter((f) => existsSync(f));
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: 2 },
    font: {
      fontFiles: files,
      loadSystemFonts: fonts.system || files.length === 0,
      ...(files.length > 0
        ? { defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" }
        : {}),
    },
  });
  return resvg.render().asPng();
}
