/**
 * Lowering: checked tree -> IR (SSA), one function per program.
 *
 * Register representation of each type (the contract isel and the passes rely on):
 * - 64-bit types fill the register;
 * - narrower types keep the upper 32 bits zero, and the low 32 bits hold the value
 *   zero-extended (unsigned, bool) or sign-extended to 32 bits (i8, i16, i32), so 32-bit
 *   ALU and JMP32 work on all of them; 8/16-bit results are renormalized after ops that
 *   can overflow.
 * Conditions lower to branches (short-circuit && and ||); a comparison used as a value
 * becomes a branch and a phi of 1 and 0.
 */
import type { ScalarName } from "../../runtime/types.js";
import type { Span } from "../diagnostics.js";
import { FnBuilder } from "../ir/builder.js";
import { imm, type Block, type Fn, type Operand, type Width } from "../ir/ir.js";
import type { Cond } from "../ir/ops.js";
import { mapHasMissingKeys, mapIsPerCpu } from "./builtins.js";
import { MAP_HELPERS } from "./helpers.js";
import { lowerUsdtArg } from "./lower-usdt.js";
import type { CheckedFunction, CheckedProgram, CheckedTemplate, GlobalVar, LValue, TExpr, TStmt } from "./typed.js";
import type { CallPlan } from "./inline.js";
import { ControlLowerer } from "./lower-control.js";
import { lowerFieldPtr, lowerMapMethod, lowerStackObj, type LowerOps } from "./lower-mem.js";
import { EXTRA_MAP_METHODS } from "./map-methods.js";
import { lowerAtomic } from "./lower-atomics.js";
import { lowerCopy } from "./lower-copy.js";
import { lowerKernelAddr, lowerKernelBitfield, lowerKernelRead } from "./lower-kernel.js";
import { isSigned, sizeOf, widensTo, widthOf, type Type } from "./types.js";

function scalarOf(t: Type): ScalarName {
  if (t.k !== "scalar") throw new Error(`internal: expected a scalar type, got ${t.k}`);
  return t.name;
}

/** Register width of a value of type `t` (pointers are 64-bit). */
function widthOfType(t: Type): Width {
  return t.k === "scalar" ? widthOf(t.name) : 64;
}

/** What the template offers a body being lowered: its functions and how calls go. */
export interface LowerEnv {
  readonly template: Pick<CheckedTemplate, "functions"> & Partial<Pick<CheckedTemplate, "kfuncs">>;
  readonly plan: CallPlan;
}

const NO_FUNCTIONS: LowerEnv = { template: { functions: [] }, plan: { outOfLine: new Set() } };

export function lowerProgram(p: CheckedProgram, env: LowerEnv = NO_FUNCTIONS): Fn {
  return new Lowerer(p.name, env).program(p);
}

/** An out-of-line function as its own IR function: parameters arrive in r1..r5. */
export function lowerFunction(f: CheckedFunction, env: LowerEnv): Fn {
  return new Lowerer(f.name, env).func(f);
}

/** Where `return` goes inside an inlined body: the call's join block and result variable. */
interface InlineReturn {
  readonly join: Block;
  readonly result: number;
}

/** Local ids are per function; each inlined body gets its own range of variable keys. */
const INLINE_STRIDE = 1_000_000;

class Lowerer {
  private readonly b: FnBuilder;
  private ctx!: Operand;
  private tmpVars = 0;
  private varBase = 0;
  private nextBase = 0;
  private inlineReturn: InlineReturn | undefined;
  /** Functions being inlined, to stop runaway nesting (the checker rejects recursion). */
  private readonly inlining: number[] = [];
  /** Loops, switch, `?:` (lower-control.ts). */
  private readonly control = ((self: Lowerer) => new ControlLowerer({
    get b() { return self.b; },
    cond: (e, t, f) => self.cond(e, t, f),
    expr: (e) => self.expr(e),
    stmts: (list) => self.stmts(list),
    tempVar: (w) => {
      const id = -1 - self.tmpVars++;
      self.b.declareVar(id, w);
      return id;
    },
  }))(this);

  constructor(name: string, private readonly env: LowerEnv) {
    this.b = new FnBuilder(name);
  }

  program(p: CheckedProgram): Fn {
    this.ctx = this.b.value("param", 64, [], p.span, { param: 0 });
    this.stmts(p.body);
    // The checker proved every path returns; a fall-through block here is unreachable.
    if (this.b.cur) this.b.ret(imm(0), p.span);
    return this.b.finish();
  }

