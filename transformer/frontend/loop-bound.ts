/**
 * Loop bounds: proves that a checked loop ends and how many times it can run, or says
 * why not. The kernel verifier walks every iteration of a loop, so a loop compiles only
 * when its trip count is known to be small.
 *
 * The rule (documented in docs/LANGUAGE.md, "Loops"): a conjunct of the condition compares
 * a counter with a constant (`i < N`, `i <= N`, `i > N`, `i >= N`, `i != N`, either side);
 * the counter steps toward the constant exactly once per iteration, by `i++`, `i--`,
 * `i += C`, `i -= C` (or `i = i + C`) or, for unsigned counters, `i >>= C`; nothing else in
 * the loop writes it; and it cannot wrap around before the condition fails. The step is
 * the `for` update, or a top-level statement of the body (then `continue` would skip it,
 * so it is not allowed). The start value is known when the counter is set to a constant
 * just before the loop (`for (let i = 0; ...)`, `let i = 0; while ...`); otherwise the
 * worst start its type allows is assumed.
 */
import type { ScalarName } from "../../runtime/types.js";
import type { Span } from "../diagnostics.js";
import { walkBody } from "./inline.js";
import type { Local, LoopBound, TExpr, TStmt } from "./typed.js";
import { bitsOf, isSigned, rangeOf } from "./types.js";

/** Above this many iterations the verifier (1M processed instructions) cannot finish. */
export const MAX_LOOP_TRIPS = 100_000n;

export type BoundResult =
  | { readonly ok: true; readonly bound: LoopBound }
  | { readonly ok: false; readonly code: "WBPF1030" | "WBPF3002"; readonly span: Span; readonly message: string };

export interface LoopShape {
  readonly kind: "for" | "while";
  readonly cond: TExpr;
  /** Present when the loop has no condition (`for (;;)`). */
  readonly noCond?: boolean;
  readonly body: readonly TStmt[];
  readonly update: readonly TStmt[];
  /** Statements that ran just before the loop (the for's init, then the enclosing block's
   * earlier statements, nearest last): where a constant start value is found. */
  readonly before: readonly TStmt[];
  /** Whether the body has a `continue` for this loop. */
  readonly hasContinue: boolean;
  readonly span: Span;
}

type Step = { readonly k: "add"; readonly by: bigint } | { readonly k: "shr"; readonly by: bigint };

interface Candidate {
  readonly counter: Local;
  readonly op: "lt" | "le" | "gt" | "ge" | "ne";
  readonly limit: bigint;
  readonly span: Span;
}

const SWAP = { lt: "gt", le: "ge", gt: "lt", ge: "le", ne: "ne", eq: "eq" } as const;

/** `x` itself, or `x` widened: the counter read inside a comparison. */
function counterOf(e: TExpr): Local | undefined {
  if (e.k === "local" && e.ty.k === "scalar") return e.local;
  if (e.k === "convert") return counterOf(e.e);
  return undefined;
}

function conjuncts(e: TExpr): TExpr[] {
  return e.k === "logic" && e.op === "and" ? [...conjuncts(e.l), ...conjuncts(e.r)] : [e];
}

function candidates(cond: TExpr): Candidate[] {
  const out: Candidate[] = [];
  for (const c of conjuncts(cond)) {
    if (c.k !== "cmp" || c.op === "eq") continue;
    const l = counterOf(c.l);
    const r = counterOf(c.r);
    if (l && c.r.k === "const") out.push({ counter: l, op: c.op, limit: c.r.value, span: c.span });
    else if (r && c.l.k === "const") out.push({ counter: r, op: SWAP[c.op] as Candidate["op"], limit: c.l.value, span: c.span });
  }
  return out;
}

/** Every assignment to `local` in the statements (nested ones included). */
function writesTo(local: Local, stmts: readonly TStmt[]): TExpr[] {
  const out: TExpr[] = [];
  walkBody(stmts, (e) => {
    if (e.k === "assign" && e.target.k === "local" && e.target.local.id === local.id) out.push(e);
  });
  return out;
}

