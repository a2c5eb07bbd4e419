/**
 * Lowering of kernel struct accesses (`kernel-struct.ts`), as clang compiles BPF_CORE_READ:
 *
 *   rX = <offset>             ; core_imm: the CO-RE relocated byte offset
 *   rX += base
 *   r1 = fp - n; r2 = size; r3 = rX
 *   call bpf_probe_read_kernel
 *   r0 = *(uN *)(fp - n)      ; zeroed by the kernel if the read faulted
 */
import type { Operand } from "../ir/ir.js";
import { imm } from "../ir/ir.js";
import { HELPERS } from "./helpers.js";
import type { LowerOps } from "./lower-mem.js";
import type { TExpr } from "./typed.js";

/** `base + relocated offset`. */
export function lowerKernelAddr(ops: LowerOps, e: Extract<TExpr, { k: "kaddr" }>): Operand {
  const off = ops.b.value("core_imm", 64, [], e.span, { core: e.access });
  return ops.b.value("add", 64, [ops.expr(e.base), off], e.span);
}

/** The `size`-byte field at `base + relocated offset`, read into a stack slot and loaded. */
export function lowerKernelRead(ops: LowerOps, e: Extract<TExpr, { k: "kread" }>): Operand {
  const { b } = ops;
  const src = lowerKernelAddr(ops, { k: "kaddr", ty: e.ty, base: e.base, access: e.access, span: e.span });
  // A BTF pointer: the verifier turns the load into a fault-safe one (BPF_PROBE_MEM).
  if (e.direct) return b.value("load", 64, [src], e.span, { size: e.size, off: 0 }, e.size === 8 ? 64 : 32);
  const slot = b.slot(e.size, e.size);
  const dst = b.value("slot_addr", 64, [], e.span, { slot });
  b.value("call", 64, [dst, imm(e.size), src], e.span, { helper: HELPERS.probe_read_kernel!.id });
  return b.value("load", 64, [dst], e.span, { size: e.size, off: 0 }, e.size === 8 ? 64 : 32);
}

/** A bitfield: probe-read into a zeroed u64, then the two relocated shifts. */
export function lowerKernelBitfield(ops: LowerOps, e: Extract<TExpr, { k: "kbitfield" }>): Operand {
  const { b } = ops;
  const a = e.accesses;
  const core = (access: typeof a.offset) => b.value("core_imm", 64, [], e.span, { core: access });
  const src = b.value("add", 64, [ops.expr(e.base), core(a.offset)], e.span);
  const slot = b.slot(8, 8);
  const dst = b.value("slot_addr", 64, [], e.span, { slot });
  b.emit("store", 64, [dst, imm(0)], e.span, { size: 8, off: 0 });
  b.value("call", 64, [dst, core(a.size), src], e.span, { helper: HELPERS.probe_read_kernel!.id });
  const raw = b.value("load", 64, [dst], e.span, { size: 8, off: 0 }, 64);
  const up = b.value("shl", 64, [raw, core(a.lshift)], e.span);
  return b.value(e.signed ? "ashr" : "lshr", 64, [up, core(a.rshift)], e.span);
}