  func(f: CheckedFunction): Fn {
    f.params.forEach((local, i) => {
      this.b.declareVar(this.key(local.id), widthOfType(local.type));
      this.b.writeVar(this.key(local.id), this.b.cur, this.b.value("param", 64, [], local.span, { param: i }, widthOfType(local.type)));
    });
    this.stmts(f.body);
    // Void functions may fall off the end; the verifier wants r0 set at every exit.
    if (this.b.cur) this.b.ret(imm(0), f.span);
    return this.b.finish();
  }

  private key(localId: number): number {
    return this.varBase + localId;
  }

  private stmts(list: readonly TStmt[]): void {
    for (const s of list) this.stmt(s);
  }

  private stmt(s: TStmt): void {
    switch (s.k) {
      case "let": {
        this.b.declareVar(this.key(s.local.id), widthOfType(s.local.type));
        // Evaluate first: the initialiser may end in a different block (&&, ?:-like values).
        const v = this.expr(s.init);
        this.b.writeVar(this.key(s.local.id), this.b.cur, v);
        return;
      }
      case "expr": {
        this.expr(s.e);
        return;
      }
      case "return": {
        const v = s.value ? this.expr(s.value) : imm(0);
        const r = this.inlineReturn;
        if (r) {
          this.b.writeVar(r.result, this.b.cur, v);
          if (this.b.cur) this.b.jmp(r.join, s.span);
          return;
        }
        this.b.ret(v, s.span);
        return;
      }
      case "if": {
        const t = this.b.newBlock();
        const f = this.b.newBlock();
        this.cond(s.cond, t, f);
        this.b.seal(t);
        this.b.seal(f);
        this.b.enter(t);
        this.stmts(s.then);
        const thenEnd = this.b.cur;
        this.b.enter(f);
        this.stmts(s.else);
        const elseEnd = this.b.cur;
        if (!thenEnd && !elseEnd) {
          this.b.cur = undefined;
          return;
        }
        if (thenEnd && !elseEnd) return this.b.enter(thenEnd);
        if (elseEnd && !thenEnd) return this.b.enter(elseEnd);
        const join = this.b.newBlock();
        this.b.enter(thenEnd!);
        this.b.jmp(join, s.span);
        this.b.enter(elseEnd!);
        this.b.jmp(join, s.span);
        this.b.seal(join);
        this.b.enter(join);
        return;
      }
      case "loop":
      case "switch":
      case "break":
      case "continue":
        return this.control.stmt(s);
    }
  }

  // ---- conditions ---------------------------------------------------------------------

  /** Branch to `t` when `e` is true (non-zero / non-null), else to `f`. */
  private cond(e: TExpr, t: Block, f: Block): void {
    switch (e.k) {
      case "logic": {
        const mid = this.b.newBlock();
        if (e.op === "and") this.cond(e.l, mid, f);
        else this.cond(e.l, t, mid);
        this.b.seal(mid);
        this.b.enter(mid);
        this.cond(e.r, t, f);
        return;
      }
      case "not":
        return this.cond(e.e, f, t);
      case "select":
        return this.control.condSelect(e, t, f);
      case "cmp": {
        const { cond, w, a, b } = this.compare(e);
        this.b.br({ k: "br", cond, w, a, b, t: t.id, f: f.id, span: e.span });
        return;
      }
      case "const":
        this.b.jmp(e.value !== 0n ? t : f, e.span);
        return;
      default: {
        const v = this.expr(e);
        this.b.br({ k: "br", cond: "ne", w: widthOfType(e.ty), a: v, b: imm(0), t: t.id, f: f.id, span: e.span });
      }
    }
  }

  private compare(e: Extract<TExpr, { k: "cmp" }>): { cond: Cond; w: Width; a: Operand; b: Operand } {
    const operandTy = e.l.k === "null" ? e.r.ty : e.l.ty;
    const signed = operandTy.k === "scalar" && isSigned(operandTy.name);
    const w = widthOfType(operandTy);
    const a = this.expr(e.l);
    const b = this.expr(e.r);
    const conds: Record<typeof e.op, Cond> = signed
      ? { eq: "eq", ne: "ne", lt: "slt", le: "sle", gt: "sgt", ge: "sge" }
      : { eq: "eq", ne: "ne", lt: "ult", le: "ule", gt: "ugt", ge: "uge" };
    return { cond: conds[e.op], w, a, b };
  }

