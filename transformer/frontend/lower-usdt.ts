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
 * `ctx.arg_count` reads the spec's `arg_count` the same way (0 without a spec).
 *
 * The register is read with a helper because the verifier allows no load from the context
 * at an offset it cannot see. Both reads leave 0 behind when they fault.
 */
import { imm, type Block, type Operand } from "../ir/ir.js";
import type { FnBuilder } from "../ir/builder.js";
import type { Span } from "../diagnostics.js";
import type { Cond } from "../ir/ops.js";
import { USDT_ARG_COUNT_OFFSET, UsdtArgKindCode, usdtArgField } from "../../runtime/usdt-spec.js";
import { HELPERS, MAP_HELPERS } from "./helpers.js";
import type { LowerOps } from "./lower-mem.js";
import type { TExpr } from "./typed.js";

/** Ids of the variables below: negative, below those of locals, temporaries and lower-mem.ts. */
let nextVariable = -3_000_000_000;

/** Block plumbing both lowerings share: two-way branches, and blocks that set a variable. */
function blocks(b: FnBuilder, span: Span) {
  return {
    /** Ends the block with `a cond k`, and returns the blocks for true and false. */
    branch(cond: Cond, w: 32 | 64, a: Operand, k: number): [Block, Block] {
      const t = b.newBlock();
      const f = b.newBlock();
      b.br({ k: "br", cond, w, a, b: imm(k), t: t.id, f: f.id, span });
      b.seal(t);
      b.seal(f);
      return [t, f];
    },
    /** In `block`: `v` into variable `id`, then on to `next`. */
    settle(block: Block, id: number, v: () => Operand, next: Block): void {
      b.enter(block);
      b.writeVar(id, block, v());
      b.jmp(next, span);
    },
    /** A variable of `w` bits no local or temporary uses. */
    variable(w: 32 | 64): number {
      const id = nextVariable--;
      b.declareVar(id, w);
      return id;
    },
  };
}

/** The spec of the site that fired: a map value pointer, or 0 (not attached by our loader). */
function siteSpec(ops: LowerOps, e: Extract<TExpr, { k: "usdtarg" }>): Operand {
  const { b } = ops;
  const cookie = b.value("call", 64, [ops.ctx], e.span, { helper: HELPERS.get_attach_cookie!.id });
  const key = ops.spill(cookie, 4, e.span);
  const specs = b.value("map_ref", 64, [], e.span, { map: e.specs.index });
  return b.value("call", 64, [specs, key], e.span, { helper: MAP_HELPERS.lookup });
}

export function lowerUsdtArg(ops: LowerOps, e: Extract<TExpr, { k: "usdtarg" }>): Operand {
  if (e.index === "count") return lowerUsdtArgCount(ops, e);
  const { b } = ops;
  const span = e.span;
  const index = e.index;
  const field = (name: Parameters<typeof usdtArgField>[1]) => usdtArgField(index, name);
  const { branch, settle, variable } = blocks(b, span);
  const spec = siteSpec(ops, e);

  const slot = b.slot(8, 8);
  /** 8 bytes read with `helper` (probe_read_kernel or _user) from `src`; 0 when it faults. */
  const read8 = (helper: number, src: Operand): Operand => {
    const scratch = () => b.value("slot_addr", 64, [], span, { slot });
    b.value("call", 64, [scratch(), imm(8), src], span, { helper });
    return b.value("load", 64, [scratch()], span, { size: 8, off: 0 }, 64);
  };
  // The value as read, before the shifts; and the result.
  const raw = variable(64);
  const result = variable(64);
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

/** `ctx.arg_count`: the spec's `arg_count`, 0 without a spec. */
function lowerUsdtArgCount(ops: LowerOps, e: Extract<TExpr, { k: "usdtarg" }>): Operand {
  const { b } = ops;
  const { branch, settle, variable } = blocks(b, e.span);
  const spec = siteSpec(ops, e);
  const count = variable(32);
  const end = b.newBlock();
  const [missing, found] = branch("eq", 64, spec, 0);
  settle(missing, count, () => imm(0), end);
  settle(found, count, () => b.value("load", 64, [spec], e.span, { size: 4, off: USDT_ARG_COUNT_OFFSET }, 32), end);
  b.seal(end);
  b.enter(end);
  return b.readVar(count, end);
}
