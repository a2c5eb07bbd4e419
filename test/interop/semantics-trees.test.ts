// Differential test on random expression trees: seeded trees of operators, constants, casts
// and comparisons over two variables of one type, compiled (so the optimizer folds, combines
// and reorders them) and run in the kernel through batched BPF_PROG_TEST_RUN; each tree gets
// CASES x RUNS inputs, each type >= 10,000, compared with a BigInt evaluation of the tree.
import { expect, test } from "@jest/globals";
import { wrap } from "../../transformer/frontend/types.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import {
  BIN_OPS, BITS, BatchRunner, CMP_OPS, TYPES, asU64, batchProgram, compileBatch, literal, mulberry32, operand,
  randomOperand, reference, type BinOp, type Ty,
} from "./semantics-lib.js";

const TREES = 24;
/** Cases per program: trees are long, and compile time grows with program size. */
const CASES = 16;
const RUNS = 27;

/** An expression tree whose every node has type `t` (the type of the whole template's variables). */
type Tree =
  | { readonly k: "var"; readonly n: 0 | 1 }
  | { readonly k: "const"; readonly v: bigint }
  | { readonly k: "bin"; readonly op: BinOp; readonly a: Tree; readonly b: Tree }
  | { readonly k: "cmp"; readonly op: BinOp; readonly a: Tree; readonly b: Tree }
  | { readonly k: "un"; readonly op: "-" | "~"; readonly a: Tree }
  | { readonly k: "cast"; readonly via: Ty; readonly a: Tree };

const ARITH = BIN_OPS.filter((op) => !CMP_OPS.includes(op));

/**
 * A random tree. Constants appear only as right operands of a node whose left side holds a
 * variable: two untyped constants would fold with exact arithmetic (another rule), and a
 * constant shift amount or divisor is kept in range as the language requires.
 */
function randomTree(t: Ty, depth: number, rnd: () => number): Tree {
  if (depth === 0 || rnd() < 0.15) return { k: "var", n: rnd() < 0.5 ? 0 : 1 };
  const pick = rnd();
  if (pick < 0.1) return { k: "un", op: rnd() < 0.5 ? "-" : "~", a: randomTree(t, depth - 1, rnd) };
  if (pick < 0.2) return { k: "cast", via: TYPES[Math.floor(rnd() * TYPES.length)]!, a: randomTree(t, depth - 1, rnd) };
  const cmp = pick < 0.3;
  const ops = cmp ? CMP_OPS : ARITH;
  const op = ops[Math.floor(rnd() * ops.length)]!;
  const a = randomTree(t, depth - 1, rnd);
  let b: Tree;
  if (rnd() < 0.35) {
    let v: bigint;
    if (op === "<<" || op === ">>" || op === ">>>") v = BigInt(Math.floor(rnd() * BITS[t]));
    else do v = randomOperand(t, rnd); while ((op === "/" || op === "%") && v === 0n);
    b = { k: "const", v };
  } else {
    b = randomTree(t, depth - 1, rnd);
  }
  return cmp ? { k: "cmp", op, a, b } : { k: "bin", op, a, b };
}

function source(e: Tree, t: Ty, k: number): string {
  switch (e.k) {
    case "var": return operand(t, k, e.n);
    case "const": return literal(e.v);
    case "bin": return `(${source(e.a, t, k)} ${e.op} ${source(e.b, t, k)})`;
    case "cmp": return `((${source(e.a, t, k)} ${e.op} ${source(e.b, t, k)}) as ${t})`;
    case "un": return `(${e.op}${source(e.a, t, k)})`;
    case "cast": return `((${source(e.a, t, k)} as ${e.via}) as ${t})`;
  }
}

function evaluate(e: Tree, t: Ty, x: readonly [bigint, bigint]): bigint {
  switch (e.k) {
    case "var": return x[e.n];
    case "const": return e.v;
    case "bin":
    case "cmp": return wrap(reference(e.op, t, evaluate(e.a, t, x), evaluate(e.b, t, x)), t);
    case "un": return wrap(e.op === "-" ? -evaluate(e.a, t, x) : ~evaluate(e.a, t, x), t);
    case "cast": return wrap(wrap(evaluate(e.a, t, x), e.via), t);
  }
}

/** Trees with at least one operator (a bare variable tests nothing). */
function treesFor(t: Ty, rnd: () => number): Tree[] {
  const out: Tree[] = [];
  while (out.length < TREES) {
    const e = randomTree(t, 2 + Math.floor(rnd() * 3), rnd);
    if (e.k !== "var") out.push(e);
  }
  return out;
}

describeKernel("integer semantics of random expression trees (batched BPF_PROG_TEST_RUN)", () => {
  checkNoFdLeaks();

  test.each(TYPES)("%s: random trees on 10,000+ inputs", async (t) => {
    const rnd = mulberry32(0x7ee5 + BITS[t] * 131 + t.charCodeAt(0));
    const trees = treesFor(t, rnd);
    using runner = await BatchRunner.load(compileBatch(trees.map((e, i) => batchProgram(`tree_${t}_${i}`, (k) => source(e, t, k), CASES))));
    const failures: string[] = [];
    let checked = 0;
    trees.forEach((e, i) => {
      for (let run = 0; run < RUNS; run++) {
        const cases = Array.from({ length: CASES }, () => [randomOperand(t, rnd), randomOperand(t, rnd)] as const);
        const res = runner.run(`tree_${t}_${i}`, cases);
        cases.forEach((x, k) => {
          checked++;
          const want = asU64(evaluate(e, t, x));
          if (res[k] !== want && failures.length < 10) {
            failures.push(`${source(e, t, 0).replaceAll(operand(t, 0, 0), "x").replaceAll(operand(t, 0, 1), "y")} at x=${x[0]}, y=${x[1]}: got ${BigInt.asIntN(64, res[k]!)}, want ${BigInt.asIntN(64, want)}`);
          }
        });
      }
    });
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(10_000);
  }, 120_000);
});
