// Differential test, operator by operator: every binary operator (register and constant
// operands, the constant on either side), unary `-` and `~`, and every cast, at every integer
// type, on >= 10,000 seeded random inputs each (edge values included), run in the kernel
// through our loader's BPF_PROG_TEST_RUN in batches and compared with the BigInt reference.
import { expect, test } from "@jest/globals";
import { rangeOf, wrap } from "../../transformer/frontend/types.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import {
  BATCH, BIN_OPS, BITS, BatchRunner, OP_NAMES, TYPES, asU64, batchProgram, compileBatch, literal, mulberry32, operand,
  randomOperand, reference, type BinOp, type Ty,
} from "./semantics-lib.js";

/** Inputs per operator/type class. */
const INPUTS = 10_000;
const RUNS = Math.ceil(INPUTS / BATCH);

/** A constant operand for `op` at type `t`: shift amounts below the width, non-zero divisors. */
function constantFor(op: BinOp, t: Ty, rnd: () => number): bigint {
  if (op === "<<" || op === ">>" || op === ">>>") return BigInt(Math.floor(rnd() * BITS[t]));
  for (;;) {
    const c = randomOperand(t, rnd);
    if ((op === "/" || op === "%") && c === 0n) continue;
    return c;
  }
}

interface ConstCase {
  readonly c: bigint;
  /** The constant is the left operand. */
  readonly left: boolean;
}

function constCases(op: BinOp, t: Ty, rnd: () => number): ConstCase[] {
  return Array.from({ length: BATCH }, () => {
    const left = op !== "<<" && op !== ">>" && op !== ">>>" && rnd() < 0.3;
    // A constant dividend may be anything; a constant divisor or shift amount is checked.
    return { c: left ? randomOperand(t, rnd) : constantFor(op, t, rnd), left };
  });
}

function programs(t: Ty, consts: ReadonlyMap<BinOp, ConstCase[]>): string[] {
  const out: string[] = [];
  for (const op of BIN_OPS) {
    out.push(batchProgram(`${OP_NAMES[op]}_${t}`, (k) => `${operand(t, k, 0)} ${op} ${operand(t, k, 1)}`));
    const cs = consts.get(op)!;
    out.push(batchProgram(`${OP_NAMES[op]}_${t}_const`, (k) => {
      const { c, left } = cs[k]!;
      return left ? `(${literal(c)} as ${t}) ${op} ${operand(t, k, 0)}` : `${operand(t, k, 0)} ${op} ${literal(c)}`;
    }));
  }
  out.push(batchProgram(`neg_${t}`, (k) => `-${operand(t, k, 0)}`));
  out.push(batchProgram(`not_${t}`, (k) => `~${operand(t, k, 0)}`));
  for (const to of TYPES) out.push(batchProgram(`cast_${t}_${to}`, (k) => `${operand(t, k, 0)} as ${to}`));
  return out;
}

describeKernel("integer semantics, operator by operator (batched BPF_PROG_TEST_RUN)", () => {
  checkNoFdLeaks();

  test.each(TYPES)("%s: every operator, unary op and cast on 10,000 inputs", async (t) => {
    const rnd = mulberry32(0x5e3a11 + BITS[t] * 31 + t.charCodeAt(0));
    const consts = new Map(BIN_OPS.map((op) => [op, constCases(op, t, rnd)] as const));
    using runner = await BatchRunner.load(compileBatch(programs(t, consts)));
    const failures: string[] = [];
    let checked = 0;
    const check = (what: string, got: bigint, want: bigint) => {
      checked++;
      if (got !== want && failures.length < 20) failures.push(`${what}: got ${BigInt.asIntN(64, got)}, want ${BigInt.asIntN(64, want)}`);
    };
    const [lo, hi] = rangeOf(t);
    for (let run = 0; run < RUNS; run++) {
      const cases = Array.from({ length: BATCH }, () => [randomOperand(t, rnd), randomOperand(t, rnd)] as const);
      // Every run meets the limits at least once in the first cases.
      if (run === 0) cases.splice(0, 4, [lo, hi], [hi, lo], [lo, -1n >= lo ? -1n : hi], [0n, 0n]);
      for (const op of BIN_OPS) {
        const res = runner.run(`${OP_NAMES[op]}_${t}`, cases);
        cases.forEach(([a, b], k) => check(`${a} ${op} ${b} (${t})`, res[k]!, asU64(reference(op, t, a, b))));
        const cs = consts.get(op)!;
        const cres = runner.run(`${OP_NAMES[op]}_${t}_const`, cases);
        cases.forEach(([a], k) => {
          const { c, left } = cs[k]!;
          const want = left ? reference(op, t, c, a) : reference(op, t, a, c);
          check(left ? `const ${c} ${op} ${a} (${t})` : `${a} ${op} const ${c} (${t})`, cres[k]!, asU64(want));
        });
      }
      const neg = runner.run(`neg_${t}`, cases);
      const not = runner.run(`not_${t}`, cases);
      cases.forEach(([a], k) => {
        check(`-${a} (${t})`, neg[k]!, asU64(wrap(-a, t)));
        check(`~${a} (${t})`, not[k]!, asU64(wrap(~a, t)));
      });
      for (const to of TYPES) {
        const res = runner.run(`cast_${t}_${to}`, cases);
        cases.forEach(([a], k) => check(`${a} as ${to} (from ${t})`, res[k]!, asU64(wrap(a, to))));
      }
    }
    expect(failures).toEqual([]);
    // Classes: 17 operators twice (register, constant), 2 unary, 8 casts.
    expect(checked).toBe((BIN_OPS.length * 2 + 2 + TYPES.length) * RUNS * BATCH);
  }, 120_000);
});
