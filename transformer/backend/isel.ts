/**
 * Instruction selection: SSA IR -> machine IR over virtual registers.
 *
 * - Immediates go into instructions wherever BPF encodes them (ALU and JMP sources,
 *   `*(u32 *)(r10 - 4) = 1` stores); 64-bit constants that do not fit use ld_imm64.
 * - 32-bit IR ops select 32-bit ALU / JMP32 instructions.
 * - Cheap values are rematerialised at each use instead of living in registers: stack
 *   addresses (`r2 = r10; r2 += -4`, or folded into `r10 - 4` memory operands), map
 *   addresses (ld_imm64) and constants. That keeps them out of registers across calls.
 * - Helper arguments go straight into r1..r5; results come from r0; the context arrives
 *   in r1; the return value leaves in r0.
 * - Out of SSA: each phi gets a fresh register copied at the end of each predecessor
 *   (critical edges are split, except that constant copies of one edge per branch go
 *   before the branch) and copied into the phi's own register at block start; the
 *   register allocator coalesces nearly all of these moves away.
 */
import { type Block, type Fn, type Inst, type Operand, type Width, predecessors, successors, useCounts } from "../ir/ir.js";
import type { MBlock, MFn, MInst, MTerm, Reg, StackRef } from "./mir.js";
import { VIRT_BASE } from "./mir.js";
import type { AluOp } from "./opcodes.js";
import type { Span } from "../diagnostics.js";
import { ATOMIC_CMPXCHG, R0, R1, R10 } from "./opcodes.js";

const S32_MIN = -(1n << 31n);
const S32_MAX = (1n << 31n) - 1n;

/** Whether a 64-bit value encodes as a sign-extended 32-bit immediate. */
export function fitsImm64(v: bigint): boolean {
  const s = BigInt.asIntN(64, v);
  return s >= S32_MIN && s <= S32_MAX;
}

const ALU_OF: Partial<Record<Inst["op"], AluOp>> = {
  mov: "mov", add: "add", sub: "sub", mul: "mul", udiv: "div", umod: "mod",
  and: "and", or: "or", xor: "xor", shl: "lsh", lshr: "rsh", ashr: "arsh",
};
const COMMUTATIVE = new Set<Inst["op"]>(["add", "mul", "and", "or", "xor"]);

type Remat = { k: "slot"; slot: number } | { k: "map"; map: number } | { k: "global"; global: number } | { k: "func"; func: number };

export function select(fn: Fn): MFn {
  return new Selector(fn).run();
}

class Selector {
  private readonly mfn: MFn;
  private readonly remat = new Map<number, Remat>();
  private cur!: MBlock;
  private nextBlockId: number;
  /** Source of the IR instruction being selected; every machine instruction keeps it. */
  private span: Span | undefined;

  /** `and` results only branches test against zero: each such branch is a jset. */
  private readonly bitTests = new Map<number, Inst>();

  constructor(private readonly fn: Fn) {
    this.mfn = { name: fn.name, blocks: [], nextVirt: VIRT_BASE + fn.vregs.length, slots: fn.slots.map((s) => ({ ...s })) };
    this.nextBlockId = Math.max(...fn.blocks.map((b) => b.id)) + 1;
    for (const b of fn.blocks) {
      for (const i of b.insts) {
        if (i.dst === undefined) continue;
        if (i.op === "slot_addr") this.remat.set(i.dst, { k: "slot", slot: i.slot! });
        if (i.op === "map_ref") this.remat.set(i.dst, { k: "map", map: i.map! });
        if (i.op === "global_ref") this.remat.set(i.dst, { k: "global", global: i.global! });
        if (i.op === "func_ref") this.remat.set(i.dst, { k: "func", func: i.func! });
      }
    }
    // Every use a `!= 0` / `== 0` branch: no register ever needs the mask's result.
    const uses = useCounts(fn);
    const tests = new Map<number, number>();
    for (const b of fn.blocks) {
      const t = b.term;
      if (t.k === "br" && (t.cond === "eq" || t.cond === "ne") && t.a.k === "v" && t.b.k === "imm" && t.b.v === 0n) tests.set(t.a.id, (tests.get(t.a.id) ?? 0) + 1);
    }
    for (const b of fn.blocks) for (const i of b.insts) if (i.op === "and" && i.dst !== undefined && tests.get(i.dst) === uses.get(i.dst)) this.bitTests.set(i.dst, i);
  }

