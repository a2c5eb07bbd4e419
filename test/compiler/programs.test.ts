// The example programs: golden listings and instruction counts against clang -O2
// (count_opens 23, xdp_proto_count 26; the Lisp compiler we descend from: 26 and 22).
// Every golden program here also passes the kernel verifier in test/interop/bpftool.test.ts.
import { describe, expect, test } from "@jest/globals";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { COUNT_OPENS, COUNT_OPENS_SLOTS, XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS, template } from "./helpers.js";

const CLANG = { count_opens: 23, xdp_proto_count: 26 };

describe("example programs", () => {
  test("count_opens", () => {
    const r = compileTemplate(template(COUNT_OPENS, COUNT_OPENS_SLOTS));
    expect(r.programs[0]!.insnCount).toBeLessThanOrEqual(CLANG.count_opens);
    expect(disassemble(r.elf!)).toBe(`count_opens (section tracepoint/syscalls/sys_enter_openat, 23 insns):
     0:\tcall bpf_get_current_pid_tgid#14
     1:\tr0 >>= 32
     2:\t*(u32 *)(r10 - 4) = r0
     3:\tr1 = map[counts] ll
     5:\tr2 = r10
     6:\tr2 += -4
     7:\tcall bpf_map_lookup_elem#1
     8:\tif r0 != 0 goto +10
     9:\t*(u64 *)(r10 - 16) = 1
    10:\tr1 = map[counts] ll
    12:\tr2 = r10
    13:\tr2 += -4
    14:\tr3 = r10
    15:\tr3 += -16
    16:\tr4 = 1
    17:\tcall bpf_map_update_elem#2
    18:\tgoto +2
    19:\tr1 = 1
    20:\tlock *(u64 *)(r0 + 0) += r1
    21:\tr0 = 0
    22:\texit
`);
  });

  test("xdp_proto_count", () => {
    const r = compileTemplate(template(XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS));
    expect(r.programs[0]!.insnCount).toBeLessThan(CLANG.xdp_proto_count);
    expect(disassemble(r.elf!)).toBe(`xdp_proto_count (section xdp, 19 insns):
     0:\tr0 = *(u32 *)(r1 + 0)
     1:\tr1 = *(u32 *)(r1 + 4)
     2:\tr2 = r0
     3:\tr2 += 34
     4:\tif r2 > r1 goto +12
     5:\tr1 = *(u16 *)(r0 + 12)
     6:\tif w1 != 8 goto +10
     7:\tr0 = *(u8 *)(r0 + 23)
     8:\t*(u32 *)(r10 - 4) = r0
     9:\tr1 = map[proto_counts] ll
    11:\tr2 = r10
    12:\tr2 += -4
    13:\tcall bpf_map_lookup_elem#1
    14:\tif r0 == 0 goto +2
    15:\tr1 = 1
    16:\tlock *(u64 *)(r0 + 0) += r1
    17:\tr0 = 2
    18:\texit
`);
  });
});
