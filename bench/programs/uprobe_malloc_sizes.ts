/** Port of reference-c/uprobe_malloc_sizes.bpf.c: calls and requested bytes of libc malloc per process. */
import { bpf, defstruct, HashMap, u32, u64 } from "../../index.js";

export const Stats = defstruct("stats", { calls: u64, bytes: u64 });
export const malloc_stats = new HashMap({ key: u32, value: Stats, maxEntries: 4096 });

export const uprobe_malloc_sizes = bpf`
  export function malloc_enter(ctx: Uprobe<"/lib/x86_64-linux-gnu/libc.so.6:malloc">): i32 {
    const pid = (get_current_pid_tgid() >> 32) as u32;
    let s = ${malloc_stats}.lookup(pid);
    if (!s) {
      let zero: ${Stats};
      ${malloc_stats}.update(pid, zero, BPF_NOEXIST);
      s = ${malloc_stats}.lookup(pid);
      if (!s) return 0;
    }
    atomic_add(s.calls, 1);
    atomic_add(s.bytes, ctx.args[0]);
    return 0;
  }
`;
