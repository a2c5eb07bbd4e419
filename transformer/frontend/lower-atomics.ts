/**
 * Lowering of atomics (`atomics.ts`): one `atomic_add` IR instruction (with the BPF_ATOMIC op
 * for or/and/xor) when no result is wanted, else one `atomic_fetch` yielding the old value.
 */
import { imm, type Operand } from "../ir/ir.js";
import { ATOMIC_ADD, ATOMIC_AND, ATOMIC_CMPXCHG, ATOMIC_FETCH, ATOMIC_OR, ATOMIC_XCHG, ATOMIC_XOR } from "../backend/opcodes.js";
import type { AtomicOp } from "./atomics.js";
import type { LowerOps } from "./lower-mem.js";
import type { TExpr } from "./typed.js";

const CODES: Readonly<Record<AtomicOp, number>> = {
  add: ATOMIC_ADD, or: ATOMIC_OR, and: ATOMIC_AND, xor: ATOMIC_XOR, xchg: ATOMIC_XCHG, cmpxchg: ATOMIC_CMPXCHG,
};

export function lowerAtomic(ops: LowerOps, e: Extract<TExpr, { k: "atomic" }>): Operand {
  const { b } = ops;
  const ptr = ops.expr(e.ptr);
  const args = e.args.map((a) => ops.expr(a));
  const w = e.size === 8 ? 64 : 32;
  const attrs = { size: e.size, off: e.off };
  if (!e.fetch) {
    b.emit("atomic_add", w, [ptr, args[0]!], e.span, { ...attrs, ...(e.op === "add" ? {} : { atomic: CODES[e.op] }) });
    return imm(0);
  }
  const code = e.op === "xchg" || e.op === "cmpxchg" ? CODES[e.op] : CODES[e.op] | ATOMIC_FETCH;
  return b.value("atomic_fetch", w, [ptr, ...args], e.span, { ...attrs, atomic: code });
}
