/** Messages between `TracerPool` and its sandboxed children (types only: no runtime imports). */

export type ParentMessage =
  | { t: "init"; pyodideDir: string; tracer: string; memoryMb: number }
  | {
      t: "job";
      id: number;
      code: string;
      entry: string;
      /** Input-set key; `inputs` is sent only the first time a child sees the key. */
      key: string;
      inputs?: { types: string; values: string };
      timeoutMs: number;
      maxEvents: number;
      maxChars: number;
    }
  | { t: "blocks"; id: number; code: string };

export type ChildMessage =
  | { t: "ready" }
  | { t: "fatal"; error: string; id?: number }
  | { t: "result"; id: number; result: string; inputs?: string; error?: string };
