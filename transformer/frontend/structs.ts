/**
 * Structs in BPF code: field reads and writes through struct pointers (map values, ring
 * buffer reservations, stack structs), nested structs, fixed arrays (`e.comm`, `e.arr[i]`)
 * and stack struct locals. Offsets and sizes are the `defstruct` layout's, exactly.
 *
 * A field of scalar type reads as one load of its size (signed 8/16-bit fields are then
 * sign-extended to the register form `lower.ts` documents) and writes as one store; a
 * nested struct or array field is an address (`fieldptr`) that further access builds on.
 */
import type { StructFieldType, StructLayout } from "../../runtime/struct/layout.js";
import type { ScalarName } from "../../runtime/types.js";
import type { Span } from "../diagnostics.js";
import type { Expr } from "./ast.js";
import { errorNode, fail, type CheckOps } from "./check-ops.js";
import { suggest } from "./suggest.js";
import type { Local, LValue, TExpr } from "./typed.js";
import { isSigned, rangeOf, scalar, typeName, type Type } from "./types.js";

const UNSIGNED_OF: Readonly<Record<1 | 2 | 4 | 8, ScalarName>> = { 1: "u8", 2: "u16", 4: "u32", 8: "u64" };

/** The pointer type of an object of field type `t` (non-null: it lives inside another). */
export function pointerTo(t: StructFieldType): Type | undefined {
  switch (t.kind) {
    case "struct": return { k: "sptr", layout: t, nullable: false, origin: "field" };
    case "char": return { k: "aptr", elem: { kind: "scalar", name: "u8", size: 1, align: 1, signed: false }, length: t.length, char: true };
    case "array": return { k: "aptr", elem: t.element, length: t.length, char: false };
    case "scalar": return undefined;
  }
}

/** Bytes an object pointer covers: what a helper's "buf" argument passes as the size. */
export function pointeeSize(t: Type): number | undefined {
  switch (t.k) {
    case "sptr": return t.layout.size;
    case "aptr": return t.elem.size * t.length;
    case "ptr": return t.to === "bool" ? 1 : { u8: 1, u16: 2, u32: 4, u64: 8, i8: 1, i16: 2, i32: 4, i64: 8 }[t.to];
    default: return undefined;
  }
}

/** A read of a scalar at `ptr + off`, in register form. */
function scalarRead(ptr: TExpr, off: number, t: Extract<StructFieldType, { kind: "scalar" }>, span: Span): TExpr {
  const size = t.size as 1 | 2 | 4 | 8;
  const raw = t.name === "bool" ? "bool" : UNSIGNED_OF[size];
  const load: TExpr = { k: "load", ty: scalar(raw), size, ptr, off, span };
  return raw === t.name ? load : { k: "convert", ty: scalar(t.name), e: load, span };
}

/** Access of an object of field type `t` at `ptr + off` (+ index): a value or an address. */
function access(ptr: TExpr, off: number, t: StructFieldType, span: Span): TExpr {
  if (t.kind === "scalar") return scalarRead(ptr, off, t, span);
  return { k: "fieldptr", ty: pointerTo(t)!, ptr, off, span };
}

function nullMessage(target: Expr, ty: Type): string {
  const name = target.k === "name" ? target.name : "the pointer";
  const why = ty.k === "sptr" && ty.origin === "ringbuf" ? "the ring buffer may be full" : "the key may be missing";
  return `${name} may be null (${why}); check it first: \`if (!${name}) return 0;\``;
}

/** `p.field` where `p` (already checked) is a struct pointer. */
export function structMember(ops: CheckOps, p: TExpr, e: Extract<Expr, { k: "member" }>): TExpr {
  const ty = p.ty;
  if (ty.k !== "sptr") return errorNode(e.span);
  if (ty.nullable) return fail(ops, "WBPF1007", e.target.span, nullMessage(e.target, ty));
  const f = ty.layout.fields.find((x) => x.name === e.name);
  if (!f) {
    const near = suggest(e.name, ty.layout.fields.map((x) => x.name));
    return fail(ops, "WBPF1004", e.nameSpan, `struct ${ty.layout.name} has no field '${e.name}'${near ? `; did you mean '${near}'?` : ""} Fields: ${ty.layout.fields.map((x) => x.name).join(", ")}`);
  }
  // Fold nested offsets so `e.a.b` is one load at the sum.
  if (p.k === "fieldptr" && !p.index) return access(p.ptr, p.off + f.offset, f.type, e.span);
  return access(p, f.offset, f.type, e.span);
}

