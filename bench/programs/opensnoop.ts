/** Port of reference-c/opensnoop.bpf.c: every openat() streamed to user space through a ring buffer. */
import { bpf, char, defstruct, i32, RingBuf, u32, u64 } from "../../index.js";

export const Event = defstruct("event", { pid: u32, uid: u32, ts: u64, flags: i32, comm: char(16), filename: char(256) });
export const events = new RingBuf({ maxEntries: 256 * 1024 });

export const opensnoop = bpf`
  export function opensnoop(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
    const e = ${events}.reserve(${Event});
    if (!e) return 0;
    e.pid = (get_current_pid_tgid() >> 32) as u32;
    e.uid = get_current_uid_gid() as u32;
    e.ts = ktime_get_ns();
    e.flags = ctx.flags as i32;
    get_current_comm(e.comm);
    probe_read_user_str(e.filename, ctx.filename);
    ${events}.submit(e);
    return 0;
  }
`;
