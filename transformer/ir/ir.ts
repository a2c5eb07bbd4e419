/**
 * The IR: a function is a list of basic blocks over virtual registers in SSA form (each
 * vreg defined once; phis at block heads). Operands are vregs or 64-bit immediates.
 * Every instruction keeps the span of the source it came from.
 */
import type { Span } from "../diagnostics.js";
import type { Cond, Op } from "./ops.js";
import type { CoreAccess } from "../btf/core.js";

export type Width = 32 | 64;

export type Operand = { readonly k: "v"; readonly id: number } | { readonly k: "imm"; readonly v: bigint };

export const vreg = (id: number): Operand => ({ k: "v", id });
export const imm = (v: bigint | number): Operand => ({ k: "imm", v: BigInt.asUintN(64, BigInt(v)) });

export interface Inst {
  op: Op;
  /** Result vreg, when the op has one. */
  dst: number | undefined;
  /** Operation width: 32-bit ops zero-extend their result. */
  w: Width;
  args: Operand[];
  readonly span: Span;
  /** Memory size for load/store/atomic_add. */
  size?: 1 | 2 | 4 | 8;
  /** Constant offset for load/store/atomic_add. */
  off?: number;
  /** Stack slot for slot_addr. */
  slot?: number;
  /** Map index for map_ref. */
  map?: number;
  /** Global variable index for global_ref. */
  global?: number;
  /** Helper number for call. */
  helper?: number;
  /** Kernel function (index in the template's kfuncs) for a call that is not a helper's. */
  kfunc?: number;
  /** Function index (in the template) for call_fn and func_ref. */
  func?: number;
  /** BPF_ATOMIC op (the instruction's imm) for atomic_add (when not add) and atomic_fetch. */
  atomic?: number;
  /** Bit count for bswap. */
  bits?: 16 | 32 | 64;
  /** Parameter index for param. */
  param?: number;
  /** What core_imm's value is (kernel struct access), for the CO-RE record. */
  core?: CoreAccess;
}

export interface PhiArg {
  pred: number;
  v: Operand;
}

export interface Phi {
  dst: number;
  args: PhiArg[];
  readonly span: Span;
}

export type Term =
  | { readonly k: "jmp"; target: number; readonly span: Span }
  /** `if (a cond b) goto t else goto f`, compared at width `w`. */
  | { readonly k: "br"; cond: Cond; w: Width; a: Operand; b: Operand; t: number; f: number; readonly span: Span }
  | { readonly k: "ret"; v: Operand; readonly span: Span };

export interface Block {
  readonly id: number;
  phis: Phi[];
  insts: Inst[];
  term: Term;
}

export interface VRegInfo {
  /** 32 when the upper half of the register is known to be zero. */
  readonly w: Width;
}

export interface StackSlot {
  readonly size: number;
  readonly align: number;
}

export interface Fn {
  readonly name: string;
  /** blocks[0] is the entry; a block's id is stable, its index may change. */
  blocks: Block[];
  readonly vregs: VRegInfo[];
  readonly slots: StackSlot[];
}

export function newVreg(fn: Fn, w: Width): number {
  fn.vregs.push({ w });
  return fn.vregs.length - 1;
}

export function successors(t: Term): number[] {
  switch (t.k) {
    case "jmp": return [t.target];
    case "br": return t.t === t.f ? [t.t] : [t.t, t.f];
    case "ret": return [];
  }
}

/** Predecessor lists, recomputed from terminators (the terminators are the truth). */
export function predecessors(fn: Fn): Map<number, number[]> {
  // Every pass asks for these, several times a round: no array per block's successors.
  const preds = new Map<number, number[]>();
  for (const b of fn.blocks) preds.set(b.id, []);
  for (const b of fn.blocks) {
    const t = b.term;
    if (t.k === "jmp") preds.get(t.target)?.push(b.id);
    else if (t.k === "br") {
      preds.get(t.t)?.push(b.id);
      if (t.f !== t.t) preds.get(t.f)?.push(b.id);
    }
  }
  return preds;
}

export function blockById(fn: Fn): Map<number, Block> {
  return new Map(fn.blocks.map((b) => [b.id, b]));
}

/** Operands read by a terminator. */
export function termOperands(t: Term): Operand[] {
  return t.k === "br" ? [t.a, t.b] : t.k === "ret" ? [t.v] : [];
}

/** Rewrites every operand (phis, instructions, terminators) through `f`. */
export function mapOperands(fn: Fn, f: (o: Operand) => Operand): void {
  for (const b of fn.blocks) {
    for (const p of b.phis) for (const a of p.args) a.v = f(a.v);
    for (const i of b.insts) i.args = i.args.map(f);
    const t = b.term;
    if (t.k === "br") {
      t.a = f(t.a);
      t.b = f(t.b);
    } else if (t.k === "ret") {
      t.v = f(t.v);
    }
  }
}

/** Use counts of every vreg. */
export function useCounts(fn: Fn): Map<number, number> {
  const n = new Map<number, number>();
  const add = (o: Operand) => {
    if (o.k === "v") n.set(o.id, (n.get(o.id) ?? 0) + 1);
  };
  for (const b of fn.blocks) {
    for (const p of b.phis) for (const a of p.args) add(a.v);
    for (const i of b.insts) i.args.forEach(add);
    termOperands(b.term).forEach(add);
  }
  return n;
}
