/**
 * Demanded bits: a truncation (`mov.32 x`, `and x, 0xff/0xffff/0xffffffff`) whose every
 * use reads only the bits it keeps is a no-op for those uses, which then read `x`.
 *
 * `const tid = get_current_pid_tgid() as u32;` stored as a 4-byte map key, or compared
 * with jmp32, needs no `w0 = w0`. A use's demand: a 32-bit op or compare reads 32 bits;
 * a store or atomic add of N bytes reads 8N bits of its value; a byte swap of N bits reads
 * N; everything else (addresses, call arguments, returns, 64-bit ops) reads all 64. A phi
 * demands what its own uses demand (one level); a phi fed a wider value loses its claim
 * that its upper half is zero, so later passes stop relying on it.
 */
import { type Fn, type Inst, type Operand, type Phi } from "../ir/ir.js";

type Use = { readonly k: "inst"; readonly i: Inst; readonly n: number } | { readonly k: "phi"; readonly p: Phi } | { readonly k: "term"; readonly w: number };

function usesOf(fn: Fn): Map<number, Use[]> {
  const uses = new Map<number, Use[]>();
  const add = (o: Operand, u: Use) => {
    if (o.k !== "v") return;
    let l = uses.get(o.id);
    if (!l) uses.set(o.id, (l = []));
    l.push(u);
  };
  for (const b of fn.blocks) {
    for (const p of b.phis) for (const a of p.args) add(a.v, { k: "phi", p });
    for (const i of b.insts) i.args.forEach((a, n) => add(a, { k: "inst", i, n }));
    const t = b.term;
    if (t.k === "br") {
      add(t.a, { k: "term", w: t.w });
      add(t.b, { k: "term", w: t.w });
    } else if (t.k === "ret") {
      add(t.v, { k: "term", w: 64 });
    }
  }
  return uses;
}

/** Bits of operand `n` that instruction `i` reads. */
function instDemand(i: Inst, n: number): number {
  switch (i.op) {
    case "store":
    case "atomic_add":
    case "atomic_fetch": return n >= 1 ? i.size! * 8 : 64;
    case "bswap": return i.bits!;
    case "load":
    case "call":
    case "call_fn": return 64;
    default: return i.w;
  }
}

function demand(u: Use, uses: Map<number, Use[]>, viaPhi: boolean): number {
  switch (u.k) {
    case "inst": return instDemand(u.i, u.n);
    case "term": return u.w;
    case "phi": {
      if (viaPhi) return 64;
      let d = 0;
      for (const x of uses.get(u.p.dst) ?? []) d = Math.max(d, demand(x, uses, true));
      return d;
    }
  }
}

/** Bits a truncation keeps, or undefined when `i` is not one. */
function keptBits(i: Inst): number | undefined {
  if (i.op === "mov" && i.w === 32) return 32;
  if (i.op !== "and" || i.args[1]?.k !== "imm") return undefined;
  const m = BigInt.asUintN(i.w, i.args[1].v);
  return m === 0xffn ? 8 : m === 0xffffn ? 16 : m === 0xffffffffn ? 32 : undefined;
}

export function demandedBits(fn: Fn): boolean {
  // Built at the first truncation: most functions have none, and this is every use of every value.
  let uses: Map<number, Use[]> | undefined;
  let changed = false;
  for (const b of fn.blocks) {
    for (const i of b.insts) {
      if (i.dst === undefined) continue;
      const kept = keptBits(i);
      const src = i.args[0];
      if (kept === undefined || !src || src.k !== "v") continue;
      const all = (uses ??= usesOf(fn));
      const us = all.get(i.dst) ?? [];
      if (us.length === 0 || us.some((u) => demand(u, all, false) > kept)) continue;
      for (const u of us) {
        if (u.k === "inst") u.i.args[u.n] = src;
        else if (u.k === "phi") {
          for (const a of u.p.args) if (a.v.k === "v" && a.v.id === i.dst) a.v = src;
          // The phi may now carry upper bits: drop its zero-extension claim.
          (fn.vregs as { w: 32 | 64 }[])[u.p.dst] = { w: 64 };
        }
      }
      // Terminator uses: rewrite in place.
      for (const bb of fn.blocks) {
        const t = bb.term;
        if (t.k === "br") {
          if (t.a.k === "v" && t.a.id === i.dst) t.a = src;
          if (t.b.k === "v" && t.b.id === i.dst) t.b = src;
        }
      }
      changed = true;
      // Use lists changed: recompute for the next candidate.
      uses.clear();
      for (const [k, v] of usesOf(fn)) uses.set(k, v);
    }
  }
  return changed;
}

/** Most bits any use of `v` reads (64 when a use is not known to read fewer). */
export function demandOf(fn: Fn, v: number): number {
  const uses = usesOf(fn);
  let d = 0;
  for (const u of uses.get(v) ?? []) d = Math.max(d, demand(u, uses, true));
  return d;
}
