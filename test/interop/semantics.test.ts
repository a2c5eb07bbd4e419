// Differential test: integer semantics of compiled code against a BigInt reference.
// Each (operator, type) pair is one XDP program reading operands from the packet; all of
// them go into one object, bpftool loads it, and BPF_PROG_TEST_RUN runs each program on
// packets with random operands. The return value (low 32 bits) must match the reference.
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileTemplate } from "../../transformer/compile.js";
import { rangeOf, wrap } from "../../transformer/frontend/types.js";
import { describeKernel } from "../helpers/kernel.js";
import { template } from "../compiler/helpers.js";
import { bpftool, scratch, writeObject } from "./bpftool-util.js";
import { BIN_OPS, BITS, LOAD, OP_NAMES, TYPES, mulberry32, randomOperand, reference, type BinOp, type Ty } from "./semantics-lib.js";

type Op = BinOp;
const OPS = BIN_OPS;
const NAMES = OP_NAMES;

function program(op: Op, t: Ty): string {
  const load = LOAD[BITS[t]]!;
  const cmp = ["<", "<=", ">", ">=", "==", "!="].includes(op);
  // 64-bit results fold their halves together so every bit shows in the 32-bit return.
  const result = cmp ? "(r as i32)" : BITS[t] === 64 ? "((r as u64) ^ ((r as u64) >> 32n)) as i32" : "(r as i32)";
  return `
export function ${NAMES[op]}_${t}(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 30 > ctx.data_end) return -1;
  const a = ${load}(d, 14) as ${t};
  const b = ${load}(d, 22) as ${t};
  const r = a ${op} b;
  return ${result};
}`;
}

/** `a as T` and unary operators: one program per (source, target) pair and per type. */
function unaryPrograms(): string {
  const out: string[] = [];
  const ret = (t: Ty) => (BITS[t] === 64 ? "((r as u64) ^ ((r as u64) >> 32n)) as i32" : "(r as i32)");
  for (const from of TYPES) {
    for (const to of TYPES) {
      out.push(`export function cast_${from}_${to}(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 30 > ctx.data_end) return -1;
  const a = ${LOAD[BITS[from]]}(d, 14) as ${from};
  const r = a as ${to};
  return ${ret(to)};
}`);
    }
    for (const [name, op] of [["neg", "-"], ["not", "~"]]) {
      out.push(`export function ${name}_${from}(ctx: Xdp): i32 {
  const d = ctx.data;
  if (d + 30 > ctx.data_end) return -1;
  const a = ${LOAD[BITS[from]]}(d, 14) as ${from};
  const r = ${op}a;
  return ${ret(from)};
}`);
    }
  }
  return out.join("\n");
}

function fold32(t: Ty, r: bigint): number {
  const folded = BITS[t] === 64 ? BigInt.asUintN(64, r) ^ (BigInt.asUintN(64, r) >> 32n) : r;
  return Number(BigInt.asUintN(32, folded));
}

function expected(op: Op, t: Ty, a: bigint, b: bigint): number {
  const r = reference(op, t, a, b);
  const cmp = ["<", "<=", ">", ">=", "==", "!="].includes(op);
  const folded = !cmp && BITS[t] === 64 ? BigInt.asUintN(64, r) ^ (BigInt.asUintN(64, r) >> 32n) : r;
  return Number(BigInt.asUintN(32, folded));
}

describeKernel("compiled integer semantics match the reference (BPF_PROG_TEST_RUN)", () => {
  let s: ReturnType<typeof scratch>;
  beforeAll(() => {
    s = scratch("semantics");
    const src = OPS.flatMap((op) => TYPES.map((t) => program(op, t))).join("\n") + unaryPrograms();
    const r = compileTemplate(template(src));
    expect(r.diagnostics).toEqual([]);
    bpftool(["prog", "loadall", writeObject(s.tmp, "semantics", r.elf!), s.pinDir]);
  });
  afterAll(() => s?.cleanup());

  const CASES = 6;
  test.each(TYPES)("%s", (t) => {
    const rnd = mulberry32(BITS[t] * 1000 + t.charCodeAt(0));
    const failures: string[] = [];
    for (let c = 0; c < CASES; c++) {
      const a = randomOperand(t, rnd);
      const b = randomOperand(t, rnd);
      const pkt = Buffer.alloc(64);
      pkt.writeBigUInt64LE(BigInt.asUintN(64, a), 14);
      pkt.writeBigUInt64LE(BigInt.asUintN(64, b), 22);
      const file = join(s.tmp, `in-${t}-${c}.bin`);
      writeFileSync(file, pkt);
      for (const to of TYPES) {
        const out = bpftool(["prog", "run", "pinned", join(s.pinDir, `cast_${t}_${to}`), "data_in", file]);
        const got = Number(/Return value: (\d+)/.exec(out)?.[1]);
        const want = fold32(to, wrap(a, to));
        if (got !== want) failures.push(`${a} as ${to} (from ${t}): got ${got}, want ${want}`);
      }
      for (const [name, f] of [["neg", (x: bigint) => -x], ["not", (x: bigint) => ~x]] as const) {
        const out = bpftool(["prog", "run", "pinned", join(s.pinDir, `${name}_${t}`), "data_in", file]);
        const got = Number(/Return value: (\d+)/.exec(out)?.[1]);
        const want = fold32(t, wrap(f(a), t));
        if (got !== want) failures.push(`${name} ${a} (${t}): got ${got}, want ${want}`);
      }
      for (const op of OPS) {
        const out = bpftool(["prog", "run", "pinned", join(s.pinDir, `${NAMES[op]}_${t}`), "data_in", file]);
        const got = Number(/Return value: (\d+)/.exec(out)?.[1]);
        const want = expected(op, t, a, b);
        if (got !== want) failures.push(`${t}: ${a} ${op} ${b}: got ${got}, want ${want}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
