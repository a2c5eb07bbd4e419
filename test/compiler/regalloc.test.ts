// Register allocation: values live across helper calls survive them (r6-r9 or the stack),
// arguments land in r1-r5, nothing reads a register a call clobbered.
import { describe, expect, test } from "@jest/globals";
import { generate } from "../../transformer/backend/index.js";
import { CLASS, JMP_OP, MODE, type Insn } from "../../transformer/backend/opcodes.js";
import { disassembleInsns } from "../../transformer/backend/disasm.js";
import { COUNT_OPENS, COUNT_OPENS_SLOTS, XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS, hashMap, toIr } from "./helpers.js";

/** Registers each instruction reads and writes (enough for the checks below). */
function regsOf(i: Insn): { reads: number[]; writes: number[] } {
  const cls = i.code & 7;
  const x = (i.code & 0x08) !== 0;
  switch (cls) {
    case CLASS.ALU:
    case CLASS.ALU64: {
      const op = i.code & 0xf0;
      if (op === 0xb0) return { reads: x ? [i.src] : [], writes: [i.dst] };
      return { reads: x && op !== 0xd0 ? [i.dst, i.src] : [i.dst], writes: [i.dst] };
    }
    case CLASS.LD: return { reads: [], writes: [i.dst] };
    case CLASS.LDX: return { reads: [i.src], writes: [i.dst] };
    case CLASS.ST: return { reads: [i.dst], writes: [] };
    case CLASS.STX: return { reads: [i.dst, i.src], writes: [] };
    case CLASS.JMP:
    case CLASS.JMP32: {
      const op = i.code & 0xf0;
      if (op === JMP_OP.call) return { reads: [1, 2, 3, 4, 5].slice(0, i.imm === 14 || i.imm === 5 ? 0 : i.imm === 2 ? 4 : 2), writes: [0, 1, 2, 3, 4, 5] };
      if (op === JMP_OP.exit) return { reads: [0], writes: [] };
      if (op === JMP_OP.ja) return { reads: [], writes: [] };
      return { reads: x ? [i.dst, i.src] : [i.dst], writes: [] };
    }
  }
  return { reads: [], writes: [] };
}

/**
 * Walks every path (programs are acyclic) tracking which registers hold a value; a call
 * leaves r1-r5 unset. Returns the reads of unset registers.
 */
function uninitialisedReads(insns: readonly Insn[]): string[] {
  const bad: string[] = [];
  const seen = new Map<number, string>();
  const walk = (pc: number, defined: Set<number>): void => {
    while (pc < insns.length) {
      const key = [...defined].sort().join(",");
      if (seen.get(pc) === key) return;
      seen.set(pc, key);
      const i = insns[pc]!;
      const { reads, writes } = regsOf(i);
      for (const r of reads) if (!defined.has(r)) bad.push(`insn ${pc} reads r${r}`);
      const isCall = (i.code & 7) === CLASS.JMP && (i.code & 0xf0) === JMP_OP.call;
      if (isCall) for (const r of [1, 2, 3, 4, 5]) defined.delete(r);
      for (const r of writes) if (!isCall || r === 0) defined.add(r);
      const cls = i.code & 7;
      const op = i.code & 0xf0;
      const wide = i.code === (CLASS.LD | 0x18 | MODE.IMM);
      if ((cls === CLASS.JMP || cls === CLASS.JMP32) && op !== JMP_OP.call) {
        if (op === JMP_OP.exit) return;
        if (op === JMP_OP.ja && cls === CLASS.JMP) {
          pc = pc + 1 + i.off;
          continue;
        }
        walk(pc + 1 + i.off, new Set(defined));
      }
      pc += wide ? 2 : 1;
    }
  };
  walk(0, new Set([1, 10]));
  return bad;
}

const tp = (body: string) => `export function p(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {\n${body}\n}`;

describe("register allocation", () => {
  test.each([
    ["count_opens", COUNT_OPENS, COUNT_OPENS_SLOTS],
    ["xdp_proto_count", XDP_PROTO_COUNT, XDP_PROTO_COUNT_SLOTS],
  ] as const)("%s reads no clobbered register", (_n, body, slots) => {
    expect(uninitialisedReads(generate(toIr(body, slots)).insns)).toEqual([]);
  });

  test("values live across calls go to callee-saved registers", () => {
    const out = generate(toIr(tp("const t0 = ktime_get_ns();\nconst pid = get_current_pid_tgid();\nconst t1 = ktime_get_ns();\nreturn ((t1 - t0) + pid) as i32;")));
    const text = disassembleInsns(out.insns).join("\n");
    expect(uninitialisedReads(out.insns)).toEqual([]);
    // t0 and pid survive a later call: they must leave r0 for r6..r9.
    expect(text).toMatch(/r[6-9] = r0/);
    expect(out.stackSize).toBe(0);
  });

  test("more live values than callee-saved registers spill to the stack", () => {
    const body = tp(`const a = ktime_get_ns();
const b = ktime_get_ns();
const c = ktime_get_ns();
const d = ktime_get_ns();
const e = ktime_get_ns();
const f = ktime_get_ns();
const g = ktime_get_ns();
return (a + b * 3 + c * 5 + d * 7 + e * 11 + f * 13 + g) as i32;`);
    const out = generate(toIr(body));
    expect(uninitialisedReads(out.insns)).toEqual([]);
    expect(out.stackSize).toBeGreaterThan(0);
    const text = disassembleInsns(out.insns).join("\n");
    expect(text).toMatch(/\*\(u64 \*\)\(r10 - \d+\) = r\d/);
    expect(text).toMatch(/r\d = \*\(u64 \*\)\(r10 - \d+\)/);
  });

  test("map helper arguments land in r1..r4", () => {
    const out = generate(toIr(tp("const k = get_current_pid_tgid() as u32;\n${m}.update(k, 5, BPF_NOEXIST);\nreturn 0;"), { m: hashMap("u32", "u64") }));
    const text = disassembleInsns(out.insns, { relocName: (i) => (out.relocs.some((r) => r.insn === i) ? "m" : undefined) }).join("\n");
    expect(text).toContain("r1 = map[m] ll");
    expect(text).toMatch(/r2 = r10\n.*r2 \+= -4/);
    expect(text).toMatch(/r3 = r10\n.*r3 \+= -16/);
    expect(text).toContain("r4 = 1");
    expect(uninitialisedReads(out.insns)).toEqual([]);
  });
});
