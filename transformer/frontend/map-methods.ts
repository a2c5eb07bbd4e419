/**
 * Map methods beyond lookup/update/delete/increment, checked against the map kind and its
 * element types: ring buffers (`reserve(${Ev})`, `submit(e)`, `discard(e)`, `output(v)`),
 * perf event arrays (`output(ctx, v)`), queues and stacks (`push(v)`, `pop()`, `peek()`),
 * bloom filters (`push(v)`, `peek(v)`) and prog arrays (`tailCall(ctx, i)`).
 *
 * Argument lists are normalised for lowering: sizes are explicit constants, optional flags
 * are filled in, so `lower.ts` maps each method to one helper call.
 */
import type { ScalarName } from "../../runtime/types.js";
import type { Expr } from "./ast.js";
import { fail, type CheckOps } from "./check-ops.js";
import { pointeeSize } from "./structs.js";
import type { MapMethod, MapRef, TExpr } from "./typed.js";
import { scalar, sizeOf, typeName, VOID, type Type } from "./types.js";

/** BPF_F_CURRENT_CPU: perf_event_output's "this CPU's ring" index. */
export const BPF_F_CURRENT_CPU = 0xffffffffn;

const u64 = (value: bigint, e: { span: { start: number; end: number } }): TExpr => ({ k: "const", ty: scalar("u64"), value, span: e.span });

/** Methods this module checks (the others are in check.ts). */
export const EXTRA_MAP_METHODS: readonly MapMethod[] = ["reserve", "submit", "discard", "output", "push", "pop", "peek", "tailCall"];

type MethodCall = Extract<Expr, { k: "method" }>;

function arity(ops: CheckOps, e: MethodCall, map: MapRef, min: number, max: number, usage: string): boolean {
  if (e.args.length >= min && e.args.length <= max) return true;
  ops.sink.error("WBPF1006", e.span, `'${map.name}.${e.method}' takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? "" : "s"}: ${usage}`);
  return false;
}

function flags(ops: CheckOps, e: MethodCall, i: number): TExpr {
  const a = e.args[i];
  if (!a) return u64(0n, e);
  return ops.convert(ops.expr(a), "u64", "WBPF1003", (x) => `flags are a u64, not ${ops.describe(x)}`);
}

/** A value to copy into a map (ring buffer record, perf sample): a pointer, or a scalar of the map's type. */
function dataArg(ops: CheckOps, map: MapRef, src: Expr): { data: TExpr; size: number } | undefined {
  const a = ops.expr(src);
  if (a.ty.k === "error") return undefined;
  const size = pointeeSize(a.ty);
  if (size !== undefined) {
    if ((a.ty.k === "sptr" || a.ty.k === "ptr") && a.ty.nullable) {
      const name = src.k === "name" ? src.name : "the pointer";
      fail(ops, "WBPF1007", src.span, `${name} may be null; check it before sending it to '${map.name}': \`if (!${name}) return 0;\``);
      return undefined;
    }
    return { data: a, size };
  }
  if (a.ty.k === "scalar" || a.ty.k === "untyped") {
    const t: ScalarName = a.ty.k === "scalar" ? a.ty.name : "u64";
    const v = ops.convert(a, t, "WBPF1002", () => "");
    return v.ty.k === "error" ? undefined : { data: v, size: sizeOf(t) };
  }
  fail(ops, "WBPF2002", src.span, `'${map.name}' records are structs, arrays or integers, not ${typeName(a.ty)}`);
  return undefined;
}