/** The step a write performs, when it is `i = i + C`, `i = i - C` or `i = i >> C`. */
function stepOf(local: Local, w: TExpr): Step | undefined {
  if (w.k !== "assign" || w.value.k !== "arith") return undefined;
  const { op, l, r } = w.value;
  const isCounter = (x: TExpr) => x.k === "local" && x.local.id === local.id;
  if (op === "add" && isCounter(l) && r.k === "const") return { k: "add", by: r.value };
  if (op === "add" && isCounter(r) && l.k === "const") return { k: "add", by: l.value };
  if (op === "sub" && isCounter(l) && r.k === "const") return { k: "add", by: -r.value };
  if ((op === "shr" || op === "ushr") && isCounter(l) && r.k === "const") return { k: "shr", by: r.value };
  return undefined;
}

/** The counter's value on entry when the nearest write before the loop sets a constant. */
function startOf(local: Local, before: readonly TStmt[]): bigint | undefined {
  for (let n = before.length - 1; n >= 0; n--) {
    const s = before[n]!;
    if (s.k === "let" && s.local.id === local.id) return s.init.k === "const" ? s.init.value : undefined;
    if (s.k === "expr" && s.e.k === "assign" && s.e.target.k === "local" && s.e.target.local.id === local.id) {
      return s.e.value.k === "const" ? s.e.value.value : undefined;
    }
    if (writesTo(local, [s]).length > 0) return undefined;
  }
  return undefined;
}

const fail = (code: "WBPF1030" | "WBPF3002", span: Span, message: string): BoundResult => ({ ok: false, code, span, message });

export function loopBound(loop: LoopShape): BoundResult {
  const advice = `write \`for (let i: u32 = 0; i < N; i++)\` with a constant N, or use bpf_loop`;
  if (loop.noCond) return fail("WBPF1030", loop.span, `this loop has no condition, so nothing bounds it; ${advice}`);
  const cands = candidates(loop.cond);
  if (cands.length === 0) {
    return fail("WBPF1030", loop.cond.span, `loop without a provable bound: the condition does not compare a counter with a constant; ${advice}`);
  }
  let best: BoundResult | undefined;
  for (const c of cands) {
    const r = boundFor(loop, c);
    if (r.ok && (!best || !best.ok || r.bound.max < best.bound.max)) best = r;
    else if (!r.ok && !best) best = r;
  }
  return best!;
}

