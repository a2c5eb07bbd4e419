/**
 * `bpf_loop(n, callback, ctx)`: helper 181, which calls a template function n times in the
 * kernel (up to 2^23 iterations) without the verifier walking each one.
 *
 * The callback is a non-exported function `(index: u32 | u64[, c: ${Struct}]): <integer>`
 * returning 0 to go on or 1 to stop. It is always emitted out of line in `.text`, and the
 * helper's callback argument is an ld_imm64 of its address (`funcaddr`), relocated like
 * clang's. `ctx` is a struct the callback reads and writes through its second parameter:
 * a stack struct local (`let c: ${LoopCtx};`; the kernel takes no other memory), or `null`
 * when the callback takes only the index.
 */
import type { StructLayout } from "../../runtime/struct/layout.js";
import { isScalarName, type ScalarName } from "../../runtime/types.js";
import type { DiagnosticSink, Span } from "../diagnostics.js";
import type { Expr } from "./ast.js";
import { errorNode, fail, type CheckOps } from "./check-ops.js";
import type { HelperDef } from "./helpers.js";
import { walkBody } from "./inline.js";
import type { CheckedTemplate, TExpr, TStmt } from "./typed.js";
import { scalar, typeName } from "./types.js";

/** Source name of the helper (the kernel's BPF_FUNC_loop). */
export const BPF_LOOP = "bpf_loop";

export const BPF_LOOP_HELPER: HelperDef = {
  id: 181,
  params: ["u32", "u64", "u64", "u64"],
  ret: "i64",
  progTypes: "all",
  doc: "bpf_loop(n, callback, ctx): call `callback(index, ctx)` for index 0..n-1 until it returns 1; the number of calls made, or < 0 (n above 2^23: -E2BIG)",
  note: "Linux 5.17 and later",
};

/** The kernel's limit on `n` (BPF_MAX_LOOPS). */
export const BPF_MAX_LOOPS = 1n << 23n;

/** A template function parameter: an integer, or a struct pointer (a callback's context). */
export type ParamType = ScalarName | StructLayout;

/** What the checker knows of a template function when a call names it as a callback. */
export interface CallbackSig {
  readonly index: number;
  readonly name: string;
  readonly params: readonly ParamType[];
  readonly paramNames: readonly string[];
  readonly ret: ScalarName | "void";
}

export interface BpfLoopEnv {
  /** The template function `name` names, unless a local shadows it. */
  callback(name: string): CallbackSig | undefined;
  /** Records that this body references function `fn` (recursion and helper checks). */
  referenced(fn: number, span: Span): void;
}

const USAGE = "`bpf_loop(n, step, c)` with `function step(i: u64, c: ${Ctx}): i64 { ...; return 0; }` and `let c: ${Ctx};`";

/** `bpf_loop(n, callback, ctx[, flags])`. */
export function checkBpfLoop(ops: CheckOps, env: BpfLoopEnv, e: Extract<Expr, { k: "call" }>): TExpr {
  if (e.args.length < 3 || e.args.length > 4) {
    ops.sink.error("WBPF1006", e.span, `'bpf_loop' takes 3 arguments (count, callback function, context struct or null), got ${e.args.length}; write ${USAGE}`);
    return errorNode(e.span);
  }
  const [nArg, cbArg, ctxArg, flagsArg] = e.args as [Expr, Expr, Expr, Expr | undefined];
  const n = ops.convert(ops.expr(nArg), "u32", "WBPF1003", (x) => `the count of 'bpf_loop' is a u32; ${ops.describe(x)} does not convert implicitly`);
  if (n.k === "const" && n.ty.k !== "error" && n.value > BPF_MAX_LOOPS) {
    fail(ops, "WBPF1008", nArg.span, `bpf_loop runs at most ${BPF_MAX_LOOPS} (2^23) iterations; the kernel returns -E2BIG for ${n.value}`);
  }
  const cb = cbArg.k === "name" ? env.callback(cbArg.name) : undefined;
  if (!cb) {
    return fail(ops, "WBPF1003", cbArg.span, `the second argument of 'bpf_loop' is the callback: the name of a non-exported function of this template, e.g. ${USAGE}`);
  }
  env.referenced(cb.index, cbArg.span);
  const sigOk = checkSignature(ops, cb, cbArg.span);
  const ctx = contextArg(ops, cb, ctxArg);
  let flags: TExpr = { k: "const", ty: scalar("u64"), value: 0n, span: e.span };
  if (flagsArg) {
    flags = ops.expr(flagsArg);
    if (flags.ty.k !== "error" && (flags.k !== "const" || flags.value !== 0n)) {
      flags = fail(ops, "WBPF1003", flagsArg.span, "the flags of 'bpf_loop' must be 0 (the kernel defines none); leave the argument out");
    }
  }
  if (!sigOk || !ctx || n.ty.k === "error" || flags.ty.k === "error") return errorNode(e.span);
  const fn: TExpr = { k: "funcaddr", ty: scalar("u64"), fn: cb.index, span: cbArg.span };
  const zero: TExpr = { k: "const", ty: scalar("u64"), value: 0n, span: e.span };
  return { k: "helper", ty: scalar("i64"), name: BPF_LOOP, helper: BPF_LOOP_HELPER, args: [n, fn, ctx, zero], span: e.span };
}

