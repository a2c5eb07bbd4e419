/** Port of reference-c/read_latency_hist.bpf.c: log2 histogram of read() latency in microseconds. */
import { ArrayMap, bpf, HashMap, u32, u64 } from "../../index.js";

export const start = new HashMap({ key: u32, value: u64, maxEntries: 10240 });
export const hist = new ArrayMap({ key: u32, value: u64, maxEntries: 32 });

export const read_latency_hist = bpf`
  function log2l(x: u64): u32 {
    let v = x;
    let shift = ((v > 0xffffffff) as u64) << 5; v >>= shift; let r = shift;
    shift = ((v > 0xffff) as u64) << 4; v >>= shift; r |= shift;
    shift = ((v > 0xff) as u64) << 3; v >>= shift; r |= shift;
    shift = ((v > 0xf) as u64) << 2; v >>= shift; r |= shift;
    shift = ((v > 0x3) as u64) << 1; v >>= shift; r |= shift;
    r |= v >> 1;
    return r as u32;
  }

  export function read_enter(ctx: Tracepoint<"syscalls/sys_enter_read">): i32 {
    const tid = get_current_pid_tgid() as u32;
    ${start}.update(tid, ktime_get_ns(), BPF_ANY);
    return 0;
  }

  export function read_exit(ctx: Tracepoint<"syscalls/sys_exit_read">): i32 {
    const tid = get_current_pid_tgid() as u32;
    const tsp = ${start}.lookup(tid);
    if (!tsp) return 0;
    const delta = (ktime_get_ns() - tsp[0]) / 1000;
    ${start}.delete(tid);
    let slot = log2l(delta);
    if (slot >= 32) slot = 31;
    ${hist}.increment(slot);
    return 0;
  }
`;
