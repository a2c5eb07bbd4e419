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
 * When no register is free, the vreg is spilled: each definition stores to a stack slot
 * and each use reloads into a short-lived temporary; allocation then runs again.
 */
import { blockSuccessors, isVirt, mapRegs, usesDefs, type MBlock, type MFn, type MInst, type MTerm, type Reg } from "./mir.js";
import { R10 } from "./opcodes.js";

/** Half-open ranges [from, to), sorted and disjoint. */
type Ranges = [number, number][];

const ALLOCATABLE: readonly Reg[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

export class RegallocError extends Error {}

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

function normalize(r: Ranges): Ranges {
  r.sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [f, t] of r) {
    const last = out[out.length - 1];
    if (last && f <= last[1]) last[1] = Math.max(last[1], t);
    else out.push([f, t]);
  }
  return out;
}

function intersects(a: Ranges, b: Ranges): boolean {
  let i = 0, j = 0;
  while (i < a.length && j < b.length) {
    const [af, at] = a[i]!;
    const [bf, bt] = b[j]!;
    if (af < bt && bf < at) return true;
    if (at <= bt) i++;
    else j++;
  }
  return false;
}

/** Live ranges of every register (virtual and physical) over the blocks' current order. */
export function liveRanges(fn: MFn): Map<Reg, Ranges> {
  const blocks: Numbered[] = [];
  let pos = 0;
  for (const b of fn.blocks) {
    const n = b.insts.length + 1; // + terminator
    blocks.push({ block: b, from: pos, to: pos + 2 * n });
    pos += 2 * n;
  }
  const byId = new Map(blocks.map((x) => [x.block.id, x]));
  // Block-level liveness by backward dataflow.
  const liveIn = new Map<number, Set<Reg>>();
  const gen = new Map<number, Set<Reg>>();
  const kill = new Map<number, Set<Reg>>();
  for (const { block } of blocks) {
    const g = new Set<Reg>(), k = new Set<Reg>();
    for (const i of [...block.insts, block.term] as (MInst | MTerm)[]) {
      const { uses, defs } = usesDefs(i);
      for (const u of uses) if (!k.has(u)) g.add(u);
      for (const d of defs) k.add(d);
    }
    gen.set(block.id, g);
    kill.set(block.id, k);
    liveIn.set(block.id, new Set());
  }
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
      for (const r of kill.get(b.id)!) s.delete(r);
      for (const r of gen.get(b.id)!) s.add(r);
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
  for (const nb of blocks) {
    const b = nb.block;
    // `end[r]` is where r's current (latest) live segment ends within the block.
    const end = new Map<Reg, number>();
    for (const r of liveOut(b)) end.set(r, nb.to);
    const list = [...b.insts, b.term] as (MInst | MTerm)[];
    for (let n = list.length - 1; n >= 0; n--) {
      const p = nb.from + 2 * n;
      const { uses, defs } = usesDefs(list[n]!);
      for (const d of defs) {
        const e = end.get(d);
        addRange(get(d), p + 1, e ?? p + 2); // a dead definition still occupies its register
        end.delete(d);
      }
      for (const u of uses) if (!end.has(u)) end.set(u, p + 1);
    }
    for (const [r, e] of end) addRange(get(r), nb.from, e);
  }
  void byId;
  for (const [r, x] of ranges) ranges.set(r, normalize(x));
  ranges.delete(R10);
  return ranges;
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
  /** Number of spill slots added to `fn.slots`. */
  readonly spills: number;
}

export function allocate(fn: MFn): AllocResult {
  let spills = 0;
  for (let round = 0; round < 32; round++) {
    const victim = tryAllocate(fn);
    if (victim === undefined) return { spills };
    spill(fn, victim);
    spills++;
  }
  throw new RegallocError(`register allocation for ${fn.name} did not converge; the program needs too many registers at once`);
}

/** Assigns registers and rewrites `fn`, or returns a vreg that must be spilled. */
function tryAllocate(fn: MFn): Reg | undefined {
  const ranges = liveRanges(fn);
  const hints = moveHints(fn);
  // Occupancy per physical register: its own ranges plus those of vregs assigned to it.
  const occupied = new Map<Reg, Ranges[]>(ALLOCATABLE.map((p) => [p, ranges.has(p) ? [ranges.get(p)!] : []]));
  const assign = new Map<Reg, Reg>();
  const vregs = [...ranges.keys()].filter(isVirt).sort((a, b) => ranges.get(a)![0]![0] - ranges.get(b)![0]![0] || a - b);
  for (const v of vregs) {
    const r = ranges.get(v)!;
    const free = (p: Reg) => !occupied.get(p)!.some((o) => intersects(o, r));
    const preferred: Reg[] = [];
    for (const h of hints.get(v) ?? []) {
      const p = isVirt(h) ? assign.get(h) : h;
      if (p !== undefined && p !== R10 && !preferred.includes(p)) preferred.push(p);
    }
    const choice = [...preferred, ...ALLOCATABLE].find((p) => ALLOCATABLE.includes(p) && free(p));
    if (choice === undefined) return v;
    assign.set(v, choice);
    occupied.get(choice)!.push(r);
  }
  const map = (r: Reg) => (isVirt(r) ? assign.get(r) ?? R10 /* unused vreg: never read */ : r);
  for (const b of fn.blocks) {
    b.insts = b.insts.map((i) => mapRegs(i, map)).filter((i) => !(i.k === "alu" && i.op === "mov" && i.w === 64 && i.src === i.dst));
    b.term = mapRegs(b.term, map);
  }
  return undefined;
}

/** Rewrites `v` to live in a new 8-byte stack slot. */
function spill(fn: MFn, v: Reg): void {
  fn.slots.push({ size: 8, align: 8 });
  const slot = fn.slots.length - 1;
  const at = { slot, delta: 0 };
  for (const b of fn.blocks) {
    const out: MInst[] = [];
    const rewrite = (i: MInst | MTerm): { i: MInst | MTerm; pre: MInst[]; post: MInst[] } => {
      const { uses, defs } = usesDefs(i);
      if (!uses.includes(v) && !defs.includes(v)) return { i, pre: [], post: [] };
      const t = fn.nextVirt++;
      const span = i.span ? { span: i.span } : {};
      const pre: MInst[] = uses.includes(v) ? [{ k: "ldx", size: 8, dst: t, base: R10, off: at, ...span }] : [];
      const post: MInst[] = defs.includes(v) ? [{ k: "stx", size: 8, base: R10, off: at, src: t, ...span }] : [];
      return { i: mapRegs(i, (r) => (r === v ? t : r)), pre, post };
    };
    for (const i of b.insts) {
      const r = rewrite(i);
      out.push(...r.pre, r.i as MInst, ...r.post);
    }
    const r = rewrite(b.term);
    out.push(...r.pre);
    b.term = r.i as MTerm;
    b.insts = out;
  }
}