/** Initial values of `const` locals: an index bound proven there holds at every use. */
const constInits = new WeakMap<Local, TExpr>();

export function rememberConstInit(local: Local, init: TExpr): void {
  constInits.set(local, init);
}

/** Whether `i` (a checked integer) is provably below `length`: its type's range or a mask. */
function provablyBelow(i: TExpr, length: number): boolean {
  if (i.ty.k !== "scalar" || i.ty.name === "bool") return false;
  if (i.k === "local" && !i.local.mutable) {
    const init = constInits.get(i.local);
    if (init && provablyBelow(init, length)) return true;
  }
  const [lo, hi] = rangeOf(i.ty.name);
  if (lo >= 0n && hi < BigInt(length)) return true;
  if (i.k === "convert") return provablyBelow(i.e, length) && !isSigned((i.e.ty as { name: ScalarName }).name);
  if (i.k === "arith" && i.op === "and") {
    const mask = i.r.k === "const" ? i.r.value : i.l.k === "const" ? i.l.value : undefined;
    return mask !== undefined && mask >= 0n && mask < BigInt(length);
  }
  if (i.k === "arith" && (i.op === "mod") && i.r.k === "const" && !isSigned(i.ty.name)) return i.r.value > 0n && i.r.value <= BigInt(length);
  return false;
}

/** `a[i]` where `a` (already checked) is an array pointer. */
export function arrayIndex(ops: CheckOps, a: TExpr, e: Extract<Expr, { k: "index" }>): TExpr {
  const ty = a.ty;
  if (ty.k !== "aptr") return errorNode(e.span);
  const i = ops.expr(e.index);
  if (i.ty.k === "error") return i;
  const scale = ty.elem.size;
  const base = a.k === "fieldptr" && !a.index ? { ptr: a.ptr, off: a.off } : { ptr: a, off: 0 };
  if (i.k === "const") {
    if (i.value < 0n || i.value >= BigInt(ty.length)) return fail(ops, "WBPF1008", i.span, `index ${i.value} is out of bounds for ${typeName(ty)} (0 to ${ty.length - 1})`);
    return access(base.ptr, base.off + Number(i.value) * scale, ty.elem, e.span);
  }
  if (i.ty.k !== "scalar" || i.ty.name === "bool") return fail(ops, "WBPF1003", i.span, `an array index is an unsigned integer, not ${typeName(i.ty)}`);
  if (!provablyBelow(i, ty.length)) {
    const mask = ty.length & (ty.length - 1) ? undefined : ty.length - 1;
    return fail(ops, "WBPF1008", i.span, `index of type ${i.ty.name} may be out of bounds for ${typeName(ty)}; the verifier needs a bound: ${mask !== undefined ? `mask it (\`i & ${mask}\`)` : `use \`i % ${ty.length}\``} or use a type whose values all fit (u8 for 256 elements)`);
  }
  const index = ops.convert(i, "u64", "WBPF1003", () => "");
  const at: TExpr = { k: "fieldptr", ty: { k: "aptr", elem: ty.elem, length: 1, char: ty.char }, ptr: base.ptr, off: base.off, index: { e: index, scale }, span: e.span };
  if (ty.elem.kind === "scalar") return scalarRead(at, 0, ty.elem, e.span);
  return { ...at, ty: pointerTo(ty.elem)! };
}

/** The lvalue of a field or element read (`e.pid`, `e.arr[2]`), or undefined if not one. */
export function memoryLvalue(read: TExpr): LValue | undefined {
  const load = read.k === "convert" ? read.e : read;
  if (load.k !== "load" || read.ty.k !== "scalar") return undefined;
  // Packet loads (load_u8(...)) are not assignable; their pointers are `pkt`.
  if (load.ptr.ty.k === "pkt") return undefined;
  return { k: "deref", ptr: load.ptr, ty: read.ty.name, off: load.off };
}

/** A stack struct local: `let e: ${Ev};` starts as a zero-filled struct on the stack. */
export function stackStruct(layout: StructLayout, span: Span): TExpr {
  return { k: "stackobj", ty: { k: "sptr", layout, nullable: false, origin: "stack" }, size: layout.size, align: Math.max(layout.align, 8), span };
}
