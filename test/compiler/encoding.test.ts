// Encoding: bytes round-trip through decode, and the disassembler prints llvm-objdump's
// syntax (checked against clang's encoding of the same instructions).
import { describe, expect, test } from "@jest/globals";
import { decode, encode, type Insn } from "../../transformer/backend/opcodes.js";
import { disassembleInsns, formatInsn } from "../../transformer/backend/disasm.js";
import { compileTemplate, disassemble } from "../../transformer/compile.js";
import { COUNT_OPENS, COUNT_OPENS_SLOTS, template } from "./helpers.js";

/** Bytes as llvm-objdump prints them, and its text (clang 14 / bpftool syntax for calls). */
const KNOWN: [string, string][] = [
  ["85 00 00 00 0e 00 00 00", "call bpf_get_current_pid_tgid#14"],
  ["77 00 00 00 20 00 00 00", "r0 >>= 32"],
  ["63 0a fc ff 00 00 00 00", "*(u32 *)(r10 - 4) = r0"],
  ["b7 06 00 00 01 00 00 00", "r6 = 1"],
  ["7b 6a f0 ff 00 00 00 00", "*(u64 *)(r10 - 16) = r6"],
  ["bf a2 00 00 00 00 00 00", "r2 = r10"],
  ["07 02 00 00 fc ff ff ff", "r2 += -4"],
  ["15 00 02 00 00 00 00 00", "if r0 == 0 goto +2"],
  ["db 60 00 00 00 00 00 00", "lock *(u64 *)(r0 + 0) += r6"],
  ["05 00 08 00 00 00 00 00", "goto +8"],
  ["61 12 04 00 00 00 00 00", "r2 = *(u32 *)(r1 + 4)"],
  ["2d 23 13 00 00 00 00 00", "if r3 > r2 goto +19"],
  ["71 13 0d 00 00 00 00 00", "r3 = *(u8 *)(r1 + 13)"],
  ["4f 43 00 00 00 00 00 00", "r3 |= r4"],
  ["55 03 0e 00 08 00 00 00", "if r3 != 8 goto +14"],
  ["56 03 0e 00 08 00 00 00", "if w3 != 8 goto +14"],
  ["79 01 00 00 00 00 00 00", "r1 = *(u64 *)(r0 + 0)"],
  ["95 00 00 00 00 00 00 00", "exit"],
  ["dc 01 00 00 10 00 00 00", "r1 = be16 r1"],
  ["c7 01 00 00 18 00 00 00", "r1 s>>= 24"],
  ["04 01 00 00 ff ff ff ff", "w1 += -1"],
  ["87 01 00 00 00 00 00 00", "r1 = -r1"],
  ["7a 0a f0 ff 01 00 00 00", "*(u64 *)(r10 - 16) = 1"],
  ["c3 21 00 00 00 00 00 00", "lock *(u32 *)(r1 + 0) += w2"],
  ["de 12 fd ff 00 00 00 00", "if w2 s<= w1 goto -3"],
];

function fromHex(h: string): Uint8Array {
  return new Uint8Array(h.split(" ").map((x) => parseInt(x, 16)));
}

describe("encoding", () => {
  test.each(KNOWN)("%s is %s", (hex, text) => {
    const bytes = fromHex(hex);
    const [insn] = decode(bytes);
    expect(formatInsn(insn!, undefined, 0)).toBe(text);
    expect(Array.from(encode([insn!]))).toEqual(Array.from(bytes));
  });

  test("random instructions round-trip through decode/encode", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const insns: Insn[] = Array.from({ length: 500 }, () => ({
      code: Math.floor(rnd() * 256), dst: Math.floor(rnd() * 11), src: Math.floor(rnd() * 11),
      off: Math.floor(rnd() * 65536) - 32768, imm: Math.floor(rnd() * 2 ** 32) - 2 ** 31,
    }));
    expect(decode(encode(insns))).toEqual(insns);
    // The disassembler never throws, whatever the bytes.
    expect(disassembleInsns(insns).length).toBeGreaterThan(0);
  });

  test("ld_imm64 takes two slots and prints its 64-bit value or map", () => {
    const insns = decode(fromHex("18 01 00 00 78 56 34 12 00 00 00 00 01 00 00 00"));
    expect(disassembleInsns(insns)).toEqual(["     0:\tr1 = 0x112345678 ll"]);
    expect(disassembleInsns(insns, { relocName: () => "counts" })).toEqual(["     0:\tr1 = map[counts] ll"]);
  });

  test("disassemble() lists each program of an object with map names", () => {
    const r = compileTemplate(template(COUNT_OPENS, COUNT_OPENS_SLOTS));
    const text = disassemble(r.elf!);
    expect(text.split("\n")[0]).toBe("count_opens (section tracepoint/syscalls/sys_enter_openat, 23 insns):");
    expect(text).toContain("r1 = map[counts] ll");
    expect(text).toContain("call bpf_map_lookup_elem#1");
    expect(disassemble(r.elf!, { bytes: true })).toContain("85 00 00 00 0e 00 00 00\tcall bpf_get_current_pid_tgid#14");
  });
});
