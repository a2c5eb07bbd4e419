/** Raw tracepoint attach: BPF_RAW_TRACEPOINT_OPEN returns an fd that is the attachment. */
import { AttachError, WhistlerError } from "../../runtime/errors.js";
import { rawTracepointOpen } from "../../runtime/sys/index.js";
import { Link } from "./link.js";
import type { AttachableProgram } from "./tracepoint.js";

export function attachRawTracepoint(prog: AttachableProgram, name: string): Link {
  try {
    const fd = rawTracepointOpen(name, prog.fd.raw, {
      what: `open raw tracepoint ${name}`,
      caps: ["CAP_BPF", "CAP_PERFMON"],
      hint: (err) => (err === 2 ? `no raw tracepoint "${name}"; tracepoint names are listed in /sys/kernel/tracing/available_events (use the part after the colon)` : undefined),
    });
    return new Link("raw_tracepoint", prog.name, name, [fd], { bpfLink: fd });
  } catch (e) {
    const w = e instanceof WhistlerError ? e : undefined;
    throw new AttachError(prog.name, `raw tracepoint ${name}: ${w ? w.message.split("\n")[0] : String(e)}`, { hint: w?.hint, cause: e });
  }
}
