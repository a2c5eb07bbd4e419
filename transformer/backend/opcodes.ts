/**
 * BPF instruction set constants (include/uapi/linux/bpf_common.h and bpf.h), the 8-byte
 * instruction record, and its encoding. Everything that knows bit layouts is here.
 */

export const CLASS = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, JMP32: 0x06, ALU64: 0x07 } as const;
export const SIZE = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export const MODE = { IMM: 0x00, MEM: 0x60, ATOMIC: 0xc0 } as const;
export const SRC = { K: 0x00, X: 0x08 } as const;

export const ALU_OP = {
  add: 0x00, sub: 0x10, mul: 0x20, div: 0x30, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70,
  neg: 0x80, mod: 0x90, xor: 0xa0, mov: 0xb0, arsh: 0xc0, end: 0xd0,
} as const;
export type AluOp = Exclude<keyof typeof ALU_OP, "neg" | "end">;

export const JMP_OP = {
  ja: 0x00, jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40, jne: 0x50, jsgt: 0x60, jsge: 0x70,
  call: 0x80, exit: 0x90, jlt: 0xa0, jle: 0xb0, jslt: 0xc0, jsle: 0xd0,
} as const;

/** BPF_END source bit: to big-endian (a byte swap on little-endian hosts). */
export const END_TO_BE = 0x08;
/** BPF_ATOMIC op in imm: add without fetch. */
export const ATOMIC_ADD = 0x00;
/** BPF_ATOMIC ops in imm (kernel >= 5.12 beyond add): or/and/xor, `| BPF_FETCH` to return
 * the old value in src; xchg and cmpxchg always fetch (cmpxchg compares with r0, old in r0). */
export const ATOMIC_OR = 0x40, ATOMIC_AND = 0x50, ATOMIC_XOR = 0xa0, ATOMIC_FETCH = 0x01;
export const ATOMIC_XCHG = 0xe0 | ATOMIC_FETCH, ATOMIC_CMPXCHG = 0xf0 | ATOMIC_FETCH;

export const R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R10 = 10;

/** One instruction slot; an ld_imm64 occupies two, the second with code 0. */
export interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

export const sizeCode = (size: 1 | 2 | 4 | 8): number => ({ 1: SIZE.B, 2: SIZE.H, 4: SIZE.W, 8: SIZE.DW })[size];
export const sizeBytes = (code: number): 1 | 2 | 4 | 8 => (({ [SIZE.B]: 1, [SIZE.H]: 2, [SIZE.W]: 4, [SIZE.DW]: 8 }) as Record<number, 1 | 2 | 4 | 8>)[code & 0x18]!;

export function encode(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * 8);
  // Byte stores rather than a DataView call per field (a compile runs this interpreted): the
  // offset and immediate little-endian, wrapped to 16 and 32 bits as setInt16/setInt32 do.
  for (let n = 0; n < insns.length; n++) {
    const i = insns[n]!;
    const o = n * 8;
    out[o] = i.code;
    out[o + 1] = (i.src << 4) | (i.dst & 0xf);
    out[o + 2] = i.off;
    out[o + 3] = i.off >> 8;
    out[o + 4] = i.imm;
    out[o + 5] = i.imm >> 8;
    out[o + 6] = i.imm >> 16;
    out[o + 7] = i.imm >> 24;
  }
  return out;
}

export function decode(bytes: Uint8Array): Insn[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let o = 0; o + 8 <= bytes.length; o += 8) {
    const regs = dv.getUint8(o + 1);
    out.push({ code: dv.getUint8(o), dst: regs & 0xf, src: regs >> 4, off: dv.getInt16(o + 2, true), imm: dv.getInt32(o + 4, true) });
  }
  return out;
}
