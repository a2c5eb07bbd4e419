/**
 * Dominator tree by Cooper, Harvey and Kennedy's "A Simple, Fast Dominance Algorithm"
 * (iterative over reverse postorder, intersecting along immediate dominators): near linear
 * on the CFGs we build, where the set-based textbook version was quadratic in blocks and
 * dominated compile time for long straight-line programs with many small diamonds.
 *
 * Unreachable blocks have no immediate dominator and dominate nothing.
 */
import type { Block, Fn, Term } from "./ir.js";

/**
 * Block ids are small dense integers (the builder numbers them), so every per-block table
 * here is an array indexed by id: trees are built by several passes per round, for every
 * function of every template, and Maps made that a visible share of a build.
 */
export class DomTree {
  /** Reachable blocks in reverse postorder (the entry first). */
  readonly rpo: readonly Block[];
  /** Block id -> position in `rpo`; a hole when the block is unreachable. */
  private readonly index: number[] = [];
  private readonly idomIdx: number[];
  private readonly children: number[][] = [];
  /** Pre/post numbers of a DFS over the tree: `a` dominates `b` iff a.pre <= b.pre && b.post <= a.post. */
  private readonly pre: number[] = [];
  private readonly post: number[] = [];

  constructor(fn: Fn) {
    const byId: Block[] = [];
    for (const b of fn.blocks) byId[b.id] = b;
    const order: Block[] = [];
    const seen: boolean[] = [];
    // Iterative DFS postorder.
    const entry = fn.blocks[0]!;
    const stack: { b: Block; succ: number[]; next: number }[] = [{ b: entry, succ: succList(entry.term), next: 0 }];
    seen[entry.id] = true;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.succ.length) {
        const s = byId[top.succ[top.next++]!];
        if (s && !seen[s.id]) {
          seen[s.id] = true;
          stack.push({ b: s, succ: succList(s.term), next: 0 });
        }
      } else {
        order.push(top.b);
        stack.pop();
      }
    }
    order.reverse();
    this.rpo = order;
    const index = this.index;
    for (let i = 0; i < order.length; i++) index[order[i]!.id] = i;
    // Predecessors as rpo positions, reachable ones only.
    const predIdx: number[][] = order.map(() => []);
    for (let i = 0; i < order.length; i++) {
      for (const s of succList(order[i]!.term)) {
        const j = index[s];
        if (j !== undefined) predIdx[j]!.push(i);
      }
    }
    const idom = new Array<number>(order.length).fill(-1);
    idom[0] = 0;
    const intersect = (a: number, b: number): number => {
      while (a !== b) {
        while (a > b) a = idom[a]!;
        while (b > a) b = idom[b]!;
      }
      return a;
    };
    for (let changed = true; changed; ) {
      changed = false;
      for (let i = 1; i < order.length; i++) {
        let n = -1;
        for (const p of predIdx[i]!) if (idom[p] !== -1) n = n === -1 ? p : intersect(p, n);
        if (n !== idom[i]) {
          idom[i] = n;
          changed = true;
        }
      }
    }
    this.idomIdx = idom;
    for (let i = 1; i < order.length; i++) {
      const parent = order[idom[i]!]!.id;
      (this.children[parent] ??= []).push(order[i]!.id);
    }
  }

  /** Whether pre/post numbers exist: they are made on the first `dominates` (CSE, built most often, never asks). */
  private numbered = false;

  private number(): void {
    this.numbered = true;
    let clock = 0;
    const walk: { id: number; done: boolean }[] = [{ id: this.rpo[0]!.id, done: false }];
    while (walk.length) {
      const top = walk.pop()!;
      if (top.done) {
        this.post[top.id] = clock++;
        continue;
      }
      this.pre[top.id] = clock++;
      walk.push({ id: top.id, done: true });
      for (const c of this.children[top.id] ?? []) walk.push({ id: c, done: false });
    }
  }

  isReachable(id: number): boolean {
    return this.index[id] !== undefined;
  }

  /** Immediate dominator of a reachable block (undefined for the entry). */
  idom(id: number): number | undefined {
    const i = this.index[id];
    if (i === undefined || i === 0) return undefined;
    return this.rpo[this.idomIdx[i]!]!.id;
  }

  /** Blocks immediately dominated by `id`. */
  childrenOf(id: number): readonly number[] {
    return this.children[id] ?? NONE;
  }

  /** Whether `a` dominates `b` (every block dominates itself). */
  dominates(a: number, b: number): boolean {
    if (!this.numbered) this.number();
    const pa = this.pre[a], pb = this.pre[b];
    if (pa === undefined || pb === undefined) return false;
    return pa <= pb && this.post[b]! <= this.post[a]!;
  }
}

const NONE: readonly number[] = [];

/** Successor ids, as `successors` in ir.ts lists them (the DFS order decides the rpo). */
function succList(t: Term): number[] {
  return t.k === "jmp" ? [t.target] : t.k === "br" ? (t.f !== t.t ? [t.t, t.f] : [t.t]) : [];
}
