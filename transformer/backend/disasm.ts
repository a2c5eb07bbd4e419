/**
 * Disassembler: instructions -> text in llvm-objdump's BPF syntax
 * (`r1 = *(u32 *)(r1 + 0)`, `if w2 != 8 goto +3`, `lock *(u64 *)(r0 + 0) += r1`), with
 * bpftool's `call name#id` for helpers and `map[name]` for relocated ld_imm64.
 * Used by tests (encoding round trips) and by `whistler disasm`.
 */
import { HELPER_NAMES } from "../frontend/helpers.js";
import { ALU_OP, CLASS, END_TO_BE, JMP_OP, MODE, SRC, sizeBytes, type Insn } from "./opcodes.js";
import { atomicText } from "./atomic-text.js";

const ALU_SYM: Record<number, string> = {
  [ALU_OP.add]: "+=", [ALU_OP.sub]: "-=", [ALU_OP.mul]: "*=", [ALU_OP.div]: "/=", [ALU_OP.or]: "|=",
  [ALU_OP.and]: "&=", [ALU_OP.lsh]: "<<=", [ALU_OP.rsh]: ">>=", [ALU_OP.mod]: "%=", [ALU_OP.xor]: "^=",
  [ALU_OP.mov]: "=", [ALU_OP.arsh]: "s>>=",
};
const JMP_SYM: Record<number, string> = {
  [JMP_OP.jeq]: "==", [JMP_OP.jgt]: ">", [JMP_OP.jge]: ">=", [JMP_OP.jset]: "&", [JMP_OP.jne]: "!=",
  [JMP_OP.jsgt]: "s>", [JMP_OP.jsge]: "s>=", [JMP_OP.jlt]: "<", [JMP_OP.jle]: "<=", [JMP_OP.jslt]: "s<", [JMP_OP.jsle]: "s<=",
};

export interface DisasmOptions {
  /** Name for the ld_imm64 at a given instruction index (map relocations). */
  /** Name of the symbol an instruction is relocated against; `func:name` for a function's
   * address (a bpf_loop callback), shown as `func[name]`. */
  readonly relocName?: (index: number) => string | undefined;
  /** Show the raw bytes of each instruction. */
  readonly bytes?: boolean;
}

function mem(size: 1 | 2 | 4 | 8, reg: number, off: number): string {
  const ty = { 1: "u8", 2: "u16", 4: "u32", 8: "u64" }[size];
  return `*(${ty} *)(r${reg} ${off < 0 ? "-" : "+"} ${Math.abs(off)})`;
}

const rel = (off: number) => (off < 0 ? `${off}` : `+${off}`);

/** One instruction (and its second half for ld_imm64) as text. */
export function formatInsn(i: Insn, next: Insn | undefined, index: number, opts: DisasmOptions = {}): string {
  const cls = i.code & 0x07;
  switch (cls) {
    case CLASS.ALU:
    case CLASS.ALU64: {
      const r = cls === CLASS.ALU64 ? "r" : "w";
      const op = i.code & 0xf0;
      if (op === ALU_OP.neg) return `${r}${i.dst} = -${r}${i.dst}`;
      if (op === ALU_OP.end) {
        const kind = (i.code & END_TO_BE) !== 0 ? "be" : "le";
        return `r${i.dst} = ${cls === CLASS.ALU64 ? "bswap" : kind}${i.imm} r${i.dst}`;
      }
      const sym = ALU_SYM[op];
      if (!sym) break;
      const src = (i.code & SRC.X) !== 0 ? `${r}${i.src}` : `${i.imm}`;
      return `${r}${i.dst} ${sym} ${src}`;
    }
    case CLASS.LD: {
      if (i.code === (CLASS.LD | 0x18 | MODE.IMM)) {
        const name = opts.relocName?.(index);
        if (name?.startsWith("func:")) return `r${i.dst} = func[${name.slice(5)}] ll`;
        if (name !== undefined) return `r${i.dst} = map[${name}] ll`;
        const v = (BigInt((next?.imm ?? 0) >>> 0) << 32n) | BigInt(i.imm >>> 0);
        return `r${i.dst} = ${i.src === 1 ? `map_fd(${i.imm})` : `0x${v.toString(16)}`} ll`;
      }
      break;
    }
    case CLASS.LDX:
      if ((i.code & 0xe0) === MODE.MEM) return `r${i.dst} = ${mem(sizeBytes(i.code), i.src, i.off)}`;
      break;
    case CLASS.ST:
      if ((i.code & 0xe0) === MODE.MEM) return `${mem(sizeBytes(i.code), i.dst, i.off)} = ${i.imm}`;
      break;
    case CLASS.STX: {
      const size = sizeBytes(i.code);
      if ((i.code & 0xe0) === MODE.MEM) return `${mem(size, i.dst, i.off)} = r${i.src}`;
      if ((i.code & 0xe0) === MODE.ATOMIC && i.imm === 0) return `lock ${mem(size, i.dst, i.off)} += ${size === 8 ? "r" : "w"}${i.src}`;
      if ((i.code & 0xe0) === MODE.ATOMIC) return atomicText(i.imm, mem(size, i.dst, i.off), `${size === 8 ? "r" : "w"}${i.src}`);
      break;
    }
    case CLASS.JMP:
    case CLASS.JMP32: {
      const op = i.code & 0xf0;
      if (cls === CLASS.JMP && op === JMP_OP.ja) return `goto ${rel(i.off)}`;
      if (cls === CLASS.JMP32 && op === JMP_OP.ja) return `gotol ${rel(i.imm)}`;
      if (cls === CLASS.JMP && op === JMP_OP.exit) return "exit";
      if (cls === CLASS.JMP && op === JMP_OP.call) {
        const kfunc = opts.relocName?.(index);
        if (kfunc?.startsWith("kfunc:")) return `call ${kfunc.slice(6)}`;
        if (i.src === 1) return `call pc${rel(i.imm)}`;
        const name = HELPER_NAMES[i.imm];
        return `call ${name ? `bpf_${name}` : "helper"}#${i.imm}`;
      }
      const sym = JMP_SYM[op];
      if (!sym) break;
      const r = cls === CLASS.JMP ? "r" : "w";
      const src = (i.code & SRC.X) !== 0 ? `${r}${i.src}` : `${i.imm}`;
      return `if ${r}${i.dst} ${sym} ${src} goto ${rel(i.off)}`;
    }
  }
  return `<unknown opcode 0x${i.code.toString(16).padStart(2, "0")}>`;
}

function hex(i: Insn): string {
  const b = [i.code, (i.src << 4) | i.dst, i.off & 0xff, (i.off >> 8) & 0xff, i.imm & 0xff, (i.imm >> 8) & 0xff, (i.imm >> 16) & 0xff, (i.imm >>> 24) & 0xff];
  return b.map((x) => x.toString(16).padStart(2, "0")).join(" ");
}

/** Listing with instruction indexes; ld_imm64 takes two indexes, like llvm-objdump. */
export function disassembleInsns(insns: readonly Insn[], opts: DisasmOptions = {}): string[] {
  const lines: string[] = [];
  for (let n = 0; n < insns.length; n++) {
    const i = insns[n]!;
    const wide = i.code === (CLASS.LD | 0x18 | MODE.IMM);
    const text = formatInsn(i, insns[n + 1], n, opts);
    const raw = opts.bytes ? `${hex(i)}${wide && insns[n + 1] ? " " + hex(insns[n + 1]!) : ""}\t` : "";
    lines.push(`${String(n).padStart(6)}:\t${raw}${text}`);
    if (wide) n++;
  }
  return lines;
}
