/**
 * Tracepoint attach: a perf event for the tracepoint (PERF_TYPE_TRACEPOINT, any process,
 * CPU 0: the program still runs on every CPU), then a bpf link on it (see perf-link.ts).
 */
import { AttachError, WhistlerError } from "../../runtime/errors.js";
import { perfEventOpen, PERF_TYPE_TRACEPOINT, type Fd } from "../../runtime/sys/index.js";
import type { Link } from "./link.js";
import { linkPerfEvent } from "./perf-link.js";
import { tracepointId } from "./tracefs.js";

export interface AttachableProgram {
  readonly name: string;
  readonly fd: Fd;
}

export function attachTracepoint(prog: AttachableProgram, group: string, name: string, cookie?: bigint): Link {
  const target = `${group}/${name}`;
  try {
    const id = tracepointId(group, name);
    const perf = perfEventOpen({ type: PERF_TYPE_TRACEPOINT, config: id, pid: -1, cpu: 0, what: `open tracepoint ${target}` });
    return linkPerfEvent(perf, { kind: "tracepoint", program: prog, target, cookie });
  } catch (e) {
    const w = e instanceof WhistlerError ? e : undefined;
    throw new AttachError(prog.name, `tracepoint ${target}: ${w ? w.message.split("\n")[0] : String(e)}`, { hint: w?.hint, cause: e });
  }
}
