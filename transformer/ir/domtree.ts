/**
 * Dominator tree by Cooper, Harvey and Kennedy's "A Simple, Fast Dominance Algorithm"
 * (iterative over reverse postorder, intersecting along immediate dominators): near linear
 * on the CFGs we build, where the set-based textbook version was quadratic in blocks and
 * dominated compile time for long straight-line programs with many small diamonds.
 *
 * Unreachable blocks have no immediate dominator and dominate nothing.
 */
import { predecessors, successors, type Block, type Fn } from "./ir.js";

export class DomTree {
  /** Reachable blocks in reverse postorder (the entry first). */
  readonly rpo: readonly Block[];
  private readonly index = new Map<number, number>();
  private readonly idomIdx: number[];
  private readonly children = new Map<number, number[]>();
  /** Pre/post numbers of a DFS over the tree: `a` dominates `b` iff a.pre <= b.pre && b.post <= a.post. */
  private readonly pre = new Map<number, number>();
  private readonly post = new Map<number, number>();

  constructor(fn: Fn) {
    const byId = new Map(fn.blocks.map((b) => [b.id, b]));
    const order: Block[] = [];
    const seen = new Set<number>();
    // Iterative DFS postorder.
    const stack: { b: Block; next: number }[] = [{ b: fn.blocks[0]!, next: 0 }];
    seen.add(fn.blocks[0]!.id);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const succ = successors(top.b.term);
      if (top.next < succ.length) {
        const s = byId.get(succ[top.next++]!);
        if (s && !seen.has(s.id)) {
          seen.add(s.id);
          stack.push({ b: s, next: 0 });
        }
      } else {
        order.push(top.b);
        stack.pop();
      }
    }
    order.reverse();
    this.rpo = order;
    order.forEach((b, i) => this.index.set(b.id, i));
    const preds = predecessors(fn);
    const predIdx = order.map((b) => (preds.get(b.id) ?? []).map((p) => this.index.get(p)).filter((x): x is number => x !== undefined));
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
      let c = this.children.get(parent);
      if (!c) this.children.set(parent, (c = []));
      c.push(order[i]!.id);
    }
    let clock = 0;
    const walk: { id: number; done: boolean }[] = [{ id: order[0]!.id, done: false }];
    while (walk.length) {
      const top = walk.pop()!;
      if (top.done) {
        this.post.set(top.id, clock++);
        continue;
      }
      this.pre.set(top.id, clock++);
      walk.push({ id: top.id, done: true });
      for (const c of this.children.get(top.id) ?? []) walk.push({ id: c, done: false });
    }
  }

  isReachable(id: number): boolean {
    return this.index.has(id);
  }

  /** Immediate dominator of a reachable block (undefined for the entry). */
  idom(id: number): number | undefined {
    const i = this.index.get(id);
    if (i === undefined || i === 0) return undefined;
    return this.rpo[this.idomIdx[i]!]!.id;
  }

  /** Blocks immediately dominated by `id`. */
  childrenOf(id: number): readonly number[] {
    return this.children.get(id) ?? [];
  }

  /** Whether `a` dominates `b` (every block dominates itself). */
  dominates(a: number, b: number): boolean {
    const pa = this.pre.get(a), pb = this.pre.get(b);
    if (pa === undefined || pb === undefined) return false;
    return pa <= pb && this.post.get(b)! <= this.post.get(a)!;
  }
}
