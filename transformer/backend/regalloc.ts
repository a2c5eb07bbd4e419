/**
 * Register allocation: linear scan over live intervals with lifetime holes (Wimmer &
 * Franz, "Linear Scan Register Allocation on SSA Form", simplified), following the BPF
 * calling convention:
 *
 * - r1..r5 carry helper arguments and, with r0, are clobbered by every call: a call
 *   defines r0..r5, so a value live across a call conflicts with them and lands in
 *   r6..r9 (callee-saved) or is spilled;
 * - r0 holds results and the return value; r10 is the read-only frame pointer, never
 *   allocated.
 *
 * Positions: instruction n reads at 2n and writes at 2n+1, so a value whose last use is
 * an instruction can share a register with that instruction's result (`r1 += r2` style).
 * Physical registers get intervals too (argument setup, results, clobbers); a virtual
 * register may take a physical one only where their intervals do not intersect.
 * Moves give hints: a vreg prefers the register of the other side of its moves, which
 * coalesces phi copies, argument moves and two-address copies; identity moves are
 * deleted afterwards.
 *
 * Intervals are taken in order of their start; each physical register keeps only the
 * intervals assigned to it that are still alive (those that ended are dropped as the scan
 * passes them), and intersection tests binary-search the longer range list, so allocation
 * is near linear in the program's size (a 20,000-instruction program allocates in tens of
 * milliseconds).
 *
 * When no register is free, the interval used least densely (reads and writes per position)
 * is spilled: the new one, or a single assigned one it conflicts with: each definition stores to an 8-byte stack slot
 * and each use reloads into a short-lived temporary. Every spill of a round is rewritten in
 * one walk, spilled values whose lives do not overlap share a slot, and allocation runs
 * again. Temporaries are never spilled; if they still do not fit, `RegallocError` names the
 * instruction, and the compiler reports it as WBPF3003.
 */
import { blockSuccessors, isVirt, mapRegs, usesDefs, type MBlock, type MFn, type MInst, type MTerm, type Reg } from "./mir.js";
import { R10 } from "./opcodes.js";
import type { Span } from "../diagnostics.js";

/** Half-open ranges [from, to), sorted and disjoint. */
type Ranges = [number, number][];

