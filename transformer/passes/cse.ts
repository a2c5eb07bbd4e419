/**
 * Common subexpression elimination over the dominator tree (scoped value numbering): a pure
 * instruction equal to one in a dominating block (same op, width, attributes and operands;
 * commutative operands in a fixed order) is replaced by it.
 *
 * Redundant loads too: a load equal to an earlier one with no store, atomic or call in
 * between reads the same memory (`ctx.data_end` read twice becomes one load). A store
 * forwards its value to a later load of the same bytes (`s.x = v; ... s.x` reads v) when
 * the value fits them as the load would return it: a constant (cut to the size), a 64-bit
 * store's value, or a narrower store of a value known to fit (loaded from no more bytes, or
 * a 4-byte store of a value whose upper half is zero). Loads are
 * tracked along straight paths only: within a block, and into a block whose only
 * predecessor is its immediate dominator; any effect forgets them all, since helpers may
 * write map values, the packet, or move `data`/`data_end`.
 */
import { imm, type Fn, type Inst, type Operand } from "../ir/ir.js";
import { OPS } from "../ir/ops.js";
import { DomTree } from "../ir/domtree.js";
import { predecessors } from "../ir/ir.js";
import { defsOf, replaceUses } from "./util.js";

const COMMUTATIVE = new Set<Inst["op"]>(["add", "mul", "and", "or", "xor"]);

function opnd(o: Operand): string {
  return o.k === "v" ? `v${o.id}` : `#${o.v}`;
}

function keyOf(i: Inst): string {
  // Two operands (nearly every key) without the arrays of map, sort and join.
  const a = i.args;
  let args: string;
  if (a.length === 2) {
    const x = opnd(a[0]!), y = opnd(a[1]!);
    args = COMMUTATIVE.has(i.op) && y < x ? `${y},${x}` : `${x},${y}`;
  } else {
    const list = a.map(opnd);
    args = (COMMUTATIVE.has(i.op) ? list.sort() : list).join(",");
  }
  return key(i.op, i.w, args, i);
}

/** A key from its parts: operator, width, operand keys, and the attributes of `attrs`. */
function key(op: string, w: number | undefined, args: string, attrs: Inst): string {
  return `${op}.${w}(${args})[${attrs.size ?? ""},${attrs.off ?? ""},${attrs.slot ?? ""},${attrs.map ?? ""},${attrs.global ?? ""},${attrs.bits ?? ""},${attrs.param ?? ""}]`;
}

/** What a load of some bytes is known to read, and which bytes those are. */
interface Known {
  readonly v: Operand;
  readonly base: Operand;
  readonly off: number;
  readonly size: number;
}

const sameOperand = (a: Operand, b: Operand) => (a.k === "v" ? b.k === "v" && a.id === b.id : b.k === "imm" && a.v === b.v);

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
  const visit = (id: number, loadsIn: Map<string, Known>) => {
    const b = byId.get(id)!;
    const scope: { k: string; prev: number | undefined }[] = [];
    undo.push(scope);
    const ps = preds.get(id) ?? [];
    const loads = ps.length === 1 && ps[0] === tree.idom(id) ? new Map(loadsIn) : new Map<string, Known>();
    for (const i of b.insts) {
      if (repl.size > 0) for (let a = 0; a < i.args.length; a++) i.args[a] = resolve(i.args[a]!);
      if (i.dst === undefined) {
        if (i.op === "store") forward(i, loads);
        else if (OPS[i.op].effect) loads.clear();
        continue;
      }
      if (i.op === "load") {
        const k = keyOf(i);
        const hit = loads.get(k)?.v;
        if (hit?.k === "imm") repl.set(i.dst, hit);
        else if (hit !== undefined && fn.vregs[hit.id]!.w <= fn.vregs[i.dst]!.w) repl.set(i.dst, hit);
        else loads.set(k, { v: { k: "v", id: i.dst }, base: i.args[0]!, off: i.off!, size: i.size! });
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
  // A value fits `size` bytes when its upper half is known zero (4 bytes) or it was itself
  // loaded from at most that many bytes.
  const defs = defsOf(fn);
  const fitsBytes = (id: number, size: number): boolean => {
    const d = defs.get(id);
    if (d?.op === "load" && d.size! <= size) return true;
    return size === 4 && fn.vregs[id]!.w === 32;
  };
  // The function's own stack slots: no pointer from elsewhere (packet, context, map value,
  // a caller's frame) reaches them, and two slots never overlap.
  const slotOf = (o: Operand): number | undefined => (o.k === "v" && defs.get(o.id)?.op === "slot_addr" ? defs.get(o.id)!.slot : undefined);
  const mayOverlap = (a: Operand, aOff: number, aSize: number, b: Operand, bOff: number, bSize: number): boolean => {
    const sa = slotOf(a), sb = slotOf(b);
    const bytesMeet = aOff < bOff + bSize && bOff < aOff + aSize;
    if (sa !== undefined || sb !== undefined) return sa === sb && bytesMeet;
    return !sameOperand(a, b) || bytesMeet;
  };
  /**
   * A store: loads it may overlap are forgotten (through another base any pointer may alias,
   * except that stack slots meet only themselves; through the same base, overlapping bytes),
   * and a load of exactly its bytes reads its value.
   */
  const forward = (st: Inst, loads: Map<string, Known>) => {
    const base = st.args[0]!, v = st.args[1]!;
    const off = st.off!, size = st.size!;
    loads.forEach((e, k) => {
      if (mayOverlap(e.base, e.off, e.size, base, off, size)) loads.delete(k);
    });
    let value: Operand | undefined;
    if (v.k === "imm") value = imm(BigInt.asUintN(size * 8, v.v));
    else if (size === 8 || fitsBytes(v.id, size)) value = v;
    if (!value) return;
    // The keys a 32- and a 64-bit load of these bytes get (the store's attributes are the load's).
    const known = { v: value, base, off, size };
    loads.set(key("load", 32, opnd(base), st), known);
    loads.set(key("load", 64, opnd(base), st), known);
  };
  const stack: { id: number; loads: Map<string, Known>; entered: boolean }[] = [{ id: fn.blocks[0]!.id, loads: new Map(), entered: false }];
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
