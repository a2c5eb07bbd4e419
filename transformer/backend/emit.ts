/**
 * Emission: orders blocks so branches fall through where they can, turns terminators into
 * conditional jumps (inverting the condition when the taken side is next), resolves jump
 * offsets (jumps too far for 16 bits become 32-bit `gotol`) and stack offsets, and produces
 * final instructions plus map relocations.
 */
import type { Span } from "../diagnostics.js";
import type { CoreSite } from "../btf/core.js";
import { invertCond, type Cond } from "../ir/ops.js";
import { layoutFrame, resolve, type Frame } from "./frame.js";
import type { MBlock, MFn, MInst } from "./mir.js";
import { blockSuccessors } from "./mir.js";
import { ALU_OP, ATOMIC_ADD, CLASS, END_TO_BE, JMP_OP, MODE, SRC, sizeCode, type Insn } from "./opcodes.js";

export interface MapReloc {
  /** Instruction index (in 8-byte slots) of the ld_imm64. */
  readonly insn: number;
  readonly map: number;
}

/** An ld_imm64 of a global variable's address. */
export interface GlobalReloc {
  readonly insn: number;
  readonly global: number;
}

/** A BPF-to-BPF call, or an ld_imm64 of a callback's address (the opcode at `insn` says
 * which): the instruction index and the callee's function index. */
export interface CallReloc {
  readonly insn: number;
  readonly func: number;
}

export interface KfuncReloc {
  readonly insn: number;
  readonly kfunc: number;
}

export interface Emitted {
  readonly insns: Insn[];
  readonly relocs: MapReloc[];
  readonly calls: CallReloc[];
  /** Calls of kernel functions (index in the template's kfuncs). */
  readonly kfuncs: KfuncReloc[];
  readonly globals: GlobalReloc[];
  /** Instructions whose imm the loader relocates (CO-RE). */
  readonly cores: CoreSite[];
  readonly stackSize: number;
  /** Source span of each instruction that starts a source construct (index = insn). */
  readonly spans: (Span | undefined)[];
}

const JCC: Record<Cond | "set", number> = {
  set: JMP_OP.jset, eq: JMP_OP.jeq, ne: JMP_OP.jne, ugt: JMP_OP.jgt, uge: JMP_OP.jge, ult: JMP_OP.jlt, ule: JMP_OP.jle,
  sgt: JMP_OP.jsgt, sge: JMP_OP.jsge, slt: JMP_OP.jslt, sle: JMP_OP.jsle,
};

/**
 * Greedy chaining: after a block, place a successor whose predecessors are all placed
 * (preferring the branch's false side), so shared exits (early returns) go last and
 * straight-line paths fall through. Back edges do not count as predecessors, so a loop
 * body follows its guard and the loop exit follows the body.
 */
export function layoutBlocks(fn: MFn): MBlock[] {
  threadEmptyBlocks(fn);
  const back = backEdges(fn);
  const preds = new Map<number, number[]>(fn.blocks.map((b) => [b.id, []]));
  for (const b of fn.blocks) for (const s of new Set(blockSuccessors(b.term))) if (!back.has(`${b.id}>${s}`)) preds.get(s)!.push(b.id);
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  const placed = new Set<number>();
  const order: MBlock[] = [];
  const ready = (id: number) => !placed.has(id) && preds.get(id)!.every((p) => placed.has(p));
  let next: MBlock | undefined = fn.blocks[0];
  while (next) {
    order.push(next);
    placed.add(next.id);
    const t: MBlock["term"] = next.term;
    const succ: number[] = t.k === "br" ? [t.f, t.t] : blockSuccessors(t);
    const pick: number | undefined = succ.find(ready) ?? fn.blocks.find((b) => ready(b.id))?.id ?? succ.find((s) => !placed.has(s)) ?? fn.blocks.find((b) => !placed.has(b.id))?.id;
    next = pick === undefined ? undefined : byId.get(pick);
  }
  return order;
}

/**
 * Jumps to a block that holds nothing but a jump go straight to its target (after
 * register allocation, split edges whose phi copies were coalesced away are such blocks);
 * blocks nothing reaches any more are dropped.
 */