const ALLOCATABLE: readonly Reg[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/** The program needs more registers at one instruction than BPF has, even after spilling. */
export class RegallocError extends Error {
  constructor(message: string, readonly span: Span | undefined) {
    super(message);
    this.name = "RegallocError";
  }
}

interface Numbered {
  readonly block: MBlock;
  /** Position of the block's first instruction (×2) and one past its terminator. */
  readonly from: number;
  readonly to: number;
}

function addRange(r: Ranges, from: number, to: number): void {
  if (from >= to) return;
  r.push([from, to]);
}

const byStart = (a: [number, number], b: [number, number]): number => a[0] - b[0];

function normalize(r: Ranges): Ranges {
  // Most registers live in one range: nothing to sort or merge.
  if (r.length < 2) return r;
  r.sort(byStart);
  const out: Ranges = [];
  for (let n = 0; n < r.length; n++) {
    const f = r[n]![0], t = r[n]![1];
    const last = out[out.length - 1];
    if (last && f <= last[1]) last[1] = Math.max(last[1], t);
    else out.push([f, t]);
  }
  return out;
}

/** Index of the first range in `r` that ends after `pos`. */
function firstEndingAfter(r: Ranges, pos: number): number {
  let lo = 0, hi = r.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r[mid]![1] <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether two range lists overlap: walks the shorter one, binary-searching the longer. */
function intersects(a: Ranges, b: Ranges): boolean {
  if (a.length > b.length) return intersects(b, a);
  if (a.length === 0) return false;
  let j = firstEndingAfter(b, a[0]![0]);
  // Indexed, not destructured: this runs for every candidate register of every value.
  for (let n = 0; n < a.length; n++) {
    const af = a[n]![0], at = a[n]![1];
    while (j < b.length && b[j]![1] <= af) j++;
    if (j === b.length) return false;
    if (b[j]![0] < at) return true;
  }
  return false;
}

/** Live ranges of every register (virtual and physical) over the blocks' current order. */
export function liveRanges(fn: MFn): Map<Reg, Ranges> {
  return analyze(fn).ranges;
}

interface Analysis {
  readonly ranges: Map<Reg, Ranges>;
  /** How often each register is read or written. */
  readonly occ: Map<Reg, number>;
}

/** Live ranges and occurrence counts, reading each instruction's registers once. */
function analyze(fn: MFn): Analysis {
  const blocks: Numbered[] = [];
  const regs: { uses: Reg[]; defs: Reg[] }[][] = [];
  const occ = new Map<Reg, number>();
  let pos = 0;
  for (const b of fn.blocks) {
    const n = b.insts.length + 1; // + terminator
    blocks.push({ block: b, from: pos, to: pos + 2 * n });
    pos += 2 * n;
    const list = b.insts.map(usesDefs);
    list.push(usesDefs(b.term));
    for (const { uses, defs } of list) {
      for (const r of uses) occ.set(r, (occ.get(r) ?? 0) + 1);
      for (const r of defs) occ.set(r, (occ.get(r) ?? 0) + 1);
    }
    regs.push(list);
  }
  // Block-level liveness by backward dataflow.
  const liveIn = new Map<number, Set<Reg>>();
  const gen: Set<Reg>[] = [];
  const kill: Set<Reg>[] = [];
  blocks.forEach(({ block }, n) => {
    const g = new Set<Reg>(), k = new Set<Reg>();
    for (const { uses, defs } of regs[n]!) {
      for (const u of uses) if (!k.has(u)) g.add(u);
      for (const d of defs) k.add(d);
    }
    gen.push(g);
    kill.push(k);
    liveIn.set(block.id, new Set());
  });
  const liveOut = (b: MBlock) => {
    const s = new Set<Reg>();
    for (const succ of blockSuccessors(b.term)) for (const r of liveIn.get(succ) ?? []) s.add(r);
    return s;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let n = blocks.length - 1; n >= 0; n--) {
      const b = blocks[n]!.block;
      const s = liveOut(b);
      for (const r of kill[n]!) s.delete(r);
      for (const r of gen[n]!) s.add(r);
      if (s.size !== liveIn.get(b.id)!.size) {
        liveIn.set(b.id, s);
        changed = true;
      }
    }
  }
  // Ranges by a backward walk over each block.
  const ranges = new Map<Reg, Ranges>();
  const get = (r: Reg) => {
    let x = ranges.get(r);
    if (!x) ranges.set(r, (x = []));
    return x;
  };
  blocks.forEach((nb, bn) => {
    // `end[r]` is where r's current (latest) live segment ends within the block.
    const end = new Map<Reg, number>();
    for (const r of liveOut(nb.block)) end.set(r, nb.to);
    const list = regs[bn]!;
    for (let n = list.length - 1; n >= 0; n--) {
      const p = nb.from + 2 * n;
      const { uses, defs } = list[n]!;
      for (const d of defs) {
        const e = end.get(d);
        addRange(get(d), p + 1, e ?? p + 2); // a dead definition still occupies its register
        end.delete(d);
      }
      for (const u of uses) if (!end.has(u)) end.set(u, p + 1);
    }
    end.forEach((e, r) => addRange(get(r), nb.from, e));
  });
  ranges.forEach((x, r) => ranges.set(r, normalize(x)));
  ranges.delete(R10);
  return { ranges, occ };
}

/** Pairs of registers joined by moves, for hints. */
function moveHints(fn: MFn): Map<Reg, Reg[]> {
  const h = new Map<Reg, Reg[]>();
  const add = (a: Reg, b: Reg) => {
    let l = h.get(a);
    if (!l) h.set(a, (l = []));
    l.push(b);
  };
  for (const b of fn.blocks) {
    for (const i of b.insts) {
      // Only 64-bit copies vanish when both sides share a register (`w1 = w1` truncates).
      if (i.k === "alu" && i.op === "mov" && i.w === 64 && typeof i.src !== "bigint") {
        add(i.dst, i.src);
        add(i.src, i.dst);
      }
    }
  }
  return h;
}

export interface AllocResult {
  /** Number of values spilled to the stack (over all rounds). */
  readonly spills: number;
  /** Stack slots holding spilled values (indices into `fn.slots`). */
  readonly spillSlots: ReadonlySet<number>;
  /** Where the first spilled value was defined, for reports. */
  readonly firstSpill: Span | undefined;
}

/** Rounds of allocate-and-spill; each round spills every value that did not fit. */
const MAX_ROUNDS = 16;

export function allocate(fn: MFn): AllocResult {
  let spills = 0;
  const firstSlot = fn.slots.length;
  let firstSpill: Span | undefined;
  // Spill temporaries live for one instruction: spilling them again cannot help.
  const temps = new Set<Reg>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { spilled: victims, ranges } = tryAllocate(fn, temps);
    if (victims.length === 0) {
      const spillSlots = new Set<number>();
      for (let n = firstSlot; n < fn.slots.length; n++) spillSlots.add(n);
      return { spills, spillSlots, firstSpill };
    }
    const stuck = victims.find((v) => temps.has(v));
    if (stuck !== undefined) throw new RegallocError(`'${fn.name}' needs more values at one instruction than BPF's 10 registers hold`, spanOf(fn, stuck));
    firstSpill ??= spanOf(fn, [...victims].sort((a, b) => (ranges.get(a)?.[0]?.[0] ?? 0) - (ranges.get(b)?.[0]?.[0] ?? 0))[0]!);
    spillAll(fn, victims, ranges, temps);
    spills += victims.length;
  }
  throw new RegallocError(`register allocation for '${fn.name}' did not settle after ${MAX_ROUNDS} rounds of spilling`, firstSpill);
}

