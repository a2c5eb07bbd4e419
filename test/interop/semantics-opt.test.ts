// Differential tests of the optimizer's rewrites that change instructions but must not change
// results: clamps compared at their boundary (`if (x >= K) x = K - 1`) and strength reduction
// (`*`, `/`, `%` by powers of two), on the kernel through batched BPF_PROG_TEST_RUN against a
// BigInt evaluation, >= 10,000 seeded inputs per type.
import { expect, test } from "@jest/globals";
import { rangeOf, wrap } from "../../transformer/frontend/types.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import {
  BATCH, BITS, BatchRunner, TYPES, asU64, batchProgram, compileBatch, literal, mulberry32, operand, randomOperand, reference, type Ty,
} from "./semantics-lib.js";

const RUNS = 40;
/** Runs per strength-reduction program: 3 ops x 55 x 64 cases >= 10,000 per type. */
const STRENGTH_RUNS = 55;
const CMPS = ["<", "<=", ">", ">="] as const;
type Cmp = (typeof CMPS)[number];

const holds = (op: Cmp, a: bigint, b: bigint) => (op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b);

/** One case: `x OP K` picks D (or, flipped, keeps x when it holds); D is often the boundary value. */
interface ClampCase {
  readonly op: Cmp;
  readonly k: bigint;
  readonly d: bigint;
  /** Ternary `x OP K ? x : D` instead of `if (x OP K) x = D`. */
  readonly flipped: boolean;
}

function clampCase(t: Ty, op: Cmp, rnd: () => number): ClampCase {
  const [lo, hi] = rangeOf(t);
  const k = randomOperand(t, rnd);
  const flipped = rnd() < 0.4;
  // The value just outside either arm is K - 1, K or K + 1: D is one of them most of the time.
  const pick = rnd();
  let d = pick < 0.75 ? k + BigInt(Math.floor(pick * 4) - 1) : randomOperand(t, rnd);
  if (d < lo || d > hi) d = k;
  return { op, k, d, flipped };
}

function clampProgram(name: string, t: Ty, cases: readonly ClampCase[]): string {
  const lines = [`export function ${name}(ctx: Xdp): i32 {`, "  const d = ctx.data;", `  if (d + ${16 * BATCH} > ctx.data_end) return 1;`];
  cases.forEach((c, n) => {
    if (c.flipped) {
      lines.push(`  const x${n} = ${operand(t, n, 0)};`, `  o${n} = (x${n} ${c.op} ${literal(c.k)} ? x${n} : ${literal(c.d)}) as u64;`);
    } else {
      lines.push(`  let x${n} = ${operand(t, n, 0)};`, `  if (x${n} ${c.op} ${literal(c.k)}) x${n} = ${literal(c.d)};`, `  o${n} = x${n} as u64;`);
    }
  });
  lines.push("  return 0;", "}");
  return lines.join("\n");
}

function clampReference(c: ClampCase, x: bigint): bigint {
  if (c.flipped) return holds(c.op, x, c.k) ? x : c.d;
  return holds(c.op, x, c.k) ? c.d : x;
}

/** Inputs near the case's constants (where a boundary mistake shows), else random. */
function input(t: Ty, c: ClampCase, rnd: () => number): bigint {
  const [lo, hi] = rangeOf(t);
  const near = [c.k - 1n, c.k, c.k + 1n, c.d - 1n, c.d, c.d + 1n].filter((v) => v >= lo && v <= hi);
  return rnd() < 0.6 ? near[Math.floor(rnd() * near.length)]! : randomOperand(t, rnd);
}

describeKernel("optimizer rewrites keep the language's results", () => {
  checkNoFdLeaks();

  test(`clamps: if/?: against constants at every type and comparison, ${RUNS * BATCH * CMPS.length} inputs per type`, async () => {
    const rnd = mulberry32(0xc1a3);
    const plans = TYPES.flatMap((t) => CMPS.map((op, i) => ({ t, name: `clamp_${t}_${i}`, cases: Array.from({ length: BATCH }, () => clampCase(t, op, rnd)) })));
    const compiled = compileBatch(plans.map((p) => clampProgram(p.name, p.t, p.cases)));
    using runner = await BatchRunner.load(compiled);
    let checked = 0;
    for (const p of plans) {
      for (let r = 0; r < RUNS; r++) {
        const xs = p.cases.map((c) => input(p.t, c, rnd));
        const got = runner.run(p.name, xs.map((x) => [x, 0n] as const));
        const want = p.cases.map((c, n) => asU64(wrap(clampReference(c, xs[n]!), p.t)));
        const bad = got.findIndex((g, n) => g !== want[n]);
        if (bad >= 0) {
          const c = p.cases[bad]!;
          throw new Error(`${p.name} case ${bad} (${p.t} x ${c.op} ${c.k} ${c.flipped ? "? x : " + c.d : "-> " + c.d}) at x = ${xs[bad]}: got ${got[bad]}, want ${want[bad]}`);
        }
        checked += xs.length;
      }
    }
    expect(checked).toBe(TYPES.length * CMPS.length * RUNS * BATCH);
  });

  test(`strength reduction: *, / and % by every power of two (and its neighbours) at every type, ${3 * STRENGTH_RUNS * BATCH} inputs per type`, async () => {
    const rnd = mulberry32(0x5e7);
    const OPS = ["*", "/", "%"] as const;
    const plans = TYPES.flatMap((t) => OPS.map((op, i) => {
      // Constants 2^k for every k the type holds (positive), sometimes 2^k +- 1.
      const consts = Array.from({ length: BATCH }, (_, n) => {
        const k = BigInt(n % (BITS[t] - (t.startsWith("i") ? 1 : 0)));
        const c = (1n << k) + (rnd() < 0.2 ? (rnd() < 0.5 ? 1n : -1n) : 0n);
        return c === 0n ? 1n : c;
      });
      return { t, op, name: `strength_${t}_${i}`, consts };
    }));
    const compiled = compileBatch(plans.map((p) => batchProgram(p.name, (n) => `${operand(p.t, n, 0)} ${p.op} ${literal(p.consts[n]!)}`)));
    using runner = await BatchRunner.load(compiled);
    let checked = 0;
    for (const p of plans) {
      for (let r = 0; r < STRENGTH_RUNS; r++) {
        const xs = p.consts.map(() => randomOperand(p.t, rnd));
        const got = runner.run(p.name, xs.map((x) => [x, 0n] as const));
        const want = xs.map((x, n) => asU64(reference(p.op, p.t, x, p.consts[n]!)));
        const bad = got.findIndex((g, n) => g !== want[n]);
        if (bad >= 0) throw new Error(`${p.t} ${xs[bad]} ${p.op} ${p.consts[bad]}: got ${got[bad]}, want ${want[bad]}`);
        checked += xs.length;
      }
    }
    expect(checked).toBe(TYPES.length * 3 * STRENGTH_RUNS * BATCH);
  });
});

