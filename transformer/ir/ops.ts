/**
 * The IR op table: one row per operation, read by the printer, the verifier, the passes
 * and instruction selection. Adding an op means adding a row here and a case in isel.
 *
 * Width semantics (mirrors BPF): an op of width 32 reads the low 32 bits of its operands
 * and zero-extends its result to 64 bits; width 64 works on whole registers.
 */

export interface OpInfo {
  /** Number of operands; -1 for variadic (call). */
  readonly arity: number;
  /** Produces a value. */
  readonly hasDst: boolean;
  /** No memory access and no side effect: may be folded, moved, deleted when unused. */
  readonly pure: boolean;
  /** Must stay even when its result is unused (writes memory, calls the kernel). */
  readonly effect: boolean;
}

const pure = (arity: number): OpInfo => ({ arity, hasDst: true, pure: true, effect: false });

export const OPS = {
  /** Copy (width 32 truncates to the low half). */
  mov: pure(1),
  neg: pure(1),
  add: pure(2),
  sub: pure(2),
  mul: pure(2),
  /** Unsigned division and remainder; BPF defines x/0 = 0 and x%0 = x. */
  udiv: pure(2),
  umod: pure(2),
  and: pure(2),
  or: pure(2),
  xor: pure(2),
  shl: pure(2),
  lshr: pure(2),
  ashr: pure(2),
  /** Byte swap of the low `bits` bits (16/32/64), zero-extending: BPF `be16/be32/be64`. */
  bswap: pure(1),
  /** The program's n-th argument (the context pointer is param 0). */
  param: pure(0),
  /** Address of map `map` (an ld_imm64 with a relocation). */
  map_ref: pure(0),
  /** Address of global variable `global` (an ld_imm64 with a relocation against it). */
  global_ref: pure(0),
  /** Address of the template's function `func` (an ld_imm64 BPF_PSEUDO_FUNC: a bpf_loop
   * callback). Not pure: CSE keys do not include `func`, and one per use is what clang
   * emits anyway. */
  func_ref: { arity: 0, hasDst: true, pure: false, effect: false },
  /** A constant the loader rewrites for the target kernel: a CO-RE relocation (`core`) on a
   * 64-bit mov, e.g. a kernel struct field's byte offset. Not pure: never folded into other
   * instructions, never merged with another (each use site is its own relocation). */
  core_imm: { arity: 0, hasDst: true, pure: false, effect: false },
  /** Address of stack slot `slot` (r10 - offset, assigned by frame layout). */
  slot_addr: pure(0),
  /** Load `size` bytes at operand0 + off, zero-extended. Deletable, not movable. */
  load: { arity: 1, hasDst: true, pure: false, effect: false },
  /** Store operand1's low `size` bytes at operand0 + off. */
  store: { arity: 2, hasDst: false, pure: false, effect: true },
  /** Atomic add of operand1 to the `size`-byte integer at operand0 + off (no result); with
   * `atomic` set, that BPF_ATOMIC op instead (or, and, xor). */
  atomic_add: { arity: 2, hasDst: false, pure: false, effect: true },
  /** Atomic fetching op `atomic` (BPF_ATOMIC imm with BPF_FETCH) on the `size`-byte integer at
   * operand0 + off: result is the old value. Operand1 is the operand; cmpxchg has operand1
   * the expected value and operand2 the new one. */
  atomic_fetch: { arity: -1, hasDst: true, pure: false, effect: true },
  /** Kernel helper `helper` with up to 5 operands; result is r0. */
  call: { arity: -1, hasDst: true, pure: false, effect: true },
  /** BPF-to-BPF call of the template's function `func` (a `.text` subprogram). */
  call_fn: { arity: -1, hasDst: true, pure: false, effect: true },
} as const satisfies Readonly<Record<string, OpInfo>>;

export type Op = keyof typeof OPS;

/** Branch conditions: u/s say unsigned/signed for ordering. */
export const CONDS = ["eq", "ne", "ugt", "uge", "ult", "ule", "sgt", "sge", "slt", "sle"] as const;
export type Cond = (typeof CONDS)[number];

/** The condition that holds exactly when `c` does not. */
export function invertCond(c: Cond): Cond {
  const inv: Record<Cond, Cond> = { eq: "ne", ne: "eq", ugt: "ule", uge: "ult", ult: "uge", ule: "ugt", sgt: "sle", sge: "slt", slt: "sge", sle: "sgt" };
  return inv[c];
}

/** The condition with operands swapped: `a < b` is `b > a`. */
export function swapCond(c: Cond): Cond {
  const sw: Record<Cond, Cond> = { eq: "eq", ne: "ne", ugt: "ult", uge: "ule", ult: "ugt", ule: "uge", sgt: "slt", sge: "sle", slt: "sgt", sle: "sge" };
  return sw[c];
}
