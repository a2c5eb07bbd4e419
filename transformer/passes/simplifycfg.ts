/**
 * CFG cleanup after branch folding: a branch whose arms agree becomes a jump; unreachable
 * blocks go (with their phi operands); single-operand phis become copies; a block that
 * is its predecessor's only successor and has it as only predecessor is merged into it;
 * empty blocks that only jump on are bypassed; identical empty `ret C` blocks become one
 * (early `return XDP_PASS;` exits then share one `r0 = 2; exit`), and blocks ending in
 * such a return jump to it; a return of a phi is duplicated into the predecessors.
 */
import { predecessors, successors, type Fn, type Operand } from "../ir/ir.js";
import { replaceUses } from "./util.js";

export function simplifyCfg(fn: Fn): boolean {
  let changed = false;
  for (const b of fn.blocks) {
    const t = b.term;
    if (t.k === "br" && t.t === t.f) {
      b.term = { k: "jmp", target: t.t, span: t.span };
      changed = true;
    }
  }
  if (removeUnreachable(fn)) changed = true;

  // Single-operand phis.
  const repl = new Map<number, Operand>();
  for (const b of fn.blocks) {
    if (b.phis.length === 0) continue;
    b.phis = b.phis.filter((p) => {
      if (p.args.length !== 1) return true;
      repl.set(p.dst, p.args[0]!.v);
      return false;
    });
  }
  if (repl.size) {
    replaceUses(fn, repl);
    changed = true;
  }

  if (duplicateReturns(fn)) changed = true;
  if (mergeReturns(fn)) changed = true;

  // Share identical constant returns.
  const canon = new Map<string, number>();
  const redirect = new Map<number, number>();
  for (const b of fn.blocks) {
    if (b === fn.blocks[0] || b.phis.length || b.insts.length || b.term.k !== "ret" || b.term.v.k !== "imm") continue;
    const key = b.term.v.v.toString();
    const c = canon.get(key);
    if (c === undefined) canon.set(key, b.id);
    else redirect.set(b.id, c);
  }
  if (redirect.size) {
    const to = (id: number) => redirect.get(id) ?? id;
    for (const b of fn.blocks) {
      const t = b.term;
      if (t.k === "jmp") t.target = to(t.target);
      else if (t.k === "br") {
        t.t = to(t.t);
        t.f = to(t.f);
        if (t.t === t.f) b.term = { k: "jmp", target: t.t, span: t.span };
      }
    }
    removeUnreachable(fn);
    changed = true;
  }

  if (bypassEmpty(fn)) changed = true;
  if (mergeChains(fn)) changed = true;
  return changed;
}

/**
 * `J: v = phi [...]; ret v` with nothing else in J: each predecessor returns its own operand
 * (a jump becomes `ret x`; a branch edge carrying a constant goes to a new `ret C` block,
 * which then joins the shared constant returns). `return c ? ctx.len : 0;` then needs no
 * join: the 0 arm is the function's common `r0 = 0; exit`.
 */
function duplicateReturns(fn: Fn): boolean {
  // The tables below only for a function with such a block (most have none).
  if (!fn.blocks.some((j, n) => n > 0 && !j.insts.length && j.phis.length === 1 && j.term.k === "ret" && j.term.v.k === "v" && j.term.v.id === j.phis[0]!.dst)) return false;
  const preds = predecessors(fn);
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  let nextId = Math.max(...fn.blocks.map((b) => b.id)) + 1;
  let changed = false;
  for (const j of [...fn.blocks]) {
    const t = j.term;
    if (j === fn.blocks[0] || j.insts.length || j.phis.length !== 1 || t.k !== "ret" || t.v.k !== "v" || t.v.id !== j.phis[0]!.dst) continue;
    const phi = j.phis[0]!;
    const ps = preds.get(j.id)!;
    if (ps.length > 4 || phi.args.some((a) => a.v.k === "v" && a.v.id === phi.dst)) continue;
    const argOf = (pid: number) => phi.args.find((a) => a.pred === pid)!.v;
    if (!ps.every((pid) => byId.get(pid)!.term.k === "jmp" || argOf(pid).k === "imm")) continue;
    for (const pid of ps) {
      const p = byId.get(pid)!;
      const v = argOf(pid);
      if (p.term.k === "jmp") {
        p.term = { k: "ret", v, span: t.span };
        continue;
      }
      const r = { id: nextId++, phis: [], insts: [], term: { k: "ret" as const, v, span: t.span } };
      fn.blocks.push(r);
      const pt = p.term;
      if (pt.k === "br") {
        if (pt.t === j.id) pt.t = r.id;
        if (pt.f === j.id) pt.f = r.id;
      }
    }
    changed = true;
  }
  if (changed) removeUnreachable(fn);
  return changed;
}

