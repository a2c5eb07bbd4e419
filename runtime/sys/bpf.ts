/**
 * The one entry to bpf(2), and one wrapper per command we use.
 *
 * `bpf()` turns a failed call into a `BpfError` (errno, its name, the command, a hint),
 * retries BPF_PROG_LOAD on EAGAIN (the verifier returns it when interrupted by a signal),
 * and lets the hot paths treat one expected errno (ENOENT on lookup) as a result instead of
 * an exception. It allocates nothing per call.
 */
import { BpfError, capabilityHint, type Capability } from "../errors.js";
import { syscallNumbers } from "./arch.js";
import { BPF_CMD_NAMES, BpfCmd, type BpfCmdNumber } from "./attrs.js";
import { errno, syscallBpf } from "./libc.js";

const NR_BPF = syscallNumbers().bpf;
export const EPERM = 1;
export const ENOENT = 2;
export const EAGAIN = 11;
export const ENOSPC = 28;
const PROG_LOAD_EAGAIN_RETRIES = 5;

export interface BpfCallContext {
  /** What was being done, prefixing the message: `create map "counts"`. */
  readonly what?: string;
  /** An errno that is a result, not an error: bpf() returns `-tolerate` instead of throwing. */
  readonly tolerate?: number;
  /** Capabilities to name when the call fails with EPERM (default CAP_BPF). */
  readonly caps?: readonly Capability[];
  /** Hint for errnos other than EPERM. */
  readonly hint?: (errno: number) => string | undefined;
  /** Hint for EPERM when it means something other than missing capabilities (a frozen map). */
  readonly epermHint?: string;
}

const NO_CONTEXT: BpfCallContext = {};
const DEFAULT_CAPS: readonly Capability[] = ["CAP_BPF"];

/** Build the error for a failed call: also used by callers that saw a tolerated errno. */
export function bpfError(cmd: number, err: number, ctx: BpfCallContext = NO_CONTEXT): BpfError {
  const hint = err === EPERM ? ctx.epermHint ?? capabilityHint(ctx.caps ?? DEFAULT_CAPS) : ctx.hint?.(err);
  return new BpfError(BPF_CMD_NAMES[cmd] ?? `bpf command ${cmd}`, err, { what: ctx.what, hint });
}

/**
 * bpf(cmd, attr, size): the result (an fd or 0), or `-errno` for `ctx.tolerate`; throws
 * `BpfError` otherwise. `attr` is a native address (see NativeBuffer).
 */
export function bpf(cmd: BpfCmdNumber, attr: bigint, size: number, ctx: BpfCallContext = NO_CONTEXT): number {
  let retries = cmd === BpfCmd.PROG_LOAD ? PROG_LOAD_EAGAIN_RETRIES : 0;
  for (;;) {
    const r = syscallBpf(NR_BPF, cmd, attr, size);
    if (r >= 0) return r;
    const err = errno();
    if (err === EAGAIN && retries-- > 0) continue;
    if (err === ctx.tolerate) return -err;
    throw bpfError(cmd, err, ctx);
  }
}