/** An element of the map's value type (queue/stack/bloom filter push, bloom filter peek). */
function valueArg(ops: CheckOps, map: MapRef, src: Expr): TExpr {
  const a = ops.expr(src);
  const want = map.info.value;
  return ops.convert(a, want, "WBPF2002", (x) => `${ops.describe(x)} does not fit map '${map.name}' whose value is ${want}${x.ty.k === "scalar" ? `; cast with \`as ${want}\` if the value fits` : ""}`);
}

export function checkMapMethod(ops: CheckOps, map: MapRef, method: MapMethod, e: MethodCall): TExpr {
  const kind = map.info.kind;
  const node = (ty: Type, args: TExpr[]): TExpr => (args.some((a) => a.ty.k === "error") ? { k: "const", ty: { k: "error" }, value: 0n, span: e.span } : { k: "map", ty, map, method, args, span: e.span });
  const bad = { k: "const", ty: { k: "error" }, value: 0n, span: e.span } as const;
  switch (method) {
    case "reserve": {
      if (!arity(ops, e, map, 1, 1, `\`${map.name}.reserve(\${Event})\` with a defstruct`)) return bad;
      const layout = ops.structOf(e.args[0]!);
      if (!layout) return fail(ops, "WBPF1003", e.args[0]!.span, `'${map.name}.reserve' takes the record's struct type, an interpolated defstruct: \`${map.name}.reserve(\${Event})\``);
      if (layout.size > map.info.maxEntries && map.info.maxEntries > 0) return fail(ops, "WBPF1008", e.args[0]!.span, `a ${layout.size}-byte ${layout.name} does not fit ring buffer '${map.name}' of ${map.info.maxEntries} bytes`);
      return node({ k: "sptr", layout, nullable: true, origin: "ringbuf" }, [u64(BigInt(layout.size), e)]);
    }
    case "submit":
    case "discard": {
      if (!arity(ops, e, map, 1, 2, `\`${map.name}.${method}(record)\` with the pointer reserve returned, and optional flags`)) return bad;
      const p = ops.expr(e.args[0]!);
      if (p.ty.k === "error") return p;
      if (p.ty.k !== "sptr" || p.ty.origin !== "ringbuf") {
        return fail(ops, "WBPF1003", e.args[0]!.span, `'${map.name}.${method}' takes the record \`${map.name}.reserve(...)\` returned, not ${typeName(p.ty)}${p.ty.k === "sptr" ? ` (a ${p.ty.origin === "field" ? "field of a record" : `${p.ty.origin} pointer`})` : ""}`);
      }
      if (p.ty.nullable) {
        const name = e.args[0]!.k === "name" ? e.args[0]!.name : "the record";
        return fail(ops, "WBPF1007", e.args[0]!.span, `${name} may be null (the ring buffer may be full); check it first: \`if (!${name}) return 0;\``);
      }
      return node(VOID, [p, flags(ops, e, 1)]);
    }
    case "output": {
      if (kind === "perf_event_array") {
        if (!arity(ops, e, map, 2, 3, `\`${map.name}.output(ctx, record)\`, optional flags (default BPF_F_CURRENT_CPU)`)) return bad;
        if (!ops.isCtx(e.args[0]!)) return fail(ops, "WBPF1003", e.args[0]!.span, `the first argument of '${map.name}.output' is the program's context (perf samples are written through it)`);
        const d = dataArg(ops, map, e.args[1]!);
        if (!d) return bad;
        const f = e.args[2] ? flags(ops, e, 2) : u64(BPF_F_CURRENT_CPU, e);
        return node(scalar("i64"), [{ k: "ctxptr", ty: scalar("u64"), span: e.args[0]!.span }, d.data, u64(BigInt(d.size), e), f]);
      }
      if (!arity(ops, e, map, 1, 2, `\`${map.name}.output(record)\`, optional flags`)) return bad;
      const d = dataArg(ops, map, e.args[0]!);
      if (!d) return bad;
      return node(scalar("i64"), [d.data, u64(BigInt(d.size), e), flags(ops, e, 1)]);
    }
    case "push": {
      if (!arity(ops, e, map, 1, 2, `\`${map.name}.push(value)\`, optional flags (BPF_EXIST overwrites the oldest when full)`)) return bad;
      return node(scalar("i64"), [valueArg(ops, map, e.args[0]!), flags(ops, e, 1)]);
    }
    case "pop":
    case "peek": {
      if (kind === "bloom_filter") {
        if (method === "pop") return fail(ops, "WBPF2003", e.methodSpan, `bloom filter '${map.name}' has no 'pop'; its methods: push, peek`);
        if (!arity(ops, e, map, 1, 1, `\`${map.name}.peek(value)\`: 0 when the value may be present, -ENOENT when it is not`)) return bad;
        return node(scalar("i64"), [valueArg(ops, map, e.args[0]!)]);
      }
      if (!arity(ops, e, map, 0, 0, `\`const v = ${map.name}.${method}(); if (v !== null) ... v[0]\``)) return bad;
      return node({ k: "ptr", to: map.info.value, nullable: true }, []);
    }
    case "tailCall": {
      if (!arity(ops, e, map, 2, 2, `\`${map.name}.tailCall(ctx, index)\``)) return bad;
      if (!ops.isCtx(e.args[0]!)) return fail(ops, "WBPF1003", e.args[0]!.span, `the first argument of '${map.name}.tailCall' is the program's context`);
      const i = ops.convert(ops.expr(e.args[1]!), "u32", "WBPF2001", (x) => `prog array index is a u32, not ${ops.describe(x)}`);
      return node(scalar("i64"), [{ k: "ctxptr", ty: scalar("u64"), span: e.args[0]!.span }, i]);
    }
    default:
      throw new Error(`internal: map method ${method} is checked in check.ts`);
  }
}