function threadEmptyBlocks(fn: MFn): void {
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  const forward = (id: number): number => {
    const seen = new Set<number>();
    let cur = id;
    for (;;) {
      const b = byId.get(cur)!;
      if (b.insts.length || b.term.k !== "jmp" || seen.has(cur) || b === fn.blocks[0]) return cur;
      seen.add(cur);
      cur = b.term.target;
    }
  };
  for (const b of fn.blocks) {
    const t = b.term;
    if (t.k === "jmp") b.term = { ...t, target: forward(t.target) };
    else if (t.k === "br") b.term = { ...t, t: forward(t.t), f: forward(t.f) };
  }
  const reach = new Set<number>();
  const stack = [fn.blocks[0]!.id];
  while (stack.length) {
    const id = stack.pop()!;
    if (reach.has(id)) continue;
    reach.add(id);
    stack.push(...blockSuccessors(byId.get(id)!.term));
  }
  fn.blocks = fn.blocks.filter((b) => reach.has(b.id));
}

/** Edges `from>to` that close a loop (to a block on the depth-first path from the entry). */
function backEdges(fn: MFn): Set<string> {
  const byId = new Map(fn.blocks.map((b) => [b.id, b]));
  const out = new Set<string>();
  const state = new Map<number, "open" | "done">();
  // Iterative DFS: a frame is a block and the index of its next successor to visit.
  const stack: [number, number][] = [[fn.blocks[0]!.id, 0]];
  state.set(fn.blocks[0]!.id, "open");
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const succ = blockSuccessors(byId.get(top[0])!.term);
    if (top[1] >= succ.length) {
      state.set(top[0], "done");
      stack.pop();
      continue;
    }
    const s = succ[top[1]++]!;
    const st = state.get(s);
    if (st === "open") out.add(`${top[0]}>${s}`);
    else if (st === undefined) {
      state.set(s, "open");
      stack.push([s, 0]);
    }
  }
  return out;
}

export function emit(fn: MFn): Emitted {
  const frame = layoutFrame(fn);
  const order = layoutBlocks(fn);
  // Branch relaxation: a jump beyond a 16-bit offset becomes a 32-bit `gotol` (a conditional
  // one jumps over it on the inverted condition). That moves later code, so emit again until
  // every jump fits; jumps only ever turn long, so this ends.
  const long = new Set<string>();
  for (;;) {
    const r = emitLaidOut(fn, frame, order, long);
    if (r.tooFar.length === 0) return r.out;
    for (const k of r.tooFar) long.add(k);
  }
}

/** `gotol`: BPF_JMP32 | BPF_JA, the offset in imm (32 bits; kernel 6.4+, clang's -mcpu=v4). */
const GOTOL = CLASS.JMP32 | JMP_OP.ja;

