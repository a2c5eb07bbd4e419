/**
 * Packet reads need a bound the verifier can see: `load_u32(d, 26)` is rejected ("invalid
 * access to packet") unless an earlier check such as `if (d + 30 > ctx.data_end) return ...`
 * proves 30 bytes from `d` on that path. This pass walks a program body with the bytes each
 * packet pointer base is proven to have, from comparisons with the packet end on the path
 * (early exits, `if` branches, `&&`/`||`, `?:`), and reports a constant-offset read beyond
 * them as WBPF1016, naming the read and the check to add.
 *
 * It stays quiet where it cannot follow the program: a comparison whose offset is not a
 * constant, or a packet pointer variable assigned after its declaration, turn it off for the
 * program (the verifier still has the last word there).
 */
import type { DiagnosticSink } from "../diagnostics.js";
import type { TExpr, TStmt } from "./typed.js";

type State = ReadonlyMap<string, number>;

interface Base {
  readonly key: string;
  /** The pointer as the user wrote it (`d`, `ip`, `ctx.data`), `nameOff` bytes from the key's origin. */
  readonly name: string;
  readonly nameOff: number;
  readonly off: number;
}

class PacketLint {
  /** Bases of immutable packet pointer locals, by local id. */
  private readonly locals = new Map<number, Base>();
  /** False once the pass meets something it cannot follow. */
  followable = true;

  constructor(private readonly sink: DiagnosticSink) {}

  base(e: TExpr): Base | undefined {
    if (e.k === "ctxload" && e.ty.k === "pkt") return { key: `ctx:${e.field.offset}`, name: "ctx.data", nameOff: 0, off: 0 };
    if (e.k === "local" && e.ty.k === "pkt") return this.locals.get(e.local.id) ?? { key: `local:${e.local.id}`, name: e.local.name, nameOff: 0, off: 0 };
    if (e.k === "pktadd") {
      const b = this.base(e.ptr);
      const c = e.off.k === "convert" ? e.off.e : e.off;
      if (!b || c.k !== "const") return undefined;
      return { ...b, off: b.off + Number(c.value) };
    }
    return undefined;
  }

  /** Bytes proven from each base when `c` is true (`when`) or false. */
  facts(c: TExpr, when: boolean): [string, number][] {
    if (c.k === "not") return this.facts(c.e, !when);
    if (c.k === "logic") {
      // a && b true: both true; a || b false: both false. Other outcomes prove nothing.
      if ((c.op === "and") === when) return [...this.facts(c.l, when), ...this.facts(c.r, when)];
      return [];
    }
    if (c.k !== "cmp") return [];
    const lp = c.l.ty.k === "pkt" && c.r.ty.k === "pkt_end";
    const rp = c.r.ty.k === "pkt" && c.l.ty.k === "pkt_end";
    if (!lp && !rp) return [];
    const b = this.base(lp ? c.l : c.r);
    if (!b) {
      this.followable = false;
      return [];
    }
    // Normalise to `p + K <op> end`.
    const flip: Record<string, string> = { lt: "gt", le: "ge", gt: "lt", ge: "le", eq: "eq", ne: "ne" };
    let op: string = lp ? c.op : flip[c.op]!;
    if (!when) op = { lt: "ge", le: "gt", gt: "le", ge: "lt", eq: "ne", ne: "eq" }[op]!;
    if (op === "le") return [[b.key, b.off]];
    if (op === "lt") return [[b.key, b.off + 1]];
    return [];
  }

  private withFacts(st: State, f: [string, number][]): State {
    if (f.length === 0) return st;
    const m = new Map(st);
    for (const [k, n] of f) m.set(k, Math.max(m.get(k) ?? 0, n));
    return m;
  }

