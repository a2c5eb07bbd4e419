/**
 * Common subexpression elimination over the dominator tree (scoped value numbering): a pure
 * instruction equal to one in a dominating block (same op, width, attributes and operands;
 * commutative operands in a fixed order) is replaced by it.
 *
 * Redundant loads too: a load equal to an earlier one with no store, atomic or call in
 * between reads the same memory (`ctx.data_end` read twice becomes one load). Loads are
 * tracked along straight paths only: within a block, and into a block whose only
 * predecessor is its immediate dominator; any effect forgets them all, since helpers may
 * write map values, the packet, or move `data`/`data_end`.
 */
import { type Fn, type Inst, type Operand } from "../ir/ir.js";
import { OPS } from "../ir/ops.js";
import { DomTree } from "../ir/domtree.js";
import { predecessors } from "../ir/ir.js";
import { replaceUses } from "./util.js";

const COMMUTATIVE = new Set<Inst["op"]>(["add", "mul", "and", "or", "xor"]);

function opnd(o: Operand): string {
  return o.k === "v" ? `v${o.id}` : `#${o.v}`;
}

function keyOf(i: Inst): string {
  let args = i.args.map(opnd);
  if (COMMUTATIVE.has(i.op)) args = args.sort();
  return `${i.op}.${i.w}(${args.join(",")})[${i.size ?? ""},${i.off ?? ""},${i.slot ?? ""},${i.map ?? ""},${i.global ?? ""},${i.bits ?? ""},${i.param ?? ""}]`;
}

export function cse(fn: Fn): boolean {
  const tree = new DomTree(fn);
  const preds = predecessors(fn);
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  const repl = new Map<number, Operand>();
  const resolve = (o: Operand): Operand => (o.k === "v" && repl.has(o.id) ? repl.get(o.id)! : o);
  // One table for every scope, with an undo list per scope: a lookup is one probe however
  // deep the dominator tree (a stack of per-block maps made long if-chains quadratic).
  const table = new Map<string, number>();
  const undo: { k: string; prev: number | undefined }[][] = [];
  // Iterative walk of the dominator tree, carrying the loads available at each block's end.
  const visit = (id: number, loadsIn: Map<string, number>) => {
    const b = byId.get(id)!;
    const scope: { k: string; prev: number | undefined }[] = [];
    undo.push(scope);
    const ps = preds.get(id) ?? [];
    const loads = ps.length === 1 && ps[0] === tree.idom(id) ? new Map(loadsIn) : new Map<string, number>();
    for (const i of b.insts) {
      if (repl.size > 0) for (let a = 0; a < i.args.length; a++) i.args[a] = resolve(i.args[a]!);
      if (i.dst === undefined) {
        if (OPS[i.op].effect) loads.clear();
        continue;
      }
      if (i.op === "load") {
        const k = keyOf(i);
        const hit = loads.get(k);
        if (hit !== undefined && fn.vregs[hit]!.w <= fn.vregs[i.dst]!.w) repl.set(i.dst, { k: "v", id: hit });
        else loads.set(k, i.dst);
        continue;
      }
      if (OPS[i.op].effect) {
        loads.clear();
        continue;
      }
      if (!OPS[i.op].pure) continue;
      const k = keyOf(i);
      const hit = table.get(k);
      // The earlier value must promise at least what this one does about its upper half.
      if (hit !== undefined && fn.vregs[hit]!.w <= fn.vregs[i.dst]!.w) repl.set(i.dst, { k: "v", id: hit });
      else {
        scope.push({ k, prev: hit });
        table.set(k, i.dst);
      }
    }
    return loads;
  };
  const stack: { id: number; loads: Map<string, number>; entered: boolean }[] = [{ id: fn.blocks[0]!.id, loads: new Map(), entered: false }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.entered) {
      for (const { k, prev } of undo.pop()!.reverse()) {
        if (prev === undefined) table.delete(k);
        else table.set(k, prev);
      }
      stack.pop();
      continue;
    }
    top.entered = true;
    const out = visit(top.id, top.loads);
    for (const c of tree.childrenOf(top.id)) stack.push({ id: c, loads: out, entered: false });
  }
  if (repl.size === 0) return false;
  replaceUses(fn, repl);
  return true;
}