/**
 * A block that does work and then returns a constant another empty block also returns
 * jumps there instead (the jump usually becomes a fall-through): two `r0 = 0; exit`
 * tails become one.
 */
function mergeReturns(fn: Fn): boolean {
  const empty = new Map<string, number>();
  for (const b of fn.blocks) {
    if (b !== fn.blocks[0] && !b.phis.length && !b.insts.length && b.term.k === "ret" && b.term.v.k === "imm") empty.set(b.term.v.v.toString(), b.id);
  }
  let changed = false;
  for (const b of fn.blocks) {
    const t = b.term;
    if (!b.insts.length || t.k !== "ret" || t.v.k !== "imm") continue;
    const target = empty.get(t.v.v.toString());
    if (target === undefined || target === b.id) continue;
    b.term = { k: "jmp", target, span: t.span };
    changed = true;
  }
  return changed;
}

/**
 * Bypass empty forwarding blocks: P -> E -> C becomes P -> C when C's phis allow it. One
 * sweep with predecessor lists kept up to date (restarting after each change was cubic).
 */
function bypassEmpty(fn: Fn): boolean {
  if (!fn.blocks.some((e, n) => n > 0 && !e.phis.length && !e.insts.length && e.term.k === "jmp" && e.term.target !== e.id)) return false;
  let changed = false;
  const preds = predecessors(fn);
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  for (const e of fn.blocks) {
    if (e === fn.blocks[0] || e.phis.length || e.insts.length || e.term.k !== "jmp" || e.term.target === e.id) continue;
    const c = byId.get(e.term.target)!;
    const cPreds = preds.get(c.id)!;
    const ePreds = preds.get(e.id)!;
    if (ePreds.length === 0) continue;
    if (c.phis.length && ePreds.some((p) => cPreds.includes(p))) continue;
    for (const pid of ePreds) {
      const t = byId.get(pid)!.term;
      if (t.k === "jmp") t.target = c.id;
      else if (t.k === "br") {
        if (t.t === e.id) t.t = c.id;
        if (t.f === e.id) t.f = c.id;
      }
      for (const phi of c.phis) phi.args.push({ pred: pid, v: phi.args.find((x) => x.pred === e.id)!.v });
    }
    for (const phi of c.phis) phi.args = phi.args.filter((x) => x.pred !== e.id);
    const rest = cPreds.filter((p) => p !== e.id);
    for (const p of ePreds) if (!rest.includes(p)) rest.push(p);
    preds.set(c.id, rest);
    preds.set(e.id, []);
    changed = true;
  }
  if (changed) removeUnreachable(fn);
  return changed;
}

/** Merge B into A when A -> B is A's only exit and B's only entry. */
function mergeChains(fn: Fn): boolean {
  const preds = predecessors(fn);
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  const gone = new Set<number>();
  for (const a of fn.blocks) {
    if (gone.has(a.id)) continue;
    while (a.term.k === "jmp") {
      const bid = a.term.target;
      if (bid === a.id || bid === fn.blocks[0]!.id || preds.get(bid)!.length !== 1) break;
      const b = byId.get(bid)!;
      if (b.phis.length) break; // single-operand phis were removed above
      a.insts.push(...b.insts);
      a.term = b.term;
      for (const s of successors(b.term)) {
        const sb = byId.get(s)!;
        for (const phi of sb.phis) for (const arg of phi.args) if (arg.pred === b.id) arg.pred = a.id;
        preds.set(s, preds.get(s)!.map((p) => (p === b.id ? a.id : p)));
      }
      gone.add(b.id);
    }
  }
  if (gone.size) fn.blocks = fn.blocks.filter((x) => !gone.has(x.id));
  return gone.size > 0;
}

function removeUnreachable(fn: Fn): boolean {
  const reach = new Set<number>();
  const stack = [fn.blocks[0]!.id];
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  while (stack.length) {
    const id = stack.pop()!;
    if (reach.has(id)) continue;
    reach.add(id);
    for (const s of successors(byId.get(id)!.term)) stack.push(s);
  }
  const before = fn.blocks.length;
  if (reach.size !== before) fn.blocks = fn.blocks.filter((b) => reach.has(b.id));
  // Predecessors only when some block has phis to prune.
  let preds: Map<number, number[]> | undefined;
  let changed = fn.blocks.length !== before;
  for (const b of fn.blocks) {
    if (b.phis.length === 0) continue;
    const ps = (preds ??= predecessors(fn)).get(b.id)!;
    for (const p of b.phis) {
      const n = p.args.length;
      p.args = p.args.filter((a) => ps.includes(a.pred));
      if (p.args.length !== n) changed = true;
    }
  }
  return changed;
}