function emitLaidOut(fn: MFn, frame: Frame, order: readonly MBlock[], long: ReadonlySet<string>): { out: Emitted; tooFar: string[] } {
  const insns: Insn[] = [];
  const relocs: MapReloc[] = [];
  const calls: CallReloc[] = [];
  const kfuncs: KfuncReloc[] = [];
  const globals: GlobalReloc[] = [];
  const cores: CoreSite[] = [];
  const blockStart = new Map<number, number>();
  /** `wide`: the offset goes in imm (gotol). `key` names the jump for relaxation. */
  const fixups: { at: number; target: number; wide: boolean; key: string }[] = [];
  const spans: (Span | undefined)[] = [];
  const ja = (target: number, key: string) => {
    const wide = long.has(key);
    fixups.push({ at: insns.length, target, wide, key });
    insns.push({ code: wide ? GOTOL : CLASS.JMP | JMP_OP.ja, dst: 0, src: 0, off: 0, imm: 0 });
  };
  const jcc = (cond: Cond | "set", cls: number, a: number, b: number | bigint, target: number, key: string) => {
    const operands = typeof b === "bigint" ? { src: 0, imm: Number(BigInt.asIntN(32, b)), x: SRC.K } : { src: b, imm: 0, x: SRC.X };
    const code = (c: Cond | "set") => cls | JCC[c] | operands.x;
    if (!long.has(key)) {
      fixups.push({ at: insns.length, target, wide: false, key });
      insns.push({ code: code(cond), dst: a, src: operands.src, off: 0, imm: operands.imm });
      return;
    }
    if (cond === "set") {
      // No inverse: taken lands on the gotol, not taken skips it.
      insns.push({ code: code("set"), dst: a, src: operands.src, off: 1, imm: operands.imm });
      insns.push({ code: CLASS.JMP | JMP_OP.ja, dst: 0, src: 0, off: 1, imm: 0 });
    } else {
      insns.push({ code: code(invertCond(cond)), dst: a, src: operands.src, off: 1, imm: operands.imm });
    }
    fixups.push({ at: insns.length, target, wide: true, key });
    insns.push({ code: GOTOL, dst: 0, src: 0, off: 0, imm: 0 });
  };
  order.forEach((b, n) => {
    blockStart.set(b.id, insns.length);
    for (const i of b.insts) {
      spans[insns.length] = i.span;
      if (i.k === "callf" || i.k === "ldfunc") calls.push({ insn: insns.length, func: i.func });
      if (i.k === "call" && i.kfunc !== undefined) kfuncs.push({ insn: insns.length, kfunc: i.kfunc });
      if (i.k === "ldglobal") globals.push({ insn: insns.length, global: i.global });
      if (i.k === "coremov") cores.push({ insn: insns.length, access: i.core });
      encodeInst(i, frame, insns, relocs);
    }
    const next = order[n + 1]?.id;
    const t = b.term;
    spans[insns.length] = t.span;
    switch (t.k) {
      case "exit":
        insns.push({ code: CLASS.JMP | JMP_OP.exit, dst: 0, src: 0, off: 0, imm: 0 });
        break;
      case "jmp":
        if (t.target !== next) ja(t.target, `${b.id}:j`);
        break;
      case "br": {
        let { cond, t: taken, f: fall } = t;
        // jset has no inverse: with its taken side next it jumps over the `ja` to the other.
        if (taken === next && cond !== "set") {
          cond = invertCond(cond);
          [taken, fall] = [fall, taken];
        }
        jcc(cond, t.w === 32 ? CLASS.JMP32 : CLASS.JMP, t.a, t.b, taken, `${b.id}:c`);
        if (fall !== next) ja(fall, `${b.id}:j`);
        break;
      }
    }
  });
  const tooFar: string[] = [];
  for (const f of fixups) {
    const off = blockStart.get(f.target)! - (f.at + 1);
    if (f.wide) insns[f.at]!.imm = off;
    else if (off < -32768 || off > 32767) tooFar.push(f.key);
    else insns[f.at]!.off = off;
  }
  spans.length = insns.length;
  return { out: { insns, relocs, calls, kfuncs, globals, cores, stackSize: frame.size, spans }, tooFar };
}

