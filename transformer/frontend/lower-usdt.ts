/**
 * Lowering of a USDT probe's `ctx.args[i]`: the site that fired is named by the uprobe's
 * BPF cookie, an index into the object's spec table (runtime/usdt-spec.ts), whose entry
 * says where argument i is:
 *
 *   spec = map_lookup_elem(&__usdt_specs, &(u32)get_attach_cookie(ctx))
 *   if (!spec) v = 0                                  // not attached by our loader
 *   else {
 *     a = &spec->args[i]
 *     if (a->kind >= REG) {                           // a register, maybe a pointer to it
 *       probe_read_kernel(&v, 8, (void *)ctx + a->reg_offset)
 *       if (a->kind == REG_DEREF) probe_read_user(&v, 8, v + a->value)
 *     } else v = a->value                             // a constant (0 for an absent arg)
 *     v = a->is_signed ? (s64)(v << a->shift) >> a->shift : (v << a->shift) >> a->shift
 *   }
 *
 * The register is read with a helper because the verifier allows no load from the context
 * at an offset it cannot see. Both reads leave 0 behind when they fault.
 */
import { imm, type Operand } from "../ir/ir.js";
import type { Block } from "../ir/ir.js";
import { UsdtArgKindCode, usdtArgField } from "../../runtime/usdt-spec.js";
import { HELPERS, MAP_HELPERS } from "./helpers.js";
import type { LowerOps } from "./lower-mem.js";
import type { TExpr } from "./typed.js";

export function lowerUsdtArg(ops: LowerOps, e: Extract<TExpr, { k: "usdtarg" }>): Operand {
  const { b } = ops;
  const span = e.span;
  const field = (name: Parameters<typeof usdtArgField>[1]) => usdtArgField(e.index, name);
  const cookie = b.value("call", 64, [ops.ctx], span, { helper: HELPERS.get_attach_cookie!.id });
  const key = ops.spill(cookie, 4, span);
  const specs = b.value("map_ref", 64, [], span, { map: e.specs.index });
  const spec = b.value("call", 64, [specs, key], span, { helper: MAP_HELPERS.lookup });

  const slot = b.slot(8, 8);
  const scratch = () => b.value("slot_addr", 64, [], span, { slot });
  // The value as read, before the shifts; and the result. Ids no local or temporary uses.
  const raw = -3_000_000_000 - 2 * slot;
  const result = raw - 1;
  b.declareVar(raw, 64);
  b.declareVar(result, 64);

  const found = b.newBlock();
  const missing = b.newBlock();
  const end = b.newBlock();
  b.br({ k: "br", cond: "eq", w: 64, a: spec, b: imm(0), t: missing.id, f: found.id, span });
  b.seal(found);
  b.seal(missing);

  b.enter(missing);
  b.writeVar(result, missing, imm(0));
  b.jmp(end, span);

  b.enter(found);
  const kind = b.value("load", 64, [spec], span, { size: 4, off: field("kind") }, 32);
  const value = b.value("load", 64, [spec], span, { size: 8, off: field("value") }, 64);
  const shift = b.value("load", 64, [spec], span, { size: 4, off: field("shift") }, 32);
  const signed = b.value("load", 64, [spec], span, { size: 4, off: field("is_signed") }, 32);
  const inRegister = b.newBlock();
  const constant = b.newBlock();
  const shifts = b.newBlock();
  b.br({ k: "br", cond: "uge", w: 32, a: kind, b: imm(UsdtArgKindCode.reg), t: inRegister.id, f: constant.id, span });
  b.seal(inRegister);
  b.seal(constant);

  b.enter(constant);
  b.writeVar(raw, constant, value);
  b.jmp(shifts, span);

  b.enter(inRegister);
  const regOffset = b.value("load", 64, [spec], span, { size: 4, off: field("reg_offset") }, 32);
  const reg = b.value("add", 64, [ops.ctx, regOffset], span);
  b.value("call", 64, [scratch(), imm(8), reg], span, { helper: HELPERS.probe_read_kernel!.id });
  const regValue = b.value("load", 64, [scratch()], span, { size: 8, off: 0 }, 64);
  const deref = b.newBlock();
  const inReg = b.newBlock();
  b.br({ k: "br", cond: "eq", w: 32, a: kind, b: imm(UsdtArgKindCode.reg_deref), t: deref.id, f: inReg.id, span });
  b.seal(deref);
  b.seal(inReg);

  b.enter(inReg);
  b.writeVar(raw, inReg, regValue);
  b.jmp(shifts, span);

  b.enter(deref);
  const addr = b.value("add", 64, [regValue, value], span);
  b.value("call", 64, [scratch(), imm(8), addr], span, { helper: HELPERS.probe_read_user!.id });
  b.writeVar(raw, deref, b.value("load", 64, [scratch()], span, { size: 8, off: 0 }, 64));
  b.jmp(shifts, span);

  b.seal(shifts);
  b.enter(shifts);
  const up = b.value("shl", 64, [b.readVar(raw, shifts), shift], span);
  const asSigned = b.newBlock();
  const asUnsigned = b.newBlock();
  b.br({ k: "br", cond: "ne", w: 32, a: signed, b: imm(0), t: asSigned.id, f: asUnsigned.id, span });
  b.seal(asSigned);
  b.seal(asUnsigned);
  const down = (block: Block, op: "ashr" | "lshr") => {
    b.enter(block);
    b.writeVar(result, block, b.value(op, 64, [up, shift], span));
    b.jmp(end, span);
  };
  down(asSigned, "ashr");
  down(asUnsigned, "lshr");

  b.seal(end);
  b.enter(end);
  return b.readVar(result, end);
}
