/**
 * Lowering of copies (`copy.ts`): loads and stores of the widest chunks both objects'
 * alignment allows (the verifier rejects misaligned stack access), all loads of a chunk
 * before its store.
 */
import { imm, type Operand } from "../ir/ir.js";
import type { LowerOps } from "./lower-mem.js";
import type { TExpr } from "./typed.js";

export function lowerCopy(ops: LowerOps, e: Extract<TExpr, { k: "copy" }>): Operand {
  const { b } = ops;
  const dst = ops.expr(e.dst);
  const src = ops.expr(e.src);
  let off = 0;
  for (const size of [8, 4, 2, 1] as const) {
    if (size > e.align) continue;
    while (off + size <= e.size) {
      const v = b.value("load", 64, [src], e.span, { size, off }, size === 8 ? 64 : 32);
      b.emit("store", 64, [dst, v], e.span, { size, off });
      off += size;
    }
  }
  return imm(0);
}
