/**
 * Checking of control flow beyond `if`: `?:`, `for`, `while`, `switch`, `break` and
 * `continue`. The main checker (`check.ts`) delegates these nodes here and lends its
 * expression/statement checking through `ControlHost`.
 *
 * Statement results follow `check.ts`: `true` means control never continues past the
 * statement (return, break, continue, or all branches of one), which is what the
 * missing-return check and null-check narrowing need; `break` and `continue` never
 * escape a function, so a function-level "does not continue" still means "returns".
 */
import type { ScalarName } from "../../runtime/types.js";
import type { DiagnosticCode, Span } from "../diagnostics.js";
import type { Expr, Stmt } from "./ast.js";
import { loopBound } from "./loop-bound.js";
import type { TExpr, TStmt } from "./typed.js";
import { BOOL, ERROR, UNTYPED, fits, rangeOf, scalar, typeName, type Type } from "./types.js";

/** Narrowing facts, as the checker tracks them: locals known non-null. */
interface Narrowing {
  readonly whenTrue: ReadonlySet<number>;
  readonly whenFalse: ReadonlySet<number>;
}

/** A lexical scope (the checker's `Scope`); only what this module needs. */
export interface ScopeLike {
  lookup(name: string): { readonly k: string; readonly local?: { readonly id: number } } | undefined;
}

/** What this module borrows from the checker. */
export interface ControlHost<S extends ScopeLike> {
  cond(e: Expr, scope: S): { te: TExpr; facts: Narrowing };
  expr(e: Expr, scope: S): TExpr;
  stmt(s: Stmt, scope: S, out: TStmt[]): boolean;
  block(body: readonly Stmt[], scope: S): { stmts: TStmt[]; terminates: boolean };
  child(scope: S): S;
  nonNull(): Set<number>;
  setNonNull(s: Set<number>): void;
  error(code: DiagnosticCode, span: Span, message: string): TExpr;
  convert(e: TExpr, to: ScalarName, code: DiagnosticCode, message: (e: TExpr) => string): TExpr;
  unify(l: TExpr, r: TExpr, op: string, span: Span): [TExpr, TExpr, ScalarName] | undefined;
}

/** A loop or switch being checked: what `break` and `continue` refer to. */
interface Target {
  readonly kind: "loop" | "switch";
  breaks: number;
  continues: number;
}

export type ControlStmt = Extract<Stmt, { k: "for" | "while" | "switch" | "break" | "continue" }>;

export class ControlChecker<S extends ScopeLike> {
  private readonly targets: Target[] = [];

  constructor(private readonly host: ControlHost<S>) {}

  // ---- ?: -------------------------------------------------------------------------------

  ternary(e: Extract<Expr, { k: "ternary" }>, scope: S): TExpr {
    const h = this.host;
    const before = h.nonNull();
    const { te: test, facts } = h.cond(e.test, scope);
    h.setNonNull(new Set([...before, ...facts.whenTrue]));
    const t = h.expr(e.then, scope);
    h.setNonNull(new Set([...before, ...facts.whenFalse]));
    const f = h.expr(e.else, scope);
    h.setNonNull(before);
    if (test.ty.k === "error" || t.ty.k === "error" || f.ty.k === "error") return { k: "const", ty: ERROR, value: 0n, span: e.span };
    // A constant test picks its arm at compile time (the other is still checked above).
    if (test.k === "const") return test.value !== 0n ? t : f;
    const ty = this.armsType(t, f, e.span);
    if (!ty) return { k: "const", ty: ERROR, value: 0n, span: e.span };
    if (ty.k === "scalar") {
      const msg = (x: TExpr) => `the arms of '?:' must have one type; ${x.ty.k === "untyped" ? `constant ${(x as { value: bigint }).value}` : typeName(x.ty)} does not convert to ${ty.name}`;
      return { k: "select", ty, test, t: h.convert(t, ty.name, "WBPF1003", msg), f: h.convert(f, ty.name, "WBPF1003", msg), span: e.span };
    }
    return { k: "select", ty, test, t, f, span: e.span };
  }

  private armsType(t: TExpr, f: TExpr, span: Span): Type | undefined {
    const a = t.ty, b = f.ty;
    if (a.k === "untyped" && b.k === "untyped") return UNTYPED;
    if ((a.k === "scalar" || a.k === "untyped") && (b.k === "scalar" || b.k === "untyped")) {
      if (a.k === "scalar" && b.k === "scalar" && (a.name === "bool") !== (b.name === "bool")) {
        this.host.error("WBPF1003", span, `the arms of '?:' are ${a.name} and ${b.name}; convert the bool with \`as u8\` or compare the integer`);
        return undefined;
      }
      const u = this.host.unify(t, f, "?:", span);
      return u ? scalar(u[2]) : undefined;
    }
    if (a.k === "ptr" && b.k === "ptr" && a.to === b.to) return { ...a, nullable: a.nullable || b.nullable };
    if (a.k === "ptr" && b.k === "null") return { ...a, nullable: true };
    if (a.k === "null" && b.k === "ptr") return { ...b, nullable: true };
    if (a.k === "pkt" && b.k === "pkt") return a;
    this.host.error("WBPF1003", span, `the arms of '?:' have types ${typeName(a)} and ${typeName(b)}; give them one type`);
    return undefined;
  }

