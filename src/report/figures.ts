/**
 * One figure per paper figure: per configuration of a preset, loss (train solid, val dashed)
 * and val top-1 per epoch — the mean over seeds as a line, the min–max over seeds as a band.
 * Vega-Lite specs rendered server-side to SVG by Vega, and to PNG by resvg.
 */
import { existsSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import * as vl from "vega-lite";
import type { Sweep } from "./load.js";
import { band, type Metric } from "./series.js";

export interface FigureDef {
  name: string;
  preset: string;
  title: string;
}

export const FIGURES: FigureDef[] = [
  { name: "fig1-epochs", preset: "epochs", title: "Figure 1: epoch budgets E" },
  {
    name: "fig2-negatives",
    preset: "negatives",
    title: "Figure 2: random vs hard (top-5) negatives",
  },
  { name: "fig3-distance", preset: "distance", title: "Figure 3: Euclidean vs cosine distance" },
  { name: "fig4-dim", preset: "dim", title: "Figure 4: embedding dimension" },
  { name: "fig5-architecture", preset: "architecture", title: "Figure 5: architecture" },
  { name: "fig6-margin", preset: "margin", title: "Figure 6: triplet margin" },
  { name: "fig7-renaming", preset: "renaming", title: "Figure 7: renaming invariance" },
  {
    name: "fig8-protocol",
    preset: "protocol",
    title: "Protocol choices the paper leaves unstated",
  },
];

interface Point {
  config: string;
  split: "train" | "val";
  epoch: number;
  mean: number;
  min: number;
  max: number;
}

function points(sweep: Sweep, preset: string): { loss: Point[]; top1: Point[] } {
  const loss: Point[] = [];
  const top1: Point[] = [];
  for (const g of sweep.groups.filter((x) => x.preset === preset && x.runs.length > 0)) {
    const add = (out: Point[], metric: Metric, split: "train" | "val") => {
      for (const b of band(g, metric)) out.push({ config: g.label, split, ...b });
    };
    add(loss, "trainLoss", "train");
    add(loss, "valLoss", "val");
    add(top1, "valTop1", "val");
  }
  return { loss, top1 };
}

function panel(values: Point[], title: string, order: string[]) {
  const color = { field: "config", type: "nominal", title: "configuration", sort: order };
  const x = { field: "epoch", type: "quantitative", title: "epoch" };
  return {
    title,
    width: 340,
    height: 220,
    data: { values },
    layer: [
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
    ],
  };
}

/** The Vega-Lite spec of a figure, or null when the preset has no finished runs. */
export function figureSpec(sweep: Sweep, def: FigureDef): object | null {
  const { loss, top1 } = points(sweep, def.preset);
  if (loss.length === 0) return null;
  const order = sweep.groups.filter((g) => g.preset === def.preset).map((g) => g.label);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: def.title, subtitle: "lines: mean over seeds; bands: min–max over seeds" },
    hconcat: [panel(loss, "loss", order), panel(top1, "val top-1", order)],
    resolve: { scale: { color: "shared", strokeDash: "shared" } },
    config: { font: "DejaVu Sans", background: "white" },
  };
}

export async function renderSvg(spec: object): Promise<string> {
  const compiled = vl.compile(spec as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  return view.toSVG();
}

const FONT_DIR = "/usr/share/fonts/truetype/dejavu";

export function renderPng(svg: string): Uint8Array {
  const fontFiles = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]
    .map((f) => `${FONT_DIR}/${f}`)
    .filter((f) => existsSync(f));
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: 2 },
    font: { fontFiles, loadSystemFonts: fontFiles.length === 0, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}
