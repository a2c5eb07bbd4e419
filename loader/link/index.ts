/**
 * loader/link: attaching programs, one file per attach kind. Each returns a `Link` that
 * detaches on dispose. Failures are `AttachError`s whose cause is the underlying error and
 * whose hint says what to check (capabilities, tracefs, interface names).
 */
export { Link, type LinkKind } from "./link.js";
export { attachTracepoint, type AttachableProgram } from "./tracepoint.js";
export { attachRawTracepoint } from "./raw-tracepoint.js";
export { attachXdp, type XdpAttachOptions, type XdpMode } from "./xdp.js";
export { tracefsRoot, tracepointId } from "./tracefs.js";
