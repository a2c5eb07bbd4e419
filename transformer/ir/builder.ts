/**
 * Builds IR functions in SSA form directly from structured code, by Braun et al.'s
 * "Simple and Efficient Construction of SSA Form" (2013): variables are read and written
 * per block; a read in a block without a definition looks through predecessors, placing a
 * phi at joins. Blocks are "sealed" once all their predecessors are known, which lets loops
 * (later) create incomplete phis that are filled in on sealing. Trivial phis (all operands
 * the same) are left for the copy propagation pass to remove.
 */
import type { Span } from "../diagnostics.js";
import { newVreg, vreg, type Block, type Fn, type Inst, type Operand, type Phi, type Term, type Width } from "./ir.js";
import type { Op } from "./ops.js";

const PLACEHOLDER: Term = { k: "ret", v: { k: "imm", v: 0n }, span: { start: 0, end: 0 } };

export class FnBuilder {
  readonly fn: Fn;
  /** The block instructions are appended to; undefined after a terminator (dead code). */
  cur: Block | undefined;
  private nextBlock = 0;
  private readonly terminated = new Set<number>();
  private readonly preds = new Map<number, number[]>();
  private readonly sealed = new Set<number>();
  private readonly defs = new Map<number, Map<number, Operand>>();
  private readonly incomplete = new Map<number, Map<number, Phi>>();
  private readonly varWidth = new Map<number, Width>();

  constructor(name: string) {
    this.fn = { name, blocks: [], vregs: [], slots: [] };
    this.cur = this.newBlock();
    this.seal(this.cur);
  }

  newBlock(): Block {
    const b: Block = { id: this.nextBlock++, phis: [], insts: [], term: PLACEHOLDER };
    this.fn.blocks.push(b);
    this.preds.set(b.id, []);
    return b;
  }

  /** Continue emitting into `b`. */
  enter(b: Block): void {
    this.cur = b;
  }

  emit(op: Op, w: Width, args: Operand[], span: Span, attrs: Partial<Inst> = {}, dstWidth?: Width): Operand | undefined {
    const b = this.cur;
    if (!b) return undefined;
    const hasDst = op !== "store" && op !== "atomic_add";
    const dst = hasDst ? newVreg(this.fn, dstWidth ?? w) : undefined;
    b.insts.push({ op, dst, w, args, span, ...attrs });
    return dst === undefined ? undefined : vreg(dst);
  }

  /** Like `emit` for ops with results; in dead code returns a dummy immediate. */
  value(op: Op, w: Width, args: Operand[], span: Span, attrs: Partial<Inst> = {}, dstWidth?: Width): Operand {
    return this.emit(op, w, args, span, attrs, dstWidth) ?? { k: "imm", v: 0n };
  }

  slot(size: number, align = size): number {
    this.fn.slots.push({ size, align });
    return this.fn.slots.length - 1;
  }

  private terminate(t: Term): void {
    const b = this.cur;
    if (!b) return;
    b.term = t;
    this.terminated.add(b.id);
    const succ = t.k === "jmp" ? [t.target] : t.k === "br" ? [t.t, t.f] : [];
    for (const s of new Set(succ)) this.preds.get(s)!.push(b.id);
    this.cur = undefined;
  }

  jmp(target: Block, span: Span): void {
    this.terminate({ k: "jmp", target: target.id, span });
  }

  br(t: Extract<Term, { k: "br" }>): void {
    this.terminate(t);
  }

  ret(v: Operand, span: Span): void {
    this.terminate({ k: "ret", v, span });
  }

  // ---- variables ----------------------------------------------------------------------

  declareVar(id: number, w: Width): void {
    this.varWidth.set(id, w);
  }

  writeVar(id: number, block: Block | undefined, v: Operand): void {
    if (!block) return;
    let m = this.defs.get(id);
    if (!m) this.defs.set(id, (m = new Map()));
    m.set(block.id, v);
  }

  readVar(id: number, block: Block | undefined): Operand {
    if (!block) return { k: "imm", v: 0n };
    return this.readIn(id, block.id);
  }

  private readIn(id: number, blockId: number): Operand {
    const d = this.defs.get(id)?.get(blockId);
    if (d) return d;
    let v: Operand;
    const ps = this.preds.get(blockId)!;
    if (!this.sealed.has(blockId)) {
      const phi = this.newPhi(id, blockId);
      let m = this.incomplete.get(blockId);
      if (!m) this.incomplete.set(blockId, (m = new Map()));
      m.set(id, phi);
      v = vreg(phi.dst);
    } else if (ps.length === 1) {
      v = this.readIn(id, ps[0]!);
    } else if (ps.length === 0) {
      // Unreachable read (the checker guarantees initialisation on reachable paths).
      v = { k: "imm", v: 0n };
    } else {
      const phi = this.newPhi(id, blockId);
      this.defs.get(id)?.set(blockId, vreg(phi.dst)) ?? this.defs.set(id, new Map([[blockId, vreg(phi.dst)]]));
      this.fillPhi(id, phi, blockId);
      v = vreg(phi.dst);
    }
    let m = this.defs.get(id);
    if (!m) this.defs.set(id, (m = new Map()));
    m.set(blockId, v);
    return v;
  }

  private newPhi(id: number, blockId: number): Phi {
    const block = this.fn.blocks.find((b) => b.id === blockId)!;
    const phi: Phi = { dst: newVreg(this.fn, this.varWidth.get(id) ?? 64), args: [], span: { start: 0, end: 0 } };
    block.phis.push(phi);
    return phi;
  }

  private fillPhi(id: number, phi: Phi, blockId: number): void {
    for (const p of this.preds.get(blockId)!) phi.args.push({ pred: p, v: this.readIn(id, p) });
  }

  /** All predecessors of `b` are known: complete its pending phis. */
  seal(b: Block): void {
    this.sealed.add(b.id);
    const pending = this.incomplete.get(b.id);
    if (pending) for (const [id, phi] of pending) this.fillPhi(id, phi, b.id);
    this.incomplete.delete(b.id);
  }

  /** Finish: drop blocks nothing reaches (their terminator was never set). */
  finish(): Fn {
    const reach = new Set<number>();
    const byId = new Map(this.fn.blocks.map((b) => [b.id, b]));
    const stack = [this.fn.blocks[0]!.id];
    while (stack.length) {
      const id = stack.pop()!;
      if (reach.has(id)) continue;
      reach.add(id);
      const t = byId.get(id)!.term;
      if (t.k === "jmp") stack.push(t.target);
      if (t.k === "br") stack.push(t.t, t.f);
    }
    this.fn.blocks = this.fn.blocks.filter((b) => reach.has(b.id));
    for (const b of this.fn.blocks) {
      if (!this.terminated.has(b.id)) throw new Error(`internal: block b${b.id} of ${this.fn.name} was never terminated`);
      for (const p of b.phis) p.args = p.args.filter((a) => reach.has(a.pred));
    }
    return this.fn;
  }
}
