/**
 * Golden programs: small templates and the exact listing the compiler gives for each, so a
 * change in code quality (better or worse) shows as a diff. test/compiler/golden.test.ts
 * compares the listings; test/interop/golden.test.ts loads each object into the kernel.
 * After an intended change, update the listing here (the test prints the new one).
 */
import type { SlotSpec } from "./helpers.js";
import { arrayMap, hashMap } from "./helpers.js";

export interface Golden {
  readonly name: string;
  /** What the listing shows off. */
  readonly why: string;
  readonly source: string;
  readonly slots?: Record<string, SlotSpec>;
  readonly listing: string;
}

export const GOLDEN: readonly Golden[] = [
  {
    name: "ctx kept across a call",
    why: "the allocator saves ctx in r6 for after the call; before the call r1 still holds it, so no `r1 = r6` (peephole)",
    source: `export function p(ctx: Tc): i32 {
  const h = get_hash_recalc(ctx);
  return (h + ctx.len) as i32;
}`,
    listing: `p (section tc, 5 insns):
     0:	r6 = r1
     1:	call bpf_get_hash_recalc#34
     2:	r1 = *(u32 *)(r6 + 0)
     3:	w0 += w1
     4:	exit
`,
  },
  {
    name: "clamp",
    why: "`if (slot >= 32) slot = 31` compares with 31 (clamp canonicalization), as clang's umin does",
    source: `export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 4 > ctx.data_end) return XDP_PASS;
  let slot = load_u32(d, 0);
  if (slot >= 32) slot = 31;
  \${hist}.increment(slot);
  return XDP_PASS;
}`,
    slots: { hist: arrayMap("u64", 32) },
    listing: `p (section xdp, 19 insns):
     0:	r0 = *(u32 *)(r1 + 0)
     1:	r2 = r0
     2:	r2 += 4
     3:	r1 = *(u32 *)(r1 + 4)
     4:	if r2 > r1 goto +12
     5:	r0 = *(u32 *)(r0 + 0)
     6:	if w0 < 31 goto +1
     7:	r0 = 31
     8:	*(u32 *)(r10 - 4) = r0
     9:	r1 = map[hist] ll
    11:	r2 = r10
    12:	r2 += -4
    13:	call bpf_map_lookup_elem#1
    14:	if r0 == 0 goto +2
    15:	r1 = 1
    16:	lock *(u64 *)(r0 + 0) += r1
    17:	r0 = 2
    18:	exit
`,
  },
  {
    name: "count per key",
    why: "one stack slot for the key, lookup, then the atomic increment through the value pointer",
    source: `export function p(ctx: RawTracepoint<"sched_switch">): i32 {
  const pid = (get_current_pid_tgid() >> 32) as u32;
  \${counts}.increment(pid);
  return 0;
}`,
    slots: { counts: hashMap("u32", "u64") },
    listing: `p (section raw_tp/sched_switch, 23 insns):
     0:	call bpf_get_current_pid_tgid#14
     1:	r0 >>= 32
     2:	*(u32 *)(r10 - 4) = r0
     3:	r1 = map[counts] ll
     5:	r2 = r10
     6:	r2 += -4
     7:	call bpf_map_lookup_elem#1
     8:	if r0 != 0 goto +10
     9:	*(u64 *)(r10 - 16) = 1
    10:	r1 = map[counts] ll
    12:	r2 = r10
    13:	r2 += -4
    14:	r3 = r10
    15:	r3 += -16
    16:	r4 = 1
    17:	call bpf_map_update_elem#2
    18:	goto +2
    19:	r1 = 1
    20:	lock *(u64 *)(r0 + 0) += r1
    21:	r0 = 0
    22:	exit
`,
  },
  {
    name: "packet checks widen and merge",
    why: "14, 34 and 42-byte checks that all fail with TC_ACT_OK become one 42-byte check (widening, then bounds-check merging)",
    source: `export function p(ctx: Tc): i32 {
  const data = ctx.data;
  if (data + 14 > ctx.data_end || ntohs(load_u16(data, 12)) != 0x0800) return 0;
  if (data + 34 > ctx.data_end || load_u8(data, 23) != 17) return 0;
  if (data + 42 > ctx.data_end) return 0;
  return ntohs(load_u16(data, 36)) as i32;
}`,
    listing: `p (section tc, 14 insns):
     0:	r0 = *(u32 *)(r1 + 76)
     1:	r1 = *(u32 *)(r1 + 80)
     2:	r2 = r0
     3:	r2 += 42
     4:	if r2 > r1 goto +7
     5:	r1 = *(u16 *)(r0 + 12)
     6:	if w1 != 8 goto +5
     7:	r1 = *(u8 *)(r0 + 23)
     8:	if w1 != 17 goto +3
     9:	r0 = *(u16 *)(r0 + 36)
    10:	r0 = be16 r0
    11:	exit
    12:	r0 = 0
    13:	exit
`,
  },
  {
    name: "flag set only under itself",
    why: "SCCP: `seen` starts 0 and changes only under `seen != 0`, so it is 0 around the real (100-trip) loop; the guarded block goes (12 insns without SCCP)",
    source: `export function p(ctx: Xdp): i32 {
  let seen: u32 = 0;
  let sum: u32 = ctx.rx_queue_index;
  for (let i: u32 = 0; i < 100; i++) {
    if (seen != 0) {
      sum = sum * 7 + seen;
      seen = seen + 1;
    }
    sum = sum * 31 + i;
  }
  return sum as i32;
}`,
    listing: `p (section xdp, 7 insns):
     0:	r0 = *(u32 *)(r1 + 16)
     1:	r1 = 0
     2:	w0 *= 31
     3:	w0 += w1
     4:	w1 += 1
     5:	if w1 < 100 goto -4
     6:	exit
`,
  },
  {
    name: "compound conditions and bit tests",
    why: "`&&`/`||` branch per operand, 32-bit compares use jmp32 with immediates, and `x & MASK` tests are single jset instructions (no mask computed, no boolean materialized): 28 insns before jset",
    source: `export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 8 > ctx.data_end) return XDP_PASS;
  const a = load_u32(d, 0);
  const b = load_u32(d, 4);
  const flags = load_u8(d, 2);
  if (a < b && flags != 0) return XDP_DROP;
  if (a & 0x40) return XDP_TX;
  if ((b & 0x10) == 0) return XDP_ABORTED;
  if ((flags & 0x81) != 0 || b >= 1000) return XDP_REDIRECT;
  return XDP_PASS;
}`,
    listing: `p (section xdp, 24 insns):
     0:	r0 = *(u32 *)(r1 + 0)
     1:	r2 = r0
     2:	r2 += 8
     3:	r1 = *(u32 *)(r1 + 4)
     4:	if r2 > r1 goto +15
     5:	r1 = *(u32 *)(r0 + 0)
     6:	r2 = *(u32 *)(r0 + 4)
     7:	r0 = *(u8 *)(r0 + 2)
     8:	if w1 >= w2 goto +1
     9:	if w0 != 0 goto +4
    10:	if w1 & 64 goto +5
    11:	if w2 & 16 goto +6
    12:	r0 = 0
    13:	exit
    14:	r0 = 1
    15:	exit
    16:	r0 = 3
    17:	exit
    18:	if w0 & 129 goto +3
    19:	if w2 >= 1000 goto +2
    20:	r0 = 2
    21:	exit
    22:	r0 = 4
    23:	exit
`,
  },
  {
    name: "boolean locals as conditions",
    why: "`big` and `odd` are never materialised: a branch on a phi of 1 and 0 re-tests the comparison it came from, and a test the path already decided is bypassed (22 insns before)",
    source: `export function p(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 8 > ctx.data_end) return XDP_PASS;
  const a = load_u32(d, 0);
  const b = load_u32(d, 4);
  const big = a > b;
  const odd = (a & 1) != 0;
  if (big && odd) return XDP_DROP;
  if (!big) return XDP_TX;
  return XDP_PASS;
}`,
    listing: `p (section xdp, 15 insns):
     0:	r0 = *(u32 *)(r1 + 0)
     1:	r2 = r0
     2:	r2 += 8
     3:	r1 = *(u32 *)(r1 + 4)
     4:	if r2 > r1 goto +6
     5:	r1 = *(u32 *)(r0 + 0)
     6:	r0 = *(u32 *)(r0 + 4)
     7:	if w1 > w0 goto +2
     8:	r0 = 3
     9:	exit
    10:	if w1 & 1 goto +2
    11:	r0 = 2
    12:	exit
    13:	r0 = 1
    14:	exit
`,
  },
];
