/**
 * Ring buffer records must be submitted or discarded on every path that holds one: the
 * verifier rejects a program that can exit with a reservation outstanding ("Unreleased
 * reference"). This pass walks a checked body, tracking the locals that may hold a
 * non-null, unreleased record; a `return` (or the end of the body) reached with one is
 * WBPF2004 at that return, naming the record and where it was reserved.
 *
 * Null checks release nothing but prove there is nothing to release: on the branch where
 * `e` is null (`if (!e) return 0;`), `e` is not outstanding.
 */
import type { DiagnosticSink, Span } from "../diagnostics.js";
import type { TExpr, TStmt } from "./typed.js";

interface Reservation {
  readonly name: string;
  readonly map: string;
  readonly at: Span;
}

type State = ReadonlyMap<number, Reservation>;

/** Locals a condition proves null when it is true / when it is false. */
function nullFacts(c: TExpr): { whenTrue: number[]; whenFalse: number[] } {
  if (c.k === "local") return { whenTrue: [], whenFalse: [c.local.id] };
  if (c.k === "not") {
    const f = nullFacts(c.e);
    return { whenTrue: f.whenFalse, whenFalse: f.whenTrue };
  }
  if (c.k === "cmp" && (c.op === "eq" || c.op === "ne")) {
    const local = c.l.k === "null" && c.r.k === "local" ? c.r : c.r.k === "null" && c.l.k === "local" ? c.l : undefined;
    if (local) return c.op === "eq" ? { whenTrue: [local.local.id], whenFalse: [] } : { whenTrue: [], whenFalse: [local.local.id] };
  }
  if (c.k === "logic") {
    const l = nullFacts(c.l);
    const r = nullFacts(c.r);
    // a || b is false only when both are; a && b is true only when both are.
    return c.op === "or" ? { whenTrue: [], whenFalse: [...l.whenFalse, ...r.whenFalse] } : { whenTrue: [...l.whenTrue, ...r.whenTrue], whenFalse: [] };
  }
  return { whenTrue: [], whenFalse: [] };
}

const without = (s: State, ids: readonly number[]): State => {
  if (!ids.some((i) => s.has(i))) return s;
  const m = new Map(s);
  for (const i of ids) m.delete(i);
  return m;
};

/** Visits the `map` calls of an expression, in evaluation order. */
function mapCalls(e: TExpr, visit: (m: Extract<TExpr, { k: "map" }>) => void): void {
  if (e.k === "map") {
    e.args.forEach((a) => mapCalls(a, visit));
    visit(e);
    return;
  }
  for (const v of Object.values(e)) {
    if (v && typeof v === "object" && "k" in v && "ty" in v) mapCalls(v as TExpr, visit);
    else if (Array.isArray(v)) for (const x of v) if (x && typeof x === "object" && "k" in x && "ty" in x) mapCalls(x as TExpr, visit);
  }
}

export function checkReservations(body: readonly TStmt[], end: Span, sink: DiagnosticSink): void {
  const report = (state: State, span: Span) => {
    for (const r of state.values()) {
      sink.error("WBPF2004", span, `ring buffer record '${r.name}' (reserved from '${r.map}') may still be held here; call \`${r.map}.submit(${r.name})\` or \`${r.map}.discard(${r.name})\` on every path before returning (the verifier rejects unreleased records)`);
    }
  };
  /** Effects of an expression on the state: releases, and reservations nothing holds. */
  const expr = (e: TExpr, state: State): State => {
    let s = state;
    mapCalls(e, (m) => {
      if ((m.method === "submit" || m.method === "discard") && m.args[0]?.k === "local") s = without(s, [m.args[0].local.id]);
    });
    return s;
  };
  /** Returns the state after `list`, or undefined when every path returned. */
  const block = (list: readonly TStmt[], state: State): State | undefined => {
    let s: State | undefined = state;
    for (const st of list) {
      if (!s) return undefined;
      s = stmt(st, s);
    }
    return s;
  };
  const stmt = (st: TStmt, state: State): State | undefined => {
    switch (st.k) {
      case "let": {
        const s = expr(st.init, state);
        if (st.init.k === "map" && st.init.method === "reserve") {
          const m = new Map(s);
          m.set(st.local.id, { name: st.local.name, map: st.init.map.name, at: st.span });
          return m;
        }
        return s;
      }
      case "expr": {
        if (st.e.k === "map" && st.e.method === "reserve") {
          sink.error("WBPF2004", st.e.span, `this ring buffer record is reserved and dropped; keep it (\`const e = ${st.e.map.name}.reserve(...)\`), fill it and submit it`);
        }
        if (st.e.k === "assign" && st.e.target.k === "local" && st.e.value.k === "map" && st.e.value.method === "reserve") {
          const m = new Map(expr(st.e, state));
          m.set(st.e.target.local.id, { name: st.e.target.local.name, map: st.e.value.map.name, at: st.span });
          return m;
        }
        return expr(st.e, state);
      }
      case "return": {
        const s = st.value ? expr(st.value, state) : state;
        report(s, st.span);
        return undefined;
      }
      case "if": {
        const s = expr(st.cond, state);
        const f = nullFacts(st.cond);
        const t = block(st.then, without(s, f.whenTrue));
        const e = block(st.else, without(s, f.whenFalse));
        if (!t) return e;
        if (!e) return t;
        return new Map([...t, ...e]);
      }
      default:
        // Loops and switch: their bodies release what they reserve in the same iteration or
        // case; anything else is left to the verifier.
        return state;
    }
  };
  const out = block(body, new Map());
  if (out) report(out, end);
}
