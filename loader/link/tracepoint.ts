/**
 * Tracepoint attach: a perf event for the tracepoint (PERF_TYPE_TRACEPOINT, any process,
 * CPU 0: the program still runs on every CPU), then a bpf link on it (BPF_LINK_CREATE with
 * BPF_PERF_EVENT, kernels >= 5.15), falling back to PERF_EVENT_IOC_SET_BPF + ENABLE.
 */
import { AttachError, BpfError, WhistlerError } from "../../runtime/errors.js";
import {
  AttachType, linkCreate, perfEventEnable, perfEventOpen, perfEventSetBpf, PERF_TYPE_TRACEPOINT, type Fd,
} from "../../runtime/sys/index.js";
import { Link } from "./link.js";
import { tracepointId } from "./tracefs.js";

/** errnos meaning "this kernel has no perf-event bpf links": fall back to the ioctl. */
const NO_PERF_LINK = new Set([22 /* EINVAL */, 95 /* EOPNOTSUPP */, 524 /* ENOTSUPP */]);

export interface AttachableProgram {
  readonly name: string;
  readonly fd: Fd;
}

export function attachTracepoint(prog: AttachableProgram, group: string, name: string, cookie?: bigint): Link {
  const target = `${group}/${name}`;
  let id: number;
  try {
    id = tracepointId(group, name);
  } catch (e) {
    const w = e as WhistlerError;
    throw new AttachError(prog.name, `tracepoint ${target}: ${w.message.split("\n")[0]}`, { hint: w.hint, cause: e });
  }
  let perf: Fd | undefined;
  try {
    perf = perfEventOpen({ type: PERF_TYPE_TRACEPOINT, config: id, pid: -1, cpu: 0, what: `open tracepoint ${target}` });
    try {
      const link = linkCreate({
        progFd: prog.fd.raw, target: perf.raw, attachType: AttachType.PERF_EVENT, cookie,
        label: `link ${prog.name} -> ${target}`, ctx: { what: `link program to tracepoint ${target}`, caps: ["CAP_BPF", "CAP_PERFMON"] },
      });
      return new Link("tracepoint", prog.name, target, [perf, link]);
    } catch (e) {
      if (!(e instanceof BpfError) || !NO_PERF_LINK.has(e.errno) || cookie !== undefined) throw e;
      perfEventSetBpf(perf, prog.fd.raw);
      perfEventEnable(perf);
      return new Link("tracepoint", prog.name, target, [perf]);
    }
  } catch (e) {
    perf?.close();
    if (e instanceof AttachError) throw e;
    const w = e instanceof WhistlerError ? e : undefined;
    throw new AttachError(prog.name, `tracepoint ${target}: ${w ? w.message.split("\n")[0] : String(e)}`, { hint: w?.hint, cause: e });
  }
}