  /** A condition used as a value: 1 or 0 through a phi. */
  private boolValue(e: TExpr): Operand {
    const t = this.b.newBlock();
    const f = this.b.newBlock();
    const join = this.b.newBlock();
    const tmp = -1 - this.tmpVars++; // negative ids never clash with locals
    this.b.declareVar(tmp, 32);
    this.cond(e, t, f);
    this.b.seal(t);
    this.b.seal(f);
    this.b.enter(t);
    this.b.writeVar(tmp, t, imm(1));
    this.b.jmp(join, e.span);
    this.b.enter(f);
    this.b.writeVar(tmp, f, imm(0));
    this.b.jmp(join, e.span);
    this.b.seal(join);
    this.b.enter(join);
    return this.b.readVar(tmp, join);
  }

  // ---- values -------------------------------------------------------------------------

  private expr(e: TExpr): Operand {
    switch (e.k) {
      // Narrow constants in their register form: upper half zero.
      case "const": return imm(e.ty.k === "scalar" && widthOf(e.ty.name) === 32 ? BigInt.asUintN(32, e.value) : e.value);
      case "null": return imm(0);
      case "local": return this.b.readVar(this.key(e.local.id), this.b.cur);
      case "global": return this.loadGlobal(e.g, e.span);
      case "gaddr": return this.globalRef(e.g.index, e.span);
      case "kfunc": {
        const k = this.env.template.kfuncs?.[e.kfunc];
        if (!k) throw new Error(`internal: no kfunc #${e.kfunc}`);
        const r = this.b.value("call", 64, e.args.map((a) => this.expr(a)), e.span, { kfunc: e.kfunc });
        // Kernel pointers and 64-bit integers come back whole; narrower results get their representation.
        return k.ret === "void" || k.ret === "kptr" || k.ret === "u64" || k.ret === "i64" ? r : this.convert(r, "u64", k.ret, e.span);
      }
      case "argpack": {
        // bpf_trace_vprintk's data: the arguments as consecutive u64 words on the stack.
        const values = e.args.map((a) => this.expr(a));
        const slot = this.b.slot(8 * values.length, 8);
        const addr = this.b.value("slot_addr", 64, [], e.span, { slot });
        values.forEach((v, i) => this.b.emit("store", 64, [addr, v], e.span, { size: 8, off: 8 * i }));
        return addr;
      }
      case "arith": return this.arith(e);
      case "cmp":
      case "logic":
      case "not": return this.boolValue(e);
      case "neg": {
        const t = scalarOf(e.ty);
        return this.normalize(t, this.b.value("neg", widthOf(t), [this.expr(e.e)], e.span));
      }
      case "bnot": {
        const t = scalarOf(e.ty);
        return this.normalize(t, this.b.value("xor", widthOf(t), [this.expr(e.e), imm(-1)], e.span));
      }
      case "convert": return this.convert(this.expr(e.e), scalarOf(e.e.ty), scalarOf(e.ty), e.span);
      case "helper": {
        const args = e.args.map((a) => this.expr(a));
        const r = this.b.value("call", 64, args, e.span, { helper: e.helper.id });
        // Helpers return 64-bit registers; narrow results get the representation above.
        return e.helper.ret === "u64" || e.helper.ret === "i64" ? r : this.convert(r, "u64", e.helper.ret, e.span);
      }
      case "usdtarg": return lowerUsdtArg(this.memOps(), e);
      case "ctxload": {
        const f = e.field;
        const w: Width = f.type === "pkt" || f.type === "pkt_end" || f.size === 8 ? 64 : 32;
        return this.b.value("load", 64, [this.ctx], e.span, { size: f.size, off: f.offset }, w);
      }
      case "pktadd": return this.b.value("add", 64, [this.expr(e.ptr), this.expr(e.off)], e.span);
      case "load": {
        // Fold constant pointer offsets into the load: load_u8(data + 14, 9) reads data + 23.
        let ptr = e.ptr;
        let off = e.off;
        while (ptr.k === "pktadd" && ptr.off.k === "const" && off + Number(ptr.off.value) <= 0x7fff) {
          off += Number(ptr.off.value);
          ptr = ptr.ptr;
        }
        while (ptr.k === "fieldptr" && !ptr.index && off + ptr.off <= 0x7fff) {
          off += ptr.off;
          ptr = ptr.ptr;
        }
        return this.b.value("load", 64, [this.expr(ptr)], e.span, { size: e.size, off }, e.size === 8 ? 64 : 32);
      }
      case "bswap": return this.b.value("bswap", 64, [this.expr(e.e)], e.span, { bits: e.bits }, e.bits === 64 ? 64 : 32);
      case "deref": {
        const t = scalarOf(e.ty);
        return this.b.value("load", 64, [this.expr(e.ptr)], e.span, { size: sizeOf(t), off: 0 }, widthOf(t));
      }
      case "map": return this.mapOp(e);
      case "fieldptr": return lowerFieldPtr(this.memOps(), e);
      case "stackobj": return lowerStackObj(this.memOps(), e);
      case "mapref": return this.b.value("map_ref", 64, [], e.span, { map: e.map.index });
      case "ctxptr": return this.ctx;
      case "assign": return this.assign(e);
      case "callf": return this.callFunction(e);
      case "atomic": return lowerAtomic(this.memOps(), e);
      case "copy": return lowerCopy(this.memOps(), e);
      case "funcaddr": return this.b.value("func_ref", 64, [], e.span, { func: e.fn });
      case "retype": return this.expr(e.e);
      case "kaddr": return lowerKernelAddr(this.memOps(), e);
      case "kread": return lowerKernelRead(this.memOps(), e);
      case "kbitfield": return lowerKernelBitfield(this.memOps(), e);
      case "kconst": return this.b.value("core_imm", 64, [], e.span, { core: e.access });
      case "select": return this.control.select(e);
    }
  }

