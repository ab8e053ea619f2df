/**
 * The model shipped with the package (`models/default/`, a run directory of a code-only encoder
 * trained on real code; its README.md is the model card). Commands that can use a model take it
 * from their flag, else this one when it is present.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** `models/default` of the package (this file is src/models/ or dist/models/, two levels down). */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL("../../models/default", import.meta.url));

/** The flag's model directory if given, else the shipped model if it has a config.json. */
export function resolveModelDir(flag?: string): string | undefined {
  if (flag) return flag;
  return existsSync(join(DEFAULT_MODEL_DIR, "config.json")) ? DEFAULT_MODEL_DIR : undefined;
}
