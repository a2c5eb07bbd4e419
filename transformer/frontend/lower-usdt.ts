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
import { imm, type Block, type Operand } from "../ir/ir.js";
import type { Cond } from "../ir/ops.js";
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
  /** 8 bytes read with `helper` (probe_read_kernel or _user) from `src`; 0 when it faults. */
  const read8 = (helper: number, src: Operand): Operand => {
    const scratch = () => b.value("slot_addr", 64, [], span, { slot });
    b.value("call", 64, [scratch(), imm(8), src], span, { helper });
    return b.value("load", 64, [scratch()], span, { size: 8, off: 0 }, 64);
  };
  /** Ends the block with `a cond k`, and returns the blocks for true and false. */
  const branch = (cond: Cond, w: 32 | 64, a: Operand, k: number): [Block, Block] => {
    const t = b.newBlock();
    const f = b.newBlock();
    b.br({ k: "br", cond, w, a, b: imm(k), t: t.id, f: f.id, span });
    b.seal(t);
    b.seal(f);
    return [t, f];
  };
  // The value as read, before the shifts; and the result. Ids no local or temporary uses.
  const raw = -3_000_000_000 - 2 * slot;
  const result = raw - 1;
  b.declareVar(raw, 64);
  b.declareVar(result, 64);
  /** In `block`: `v` into variable `id`, then on to `next`. */
  const settle = (block: Block, id: number, v: () => Operand, next: Block) => {
    b.enter(block);
    b.writeVar(id, block, v());
    b.jmp(next, span);
  };
  const shifts = b.newBlock();
  const end = b.newBlock();

  const [missing, found] = branch("eq", 64, spec, 0);
  settle(missing, result, () => imm(0), end);

  b.enter(found);
  const kind = b.value("load", 64, [spec], span, { size: 4, off: field("kind") }, 32);
  const value = b.value("load", 64, [spec], span, { size: 8, off: field("value") }, 64);
  const shift = b.value("load", 64, [spec], span, { size: 4, off: field("shift") }, 32);
  const signed = b.value("load", 64, [spec], span, { size: 4, off: field("is_signed") }, 32);
  const [inRegister, constant] = branch("uge", 32, kind, UsdtArgKindCode.reg);
  settle(constant, raw, () => value, shifts);

  b.enter(inRegister);
  const regOffset = b.value("load", 64, [spec], span, { size: 4, off: field("reg_offset") }, 32);
  const regValue = read8(HELPERS.probe_read_kernel!.id, b.value("add", 64, [ops.ctx, regOffset], span));
  const [deref, inReg] = branch("eq", 32, kind, UsdtArgKindCode.reg_deref);
  settle(inReg, raw, () => regValue, shifts);
  settle(deref, raw, () => read8(HELPERS.probe_read_user!.id, b.value("add", 64, [regValue, value], span)), shifts);

  b.seal(shifts);
  b.enter(shifts);
  const up = b.value("shl", 64, [b.readVar(raw, shifts), shift], span);
  const [asSigned, asUnsigned] = branch("ne", 32, signed, 0);
  settle(asSigned, result, () => b.value("ashr", 64, [up, shift], span), end);
  settle(asUnsigned, result, () => b.value("lshr", 64, [up, shift], span), end);

  b.seal(end);
  b.enter(end);
  return b.readVar(result, end);
}