/** A chain of packet checks, each followed by a read it covers; the first that fails returns its code. */
interface CheckChain {
  readonly name: string;
  readonly bounds: readonly number[];
}

function checkProgram(c: CheckChain): string {
  const lines = [`export function ${c.name}(ctx: Xdp): i32 {`, "  const d = ctx.data;", "  let acc: u32 = 0;"];
  c.bounds.forEach((n, i) => {
    lines.push(`  if (d + ${n} > ctx.data_end) return ${100 + i} + (acc as i32);`, `  acc = acc * 3 + load_u8(d, ${n - 1});`);
  });
  lines.push("  return acc as i32;", "}");
  return lines.join("\n");
}

function checkReference(c: CheckChain, pkt: Uint8Array): number {
  let acc = 0;
  for (const [i, n] of c.bounds.entries()) {
    if (n > pkt.length) return (100 + i + acc) | 0;
    acc = (acc * 3 + pkt[n - 1]!) >>> 0;
  }
  return acc | 0;
}

describeKernel("bounds-check merging keeps every check's outcome", () => {
  checkNoFdLeaks();

  test("random chains of packet checks (later ones often subsumed) on packets of every length from 14 to 72 bytes", async () => {
    const rnd = mulberry32(0xb0b);
    const chains: CheckChain[] = Array.from({ length: 180 }, (_, p) => ({
      name: `checks_${p}`,
      bounds: Array.from({ length: 2 + Math.floor(rnd() * 5) }, () => 14 + Math.floor(rnd() * 56)),
    }));
    const compiled = compileBatch(chains.map(checkProgram));
    using runner = await BatchRunner.load(compiled);
    let checked = 0;
    for (const c of chains) {
      for (let len = 14; len <= 72; len++) {
        const pkt = new Uint8Array(len).map(() => Math.floor(rnd() * 256));
        const got = runner.runPacket(c.name, pkt);
        const want = checkReference(c, pkt);
        if (got !== want) throw new Error(`${c.name} (checks ${c.bounds.join(", ")}) on ${len} bytes: got ${got}, want ${want}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10_000);
  });
});

/** Checks that all fail with the same code, with reads and early returns of that code between them (widening applies). */
function widenProgram(c: CheckChain): string {
  const lines = [`export function ${c.name}(ctx: Xdp): i32 {`, "  const d = ctx.data;", "  let acc: u32 = 0;"];
  c.bounds.forEach((n, i) => {
    lines.push(`  if (d + ${n} > ctx.data_end) return 7;`, `  if (load_u8(d, ${n - 1}) == ${(i * 37) % 256}) return 7;`, `  acc = acc * 3 + load_u8(d, ${n - 1});`);
  });
  lines.push("  return acc as i32;", "}");
  return lines.join("\n");
}

function widenReference(c: CheckChain, pkt: Uint8Array): number {
  let acc = 0;
  for (const [i, n] of c.bounds.entries()) {
    if (n > pkt.length || pkt[n - 1] === (i * 37) % 256) return 7;
    acc = (acc * 3 + pkt[n - 1]!) >>> 0;
  }
  return acc | 0;
}

describeKernel("bounds-check widening keeps every path's result", () => {
  checkNoFdLeaks();

  test("chains of checks returning one code, with early returns of that code between them, on packets of 14..72 bytes", async () => {
    const rnd = mulberry32(0x71de);
    const chains: CheckChain[] = Array.from({ length: 180 }, (_, p) => ({
      name: `widen_${p}`,
      bounds: Array.from({ length: 2 + Math.floor(rnd() * 4) }, () => 14 + Math.floor(rnd() * 56)),
    }));
    const compiled = compileBatch(chains.map(widenProgram));
    using runner = await BatchRunner.load(compiled);
    let checked = 0;
    for (const c of chains) {
      for (let len = 14; len <= 72; len++) {
        const pkt = new Uint8Array(len).map(() => Math.floor(rnd() * 256));
        // Often put the byte an early return tests into the packet, so those paths run too.
        if (rnd() < 0.5) {
          const i = Math.floor(rnd() * c.bounds.length);
          if (c.bounds[i]! <= len) pkt[c.bounds[i]! - 1] = (i * 37) % 256;
        }
        const got = runner.runPacket(c.name, pkt);
        const want = widenReference(c, pkt);
        if (got !== want) throw new Error(`${c.name} (checks ${c.bounds.join(", ")}) on ${len} bytes: got ${got}, want ${want}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10_000);
  });
});
