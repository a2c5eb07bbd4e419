/** Port of reference-c/count_opens.bpf.c: openat() calls per process id in a hash map. */
import { bpf, HashMap, u32, u64 } from "../../index.js";

export const counts = new HashMap({ key: u32, value: u64, maxEntries: 10240 });

export const count_opens = bpf`
  export function count_opens(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
    const pid = (get_current_pid_tgid() >> 32n) as u32;
    ${counts}.increment(pid);
    return 0;
  }
`;