/** The callback's shape: (u32|u64 index[, struct pointer]) returning an integer. */
function checkSignature(ops: CheckOps, cb: CallbackSig, span: Span): boolean {
  const [index, ctx] = cb.params;
  const indexOk = index === undefined || index === "u32" || index === "u64";
  const ctxOk = ctx === undefined || typeof ctx !== "string";
  if (cb.params.length > 2 || !indexOk || !ctxOk || cb.ret === "void" || cb.ret === "bool") {
    fail(ops, "WBPF1003", span, `'${cb.name}' cannot be a bpf_loop callback: it must take (index: u32 or u64, optionally a struct pointer such as \`c: \${Ctx}\`) and return an integer, 0 to continue or 1 to stop`);
    return false;
  }
  return true;
}

/** The context argument, matched against the callback's second parameter. */
function contextArg(ops: CheckOps, cb: CallbackSig, src: Expr): TExpr | undefined {
  const want = cb.params[1];
  if (src.k === "null" || (src.k === "int" && src.value === 0n)) {
    if (want === undefined || typeof want === "string") return { k: "const", ty: scalar("u64"), value: 0n, span: src.span };
    fail(ops, "WBPF1003", src.span, `'${cb.name}' reads its context '${cb.paramNames[1]}' (${want.name}); pass a ${want.name} stack local: \`let c: \${${want.name}};\``);
    return undefined;
  }
  const a = ops.expr(src);
  if (a.ty.k === "error") return undefined;
  if (a.ty.k !== "sptr") {
    fail(ops, "WBPF1003", src.span, `the context of 'bpf_loop' is a stack struct local or null, not ${typeName(a.ty)}`);
    return undefined;
  }
  if (a.ty.origin !== "stack") {
    // The kernel's bpf_loop takes a stack pointer or NULL (ARG_PTR_TO_STACK_OR_NULL).
    const what = a.ty.origin === "ringbuf" ? "a ring buffer record" : a.ty.origin === "map" ? "a map value" : "this pointer";
    fail(ops, "WBPF1003", src.span, `${what} cannot be bpf_loop's context: the kernel accepts only a stack pointer. Declare \`let c: \${${a.ty.layout.name}};\`, copy the fields in, and copy them back after the loop`);
    return undefined;
  }
  if (want === undefined || typeof want === "string" || want.name !== a.ty.layout.name || want.size !== a.ty.layout.size) {
    const expected = want === undefined || typeof want === "string" ? "no context: pass null" : `a ${want.name}`;
    fail(ops, "WBPF1003", src.span, `'${cb.name}' takes ${expected}, but this is a ${a.ty.layout.name}`);
    return undefined;
  }
  return a;
}

/** A parameter type name: an integer type or an interpolated struct. */
export function paramType(name: string, struct: (name: string) => StructLayout | undefined): ParamType | undefined {
  if (isScalarName(name)) return name;
  return struct(name);
}

/**
 * A callback's constant returns must be 0 or 1: the verifier rejects any other value at the
 * callback's exit ("R0 ... should have been in [0, 1]"); say so at the `return` instead.
 */
export function checkCallbackReturns(t: Pick<CheckedTemplate, "programs" | "functions">, sink: DiagnosticSink): void {
  const callbacks = new Set<number>();
  const timerCallbacks = new Set<number>();
  const find = (body: readonly TStmt[]) => walkBody(body, (e) => {
    if (e.k === "funcaddr") (e.use === "timer" ? timerCallbacks : callbacks).add(e.fn);
  });
  t.programs.forEach((p) => find(p.body));
  t.functions.forEach((f) => find(f.body));
  for (const f of t.functions) {
    if (timerCallbacks.has(f.index)) {
      // The verifier accepts only 0 at a timer callback's exit.
      forEachReturn(f.body, (s) => {
        const v = s.value;
        if (v?.k === "const" && v.value !== 0n) sink.error("WBPF1008", v.span, `'${f.name}' is a timer callback: it must return 0, and the verifier rejects ${v.value}`);
      });
      continue;
    }
    if (!callbacks.has(f.index)) continue;
    forEachReturn(f.body, (s) => {
      const v = s.value;
      if (v?.k === "const" && v.value !== 0n && v.value !== 1n) {
        sink.error("WBPF1008", v.span, `'${f.name}' is a bpf_loop callback: it returns 0 to continue or 1 to stop, and the verifier rejects ${v.value}`);
      }
    });
  }
}

function forEachReturn(body: readonly TStmt[], visit: (s: Extract<TStmt, { k: "return" }>) => void): void {
  for (const s of body) {
    switch (s.k) {
      case "return": visit(s); break;
      case "if": forEachReturn(s.then, visit); forEachReturn(s.else, visit); break;
      case "loop": forEachReturn(s.body, visit); break;
      case "switch": for (const c of s.cases) forEachReturn(c.body, visit); break;
      default: break;
    }
  }
}