/** The source of the first instruction that writes (or else reads) `v`. */
function spanOf(fn: MFn, v: Reg): Span | undefined {
  let read: Span | undefined;
  for (const b of fn.blocks) {
    for (const i of [...b.insts, b.term] as (MInst | MTerm)[]) {
      if (!i.span) continue;
      const { uses, defs } = usesDefs(i);
      if (defs.includes(v)) return i.span;
      if (!read && uses.includes(v)) read = i.span;
    }
  }
  return read;
}

interface Assigned {
  readonly v: Reg;
  readonly ranges: Ranges;
  readonly end: number;
  /** Reads and writes per position of its life: spilling a low one costs least. */
  readonly weight: number;
}

/**
 * Assigns registers and rewrites `fn`, or returns the vregs that must be spilled (and
 * leaves `fn` unchanged).
 */
function tryAllocate(fn: MFn, temps: ReadonlySet<Reg>): { spilled: Reg[]; ranges: Map<Reg, Ranges> } {
  const { ranges, occ } = analyze(fn);
  const hints = moveHints(fn);
  // Indexed by physical register (ALLOCATABLE is r0..r9 in order, so index = register).
  const fixed: Ranges[] = ALLOCATABLE.map((p) => ranges.get(p) ?? []);
  // Intervals assigned to each physical register that may still meet later ones.
  const live: Assigned[][] = ALLOCATABLE.map(() => []);
  const assign = new Map<Reg, Reg>();
  const spilled: Reg[] = [];
  const vregs = [...ranges.keys()].filter(isVirt).sort((a, b) => ranges.get(a)![0]![0] - ranges.get(b)![0]![0] || a - b);
  for (const v of vregs) {
    const r = ranges.get(v)!;
    const start = r[0]![0];
    const end = r[r.length - 1]![1];
    const weight = temps.has(v) ? Infinity : (occ.get(v) ?? 1) / (end - start);
    for (const list of live) {
      // Drop intervals that ended before this one starts (in place; order does not matter).
      for (let n = 0; n < list.length; ) {
        if (list[n]!.end <= start) list[n] = list[list.length - 1]!, list.pop();
        else n++;
      }
    }
    const conflicts = (p: Reg) => live[p]!.filter((x) => intersects(x.ranges, r));
    const free = (p: Reg) => !intersects(fixed[p]!, r) && !live[p]!.some((x) => intersects(x.ranges, r));
    let choice: Reg | undefined;
    for (const h of hints.get(v) ?? []) {
      const p = isVirt(h) ? assign.get(h) : h;
      if (p !== undefined && p <= 9 && free(p)) {
        choice = p;
        break;
      }
    }
    choice ??= ALLOCATABLE.find(free);
    if (choice === undefined) {
      // Evict the one assigned interval used least densely, when it is used less than v.
      let best: { p: Reg; x: Assigned } | undefined;
      for (const p of ALLOCATABLE) {
        if (intersects(fixed[p]!, r)) continue;
        const c = conflicts(p);
        if (c.length !== 1 || temps.has(c[0]!.v)) continue;
        if (!best || c[0]!.weight < best.x.weight) best = { p, x: c[0]! };
      }
      if (!best || best.x.weight >= weight) {
        spilled.push(v);
        continue;
      }
      spilled.push(best.x.v);
      assign.delete(best.x.v);
      live[best.p] = live[best.p]!.filter((x) => x !== best.x);
      choice = best.p;
    }
    assign.set(v, choice);
    live[choice]!.push({ v, ranges: r, end, weight });
  }
  if (spilled.length) return { spilled, ranges };
  const map = (r: Reg) => (isVirt(r) ? assign.get(r) ?? R10 /* unused vreg: never read */ : r);
  for (const b of fn.blocks) {
    b.insts = b.insts.map((i) => mapRegs(i, map)).filter((i) => !(i.k === "alu" && i.op === "mov" && i.w === 64 && i.src === i.dst));
    b.term = mapRegs(b.term, map);
  }
  return { spilled, ranges };
}