  /** Converts an untyped `?:` (both arms untyped constants) arm by arm. */
  convertSelect(e: Extract<TExpr, { k: "select" }>, to: ScalarName, each: (x: TExpr) => TExpr): TExpr {
    const t = each(e.t);
    const f = each(e.f);
    if (t.ty.k === "error" || f.ty.k === "error") return { ...e, ty: ERROR };
    return { ...e, ty: scalar(to), t, f };
  }

  /** Gives an untyped `?:` the type an untyped `let` would: i64, or u64 when needed. */
  settle(e: TExpr): TExpr {
    if (e.k !== "select" || e.ty.k !== "untyped") return e;
    const arms = [e.t, e.f].map((x) => (x.k === "select" ? this.settle(x) : x));
    const values = arms.map((x) => (x.k === "const" ? x.value : 0n));
    const to: ScalarName = values.every((v) => fits(v, "i64")) ? "i64" : "u64";
    return this.convertSelect(e, to, (x) => this.host.convert(x, to, "WBPF1008", () => `${(x as { value: bigint }).value} does not fit 64 bits`));
  }

  // ---- statements ---------------------------------------------------------------------

  stmt(s: ControlStmt, scope: S, out: TStmt[]): boolean {
    switch (s.k) {
      case "break":
      case "continue": {
        const target = s.k === "break" ? this.targets[this.targets.length - 1] : [...this.targets].reverse().find((t) => t.kind === "loop");
        if (!target) {
          this.host.error("WBPF1031", s.span, s.k === "break" ? "`break` is only allowed inside a loop or a switch" : "`continue` is only allowed inside a loop");
          return true;
        }
        if (s.k === "break") target.breaks++;
        else target.continues++;
        out.push({ k: s.k, span: s.span });
        return true;
      }
      case "for":
      case "while":
        this.loop(s, scope, out);
        return false;
      case "switch":
        return this.switch(s, scope, out);
    }
  }

  private loop(s: Extract<Stmt, { k: "for" | "while" }>, scope: S, out: TStmt[]): void {
    const h = this.host;
    const loopScope = h.child(scope);
    const init: TStmt[] = [];
    if (s.k === "for") for (const i of s.init) h.stmt(i, loopScope, init);
    // The head is reached again after the body: pointers the loop reassigns may be null
    // there even if they were checked before the loop.
    const assigned = this.assignedLocals(s, loopScope);
    const head = new Set([...h.nonNull()].filter((id) => !assigned.has(id)));
    h.setNonNull(head);
    const condExpr = s.cond;
    const c = condExpr ? h.cond(condExpr, loopScope) : { te: { k: "const", ty: BOOL, value: 1n, span: s.span } as TExpr, facts: { whenTrue: new Set<number>(), whenFalse: new Set<number>() } };
    h.setNonNull(new Set([...head, ...c.facts.whenTrue]));
    const target: Target = { kind: "loop", breaks: 0, continues: 0 };
    this.targets.push(target);
    const body = h.block([s.body], h.child(loopScope));
    this.targets.pop();
    h.setNonNull(new Set(head));
    const update: TStmt[] = [];
    if (s.k === "for") for (const u of s.update) update.push({ k: "expr", e: h.expr(u, loopScope), span: u.span });
    h.setNonNull(head);
    if (c.te.ty.k === "error") return;
    const r = loopBound({
      kind: s.k,
      cond: c.te,
      ...(condExpr ? {} : { noCond: true }),
      body: body.stmts,
      update,
      before: [...out, ...init],
      hasContinue: target.continues > 0,
      span: s.span,
    });
    if (!r.ok) {
      h.error(r.code, r.span, r.message);
      return;
    }
    out.push({ k: "loop", init, cond: c.te, body: body.stmts, update, bound: r.bound, span: s.span });
  }

