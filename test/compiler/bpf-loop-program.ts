// The bpf_loop test program, shared by the compile test and the kernel test.
import { layoutStruct, scalarFieldType } from "../../runtime/struct/layout.js";
import { u64 } from "../../runtime/types.js";
import type { StructSlotInfo } from "../../transformer/api.js";

export const LOOP_CTX: StructSlotInfo = layoutStruct("loop_ctx", [
  ["total", scalarFieldType(u64)], ["seen", scalarFieldType(u64)], ["stop", scalarFieldType(u64)],
]);
/** Sums 1..n into .bss through a stack context; the callback stops past `c.stop`. */
export const BPF_LOOP_SUM = `
let n: u32 = 0;
let stop: u64 = 0;
let sum: u64 = 0;
let seen: u64 = 0;
let calls: i64 = 0;
let plain: u64 = 0;

function add_one(i: u64, c: \${LoopCtx}): i64 {
  if (i >= c.stop) return 1;
  c.total += i + 1;
  c.seen += 1;
  return 0;
}

function count_only(i: u32): i64 {
  plain += i as u64;
  return 0;
}

export function loop_sum(ctx: Xdp): i32 {
  let c: \${LoopCtx};
  c.stop = stop;
  calls = bpf_loop(n, add_one, c);
  sum = c.total;
  seen = c.seen;
  bpf_loop(n, count_only, null);
  return XDP_PASS;
}
`;
