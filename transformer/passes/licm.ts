/**
 * Loop-invariant code motion for the loops that stay loops (those not unrolled): a pure
 * computation inside a loop whose operands are constants or values from outside the loop
 * (or other such computations) moves to the loop's preheader and runs once, not once per
 * iteration. Loads never move (a store, helper or atomic in the loop may change what they
 * read), nor do calls or anything else with an effect; operations of no operands (stack,
 * map and global addresses) are rematerialised by instruction selection anyway.
 *
 * Pure BPF operations cannot fault (x / 0 is 0), so running one the loop would have skipped
 * is harmless. What the verifier must see stays intact: a 64-bit operation whose operand is
 * a helper result or a phi (perhaps a pointer not yet checked for null, which the kernel
 * forbids arithmetic on) stays where the program's checks guard it, and so does a value a
 * branch in the loop compares (see `tested`).
 *
 * Loops are natural loops of back edges (an edge to a block that dominates its source). The
 * preheader is the header's single outside predecessor when that block has no other
 * successor; otherwise a new block is placed on that edge. Headers with several outside
 * predecessors are left alone.
 */
import { DomTree } from "../ir/domtree.js";
import { predecessors, successors, type Block, type Fn, type Inst } from "../ir/ir.js";
import { OPS } from "../ir/ops.js";

/** Whether the CFG has a cycle (a DFS meets a block still on its stack): without one, no loop. */
function hasCycle(fn: Fn): boolean {
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  const state = new Map<number, 1 | 2>(); // 1: on the DFS stack, 2: done
  const stack: { b: Block; succ: number[]; next: number }[] = [];
  const enter = (b: Block) => {
    state.set(b.id, 1);
    stack.push({ b, succ: successors(b.term), next: 0 });
  };
  enter(fn.blocks[0]!);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.succ.length) {
      state.set(top.b.id, 2);
      stack.pop();
      continue;
    }
    const s = top.succ[top.next++]!;
    const st = state.get(s);
    if (st === 1) return true;
    const b = st === undefined ? byId.get(s) : undefined;
    if (b) enter(b);
  }
  return false;
}

export function licm(fn: Fn): boolean {
  if (!hasCycle(fn)) return false;
  const tree = new DomTree(fn);
  const preds = predecessors(fn);
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  // Loop bodies by header (back edges to one header form one loop).
  const loops = new Map<number, Set<number>>();
  for (const b of fn.blocks) {
    for (const s of successors(b.term)) {
      if (!tree.dominates(s, b.id)) continue;
      let body = loops.get(s);
      if (!body) loops.set(s, (body = new Set([s])));
      const work = [b.id];
      while (work.length) {
        const x = work.pop()!;
        if (body.has(x)) continue;
        body.add(x);
        work.push(...(preds.get(x) ?? []));
      }
    }
  }
  if (loops.size === 0) return false;

  const defBlock = new Map<number, number>();
  const defInst = new Map<number, Inst>();
  const phiDefs = new Set<number>();
  for (const b of fn.blocks) {
    for (const p of b.phis) {
      defBlock.set(p.dst, b.id);
      phiDefs.add(p.dst);
    }
    for (const i of b.insts) {
      if (i.dst === undefined) continue;
      defBlock.set(i.dst, b.id);
      defInst.set(i.dst, i);
    }
  }

  let changed = false;
  let nextId = Math.max(...fn.blocks.map((b) => b.id)) + 1;
  // Inner loops first (smaller bodies), so an invariant climbs out one loop per round.
  for (const [header, body] of [...loops].sort((a, b) => a[1].size - b[1].size)) {
    const outside = (preds.get(header) ?? []).filter((p) => !body.has(p));
    if (outside.length !== 1) continue;
    const hoisted = new Set<number>();
    const invariantOperand = (i: Inst) =>
      i.args.every((a) => {
        if (a.k === "imm" || hoisted.has(a.id)) return true;
        const at = defBlock.get(a.id);
        if (at === undefined || body.has(at)) return false;
        if (i.w === 32 || fn.vregs[a.id]?.w === 32) return true;
        // A 64-bit value from a helper or a join may be a pointer the loop checks first.
        const d = defInst.get(a.id);
        return !phiDefs.has(a.id) && d !== undefined && d.op !== "call" && d.op !== "call_fn" && d.op !== "atomic_fetch";
      });
    // Values a branch in the loop tests stay where they are: the verifier narrows a compared
    // register's range on each side, so one kept across iterations would differ in every
    // visit (against the counter, say) and defeat state pruning, where a value computed
    // afresh each iteration does not (a nested loop went from thousands of processed
    // instructions to over the million limit).
    const tested = new Set<number>();
    for (const id of body) {
      const t = byId.get(id)!.term;
      if (t.k !== "br") continue;
      if (t.a.k === "v") tested.add(t.a.id);
      if (t.b.k === "v") tested.add(t.b.id);
    }
    const moved: Inst[] = [];
    // Blocks in dominance order so an invariant's operands are seen before it.
    for (const b of tree.rpo) {
      if (!body.has(b.id)) continue;
      b.insts = b.insts.filter((i) => {
        if (i.dst === undefined || !OPS[i.op].pure || i.args.length === 0 || tested.has(i.dst) || !invariantOperand(i)) return true;
        hoisted.add(i.dst);
        moved.push(i);
        return false;
      });
    }
    if (moved.length === 0) continue;
    const from = outside[0]!;
    const pre = preheader(fn, byId, byId.get(from)!, byId.get(header)!, () => nextId++);
    // A new preheader of an inner loop lies inside every loop around it.
    for (const other of loops.values()) if (other.has(from) && other.has(header)) other.add(pre.id);
    pre.insts.push(...moved);
    for (const i of moved) defBlock.set(i.dst!, pre.id);
    changed = true;
  }
  return changed;
}

/** The block the loop is entered from, made when the outside predecessor branches elsewhere too. */
function preheader(fn: Fn, byId: Map<number, Block>, from: Block, header: Block, newId: () => number): Block {
  if (successors(from.term).length === 1) return from;
  const span = from.term.span;
  const pre: Block = { id: newId(), phis: [], insts: [], term: { k: "jmp", target: header.id, span } };
  const t = from.term;
  if (t.k === "br") {
    if (t.t === header.id) t.t = pre.id;
    if (t.f === header.id) t.f = pre.id;
  }
  for (const p of header.phis) for (const a of p.args) if (a.pred === from.id) a.pred = pre.id;
  fn.blocks.splice(fn.blocks.indexOf(from) + 1, 0, pre);
  byId.set(pre.id, pre);
  return pre;
}
