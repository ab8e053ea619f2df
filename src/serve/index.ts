/**
 * `tracecode serve`: a local web app over an index (search with behaviour diffs, functions
 * with their runs, the embedding map, the report) and the JSON API behind it. See README.md.
 */
export { DEFAULT_LIMITS, HttpError, type Limits } from "./api.js";
export { BusyError, SandboxGate } from "./gate.js";
export { linesOf, PROBE_ENTRY, probedCopy } from "./probe.js";
export {
  buildApp,
  isLoopback,
  type RunningServer,
  type ServeOptions,
  startServer,
} from "./server.js";
