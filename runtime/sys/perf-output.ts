/**
 * The perf events behind a BPF_MAP_TYPE_PERF_EVENT_ARRAY: one software event of type
 * PERF_COUNT_SW_BPF_OUTPUT per CPU, sampling raw data, waking readers on every sample.
 */
import { BpfError, capabilityHint } from "../errors.js";
import { syscallNumbers } from "./arch.js";
import { PERF_FLAG_FD_CLOEXEC, PerfEventAttr } from "./attrs.js";
import { Fd } from "./fd.js";
import { errno, syscallPerfEventOpen } from "./libc.js";
import { NativeBuffer } from "./native.js";

const NR_PERF_EVENT_OPEN = syscallNumbers().perfEventOpen;
const PERF_TYPE_SOFTWARE = 1;
const PERF_COUNT_SW_BPF_OUTPUT = 10;
const PERF_SAMPLE_RAW = 1n << 10n;

/** perf_event_open(BPF output, cpu): the fd to store at index `cpu` of a perf event array. */
export function openBpfOutputEvent(cpu: number, what: string): Fd {
  using attr = new NativeBuffer(PerfEventAttr.size);
  const v = attr.view;
  v.setUint32(PerfEventAttr.type, PERF_TYPE_SOFTWARE, true);
  v.setUint32(PerfEventAttr.size_field, PerfEventAttr.size, true);
  v.setBigUint64(PerfEventAttr.config, BigInt(PERF_COUNT_SW_BPF_OUTPUT), true);
  v.setBigUint64(PerfEventAttr.sample_period, 1n, true);
  v.setBigUint64(PerfEventAttr.sample_type, PERF_SAMPLE_RAW, true);
  v.setUint32(PerfEventAttr.wakeup_events, 1, true);
  const fd = syscallPerfEventOpen(NR_PERF_EVENT_OPEN, attr.ptr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) {
    const err = errno();
    throw new BpfError("perf_event_open", err, {
      what: `${what}: open the BPF output event of CPU ${cpu}`,
      hint: err === 1 || err === 13 ? capabilityHint(["CAP_PERFMON"]) : err === 19 ? `CPU ${cpu} is offline` : undefined,
    });
  }
  return new Fd(fd, `perf buffer ${what} CPU ${cpu}`);
}
