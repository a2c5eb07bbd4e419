/**
 * The call plan: which of the template's functions are inlined at their call sites and
 * which are emitted once in `.text` as BPF-to-BPF subprograms.
 *
 * Inlining saves the call, the argument moves and the callee's stack frame, and lets the
 * optimiser see through the call, so it is the default: a function called once, or small
 * enough (`INLINE_MAX_SIZE` checked-tree nodes), is inlined. Bigger functions called from
 * several places stay out of line so the code is not duplicated. `@inline` / `@noinline`
 * JSDoc tags on the function decide instead.
 */
import type { CheckedFunction, CheckedTemplate, TExpr, TStmt } from "./typed.js";

export interface CallPlan {
  /** Indexes of functions emitted out of line; every other function is inlined. */
  readonly outOfLine: ReadonlySet<number>;
}

/** Node count above which a function called from several places stays out of line. */
export const INLINE_MAX_SIZE = 40;

function children(e: TExpr): readonly TExpr[] {
  switch (e.k) {
    case "const":
    case "null":
    case "local":
    case "global":
    case "gaddr":
    case "ctxload":
    case "usdtarg":
    case "stackobj":
    case "mapref":
    case "ctxptr":
    case "funcaddr":
    case "kconst":
      return [];
    case "retype":
      return [e.e];
    case "kaddr":
    case "kread":
    case "kbitfield":
      return [e.base];
    case "arith":
    case "cmp":
    case "logic":
      return [e.l, e.r];
    case "not":
    case "neg":
    case "bnot":
    case "convert":
    case "bswap":
      return [e.e];
    case "helper":
    case "map":
    case "callf":
    case "argpack":
    case "kfunc":
      return e.args;
    case "pktadd":
      return [e.ptr, e.off];
    case "atomic":
      return [e.ptr, ...e.args];
    case "copy":
      return [e.dst, e.src];
    case "load":
    case "deref":
      return [e.ptr];
    case "fieldptr":
      return e.index ? [e.ptr, e.index.e] : [e.ptr];
    case "assign":
      return e.target.k === "deref" ? [e.target.ptr, e.value] : [e.value];
    case "select":
      return [e.test, e.t, e.f];
  }
}

/** Visits every expression of a body. */
export function walkBody(body: readonly TStmt[], visit: (e: TExpr) => void): void {
  const expr = (e: TExpr) => {
    visit(e);
    children(e).forEach(expr);
  };
  const stmt = (s: TStmt) => {
    switch (s.k) {
      case "let": return expr(s.init);
      case "expr": return expr(s.e);
      case "return": return s.value && expr(s.value);
      case "if":
        expr(s.cond);
        s.then.forEach(stmt);
        s.else.forEach(stmt);
        return;
      case "loop":
        s.init.forEach(stmt);
        expr(s.cond);
        s.body.forEach(stmt);
        s.update.forEach(stmt);
        return;
      case "switch":
        expr(s.disc);
        for (const c of s.cases) c.body.forEach(stmt);
        return;
      case "break":
      case "continue":
        return;
    }
  };
  body.forEach(stmt);
}

export function sizeOf(f: CheckedFunction): number {
  let n = 0;
  walkBody(f.body, () => n++);
  return n;
}

export function planCalls(t: Pick<CheckedTemplate, "programs" | "functions">): CallPlan {
  const calls = new Map<number, number>();
  const count = (body: readonly TStmt[]) => walkBody(body, (e) => {
    if (e.k === "callf") calls.set(e.fn, (calls.get(e.fn) ?? 0) + 1);
  });
  t.programs.forEach((p) => count(p.body));
  t.functions.forEach((f) => count(f.body));
  const outOfLine = new Set<number>();
  // A callback's address is taken (bpf_loop): it must exist on its own in `.text`.
  const byAddress = (body: readonly TStmt[]) => walkBody(body, (e) => {
    if (e.k === "funcaddr") outOfLine.add(e.fn);
  });
  t.programs.forEach((p) => byAddress(p.body));
  t.functions.forEach((f) => byAddress(f.body));
  for (const f of t.functions) {
    const inline = f.inline === "always" || (f.inline !== "never" && ((calls.get(f.index) ?? 0) <= 1 || sizeOf(f) <= INLINE_MAX_SIZE));
    if (!inline) outOfLine.add(f.index);
  }
  return { outOfLine };
}

/** Out-of-line functions reachable from `roots` through calls (inlined bodies included). */
export function reachableOutOfLine(roots: readonly (readonly TStmt[])[], t: Pick<CheckedTemplate, "functions">, plan: CallPlan): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  const visitBody = (body: readonly TStmt[]) => walkBody(body, (e) => {
    if ((e.k !== "callf" && e.k !== "funcaddr") || seen.has(e.fn)) return;
    seen.add(e.fn);
    if (plan.outOfLine.has(e.fn)) out.push(e.fn);
    const f = t.functions.find((x) => x.index === e.fn);
    if (f) visitBody(f.body);
  });
  roots.forEach(visitBody);
  return out.sort((a, b) => a - b);
}