  expr(e: TExpr, st: State, report: boolean): void {
    switch (e.k) {
      case "logic":
        this.expr(e.l, st, report);
        this.expr(e.r, this.withFacts(st, this.facts(e.l, e.op === "and")), report);
        return;
      case "select":
        this.expr(e.test, st, report);
        this.expr(e.t, this.withFacts(st, this.facts(e.test, true)), report);
        this.expr(e.f, this.withFacts(st, this.facts(e.test, false)), report);
        return;
      case "load": {
        this.expr(e.ptr, st, report);
        if (e.ptr.ty.k !== "pkt" || !report) return;
        const b = this.base(e.ptr);
        if (!b) return;
        const need = b.off + e.off + e.size;
        const have = st.get(b.key) ?? 0;
        if (have < need) {
          const from = b.off + e.off - b.nameOff;
          const bytes = need - b.nameOff;
          const checked = have - b.nameOff;
          this.sink.error("WBPF1016", e.span, `this ${e.size}-byte packet read (bytes ${from} to ${bytes - 1} after ${b.name}) has no bound the verifier can see${checked > 0 ? `: only ${checked} bytes are checked on this path` : ""}; check first: \`if (${b.name} + ${bytes} > ctx.data_end) return ...;\``);
        }
        return;
      }
      default:
        for (const c of children(e)) this.expr(c, st, report);
    }
  }

  /** Walks statements; returns the state after them, or undefined when they always leave. */
  stmts(list: readonly TStmt[], st: State, report: boolean): State | undefined {
    let cur: State | undefined = st;
    for (const s of list) {
      if (!cur) return undefined;
      cur = this.stmt(s, cur, report);
    }
    return cur;
  }

  private stmt(s: TStmt, st: State, report: boolean): State | undefined {
    switch (s.k) {
      case "let": {
        this.expr(s.init, st, report);
        if (s.local.type.k === "pkt" && !s.local.mutable) {
          const b = this.base(s.init);
          if (b) this.locals.set(s.local.id, { ...b, name: s.local.name, nameOff: b.off });
        }
        return st;
      }
      case "expr":
        if (s.e.k === "assign" && s.e.target.k === "local" && s.e.target.local.type.k === "pkt") this.followable = false;
        this.expr(s.e, st, report);
        return st;
      case "return":
        if (s.value) this.expr(s.value, st, report);
        return undefined;
      case "break":
      case "continue":
        return undefined;
      case "if": {
        this.expr(s.cond, st, report);
        const t = this.stmts(s.then, this.withFacts(st, this.facts(s.cond, true)), report);
        const f = this.stmts(s.else, this.withFacts(st, this.facts(s.cond, false)), report);
        if (!t) return f;
        if (!f) return t;
        const m = new Map<string, number>();
        for (const [k, n] of t) if (f.has(k)) m.set(k, Math.min(n, f.get(k)!));
        return m;
      }
      case "loop": {
        const after = this.stmts(s.init, st, report) ?? st;
        this.expr(s.cond, after, report);
        const inBody = this.withFacts(after, this.facts(s.cond, true));
        const end = this.stmts(s.body, inBody, report);
        if (end) this.stmts(s.update, end, report);
        return after;
      }
      case "switch":
        this.expr(s.disc, st, report);
        for (const c of s.cases) this.stmts(c.body, st, report);
        return st;
    }
  }
}

function children(e: TExpr): TExpr[] {
  const out: TExpr[] = [];
  for (const v of Object.values(e)) {
    if (v && typeof v === "object" && "k" in v && "ty" in v && "span" in v) out.push(v as TExpr);
    else if (Array.isArray(v)) for (const x of v) if (x && typeof x === "object" && "k" in x && "ty" in x) out.push(x as TExpr);
  }
  if (e.k === "assign" && e.target.k === "deref") out.push(e.target.ptr);
  if (e.k === "fieldptr" && e.index) out.push(e.index.e);
  return out;
}

/** Reports packet reads of a program body that no bounds check covers (WBPF1016). */
export function checkPacketBounds(body: readonly TStmt[], sink: DiagnosticSink): void {
  // A first walk learns whether the pass can follow the program; only then does it report.
  const probe = new PacketLint(sink);
  probe.stmts(body, new Map(), false);
  if (!probe.followable) return;
  new PacketLint(sink).stmts(body, new Map(), true);
}
