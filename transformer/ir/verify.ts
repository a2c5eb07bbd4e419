/**
 * IR invariants, checked after lowering and after every pass (QBE's `ssacheck`): a broken
 * invariant is a compiler bug, so `verify` throws with the printed function.
 *
 * - terminator targets exist; the entry block has no predecessors
 * - each phi has exactly one argument per predecessor
 * - each vreg is defined once, and every use is dominated by its definition
 * - operand counts and attributes match the op table
 */
import { blockById, predecessors, successors, termOperands, type Fn, type Operand } from "./ir.js";
import { OPS } from "./ops.js";
import { printFn } from "./print.js";
import { DomTree } from "./domtree.js";

export class IrVerifyError extends Error {}

/** Dominator sets (for tests and dumps; passes use `DomTree`). */
export function dominators(fn: Fn): Map<number, Set<number>> {
  const tree = new DomTree(fn);
  const dom = new Map<number, Set<number>>();
  for (const b of fn.blocks) {
    const set = new Set<number>();
    for (let x: number | undefined = b.id; x !== undefined && tree.isReachable(x); x = tree.idom(x)) set.add(x);
    dom.set(b.id, set);
  }
  return dom;
}

/** Blocks reachable from the entry. */
export function reachable(fn: Fn): Set<number> {
  const byId = blockById(fn);
  const seen = new Set<number>();
  const stack = [fn.blocks[0]!.id];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || !byId.has(id)) continue;
    seen.add(id);
    stack.push(...successors(byId.get(id)!.term));
  }
  return seen;
}

export function verify(fn: Fn, stage = "ir"): void {
  const fail = (msg: string): never => {
    throw new IrVerifyError(`IR verify failed after ${stage}: ${msg}\n${printFn(fn)}`);
  };
  if (fn.blocks.length === 0) fail("function has no blocks");
  const byId = blockById(fn);
  if (byId.size !== fn.blocks.length) fail("duplicate block ids");
  const preds = predecessors(fn);
  for (const b of fn.blocks) for (const s of successors(b.term)) if (!byId.has(s)) fail(`b${b.id} jumps to missing b${s}`);
  if (preds.get(fn.blocks[0]!.id)!.length > 0) fail("entry block has predecessors");

  // Definitions: where (block, index; phis at -1) each vreg is defined.
  const defAt = new Map<number, { block: number; index: number }>();
  const define = (id: number, block: number, index: number) => {
    if (id < 0 || id >= fn.vregs.length) fail(`v${id} is not a declared vreg`);
    if (defAt.has(id)) fail(`v${id} is defined twice`);
    defAt.set(id, { block, index });
  };
  for (const b of fn.blocks) {
    for (const p of b.phis) define(p.dst, b.id, -1);
    b.insts.forEach((i, n) => {
      const info = OPS[i.op];
      if (!info) fail(`unknown op ${String(i.op)}`);
      if (info.arity >= 0 && i.args.length !== info.arity) fail(`${i.op} takes ${info.arity} operands, has ${i.args.length}`);
      if (i.op === "call" && (i.args.length > 5 || (i.helper === undefined) === (i.kfunc === undefined))) fail("call needs a helper or a kfunc and at most 5 operands");
      if (i.op === "call_fn" && (i.args.length > 5 || i.func === undefined)) fail("call_fn needs a function and at most 5 operands");
      if ((i.op === "load" || i.op === "store" || i.op === "atomic_add" || i.op === "atomic_fetch") && (i.size === undefined || i.off === undefined)) fail(`${i.op} needs size and off`);
      if (i.op === "slot_addr" && (i.slot === undefined || !fn.slots[i.slot])) fail("slot_addr needs a valid slot");
      if (i.op === "map_ref" && i.map === undefined) fail("map_ref needs a map");
      if (i.op === "global_ref" && i.global === undefined) fail("global_ref needs a global");
      if (i.op === "func_ref" && i.func === undefined) fail("func_ref needs a function");
      if (i.op === "core_imm" && i.core === undefined) fail("core_imm needs a CO-RE access");
      if (i.op === "bswap" && i.bits === undefined) fail("bswap needs bits");
      if (info.hasDst !== (i.dst !== undefined)) fail(`${i.op} ${info.hasDst ? "needs" : "cannot have"} a result`);
      if (i.dst !== undefined) define(i.dst, b.id, n);
    });
  }

  const tree = new DomTree(fn);
  const reach = reachable(fn);
  const checkUse = (o: Operand, block: number, index: number, what: string) => {
    if (o.k !== "v") return;
    const d = defAt.get(o.id);
    if (!d) return fail(`v${o.id} used in b${block} (${what}) but never defined`);
    if (d.block === block ? d.index >= index : !tree.dominates(d.block, block)) {
      fail(`v${o.id} used in b${block} (${what}) is not dominated by its definition in b${d.block}`);
    }
  };
  for (const b of fn.blocks) {
    if (!reach.has(b.id)) continue;
    const ps = preds.get(b.id)!;
    for (const p of b.phis) {
      const have = p.args.map((a) => a.pred).sort((x, y) => x - y).join(",");
      const want = [...ps].sort((x, y) => x - y).join(",");
      if (have !== want) fail(`phi v${p.dst} in b${b.id} has args for [${have}] but predecessors are [${want}]`);
      // A phi operand is used at the end of its predecessor.
      for (const a of p.args) if (reach.has(a.pred)) checkUse(a.v, a.pred, Infinity, `phi v${p.dst}`);
    }
    b.insts.forEach((i, n) => i.args.forEach((o) => checkUse(o, b.id, n, i.op)));
    termOperands(b.term).forEach((o) => checkUse(o, b.id, Infinity, b.term.k));
  }
}