  private callFunction(e: Extract<TExpr, { k: "callf" }>): Operand {
    const f = this.env.template.functions.find((x) => x.index === e.fn);
    if (!f) throw new Error(`internal: no function #${e.fn}`);
    const args = e.args.map((a) => this.expr(a));
    const w = f.ret === "void" ? 64 : widthOf(f.ret);
    if (this.env.plan.outOfLine.has(f.index) || this.inlining.includes(f.index)) {
      return this.b.value("call_fn", 64, args, e.span, { func: f.index }, w);
    }
    return this.inline(f, args, e.span);
  }

  /** Lowers `f`'s body in place: parameters bound to `args`, returns jump to a join. */
  private inline(f: CheckedFunction, args: readonly Operand[], span: Span): Operand {
    const saved = { base: this.varBase, ret: this.inlineReturn };
    this.varBase = this.nextBase += INLINE_STRIDE;
    f.params.forEach((local, i) => {
      this.b.declareVar(this.key(local.id), widthOfType(local.type));
      this.b.writeVar(this.key(local.id), this.b.cur, args[i]!);
    });
    const join = this.b.newBlock();
    const result = -1 - this.tmpVars++;
    this.b.declareVar(result, f.ret === "void" ? 64 : widthOf(f.ret));
    this.inlineReturn = { join, result };
    this.inlining.push(f.index);
    this.stmts(f.body);
    this.inlining.pop();
    if (this.b.cur) {
      // A void body that falls off its end.
      this.b.writeVar(result, this.b.cur, imm(0));
      this.b.jmp(join, span);
    }
    this.varBase = saved.base;
    this.inlineReturn = saved.ret;
    this.b.seal(join);
    this.b.enter(join);
    return this.b.readVar(result, join);
  }

  /** Restores the representation of 8/16-bit values after an op that may overflow. */
  private normalize(t: ScalarName, v: Operand): Operand {
    const span = { start: 0, end: 0 };
    switch (t) {
      case "u8": return this.b.value("and", 32, [v, imm(0xff)], span);
      case "u16": return this.b.value("and", 32, [v, imm(0xffff)], span);
      case "i8": return this.b.value("ashr", 32, [this.b.value("shl", 32, [v, imm(24)], span), imm(24)], span);
      case "i16": return this.b.value("ashr", 32, [this.b.value("shl", 32, [v, imm(16)], span), imm(16)], span);
      case "bool": return this.b.value("and", 32, [v, imm(1)], span);
      default: return v;
    }
  }

