/** Port of reference-c/cgroup_egress_bytes.bpf.c: egress bytes (slot 0) and packets (slot 1) of a cgroup. */
import { ArrayMap, bpf, u32, u64 } from "../../index.js";

export const totals = new ArrayMap({ key: u32, value: u64, maxEntries: 2 });

export const cgroup_egress_bytes = bpf`
  export function egress_bytes(ctx: CgroupSkb<"egress">): i32 {
    ${totals}.increment(0, ctx.len);
    ${totals}.increment(1);
    return 1;
  }
`;