  /** Locals (by id) assigned anywhere in a loop's condition, body or update. */
  private assignedLocals(s: Extract<Stmt, { k: "for" | "while" }>, scope: S): Set<number> {
    const ids = new Set<number>();
    const names = new Set<string>();
    const expr = (e: Expr | undefined): void => {
      if (!e) return;
      switch (e.k) {
        case "assign":
        case "incdec":
          if (e.target.k === "name") names.add(e.target.name);
          expr(e.target);
          if (e.k === "assign") expr(e.value);
          return;
        case "binary": expr(e.left); expr(e.right); return;
        case "unary": expr(e.operand); return;
        case "cast": expr(e.expr); return;
        case "call": e.args.forEach(expr); return;
        case "method": expr(e.target); e.args.forEach(expr); return;
        case "member": expr(e.target); return;
        case "index": expr(e.target); expr(e.index); return;
        case "ternary": expr(e.test); expr(e.then); expr(e.else); return;
        default: return;
      }
    };
    const stmt = (st: Stmt): void => {
      switch (st.k) {
        case "let": expr(st.init); return;
        case "expr": expr(st.expr); return;
        case "return": expr(st.value); return;
        case "if": expr(st.cond); stmt(st.then); if (st.else) stmt(st.else); return;
        case "block": st.body.forEach(stmt); return;
        case "for": st.init.forEach(stmt); expr(st.cond); st.update.forEach(expr); stmt(st.body); return;
        case "while": expr(st.cond); stmt(st.body); return;
        case "switch": expr(st.disc); st.cases.forEach((c) => c.body.forEach(stmt)); return;
        default: return;
      }
    };
    stmt(s);
    // Names resolve in the loop's scope; a name declared inside the body shadows nothing
    // outside, so a miss here is harmless (its local is new each iteration).
    for (const n of names) {
      const sym = scope.lookup(n);
      if (sym?.local) ids.add(sym.local.id);
    }
    return ids;
  }

  private switch(s: Extract<Stmt, { k: "switch" }>, scope: S, out: TStmt[]): boolean {
    const h = this.host;
    const disc = h.expr(s.disc, scope);
    let discType: ScalarName | undefined;
    if (disc.ty.k === "scalar") discType = disc.ty.name;
    else if (disc.ty.k !== "error") h.error("WBPF1003", s.disc.span, `switch needs an integer, not ${typeName(disc.ty)}`);
    const seen = new Map<bigint, Span>();
    const target: Target = { kind: "switch", breaks: 0, continues: 0 };
    this.targets.push(target);
    const before = h.nonNull();
    const cases: Extract<TStmt, { k: "switch" }>["cases"][number][] = [];
    let pendingValues: bigint[] = [];
    let pendingDefault = false;
    let hasDefault = false;
    let lastFallsThrough = true;
    const body = h.child(scope); // one scope for all cases, as in TypeScript
    s.cases.forEach((c, n) => {
      if (c.test) {
        const v = h.expr(c.test, scope);
        if (v.ty.k !== "error") {
          if (v.k !== "const" || (v.ty.k !== "untyped" && v.ty.k !== "scalar")) {
            h.error("WBPF1031", c.test.span, "case values must be integer constants (literals, named constants or interpolated numbers)");
          } else if (discType) {
            const value = v.value;
            if (v.ty.k === "scalar" && v.ty.name !== discType && !fits(value, discType)) {
              h.error("WBPF1003", c.test.span, `case ${value} (${v.ty.name}) does not fit the switch value's type ${discType}`);
            } else if (!fits(value, discType)) {
              const [lo, hi] = rangeOf(discType);
              h.error("WBPF1008", c.test.span, `case ${value} can never match: the switch value is ${discType} (${lo} to ${hi})`);
            } else if (seen.has(value)) {
              h.error("WBPF1031", c.test.span, `case ${value} appears twice; each value may label one case`);
            } else {
              seen.set(value, c.span);
              pendingValues.push(value);
            }
          }
        }
      } else {
        if (hasDefault) h.error("WBPF1031", c.span, "a switch has at most one `default`");
        hasDefault = pendingDefault = true;
      }
      // An empty case falls into the next: `case 1: case 2: ...` label one body.
      if (c.body.length === 0 && n < s.cases.length - 1) return;
      // Each case body may be entered directly, where nothing from other cases is known.
      h.setNonNull(new Set(before));
      const r = h.block(c.body, body);
      cases.push({ values: pendingValues, isDefault: pendingDefault, body: r.stmts, span: c.span });
      pendingValues = [];
      pendingDefault = false;
      lastFallsThrough = !r.terminates;
    });
    this.targets.pop();
    h.setNonNull(new Set(before));
    if (disc.ty.k === "error") return false;
    out.push({ k: "switch", disc, cases, span: s.span });
    // Control continues after the switch when a case breaks, no case matches, or the
    // last case falls off its end.
    return hasDefault && target.breaks === 0 && !lastFallsThrough && cases.length > 0;
  }
}
