/**
 * Dead code elimination: instructions without effects whose results are unused, and unused
 * phis, are removed until nothing changes (removing one can make its operands dead).
 */
import { useCounts, type Fn } from "../ir/ir.js";
import { OPS } from "../ir/ops.js";

export function dce(fn: Fn): boolean {
  let changed = false;
  for (;;) {
    const uses = useCounts(fn);
    let removed = false;
    for (const b of fn.blocks) {
      const before = b.insts.length + b.phis.length;
      b.insts = b.insts.filter((i) => OPS[i.op].effect || i.dst === undefined || (uses.get(i.dst) ?? 0) > 0);
      b.phis = b.phis.filter((p) => (uses.get(p.dst) ?? 0) > 0);
      if (b.insts.length + b.phis.length !== before) removed = true;
    }
    if (!removed) return changed;
    changed = true;
  }
}
