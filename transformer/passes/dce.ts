/**
 * Dead code elimination: instructions without effects whose results are unused, and unused
 * phis, are removed; removing one can make its operands dead, so a worklist follows them
 * (one use count, decremented as definitions go, instead of recounting until nothing
 * changes, which was quadratic along long dependence chains).
 */
import { useCounts, type Fn, type Inst, type Operand, type Phi } from "../ir/ir.js";
import { OPS } from "../ir/ops.js";

export function dce(fn: Fn): boolean {
  const uses = useCounts(fn);
  const defs = new Map<number, Inst | Phi>();
  for (const b of fn.blocks) {
    for (const p of b.phis) defs.set(p.dst, p);
    for (const i of b.insts) if (i.dst !== undefined && !OPS[i.op].effect) defs.set(i.dst, i);
  }
  const dead = new Set<number>();
  const work = [...defs.keys()].filter((d) => (uses.get(d) ?? 0) === 0);
  while (work.length) {
    const d = work.pop()!;
    if (dead.has(d)) continue;
    dead.add(d);
    const def = defs.get(d)!;
    const operands: Operand[] = "op" in def ? def.args : def.args.map((a) => a.v);
    for (const o of operands) {
      if (o.k !== "v" || o.id === d) continue;
      const n = (uses.get(o.id) ?? 0) - 1;
      uses.set(o.id, n);
      if (n === 0 && defs.has(o.id)) work.push(o.id);
    }
  }
  if (dead.size === 0) return false;
  for (const b of fn.blocks) {
    b.insts = b.insts.filter((i) => i.dst === undefined || !dead.has(i.dst) || OPS[i.op].effect);
    b.phis = b.phis.filter((p) => !dead.has(p.dst));
  }
  return true;
}
