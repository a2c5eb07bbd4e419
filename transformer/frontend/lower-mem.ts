/**
 * Lowering of memory constructs: addresses inside objects (`fieldptr`), zero-filled stack
 * structs, map and ctx arguments of helpers, and the map methods of ring buffers, perf
 * event arrays, queues, stacks, bloom filters and prog arrays (one helper call each).
 */
import type { Span } from "../diagnostics.js";
import type { FnBuilder } from "../ir/builder.js";
import { imm, type Operand } from "../ir/ir.js";
import { MAP_HELPERS } from "./helpers.js";
import type { TExpr } from "./typed.js";
import { sizeOf } from "./types.js";

export interface LowerOps {
  readonly b: FnBuilder;
  /** The program's context pointer. */
  readonly ctx: Operand;
  expr(e: TExpr): Operand;
  /** Spills a value to a fresh stack slot of `size` bytes; returns the slot's address. */
  spill(v: Operand, size: 1 | 2 | 4 | 8, span: Span): Operand;
}

/** `ptr + off (+ index * scale)` as a 64-bit address. */
export function lowerFieldPtr(ops: LowerOps, e: Extract<TExpr, { k: "fieldptr" }>): Operand {
  const { b } = ops;
  let p = ops.expr(e.ptr);
  if (e.index) {
    let i = ops.expr(e.index.e);
    const scale = e.index.scale;
    if (scale > 1) i = (scale & (scale - 1)) === 0 ? b.value("shl", 64, [i, imm(Math.log2(scale))], e.span) : b.value("mul", 64, [i, imm(scale)], e.span);
    p = b.value("add", 64, [p, i], e.span);
  }
  return e.off === 0 ? p : b.value("add", 64, [p, imm(e.off)], e.span);
}

/** A stack object of `size` bytes, zero-filled (the verifier rejects reads of unwritten stack). */
export function lowerStackObj(ops: LowerOps, e: Extract<TExpr, { k: "stackobj" }>): Operand {
  const { b } = ops;
  const slot = b.slot(e.size, e.align);
  const addr = b.value("slot_addr", 64, [], e.span, { slot });
  let off = 0;
  for (const size of [8, 4, 2, 1] as const) {
    while (off + size <= e.size) {
      b.emit("store", 64, [addr, imm(0)], e.span, { size, off });
      off += size;
    }
  }
  return addr;
}

/** The extra map methods (see `map-methods.ts` for their argument lists). */
export function lowerMapMethod(ops: LowerOps, e: Extract<TExpr, { k: "map" }>): Operand {
  const { b } = ops;
  const span = e.span;
  const mapRef = () => b.value("map_ref", 64, [], span, { map: e.map.index });
  const args = () => e.args.map((a) => ops.expr(a));
  const call = (helper: number, list: Operand[]) => b.value("call", 64, list, span, { helper });
  /** Scalars are copied from a stack slot; pointers are passed as they are. */
  const data = (a: TExpr, size: number): Operand => (a.ty.k === "scalar" ? ops.spill(ops.expr(a), size as 1 | 2 | 4 | 8, a.span) : ops.expr(a));
  switch (e.method) {
    case "reserve": return call(MAP_HELPERS.reserve, [mapRef(), ...args(), imm(0)]);
    case "submit": return call(MAP_HELPERS.submit, args());
    case "discard": return call(MAP_HELPERS.discard, args());
    case "output": {
      if (e.args.length === 4) {
        // perf event array: (ctx, map, flags, data, size)
        const [ctxArg, d, size, flags] = e.args as [TExpr, TExpr, Extract<TExpr, { k: "const" }>, TExpr];
        return call(MAP_HELPERS.perfOutput, [ops.expr(ctxArg), mapRef(), ops.expr(flags), data(d, Number(size.value)), ops.expr(size)]);
      }
      const [d, size, flags] = e.args as [TExpr, Extract<TExpr, { k: "const" }>, TExpr];
      return call(MAP_HELPERS.ringbufOutput, [mapRef(), data(d, Number(size.value)), ops.expr(size), ops.expr(flags)]);
    }
    case "push": {
      const [v, flags] = e.args as [TExpr, TExpr];
      return call(MAP_HELPERS.push, [mapRef(), data(v, sizeOf(e.map.info.value)), ops.expr(flags)]);
    }
    case "peek":
    case "pop": {
      if (e.map.info.kind === "bloom_filter") return call(MAP_HELPERS.peek, [mapRef(), data(e.args[0]!, sizeOf(e.map.info.value))]);
      // The value lands in a stack slot; the result points at it, or is null when empty.
      const size = sizeOf(e.map.info.value);
      const slot = b.slot(size);
      const addr = b.value("slot_addr", 64, [], span, { slot });
      const r = call(e.method === "pop" ? MAP_HELPERS.pop : MAP_HELPERS.peek, [mapRef(), addr]);
      const found = b.newBlock();
      const empty = b.newBlock();
      const join = b.newBlock();
      const tmp = -2_000_000_000 - slot; // a variable id no local or temporary uses
      b.declareVar(tmp, 64);
      b.br({ k: "br", cond: "eq", w: 64, a: r, b: imm(0), t: found.id, f: empty.id, span });
      b.seal(found);
      b.seal(empty);
      b.enter(found);
      b.writeVar(tmp, found, b.value("slot_addr", 64, [], span, { slot }));
      b.jmp(join, span);
      b.enter(empty);
      b.writeVar(tmp, empty, imm(0));
      b.jmp(join, span);
      b.seal(join);
      b.enter(join);
      return b.readVar(tmp, join);
    }
    case "tailCall": {
      const [ctxArg, i] = e.args as [TExpr, TExpr];
      return call(MAP_HELPERS.tailCall, [ops.expr(ctxArg), mapRef(), ops.expr(i)]);
    }
    default:
      throw new Error(`internal: map method ${e.method} is lowered in lower.ts`);
  }
}
