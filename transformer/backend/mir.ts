/**
 * Machine IR: BPF instructions over registers that are either physical (0..10) or virtual
 * (>= VIRT_BASE), plus symbolic stack offsets and block targets. Instruction selection
 * produces it; register allocation makes every register physical; frame layout resolves
 * stack offsets; emission lays blocks out and resolves jumps.
 */
import type { Cond } from "../ir/ops.js";
import type { Width } from "../ir/ir.js";
import { ATOMIC_CMPXCHG, type AluOp } from "./opcodes.js";
import type { Span } from "../diagnostics.js";
import type { CoreAccess } from "../btf/core.js";

export const VIRT_BASE = 16;
export type Reg = number;
export const isVirt = (r: Reg): boolean => r >= VIRT_BASE;

/** A stack address: slot base (assigned by frame layout) plus a byte offset. */
export interface StackRef {
  readonly slot: number;
  readonly delta: number;
}

/** The source each machine instruction came from, for BTF line info. */
interface Located {
  span?: Span;
}

export type MInst = Located & (
  /** dst (op)= src; `mov` only writes dst. `slot` adds a stack slot's offset to an imm. */
  | { k: "alu"; op: AluOp; w: Width; dst: Reg; src: Reg | bigint; slot?: number }
  | { k: "neg"; w: Width; dst: Reg }
  | { k: "bswap"; bits: 16 | 32 | 64; dst: Reg }
  | { k: "ldimm64"; dst: Reg; value: bigint }
  /** `dst = imm` (64-bit mov) whose imm the loader relocates (CO-RE `core`). */
  | { k: "coremov"; dst: Reg; core: CoreAccess }
  | { k: "ldmap"; dst: Reg; map: number }
  /** ld_imm64 of a global variable's address (relocated against its symbol). */
  | { k: "ldglobal"; dst: Reg; global: number }
  /** ld_imm64 of a function's address (a bpf_loop callback), relocated against `.text`. */
  | { k: "ldfunc"; dst: Reg; func: number }
  | { k: "ldx"; size: 1 | 2 | 4 | 8; dst: Reg; base: Reg; off: number | StackRef }
  | { k: "stx"; size: 1 | 2 | 4 | 8; base: Reg; off: number | StackRef; src: Reg }
  | { k: "st"; size: 1 | 2 | 4 | 8; base: Reg; off: number | StackRef; imm: bigint }
  /** `op`: the BPF_ATOMIC op when not add (or, and, xor; no fetch). */
  | { k: "atomic_add"; size: 4 | 8; base: Reg; off: number | StackRef; src: Reg; op?: number }
  /** A fetching atomic: the old value replaces src (cmpxchg: compares with r0, old in r0). */
  | { k: "atomic_fetch"; size: 4 | 8; base: Reg; off: number | StackRef; src: Reg; op: number }
  /** Uses r1..r(nargs), defines r0, clobbers r1..r5. With `kfunc`, a kernel function call
   * (index in the template's kfuncs; `helper` unused). */
  | { k: "call"; helper: number; nargs: number; kfunc?: number }
  /** BPF-to-BPF call of function `func`: the same register convention as a helper call. */
  | { k: "callf"; func: number; nargs: number });

export type MTerm = Located & (
  | { k: "jmp"; target: number }
  /** `set`: taken when `a & b` is not zero (BPF jset), which has no inverse. */
  | { k: "br"; cond: Cond | "set"; w: Width; a: Reg; b: Reg | bigint; t: number; f: number }
  | { k: "exit" });

export interface MBlock {
  readonly id: number;
  insts: MInst[];
  term: MTerm;
}

export interface MFn {
  readonly name: string;
  blocks: MBlock[];
  /** Next free virtual register number. */
  nextVirt: number;
  /** Stack slots: IR slots first, then spill slots added by register allocation. */
  slots: { size: number; align: number }[];
}

export const CALLER_SAVED: readonly Reg[] = [0, 1, 2, 3, 4, 5];
const ARG_REGS: readonly Reg[] = [1, 2, 3, 4, 5];

/** Registers an instruction reads and writes (clobbers count as writes). */
export function usesDefs(i: MInst | MTerm): { uses: Reg[]; defs: Reg[] } {
  switch (i.k) {
    case "alu": {
      if (typeof i.src === "bigint") return { uses: i.op === "mov" ? [] : [i.dst], defs: [i.dst] };
      return { uses: i.op === "mov" ? [i.src] : [i.dst, i.src], defs: [i.dst] };
    }
    case "neg":
    case "bswap": return { uses: [i.dst], defs: [i.dst] };
    case "ldimm64":
    case "coremov":
    case "ldmap":
    case "ldglobal":
    case "ldfunc": return { uses: [], defs: [i.dst] };
    case "ldx": return { uses: [i.base], defs: [i.dst] };
    case "stx":
    case "atomic_add": return { uses: [i.base, i.src], defs: [] };
    case "atomic_fetch": return i.op === ATOMIC_CMPXCHG ? { uses: [i.base, i.src, 0], defs: [0] } : { uses: [i.base, i.src], defs: [i.src] };
    case "st": return { uses: [i.base], defs: [] };
    case "call":
    case "callf": return { uses: ARG_REGS.slice(0, i.nargs), defs: CALLER_SAVED.slice() };
    case "jmp": return { uses: [], defs: [] };
    case "br": return { uses: typeof i.b === "bigint" ? [i.a] : [i.a, i.b], defs: [] };
    case "exit": return { uses: [0], defs: [] };
  }
}

/** Rewrites every register of an instruction through `f`. */
export function mapRegs<T extends MInst | MTerm>(i: T, f: (r: Reg) => Reg): T {
  const x = i as MInst | MTerm;
  switch (x.k) {
    case "alu": return { ...x, dst: f(x.dst), src: typeof x.src === "bigint" ? x.src : f(x.src) } as T;
    case "neg":
    case "bswap":
    case "ldimm64":
    case "coremov":
    case "ldmap":
    case "ldglobal":
    case "ldfunc": return { ...x, dst: f(x.dst) } as T;
    case "ldx": return { ...x, dst: f(x.dst), base: f(x.base) } as T;
    case "stx":
    case "atomic_add":
    case "atomic_fetch": return { ...x, base: f(x.base), src: f(x.src) } as T;
    case "st": return { ...x, base: f(x.base) } as T;
    case "br": return { ...x, a: f(x.a), b: typeof x.b === "bigint" ? x.b : f(x.b) } as T;
    default: return i;
  }
}

export function blockSuccessors(t: MTerm): number[] {
  return t.k === "jmp" ? [t.target] : t.k === "br" ? [t.t, t.f] : [];
}