  private temp(): Reg {
    return this.mfn.nextVirt++;
  }

  private emit(i: MInst): void {
    this.cur.insts.push(this.span && !i.span ? { ...i, span: this.span } : i);
  }

  /** Spans lowering made up (no source) are `{0, 0}`; they inherit the previous line. */
  private at(span: Span): void {
    this.span = span.end > span.start ? span : this.span;
  }

  private reg(id: number): Reg {
    return VIRT_BASE + id;
  }

  run(): MFn {
    const phiTemps = new Map<number, Reg>();
    for (const b of this.fn.blocks) for (const p of b.phis) phiTemps.set(p.dst, this.temp());
    const byId = new Map(this.fn.blocks.map((b) => [b.id, b]));
    const blocks = new Map<number, MBlock>();
    for (const b of this.fn.blocks) {
      this.cur = { id: b.id, insts: [], term: { k: "exit" } };
      blocks.set(b.id, this.cur);
      this.span = undefined;
      for (const p of b.phis) this.emit({ k: "alu", op: "mov", w: 64, dst: this.reg(p.dst), src: phiTemps.get(p.dst)! });
      for (const i of b.insts) {
        this.at(i.span);
        this.inst(i);
      }
      this.at(b.term.span);
      const term = this.term(b);
      this.cur.term = this.span ? { ...term, span: this.span } : term;
    }
    // Phi copies at the end of predecessors; split edges from blocks with two exits.
    const preds = predecessors(this.fn);
    const order: MBlock[] = this.fn.blocks.map((b) => blocks.get(b.id)!);
    /** Blocks whose phi copies for one successor were placed before their branch. */
    const hoisted = new Set<number>();
    for (const b of this.fn.blocks) {
      if (b.phis.length === 0) continue;
      // Hoisting pays only when no copy into b could coalesce away (all are constants).
      const allConstant = b.phis.every((phi) => phi.args.every((a) => a.v.k === "imm"));
      for (const pid of preds.get(b.id)!) {
        const p = byId.get(pid)!;
        let target = blocks.get(pid)!;
        const args = b.phis.map((phi) => phi.args.find((a) => a.pred === pid)!.v);
        if (successors(p.term).length > 1 && allConstant && !hoisted.has(pid)) {
          // Constant copies of a critical edge go before the branch instead of into a split
          // block: `r = 1; if c goto J; r = 0; J:` (a select in 3 instructions, no jump).
          // The other edge's path overwrites the phi registers before it reaches any use.
          hoisted.add(pid);
          this.cur = { id: -1, insts: [], term: { k: "exit" } };
          this.span = p.term.span.end > p.term.span.start ? p.term.span : undefined;
          b.phis.forEach((phi, n) => this.into(phiTemps.get(phi.dst)!, args[n]!, 64));
          target.insts.push(...this.cur.insts);
          continue;
        }
        if (successors(p.term).length > 1) {
          const split: MBlock = { id: this.nextBlockId++, insts: [], term: { k: "jmp", target: b.id } };
          const t = target.term;
          if (t.k === "br") {
            if (t.t === b.id) t.t = split.id;
            if (t.f === b.id) t.f = split.id;
          }
          order.splice(order.indexOf(target) + 1, 0, split);
          target = split;
        }
        this.cur = target;
        this.span = p.term.span.end > p.term.span.start ? p.term.span : undefined;
        for (const phi of b.phis) {
          const arg = phi.args.find((a) => a.pred === pid)!;
          this.into(phiTemps.get(phi.dst)!, arg.v, 64);
        }
      }
    }
    this.mfn.blocks = order;
    return this.mfn;
  }

  /** Puts operand `o` into register `dst`. */
  private into(dst: Reg, o: Operand, w: Width): void {
    if (o.k === "imm") return this.movImm(dst, o.v, w);
    const r = this.remat.get(o.id);
    if (r?.k === "slot") {
      this.emit({ k: "alu", op: "mov", w: 64, dst, src: R10 });
      this.emit({ k: "alu", op: "add", w: 64, dst, src: 0n, slot: r.slot });
      return;
    }
    if (r?.k === "map") return this.emit({ k: "ldmap", dst, map: r.map });
    if (r?.k === "global") return this.emit({ k: "ldglobal", dst, global: r.global });
    if (r?.k === "func") return this.emit({ k: "ldfunc", dst, func: r.func });
    this.emit({ k: "alu", op: "mov", w, dst, src: this.reg(o.id) });
  }