/**
 * Rewrites each of `vs` to live in an 8-byte stack slot: a store after each definition, a
 * load into a fresh temporary (added to `temps`) before each use. Values whose live ranges
 * do not meet share a slot.
 */
function spillAll(fn: MFn, vs: readonly Reg[], ranges: ReadonlyMap<Reg, Ranges>, temps: Set<Reg>): void {
  const slotOf = new Map<Reg, number>();
  const slotUsers: { slot: number; ranges: Ranges[] }[] = [];
  for (const v of [...vs].sort((a, b) => (ranges.get(a)?.[0]?.[0] ?? 0) - (ranges.get(b)?.[0]?.[0] ?? 0))) {
    const r = ranges.get(v) ?? [];
    let s = slotUsers.find((u) => !u.ranges.some((o) => intersects(o, r)));
    if (!s) {
      fn.slots.push({ size: 8, align: 8 });
      s = { slot: fn.slots.length - 1, ranges: [] };
      slotUsers.push(s);
    }
    s.ranges.push(r);
    slotOf.set(v, s.slot);
  }
  const NONE: MInst[] = [];
  for (const b of fn.blocks) {
    const out: MInst[] = [];
    const rewrite = (i: MInst | MTerm): { i: MInst | MTerm; pre: MInst[]; post: MInst[] } => {
      const { uses, defs } = usesDefs(i);
      if (!uses.some((r) => slotOf.has(r)) && !defs.some((r) => slotOf.has(r))) return { i, pre: NONE, post: NONE };
      const pre: MInst[] = [], post: MInst[] = [];
      const rename = new Map<Reg, Reg>();
      const span = i.span ? { span: i.span } : {};
      for (const v of new Set([...uses, ...defs])) {
        const slot = slotOf.get(v);
        if (slot === undefined) continue;
        const t = fn.nextVirt++;
        temps.add(t);
        rename.set(v, t);
        const at = { slot, delta: 0 };
        if (uses.includes(v)) pre.push({ k: "ldx", size: 8, dst: t, base: R10, off: at, ...span });
        if (defs.includes(v)) post.push({ k: "stx", size: 8, base: R10, off: at, src: t, ...span });
      }
      if (rename.size === 0) return { i, pre, post };
      return { i: mapRegs(i, (r) => rename.get(r) ?? r), pre, post };
    };
    for (const i of b.insts) {
      const r = rewrite(i);
      if (r.pre.length) out.push(...r.pre);
      out.push(r.i as MInst);
      if (r.post.length) out.push(...r.post);
    }
    const r = rewrite(b.term);
    out.push(...r.pre);
    b.term = r.i as MTerm;
    b.insts = out;
  }
}
