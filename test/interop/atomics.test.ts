// Atomics checked against a BigInt reference in the kernel: every atomic builtin at u32, i32,
// u64 and i64 on a map value (p[0]), seeded random operands with edge values; each case
// checks the value returned (the old one for fetching forms) and the memory afterwards.
// 32 cases per BPF_PROG_TEST_RUN, results read from .bss.
import { expect, test } from "@jest/globals";
import { compileTemplate } from "../../transformer/compile.js";
import { template } from "../compiler/helpers.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { asU64, batchGlobals, BatchRunner, LOAD, BITS, mulberry32, randomOperand, type Ty } from "./semantics-lib.js";
import { wrap } from "../../transformer/frontend/types.js";

const TYPES: readonly Ty[] = ["u32", "i32", "u64", "i64"];
const OPS = ["atomic_add", "atomic_or", "atomic_and", "atomic_xor", "atomic_fetch_add", "atomic_fetch_or", "atomic_fetch_and", "atomic_fetch_xor", "xchg", "cmpxchg"] as const;
type AtomicName = (typeof OPS)[number];
const CASES = 32;
const RUNS = 8;

/** The value the builtin returns (0 for non-fetching ones) and the memory after it. */
function reference(op: AtomicName, t: Ty, a: bigint, b: bigint, expected: bigint): [bigint, bigint] {
  const fetch = op.startsWith("atomic_fetch") || op === "xchg" || op === "cmpxchg";
  const base = op.replace("atomic_fetch_", "").replace("atomic_", "");
  const next = base === "add" ? wrap(a + b, t) : base === "or" ? wrap(a | b, t) : base === "and" ? wrap(a & b, t)
    : base === "xor" ? wrap(a ^ b, t) : base === "xchg" ? b : a === expected ? b : a;
  return [fetch ? a : 0n, next];
}

function program(op: AtomicName, t: Ty): string {
  const load = (off: number) => `(${LOAD[BITS[t]]}(d, ${off}) as ${t})`;
  const lines = [`export function ${op}_${t}(ctx: Xdp): i32 {`, "  const d = ctx.data;", `  if (d + ${16 * CASES} > ctx.data_end) return 1;`,
    `  const p = \${cells_${t}}.lookup(0);`, "  if (!p) return 2;"];
  for (let k = 0; k < CASES; k++) {
    const a = load(16 * k), b = load(16 * k + 8);
    lines.push(`  p[0] = ${a};`);
    const call = op === "cmpxchg" ? `cmpxchg(p[0], ${k % 2 ? a : b}, ${b})` : `${op}(p[0], ${b})`;
    if (op.startsWith("atomic_fetch") || op === "xchg" || op === "cmpxchg") lines.push(`  o${2 * k} = (${call}) as u64;`);
    else lines.push(`  ${call};`, `  o${2 * k} = 0;`);
    lines.push(`  o${2 * k + 1} = p[0] as u64;`);
  }
  lines.push("  return 0;", "}");
  return lines.join("\n");
}

describeKernel("atomics against a BigInt reference", () => {
  checkNoFdLeaks();

  test(`${OPS.length} builtins x ${TYPES.length} types x ${CASES * RUNS} cases: fetched and stored values match`, async () => {
    const body = `${batchGlobals()}\n${TYPES.flatMap((t) => OPS.map((op) => program(op, t))).join("\n")}`;
    const slots = Object.fromEntries(TYPES.map((t) => [`cells_${t}`, { map: { kind: "array" as const, key: "u32" as const, value: t, maxEntries: 1 } }]));
    const compiled = compileTemplate(template(body, slots));
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    using runner = await BatchRunner.load(compiled);
    const rnd = mulberry32(0xa70);
    let checked = 0;
    const mismatches: string[] = [];
    for (const t of TYPES) {
      for (const op of OPS) {
        for (let run = 0; run < RUNS; run++) {
          const cases = Array.from({ length: CASES }, () => [randomOperand(t, rnd), randomOperand(t, rnd)] as const);
          // Two outputs per case: o(2k) and o(2k+1); pad to one pair per output.
          const padded = Array.from({ length: 2 * CASES }, (_, n) => (n < CASES ? cases[n]! : [0n, 0n] as const));
          const out = runner.run(`${op}_${t}`, padded);
          cases.forEach(([a, b], k) => {
            const [ret, mem] = reference(op, t, a, b, k % 2 ? a : b);
            if (out[2 * k] !== asU64(ret) || out[2 * k + 1] !== asU64(mem)) {
              mismatches.push(`${op}<${t}>(${a}, ${b}): got ${out[2 * k]}, ${out[2 * k + 1]}; want ${asU64(ret)}, ${asU64(mem)}`);
            }
            checked++;
          });
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(checked).toBe(OPS.length * TYPES.length * CASES * RUNS);
  });
});
