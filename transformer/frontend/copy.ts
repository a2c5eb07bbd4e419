/**
 * Byte and struct copies and addresses: `copy(dst, src, n)` copies n bytes between objects
 * (structs, arrays, map values), `a = b` on a stack struct or a struct field copies the whole
 * struct (C semantics, not a pointer assignment), and `addr(x)` is the address of a field or
 * element (or of a struct object) for helpers taking pointers.
 */
import type { Expr } from "./ast.js";
import { fail, type CheckOps } from "./check-ops.js";
import { sameLayout } from "./map-structs.js";
import { memoryLvalue, pointeeSize } from "./structs.js";
import type { TExpr } from "./typed.js";
import { sizeOf, typeName, VOID, type Type } from "./types.js";

export const COPY_BUILTINS: readonly string[] = ["copy", "addr"];

/** Alignment an object pointer guarantees: its struct's, its element's, its scalar's. */
function alignOf(t: Type): number {
  switch (t.k) {
    case "sptr": return t.layout.align;
    case "aptr": return t.elem.align;
    case "ptr": return t.to === "bool" ? 1 : sizeOf(t.to);
    default: return 1;
  }
}

function objectArg(ops: CheckOps, e: Expr, what: string): TExpr | undefined {
  const a = ops.expr(e);
  if (a.ty.k === "error") return undefined;
  const size = pointeeSize(a.ty);
  if (size === undefined) {
    fail(ops, "WBPF1003", e.span, `${what} of 'copy' is a struct, array or map value, not ${typeName(a.ty)}${a.ty.k === "pkt" ? " (read packet bytes with load_u8/16/32/64 or skb_load_bytes)" : ""}`);
    return undefined;
  }
  if ((a.ty.k === "sptr" || a.ty.k === "ptr") && a.ty.nullable) {
    const name = e.k === "name" ? e.name : "the pointer";
    fail(ops, "WBPF1007", e.span, `${name} may be null; check it before copying: \`if (!${name}) return 0;\``);
    return undefined;
  }
  return a;
}

/** A copy node of `size` bytes from `src` to `dst` (both checked object pointers). */
export function copyNode(dst: TExpr, src: TExpr, size: number, span: TExpr["span"]): TExpr {
  return { k: "copy", ty: VOID, dst, src, size, align: Math.min(alignOf(dst.ty), alignOf(src.ty), 8), span };
}

export function checkCopyBuiltin(ops: CheckOps, e: Extract<Expr, { k: "call" }>): TExpr {
  if (e.callee === "addr") return checkAddr(ops, e);
  if (e.args.length !== 3) return fail(ops, "WBPF1006", e.span, "'copy' takes 3 arguments: `copy(dst, src, n)` with n a constant byte count");
  const dst = objectArg(ops, e.args[0]!, "the destination");
  const src = objectArg(ops, e.args[1]!, "the source");
  const n = ops.expr(e.args[2]!);
  if (!dst || !src || n.ty.k === "error") return { k: "const", ty: { k: "error" }, value: 0n, span: e.span };
  if (n.k !== "const") return fail(ops, "WBPF1003", n.span, "the byte count of 'copy' is a compile-time constant (the verifier needs a fixed size)");
  const room = Math.min(pointeeSize(dst.ty)!, pointeeSize(src.ty)!);
  if (n.value <= 0n || n.value > BigInt(room)) {
    return fail(ops, "WBPF1008", n.span, `'copy' of ${n.value} bytes does not fit: the destination has ${pointeeSize(dst.ty)} and the source ${pointeeSize(src.ty)} bytes (1 to ${room})`);
  }
  return copyNode(dst, src, Number(n.value), e.span);
}

/** `addr(s.field)`, `addr(s.arr[i])`, `addr(s)`: a non-null pointer to that object. */
function checkAddr(ops: CheckOps, e: Extract<Expr, { k: "call" }>): TExpr {
  if (e.args.length !== 1) return fail(ops, "WBPF1006", e.span, "'addr' takes 1 argument: `addr(s.field)`");
  const a = ops.expr(e.args[0]!);
  if (a.ty.k === "error") return a;
  if (a.ty.k === "sptr" || a.ty.k === "aptr") {
    if (a.ty.k === "sptr" && a.ty.nullable) return fail(ops, "WBPF1007", e.args[0]!.span, "this pointer may be null; check it first");
    return a;
  }
  const lv = memoryLvalue(a);
  if (lv?.k === "deref") return { k: "fieldptr", ty: { k: "ptr", to: lv.ty, nullable: false }, ptr: lv.ptr, off: lv.off ?? 0, span: e.span };
  return fail(ops, "WBPF1003", e.args[0]!.span, `'addr' takes a field or element in memory (\`addr(s.count)\`) or a struct; ${typeName(a.ty)} values such as locals live in registers and have no address: put the value in a stack struct (\`let t: \${T}; t.x = v; addr(t.x)\`)`);
}

/** `a = b` where `a` (already checked) is a stack struct or a struct field: a copy of b's
 * bytes; undefined when `a` is no such struct (an ordinary assignment). */
export function structAssign(ops: CheckOps, dst: TExpr, value: Expr, span: TExpr["span"]): TExpr | undefined {
  if (dst.ty.k !== "sptr" || (dst.ty.origin !== "stack" && dst.ty.origin !== "field")) return undefined;
  const layout = dst.ty.layout;
  const src = ops.expr(value);
  if (src.ty.k === "error") return src;
  if (src.ty.k !== "sptr" || !sameLayout(src.ty.layout, layout)) {
    return fail(ops, "WBPF1009", value.span, `cannot assign ${typeName(src.ty)} to a struct ${layout.name}; a struct is assigned only from another ${layout.name} (copied byte for byte), else assign its fields`);
  }
  if (src.ty.nullable) {
    const name = value.k === "name" ? value.name : "the pointer";
    return fail(ops, "WBPF1007", value.span, `${name} may be null; check it before copying: \`if (!${name}) return 0;\``);
  }
  return copyNode(dst, src, layout.size, span);
}