  private movImm(dst: Reg, v: bigint, w: Width): void {
    const u = BigInt.asUintN(w, v);
    // `mov r, imm` sign-extends, `mov w, imm` zero-extends; ld_imm64 is the 2-slot fallback.
    if (fitsImm64(u) && (w === 64 || u < 1n << 31n)) return this.emit({ k: "alu", op: "mov", w: 64, dst, src: BigInt.asIntN(64, u) });
    if (u <= 0xffffffffn) return this.emit({ k: "alu", op: "mov", w: 32, dst, src: BigInt.asIntN(32, u) });
    this.emit({ k: "ldimm64", dst, value: u });
  }

  /** A register holding `o` (a fresh one when `o` is not already in a plain vreg). */
  private asReg(o: Operand, w: Width): Reg {
    if (o.k === "v" && !this.remat.has(o.id)) return this.reg(o.id);
    const t = this.temp();
    this.into(t, o, w);
    return t;
  }

  /** An ALU source: an immediate when it encodes, else a register. */
  private src(o: Operand, w: Width): Reg | bigint {
    if (o.k === "imm") {
      if (w === 32) return BigInt.asIntN(32, o.v);
      if (fitsImm64(o.v)) return BigInt.asIntN(64, o.v);
    }
    return this.asReg(o, w);
  }

  /** A memory operand: stack slots fold into r10-relative addressing. */
  private mem(o: Operand, off: number): { base: Reg; off: number | StackRef } {
    if (o.k === "v") {
      const r = this.remat.get(o.id);
      if (r?.k === "slot") return { base: R10, off: { slot: r.slot, delta: off } };
    }
    return { base: this.asReg(o, 64), off };
  }

