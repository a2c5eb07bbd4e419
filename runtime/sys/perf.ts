/** perf_event_open(2) and the perf ioctls used to attach BPF programs. */
import { BpfError, capabilityHint } from "../errors.js";
import { syscallNumbers } from "./arch.js";
import { PERF_ATTR_FLAG_FREQ, PERF_EVENT_IOC_ENABLE, PERF_EVENT_IOC_SET_BPF, PERF_FLAG_FD_CLOEXEC, PerfEventAttr } from "./attrs.js";
import { Fd } from "./fd.js";
import { errno, ioctl, syscallPerfEventOpen } from "./libc.js";
import { NativeBuffer } from "./native.js";

const NR_PERF_EVENT_OPEN = syscallNumbers().perfEventOpen;

export interface PerfEventOpenOptions {
  type: number;
  config: bigint | number;
  pid?: number;
  cpu?: number;
  groupFd?: number;
  sampleperiod?: bigint;
  /** Samples per second (sets the freq bit; replaces sampleperiod). */
  sampleFreq?: number;
  wakeupEvents?: number;
  /** config1/config2: e.g. the uprobe path (a native string's address) and file offset. */
  config1?: bigint;
  config2?: bigint;
  /** Hint for errnos other than EPERM/EACCES. */
  hint?: (errno: number) => string | undefined;
  /** perf_event_attr bit flags word (disabled, inherit, ...). */
  attrFlags?: bigint;
  what?: string;
}

export function perfEventOpen(o: PerfEventOpenOptions): Fd {
  using attr = new NativeBuffer(PerfEventAttr.size);
  const v = attr.view;
  v.setUint32(PerfEventAttr.type, o.type, true);
  v.setUint32(PerfEventAttr.size_field, PerfEventAttr.size, true);
  v.setBigUint64(PerfEventAttr.config, BigInt(o.config), true);
  v.setBigUint64(PerfEventAttr.sample_period, o.sampleFreq !== undefined ? BigInt(o.sampleFreq) : o.sampleperiod ?? 0n, true);
  v.setBigUint64(PerfEventAttr.flags, (o.attrFlags ?? 0n) | (o.sampleFreq !== undefined ? PERF_ATTR_FLAG_FREQ : 0n), true);
  v.setUint32(PerfEventAttr.wakeup_events, o.wakeupEvents ?? 0, true);
  v.setBigUint64(PerfEventAttr.config1, o.config1 ?? 0n, true);
  v.setBigUint64(PerfEventAttr.config2, o.config2 ?? 0n, true);
  const fd = syscallPerfEventOpen(NR_PERF_EVENT_OPEN, attr.ptr, o.pid ?? -1, o.cpu ?? 0, o.groupFd ?? -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) {
    const err = errno();
    throw new BpfError("perf_event_open", err, {
      what: o.what,
      hint: err === 1 || err === 13 ? capabilityHint(["CAP_PERFMON"]) : o.hint?.(err),
    });
  }
  return new Fd(fd, o.what ?? "perf event");
}

function perfIoctl(fd: Fd, request: number, arg: number, name: string): void {
  if (ioctl(fd.raw, request, arg) < 0) throw new BpfError(`ioctl(${name})`, errno());
}

/** Attach a program to a perf event the pre-5.15 way (no bpf link). */
export function perfEventSetBpf(fd: Fd, progFd: number): void {
  perfIoctl(fd, PERF_EVENT_IOC_SET_BPF, progFd, "PERF_EVENT_IOC_SET_BPF");
}

export function perfEventEnable(fd: Fd): void {
  perfIoctl(fd, PERF_EVENT_IOC_ENABLE, 0, "PERF_EVENT_IOC_ENABLE");
}