  /** Scalar conversion with C semantics, given the representation invariant. */
  private convert(v: Operand, from: ScalarName, to: ScalarName, span: Span): Operand {
    if (from === to) return v;
    // The checker turns `x as bool` into `x != 0`; no other conversion reaches bool.
    if (to === "bool") throw new Error("internal: conversion to bool must be a comparison");
    const fw = widthOf(from);
    const tw = widthOf(to);
    if (tw === 64) {
      if (fw === 64 || !isSigned(from)) return v;
      // Sign-extend the low 32 bits (valid for i8/i16 too: they are kept sign-extended).
      return this.b.value("ashr", 64, [this.b.value("shl", 64, [v, imm(32)], span), imm(32)], span);
    }
    if (fw === 64) {
      switch (to) {
        case "u8": return this.b.value("and", 32, [v, imm(0xff)], span);
        case "u16": return this.b.value("and", 32, [v, imm(0xffff)], span);
        default: return this.normalize(to, this.b.value("mov", 32, [v], span));
      }
    }
    // 32-bit class to 32-bit class: reinterpreting the low 32 bits is already right when
    // the value survives or the target is 32 bits wide.
    if (widensTo(from, to) || sizeOf(to) === 4) return v;
    return this.normalize(to, v);
  }

  private arith(e: Extract<TExpr, { k: "arith" }>): Operand {
    const t = scalarOf(e.ty);
    const w = widthOf(t);
    const signed = isSigned(t);
    const a = this.expr(e.l);
    let b = this.expr(e.r);
    const span = e.span;
    switch (e.op) {
      case "add": return this.normalize(t, this.b.value("add", w, [a, b], span));
      case "sub": return this.normalize(t, this.b.value("sub", w, [a, b], span));
      case "mul": return this.normalize(t, this.b.value("mul", w, [a, b], span));
      case "and": return this.b.value("and", w, [a, b], span);
      case "or": return this.b.value("or", w, [a, b], span);
      case "xor": return this.b.value("xor", w, [a, b], span);
      case "shl": return this.normalize(t, this.b.value("shl", w, [a, b], span));
      case "shr": return this.b.value(signed ? "ashr" : "lshr", w, [a, b], span);
      case "ushr": {
        if (!signed || sizeOf(t) >= 4) return this.b.value("lshr", w, [a, b], span);
        const mask = imm(t === "i8" ? 0xff : 0xffff);
        return this.normalize(t, this.b.value("lshr", 32, [this.b.value("and", 32, [a, mask], span), b], span));
      }
      case "div":
      case "mod": {
        if (!signed) return this.b.value(e.op === "div" ? "udiv" : "umod", w, [a, b], span);
        // BPF before v4 has no signed division: divide magnitudes, then fix the sign
        // (branch-free: m = x >> (w-1); |x| = (x ^ m) - m).
        const top = imm(w - 1);
        const ma = this.b.value("ashr", w, [a, top], span);
        const mb = this.b.value("ashr", w, [b, top], span);
        const absA = this.b.value("sub", w, [this.b.value("xor", w, [a, ma], span), ma], span);
        b = this.b.value("sub", w, [this.b.value("xor", w, [b, mb], span), mb], span);
        const q = this.b.value(e.op === "div" ? "udiv" : "umod", w, [absA, b], span);
        const sign = e.op === "div" ? this.b.value("xor", w, [ma, mb], span) : ma;
        return this.normalize(t, this.b.value("sub", w, [this.b.value("xor", w, [q, sign], span), sign], span));
      }
    }
  }

  // ---- maps ---------------------------------------------------------------------------

  /** Spills `v` to a fresh stack slot of `size` bytes and returns the slot's address. */
  private spill(v: Operand, size: 1 | 2 | 4 | 8, span: Span): Operand {
    const slot = this.b.slot(size);
    const addr = this.b.value("slot_addr", 64, [], span, { slot });
    this.b.emit("store", 64, [addr, v], span, { size, off: 0 });
    return addr;
  }