  private inst(i: Inst): void {
    if (i.dst !== undefined && this.bitTests.has(i.dst)) return; // selected with its branch
    const dst = i.dst === undefined ? -1 : this.reg(i.dst);
    switch (i.op) {
      case "slot_addr":
      case "map_ref":
      case "global_ref":
      case "func_ref":
        return; // rematerialised at uses
      case "param":
        return this.emit({ k: "alu", op: "mov", w: 64, dst, src: R1 + i.param! });
      case "core_imm":
        return this.emit({ k: "coremov", dst, core: i.core! });
      case "neg":
        // The copy feeding a two-address op is 64-bit: the op itself truncates when it is
        // 32-bit, and a 64-bit copy disappears when the allocator coalesces it.
        this.into(dst, i.args[0]!, 64);
        return this.emit({ k: "neg", w: i.w, dst });
      case "bswap":
        this.into(dst, i.args[0]!, 64);
        return this.emit({ k: "bswap", bits: i.bits!, dst });
      case "load": {
        const m = this.mem(i.args[0]!, i.off!);
        return this.emit({ k: "ldx", size: i.size!, dst, ...m });
      }
      case "store": {
        const m = this.mem(i.args[0]!, i.off!);
        const v = i.args[1]!;
        if (v.k === "imm") {
          const low = BigInt.asUintN(i.size! * 8, v.v);
          // `st` sign-extends its 32-bit imm into 8-byte stores; narrower stores keep low bytes.
          if (i.size! < 8 || fitsImm64(v.v)) return this.emit({ k: "st", size: i.size!, ...m, imm: BigInt.asIntN(32, i.size! < 8 ? low : v.v) });
        }
        return this.emit({ k: "stx", size: i.size!, ...m, src: this.asReg(v, 64) });
      }
      case "atomic_add": {
        const m = this.mem(i.args[0]!, i.off!);
        return this.emit({ k: "atomic_add", size: i.size as 4 | 8, ...m, src: this.asReg(i.args[1]!, i.w), ...(i.atomic ? { op: i.atomic } : {}) });
      }
      case "atomic_fetch": {
        // The fetched old value lands in the source register (r0 for cmpxchg, which also
        // compares against r0): copy the operand into the result register first.
        const m = this.mem(i.args[0]!, i.off!);
        const size = i.size as 4 | 8;
        if (i.atomic === ATOMIC_CMPXCHG) {
          const src = this.asReg(i.args[2]!, 64);
          this.into(R0, i.args[1]!, 64);
          this.emit({ k: "atomic_fetch", size, ...m, src, op: i.atomic });
          return this.emit({ k: "alu", op: "mov", w: 64, dst, src: R0 });
        }
        this.into(dst, i.args[1]!, 64);
        return this.emit({ k: "atomic_fetch", size, ...m, src: dst, op: i.atomic! });
      }
      case "call":
      case "call_fn": {
        // Plain registers first, then rematerialised values, so no argument register is
        // written before a value still needed for another argument is read.
        const order = i.args.map((a, n) => ({ a, n })).sort((x, y) => Number(this.isCheap(x.a)) - Number(this.isCheap(y.a)));
        for (const { a, n } of order) this.into(R1 + n, a, 64);
        if (i.op === "call") this.emit(i.kfunc !== undefined ? { k: "call", helper: 0, kfunc: i.kfunc, nargs: i.args.length } : { k: "call", helper: i.helper!, nargs: i.args.length });
        else this.emit({ k: "callf", func: i.func!, nargs: i.args.length });
        return this.emit({ k: "alu", op: "mov", w: 64, dst, src: R0 });
      }
      default: {
        const op = ALU_OF[i.op];
        if (!op) throw new Error(`internal: no instruction selection for ${i.op}`);
        let a = i.args[0]!, b = i.args[1];
        if (i.op === "mov") return this.into(dst, a, i.w);
        if (b && COMMUTATIVE.has(i.op) && (a.k === "imm" || this.remat.has((a as { id: number }).id)) && b.k === "v" && !this.remat.has(b.id)) [a, b] = [b, a];
        let s = this.src(b!, i.w);
        // Shifts by constants: the machine masks the amount; the verifier rejects big ones.
        if ((op === "lsh" || op === "rsh" || op === "arsh") && typeof s === "bigint") s = s & BigInt(i.w - 1);
        this.into(dst, a, 64);
        return this.emit({ k: "alu", op, w: i.w, dst, src: s });
      }
    }
  }

  /**
   * `if ((x & y) != 0)` (or `== 0`, sides swapped) as one `jset`: no mask computed into a
   * register, and x survives. Tested at the narrower of the two widths (a 32-bit and's
   * upper half is zero; a 32-bit test reads only the low half).
   */
  private bitTest(and: Inst, t: Extract<Block["term"], { k: "br" }>): MTerm {
    let [x, y] = and.args as [Operand, Operand];
    if (x.k === "imm" || this.remat.has(x.id)) [x, y] = [y, x];
    const w: Width = and.w === 32 || t.w === 32 ? 32 : 64;
    const a = this.asReg(x, w);
    const b = this.src(y, w);
    return t.cond === "ne" ? { k: "br", cond: "set", w, a, b, t: t.t, f: t.f } : { k: "br", cond: "set", w, a, b, t: t.f, f: t.t };
  }

  private isCheap(o: Operand): boolean {
    return o.k === "imm" || this.remat.has(o.id);
  }

  private term(b: Block): MTerm {
    const t = b.term;
    switch (t.k) {
      case "jmp": return { k: "jmp", target: t.target };
      case "ret":
        this.into(R0, t.v, 64);
        return { k: "exit" };
      case "br": {
        const and = t.a.k === "v" ? this.bitTests.get(t.a.id) : undefined;
        if (and) return this.bitTest(and, t);
        let { a, b: rhs, cond } = t;
        if (a.k === "imm" && rhs.k !== "imm") {
          [a, rhs] = [rhs, a];
          const sw = { eq: "eq", ne: "ne", ugt: "ult", uge: "ule", ult: "ugt", ule: "uge", sgt: "slt", sge: "sle", slt: "sgt", sle: "sge" } as const;
          cond = sw[cond];
        }
        const ra = this.asReg(a, t.w);
        const rb = this.src(rhs, t.w);
        return { k: "br", cond, w: t.w, a: ra, b: rb, t: t.t, f: t.f };
      }
    }
  }
}
