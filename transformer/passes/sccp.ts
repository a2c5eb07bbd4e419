/**
 * Sparse conditional constant propagation (Wegman and Zadeck, "Constant Propagation with
 * Conditional Branches", 1991): every vreg starts unknown (no definition seen yet), and
 * only blocks reached along edges found executable count. A phi meets only the operands of
 * its executable edges, and a branch whose operands are constant makes only one edge
 * executable. Being optimistic, it proves what folding instruction by instruction cannot:
 * a flag that is set only inside code the flag itself guards (`if (seen) seen = 2`) stays
 * constant around a loop, and everything it guards goes.
 *
 * Afterwards constant vregs become immediates, branches with a known outcome become jumps,
 * and blocks no executable edge reaches are deleted (phis lose their operands). Identities
 * and peepholes stay in `constfold.ts`, which runs next.
 */
import { type Block, type Fn, type Inst, type Operand, imm } from "../ir/ir.js";
import { OPS } from "../ir/ops.js";
import { dropStalePhiArgs, evalCond, evalOp, replaceUses } from "./util.js";

/** Lattice value: undefined = nothing known yet (top), a constant, or OVER (bottom). */
type Value = bigint | typeof OVER | undefined;
const OVER = Symbol("overdefined");

export function sccp(fn: Fn): boolean {
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  // Per-vreg tables as arrays (this runs every round over every instruction).
  const value: Value[] = new Array(fn.vregs.length);
  const users: (Inst | Block)[][] = [];
  const defBlock: (Block | undefined)[] = [];
  const addUser = (o: Operand, u: Inst | Block) => {
    if (o.k !== "v") return;
    (users[o.id] ??= []).push(u);
  };
  for (const b of fn.blocks) {
    for (const p of b.phis) {
      defBlock[p.dst] = b;
      for (const a of p.args) addUser(a.v, b); // a phi's block re-evaluates its phis
    }
    for (const i of b.insts) {
      if (i.dst !== undefined) defBlock[i.dst] = b;
      for (const a of i.args) addUser(a, i);
    }
    const t = b.term;
    if (t.k === "br") {
      addUser(t.a, b);
      addUser(t.b, b);
    }
  }
  const instBlock = new Map<Inst, Block>();
  for (const b of fn.blocks) for (const i of b.insts) instBlock.set(i, b);

  const live = new Set<number>();
  // Executable edges as from * 2^21 + to (block ids stay far below 2^21).
  const edges = new Set<number>();
  const edgeKey = (from: number, to: number) => from * 2097152 + to;
  const blockWork: Block[] = [fn.blocks[0]!];
  const valueWork: number[] = [];
  const of = (o: Operand): Value => (o.k === "imm" ? o.v : value[o.id]);
  const lower = (dst: number, v: Value) => {
    const old = value[dst];
    if (old === OVER || old === v || v === undefined) return;
    value[dst] = old === undefined ? v : OVER;
    valueWork.push(dst);
  };
  const markEdge = (from: number, to: number) => {
    const key = edgeKey(from, to);
    if (edges.has(key)) return;
    edges.add(key);
    blockWork.push(byId.get(to)!); // new executable edge: its phis meet one more operand
  };

  const visitPhis = (b: Block) => {
    for (const p of b.phis) {
      let v: Value;
      for (const a of p.args) {
        if (!edges.has(edgeKey(a.pred, b.id))) continue;
        const x = of(a.v);
        if (x === undefined) continue;
        if (x === OVER || (v !== undefined && v !== x)) {
          v = OVER;
          break;
        }
        v = x;
      }
      lower(p.dst, v);
    }
  };
  const visitInst = (i: Inst) => {
    if (i.dst === undefined) return;
    if (!OPS[i.op].pure || i.args.length === 0) return lower(i.dst, OVER);
    const args: bigint[] = [];
    for (const a of i.args) {
      const x = of(a);
      if (x === undefined) return; // wait for the operand
      if (x === OVER) return lower(i.dst, OVER);
      args.push(x);
    }
    const r = evalOp(i, args);
    lower(i.dst, r === undefined ? OVER : r);
  };
  const visitTerm = (b: Block) => {
    const t = b.term;
    if (t.k === "jmp") return markEdge(b.id, t.target);
    if (t.k !== "br") return;
    const x = of(t.a), y = of(t.b);
    if (x === undefined || y === undefined) return;
    if (x === OVER || y === OVER) {
      markEdge(b.id, t.t);
      markEdge(b.id, t.f);
      return;
    }
    markEdge(b.id, evalCond(t.cond, t.w, x, y) ? t.t : t.f);
  };

  while (blockWork.length || valueWork.length) {
    const b = blockWork.pop();
    if (b) {
      visitPhis(b);
      if (live.has(b.id)) continue;
      live.add(b.id);
      for (const i of b.insts) visitInst(i);
      visitTerm(b);
      continue;
    }
    const v = valueWork.pop()!;
    for (const u of users[v] ?? []) {
      if ("insts" in u) {
        if (!live.has(u.id)) continue;
        visitPhis(u);
        visitTerm(u);
      } else if (live.has(instBlock.get(u)!.id)) {
        visitInst(u);
      }
    }
  }

  // Rewrite: constants in, known branches folded, dead blocks out.
  let changed = false;
  const repl = new Map<number, Operand>();
  value.forEach((v, id) => {
    if (typeof v === "bigint" && live.has(defBlock[id]!.id)) repl.set(id, imm(v));
  });
  if (repl.size) {
    replaceUses(fn, repl);
    for (const b of fn.blocks) {
      b.phis = b.phis.filter((p) => !repl.has(p.dst));
      b.insts = b.insts.filter((i) => i.dst === undefined || !repl.has(i.dst) || OPS[i.op].effect);
    }
    changed = true;
  }
  for (const b of fn.blocks) {
    const t = b.term;
    if (!live.has(b.id) || t.k !== "br") continue;
    const onT = edges.has(edgeKey(b.id, t.t)), onF = edges.has(edgeKey(b.id, t.f));
    if (onT === onF) continue;
    b.term = { k: "jmp", target: onT ? t.t : t.f, span: t.span };
    changed = true;
  }
  if (fn.blocks.some((b) => !live.has(b.id))) {
    fn.blocks = fn.blocks.filter((b) => live.has(b.id));
    changed = true;
  }
  if (changed) dropStalePhiArgs(fn);
  return changed;
}