  private mapOp(e: Extract<TExpr, { k: "map" }>): Operand {
    const { map, method } = e;
    const span = e.span;
    if (EXTRA_MAP_METHODS.includes(method)) return lowerMapMethod(this.memOps(), e);
    const keySize = sizeOf(map.info.key);
    const valSize = sizeOf(map.info.value);
    // Struct keys and values are already pointers to their bytes; scalars go to the stack.
    const key = map.info.keyStruct ? this.expr(e.args[0]!) : this.spill(this.expr(e.args[0]!), keySize, e.args[0]!.span);
    const mapRef = () => this.b.value("map_ref", 64, [], span, { map: map.index });
    switch (method) {
      case "lookup":
        return this.b.value("call", 64, [mapRef(), key], span, { helper: MAP_HELPERS.lookup });
      case "delete":
        return this.b.value("call", 64, [mapRef(), key], span, { helper: MAP_HELPERS.delete });
      case "update": {
        const value = map.info.valueStruct ? this.expr(e.args[1]!) : this.spill(this.expr(e.args[1]!), valSize, e.args[1]!.span);
        const flags = this.expr(e.args[2]!);
        return this.b.value("call", 64, [mapRef(), key, value, flags], span, { helper: MAP_HELPERS.update });
      }
      case "increment": {
        const by = this.expr(e.args[1]!);
        const p = this.b.value("call", 64, [mapRef(), key], span, { helper: MAP_HELPERS.lookup });
        const found = this.b.newBlock();
        const missing = this.b.newBlock();
        const join = this.b.newBlock();
        this.b.br({ k: "br", cond: "ne", w: 64, a: p, b: imm(0), t: found.id, f: missing.id, span });
        this.b.seal(found);
        this.b.seal(missing);
        this.b.enter(found);
        const w = widthOf(map.info.value);
        if (mapIsPerCpu(map.info.kind) || valSize < 4) {
          // Per-CPU values have one writer; 8/16-bit values have no atomic add in BPF.
          const old = this.b.value("load", 64, [p], span, { size: valSize, off: 0 }, w);
          this.b.emit("store", 64, [p, this.b.value("add", w, [old, by], span)], span, { size: valSize, off: 0 });
        } else {
          this.b.emit("atomic_add", w, [p, by], span, { size: valSize, off: 0 });
        }
        this.b.jmp(join, span);
        this.b.enter(missing);
        if (mapHasMissingKeys(map.info.kind)) {
          const value = this.spill(by, valSize, span);
          this.b.emit("call", 64, [mapRef(), key, value, imm(1 /* BPF_NOEXIST */)], span, { helper: MAP_HELPERS.update });
        }
        this.b.jmp(join, span);
        this.b.seal(join);
        this.b.enter(join);
        return imm(0);
      }
      default:
        throw new Error(`internal: map method ${method} reached the basic lowering`);
    }
  }

  private assign(e: Extract<TExpr, { k: "assign" }>): Operand {
    const target: LValue = e.target;
    const old = e.yieldsOld ? this.read(target) : undefined;
    const v = this.expr(e.value);
    if (target.k === "local") {
      this.b.writeVar(this.key(target.local.id), this.b.cur, v);
    } else if (target.k === "ctx") {
      this.b.emit("store", 64, [this.ctx, v], e.span, { size: target.field.size, off: target.field.offset });
    } else if (target.k === "global") {
      this.b.emit("store", 64, [this.globalRef(target.g.index, e.span), v], e.span, { size: sizeOf(target.g.type), off: 0 });
    } else {
      this.b.emit("store", 64, [this.expr(target.ptr), v], e.span, { size: sizeOf(target.ty), off: target.off ?? 0 });
    }
    return old ?? v;
  }

  /** What `lower-mem.ts` needs of this lowerer. */
  private memOps(): LowerOps {
    return { b: this.b, ctx: this.ctx, expr: (x) => this.expr(x), spill: (v, size, span) => this.spill(v, size, span) };
  }

  private globalRef(index: number, span: Span): Operand {
    return this.b.value("global_ref", 64, [], span, { global: index });
  }

  private loadGlobal(g: GlobalVar, span: Span): Operand {
    return this.b.value("load", 64, [this.globalRef(g.index, span)], span, { size: sizeOf(g.type), off: 0 }, widthOf(g.type));
  }

  private read(t: LValue): Operand {
    if (t.k === "local") return this.b.readVar(this.key(t.local.id), this.b.cur);
    if (t.k === "global") return this.loadGlobal(t.g, { start: 0, end: 0 });
    if (t.k === "ctx") return this.b.value("load", 64, [this.ctx], { start: 0, end: 0 }, { size: t.field.size, off: t.field.offset }, 32);
    const v = this.b.value("load", 64, [this.expr(t.ptr)], { start: 0, end: 0 }, { size: sizeOf(t.ty), off: t.off ?? 0 }, widthOf(t.ty));
    // Loads zero-extend; signed 8/16-bit values are kept sign-extended.
    return isSigned(t.ty) && sizeOf(t.ty) < 4 ? this.normalize(t.ty, v) : v;
  }
}