function boundFor(loop: LoopShape, c: Candidate): BoundResult {
  const name = c.counter.name;
  const t = (c.counter.type as { name: ScalarName }).name;
  const inUpdate = writesTo(c.counter, loop.update);
  const inBody = writesTo(c.counter, loop.body);
  const inCond = writesTo(c.counter, [{ k: "expr", e: loop.cond, span: loop.cond.span }]);
  const writes = [...inUpdate, ...inBody, ...inCond];
  const where = loop.kind === "for" ? "in the loop's update (`i++`)" : "as a statement of the loop body";
  if (writes.length === 0) {
    return fail("WBPF1030", c.span, `loop without a provable bound: '${name}' never changes inside the loop; step it ${where}`);
  }
  if (writes.length > 1) {
    return fail("WBPF1030", writes[1]!.span, `loop without a provable bound: '${name}' is written more than once per iteration; step it only once, ${where}`);
  }
  const w = writes[0]!;
  if (inCond.length) return fail("WBPF1030", w.span, `loop without a provable bound: the condition changes '${name}'; compare it there and step it ${where}`);
  if (inBody.length) {
    const topLevel = loop.body.some((s) => s.k === "expr" && s.e === w);
    if (!topLevel) return fail("WBPF1030", w.span, `loop without a provable bound: '${name}' changes only on some paths through the body; step it unconditionally, ${where}`);
    if (loop.hasContinue) return fail("WBPF1030", w.span, `loop without a provable bound: \`continue\` skips this step of '${name}'; write a \`for\` loop with the step in its update (continue runs the update)`);
  }
  const step = stepOf(c.counter, w);
  if (!step || step.by === 0n) {
    return fail("WBPF1030", w.span, `loop without a provable bound: '${name}' must step by a constant (\`${name}++\`, \`${name} += 2\`, \`${name}--\`${isSigned(t) ? "" : `, \`${name} >>= 1\``})`);
  }
  const [lo, hi] = rangeOf(t);
  const start = startOf(c.counter, loop.before);
  const known = start !== undefined;
  const unknownNote = `'${name}' is not set to a constant just before the loop, so it may start anywhere in ${t}; initialise it there`;
  let exact: bigint | undefined;
  let max: bigint;
  if (step.k === "shr") {
    if (isSigned(t)) return fail("WBPF1030", w.span, `loop without a provable bound: shifting a signed '${name}' right keeps negative values negative; use an unsigned counter`);
    // v >>= k reaches 0 after ceil(bits / k) steps; the condition must fail at 0.
    const falseAtZero = c.op === "ne" ? c.limit === 0n : c.op === "gt" ? c.limit >= 0n : c.op === "ge" ? c.limit >= 1n : false;
    if (!falseAtZero) return fail("WBPF1030", c.span, `loop without a provable bound: '${name}' shrinks toward 0 but the condition still holds at 0; compare with \`${name} > 0\` or \`${name} != 0\``);
    const bits = BigInt(bitsOf(t));
    max = (bits + step.by - 1n) / step.by;
    if (known) {
      exact = 0n;
      for (let v = start; holds(c.op, v, c.limit); v >>= step.by) exact++;
      max = exact;
    }
  } else {
    const up = step.by > 0n;
    const by = up ? step.by : -step.by;
    if (c.op === "ne") {
      if (!known) return fail("WBPF1030", c.span, `loop without a provable bound: \`!=\` needs a known start; ${unknownNote}, or compare with ${up ? "<" : ">"}`);
      const dist = up ? c.limit - start : start - c.limit;
      if (dist < 0n || dist % by !== 0n) {
        return fail("WBPF1030", c.span, `loop without a provable bound: '${name}' starts at ${start} and steps by ${step.by}, so it never equals ${c.limit}; compare with ${up ? "<" : ">"}`);
      }
      exact = max = dist / by;
    } else {
      const wantUp = c.op === "lt" || c.op === "le";
      if (wantUp !== up) {
        return fail("WBPF1030", w.span, `loop without a provable bound: '${name}' moves ${up ? "up" : "down"} but the condition \`${c.op === "lt" ? "<" : c.op === "le" ? "<=" : c.op === "gt" ? ">" : ">="}\` waits for it to go ${up ? "down" : "up"}`);
      }
      // The last value that passes the condition, and the one step past it.
      const last = c.op === "lt" ? c.limit - 1n : c.op === "le" ? c.limit : c.op === "gt" ? c.limit + 1n : c.limit;
      const next = up ? last + by : last - by;
      if (next > hi || next < lo) {
        return fail("WBPF1030", w.span, `loop without a provable bound: '${name}' (${t}) would wrap around past ${up ? hi : lo} before the condition fails, and loop forever; use a wider type or a tighter limit`);
      }
      const from = known ? start : up ? lo : hi;
      const dist = up ? last - from : from - last;
      max = dist < 0n ? 0n : dist / by + 1n;
      if (known) exact = max;
    }
  }
  if (max > MAX_LOOP_TRIPS) {
    return fail(known ? "WBPF3002" : "WBPF1030", c.span, known
      ? `this loop runs ${max} times; the kernel verifier walks every iteration and stops at 1,000,000 instructions, so at most ${MAX_LOOP_TRIPS} iterations compile. Use bpf_loop for long loops`
      : `loop without a provable bound: ${unknownNote} (up to ${max} iterations)`);
  }
  return { ok: true, bound: { counter: c.counter, max, ...(exact !== undefined ? { exact } : {}) } };
}

function holds(op: Candidate["op"], v: bigint, limit: bigint): boolean {
  switch (op) {
    case "lt": return v < limit;
    case "le": return v <= limit;
    case "gt": return v > limit;
    case "ge": return v >= limit;
    case "ne": return v !== limit;
  }
}
