/**
 * Atomic read-modify-write on memory (map value fields, `p[0]`, struct fields):
 * `atomic_add/or/and/xor(p.f, v)` (no result), `atomic_fetch_add/or/and/xor(p.f, v)`,
 * `xchg(p.f, v)` and `cmpxchg(p.f, expected, desired)` (the old value). One BPF_ATOMIC
 * instruction each (fetching forms and or/and/xor need kernel 5.12 or newer); the target is
 * a 32- or 64-bit integer, as BPF atomics require.
 */
import type { Expr } from "./ast.js";
import { fail, type CheckOps } from "./check-ops.js";
import { memoryLvalue } from "./structs.js";
import type { TExpr } from "./typed.js";
import { scalar, sizeOf, VOID } from "./types.js";

export type AtomicOp = "add" | "or" | "and" | "xor" | "xchg" | "cmpxchg";

interface AtomicBuiltin {
  readonly op: AtomicOp;
  readonly fetch: boolean;
}

const BUILTINS: Readonly<Record<string, AtomicBuiltin>> = {
  atomic_add: { op: "add", fetch: false }, atomic_or: { op: "or", fetch: false },
  atomic_and: { op: "and", fetch: false }, atomic_xor: { op: "xor", fetch: false },
  atomic_fetch_add: { op: "add", fetch: true }, atomic_fetch_or: { op: "or", fetch: true },
  atomic_fetch_and: { op: "and", fetch: true }, atomic_fetch_xor: { op: "xor", fetch: true },
  xchg: { op: "xchg", fetch: true }, cmpxchg: { op: "cmpxchg", fetch: true },
};

export const ATOMIC_NAMES: readonly string[] = Object.keys(BUILTINS);

export function isAtomicBuiltin(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILTINS, name);
}

/** `atomic_add(p.count, 1)` and friends. */
export function checkAtomic(ops: CheckOps, e: Extract<Expr, { k: "call" }>): TExpr {
  const b = BUILTINS[e.callee]!;
  const n = b.op === "cmpxchg" ? 3 : 2;
  const usage = b.op === "cmpxchg" ? `\`cmpxchg(p.field, expected, desired)\`` : `\`${e.callee}(p.field, value)\``;
  if (e.args.length !== n) return fail(ops, "WBPF1006", e.span, `'${e.callee}' takes ${n} arguments: ${usage}`);
  const target = ops.expr(e.args[0]!);
  if (target.ty.k === "error") return target;
  // `p[0]` of a scalar map value is a deref node; fields and array elements are loads.
  const inner = target.k === "convert" ? target.e : target;
  const lv = inner.k === "deref" && inner.ty.k === "scalar" ? { k: "deref" as const, ptr: inner.ptr, ty: inner.ty.name, off: 0 } : memoryLvalue(target);
  if (!lv || lv.k !== "deref") {
    return fail(ops, "WBPF1003", e.args[0]!.span, `the first argument of '${e.callee}' is an integer in memory: a field of a map value or struct (\`v.count\`) or \`p[0]\` of a lookup; ${usage}`);
  }
  const t = lv.ty;
  if (t === "bool" || sizeOf(t) < 4) {
    return fail(ops, "WBPF1003", e.args[0]!.span, `'${e.callee}' works on 32- and 64-bit integers (BPF has no ${sizeOf(t) * 8}-bit atomics); this is ${t}: widen the field to u32 or u64`);
  }
  const args = e.args.slice(1).map((a) => ops.convert(ops.expr(a), t, "WBPF1003", (x) => `the operand of '${e.callee}' on a ${t} is ${t}; ${ops.describe(x)} does not convert implicitly; cast with \`as ${t}\` if the value fits`));
  if (args.some((a) => a.ty.k === "error")) return { k: "const", ty: { k: "error" }, value: 0n, span: e.span };
  return { k: "atomic", ty: b.fetch ? scalar(t) : VOID, op: b.op, fetch: b.fetch, ptr: lv.ptr, off: lv.off ?? 0, size: sizeOf(t) as 4 | 8, args, span: e.span };
}
