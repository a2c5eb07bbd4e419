/**
 * Linking a program to a perf event it does not own yet: a bpf link (BPF_LINK_CREATE with
 * BPF_PERF_EVENT, kernels >= 5.15), else PERF_EVENT_IOC_SET_BPF + ENABLE. The returned Link
 * owns the perf event; on failure the perf event is closed.
 */
import { BpfError, type Capability } from "../../runtime/errors.js";
import {
  AttachType, linkCreate, perfEventEnable, perfEventSetBpf, type Fd,
} from "../../runtime/sys/index.js";
import { Link, type LinkKind } from "./link.js";

/** errnos meaning "this kernel has no perf-event bpf links": fall back to the ioctl. */
const NO_PERF_LINK = new Set([22 /* EINVAL */, 95 /* EOPNOTSUPP */, 524 /* ENOTSUPP */]);

export interface PerfLinkTarget {
  readonly kind: LinkKind;
  readonly program: { readonly name: string; readonly fd: Fd };
  /** For messages: "syscalls/sys_enter_openat", "/usr/lib/libc.so.6:malloc". */
  readonly target: string;
  readonly cookie?: bigint;
  readonly caps?: readonly Capability[];
  /** Runs after the link's fds close (see LinkParts.cleanup). */
  readonly cleanup?: () => void;
}

export function linkPerfEvent(perf: Fd, t: PerfLinkTarget): Link {
  try {
    try {
      const link = linkCreate({
        progFd: t.program.fd.raw, target: perf.raw, attachType: AttachType.PERF_EVENT, cookie: t.cookie,
        label: `link ${t.program.name} -> ${t.target}`,
        ctx: { what: `link program to ${t.kind} ${t.target}`, caps: t.caps ?? ["CAP_BPF", "CAP_PERFMON"] },
      });
      return new Link(t.kind, t.program.name, t.target, [perf, link], { bpfLink: link, cleanup: t.cleanup });
    } catch (e) {
      if (!(e instanceof BpfError) || !NO_PERF_LINK.has(e.errno) || t.cookie !== undefined) throw e;
      perfEventSetBpf(perf, t.program.fd.raw);
      perfEventEnable(perf);
      return new Link(t.kind, t.program.name, t.target, [perf], { cleanup: t.cleanup });
    }
  } catch (e) {
    perf.close();
    throw e;
  }
}
