/** Port of reference-c/raw_tp_switch_count.bpf.c: context switches per CPU in a per-CPU array. */
import { bpf, PerCpuArrayMap, u32, u64 } from "../../index.js";

export const switches = new PerCpuArrayMap({ key: u32, value: u64, maxEntries: 1 });

export const raw_tp_switch_count = bpf`
  export function count_switch(ctx: RawTracepoint<"sched_switch">): i32 {
    const v = ${switches}.lookup(0);
    if (v) v[0] += 1;
    return 0;
  }
`;
