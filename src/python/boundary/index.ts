/** The operating-system boundary around sandbox children (see boundary.ts and SECURITY.md). */
export {
  type BoundaryCommand,
  type BoundaryLimits,
  boundaryCommand,
  boundaryStatus,
  DEFAULT_LIMITS,
} from "./boundary.js";
export { seccompFilter, seccompSupported } from "./seccomp.js";