function encodeInst(i: MInst, frame: Frame, out: Insn[], relocs: MapReloc[]): void {
  switch (i.k) {
    case "alu": {
      const cls = i.w === 32 ? CLASS.ALU : CLASS.ALU64;
      if (typeof i.src === "bigint") {
        const imm = i.src + BigInt(i.slot !== undefined ? frame.offsets[i.slot]! : 0);
        out.push({ code: cls | ALU_OP[i.op] | SRC.K, dst: i.dst, src: 0, off: 0, imm: Number(BigInt.asIntN(32, imm)) });
      } else {
        out.push({ code: cls | ALU_OP[i.op] | SRC.X, dst: i.dst, src: i.src, off: 0, imm: 0 });
      }
      return;
    }
    case "neg":
      out.push({ code: (i.w === 32 ? CLASS.ALU : CLASS.ALU64) | ALU_OP.neg, dst: i.dst, src: 0, off: 0, imm: 0 });
      return;
    case "bswap":
      out.push({ code: CLASS.ALU | ALU_OP.end | END_TO_BE, dst: i.dst, src: 0, off: 0, imm: i.bits });
      return;
    case "ldimm64": {
      const v = BigInt.asUintN(64, i.value);
      out.push({ code: CLASS.LD | SIZE_DW | MODE.IMM, dst: i.dst, src: 0, off: 0, imm: Number(BigInt.asIntN(32, v & 0xffffffffn)) });
      out.push({ code: 0, dst: 0, src: 0, off: 0, imm: Number(BigInt.asIntN(32, v >> 32n)) });
      return;
    }
    case "coremov": {
      // `mov64 dst, imm` as clang emits for a relocatable offset: the loader checks that imm
      // holds the local BTF's value, then rewrites it for the target kernel. An enumerator of
      // a 64-bit enum, or one no 32-bit immediate holds, is an ld_imm64 (as clang emits it),
      // so the target's value may use all 64 bits.
      const v = i.core.value;
      if (i.core.enumValues && (i.core.enumValues.size === 8 || v !== BigInt.asIntN(32, v))) {
        const u = BigInt.asUintN(64, v);
        out.push({ code: CLASS.LD | SIZE_DW | MODE.IMM, dst: i.dst, src: 0, off: 0, imm: Number(BigInt.asIntN(32, u & 0xffffffffn)) });
        out.push({ code: 0, dst: 0, src: 0, off: 0, imm: Number(BigInt.asIntN(32, u >> 32n)) });
        return;
      }
      out.push({ code: CLASS.ALU64 | ALU_OP.mov | SRC.K, dst: i.dst, src: 0, off: 0, imm: Number(BigInt.asIntN(32, v)) });
      return;
    }
    case "ldglobal":
      // Like clang for a global variable: imm 0, relocated against the variable's symbol;
      // libbpf turns it into BPF_PSEUDO_MAP_VALUE of the section's map plus the offset.
      out.push({ code: CLASS.LD | SIZE_DW | MODE.IMM, dst: i.dst, src: 0, off: 0, imm: 0 });
      out.push({ code: 0, dst: 0, src: 0, off: 0, imm: 0 });
      return;
    case "ldfunc":
      // Like clang for a callback: src_reg 0, relocated against `.text` (the object writer
      // puts the callee's byte offset in imm); loaders set BPF_PSEUDO_FUNC.
      out.push({ code: CLASS.LD | SIZE_DW | MODE.IMM, dst: i.dst, src: 0, off: 0, imm: 0 });
      out.push({ code: 0, dst: 0, src: 0, off: 0, imm: 0 });
      return;
    case "ldmap":
      // Like clang: src_reg 0 and imm 0; the loader sets BPF_PSEUDO_MAP_FD and the fd.
      relocs.push({ insn: out.length, map: i.map });
      out.push({ code: CLASS.LD | SIZE_DW | MODE.IMM, dst: i.dst, src: 0, off: 0, imm: 0 });
      out.push({ code: 0, dst: 0, src: 0, off: 0, imm: 0 });
      return;
    case "ldx":
      out.push({ code: CLASS.LDX | sizeCode(i.size) | MODE.MEM, dst: i.dst, src: i.base, off: resolve(frame, i.off), imm: 0 });
      return;
    case "stx":
      out.push({ code: CLASS.STX | sizeCode(i.size) | MODE.MEM, dst: i.base, src: i.src, off: resolve(frame, i.off), imm: 0 });
      return;
    case "st":
      out.push({ code: CLASS.ST | sizeCode(i.size) | MODE.MEM, dst: i.base, src: 0, off: resolve(frame, i.off), imm: Number(BigInt.asIntN(32, i.imm)) });
      return;
    case "atomic_add":
      out.push({ code: CLASS.STX | sizeCode(i.size) | MODE.ATOMIC, dst: i.base, src: i.src, off: resolve(frame, i.off), imm: i.op ?? ATOMIC_ADD });
      return;
    case "atomic_fetch":
      out.push({ code: CLASS.STX | sizeCode(i.size) | MODE.ATOMIC, dst: i.base, src: i.src, off: resolve(frame, i.off), imm: i.op });
      return;
    case "call":
      // A kfunc call is what clang writes for an extern function: BPF_PSEUDO_CALL, imm -1, an
      // R_BPF_64_32 relocation against the undefined symbol; the loader makes it a kfunc call.
      if (i.kfunc !== undefined) out.push({ code: CLASS.JMP | JMP_OP.call, dst: 0, src: PSEUDO_CALL, off: 0, imm: -1 });
      else out.push({ code: CLASS.JMP | JMP_OP.call, dst: 0, src: 0, off: 0, imm: i.helper });
      return;
    case "callf":
      // BPF_PSEUDO_CALL; imm -1 with an R_BPF_64_32 relocation against the callee's symbol,
      // as clang writes calls to global functions (libbpf: target = sym/8 + imm + 1).
      out.push({ code: CLASS.JMP | JMP_OP.call, dst: 0, src: PSEUDO_CALL, off: 0, imm: -1 });
      return;
  }
}

const SIZE_DW = 0x18;
const PSEUDO_CALL = 1;
