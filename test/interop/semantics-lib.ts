/**
 * The differential harness: the language's integer semantics in BigInt, seeded random inputs,
 * and a batch runner that evaluates many cases per BPF_PROG_TEST_RUN through our own loader.
 *
 * Batching: a generated XDP program reads `BATCH` cases of operands from the packet (16 bytes
 * per case) and writes each case's result, widened to u64, into a `.bss` global `o<k>`. One
 * test run plus one read of the `.bss` map checks `BATCH` cases (~0.4 us per case; a test run
 * per case costs ~20 us from JavaScript).
 */
import type { ScalarName } from "../../runtime/types.js";
import type { CompileResult } from "../../transformer/api.js";
import { compileTemplate } from "../../transformer/compile.js";
import { rangeOf, wrap } from "../../transformer/frontend/types.js";
import { load, type BpfObject } from "../../loader/index.js";
import { template } from "../compiler/helpers.js";

export type Ty = Exclude<ScalarName, "bool">;
export const TYPES: readonly Ty[] = ["u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64"];
export const BITS: Readonly<Record<Ty, number>> = { u8: 8, i8: 8, u16: 16, i16: 16, u32: 32, i32: 32, u64: 64, i64: 64 };
export const LOAD: Readonly<Record<number, string>> = { 8: "load_u8", 16: "load_u16", 32: "load_u32", 64: "load_u64" };

export const BIN_OPS = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>", "<", "<=", ">", ">=", "==", "!="] as const;
export type BinOp = (typeof BIN_OPS)[number];
export const CMP_OPS: readonly BinOp[] = ["<", "<=", ">", ">=", "==", "!="];
export const OP_NAMES: Readonly<Record<BinOp, string>> = {
  "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "&": "and", "|": "or", "^": "xor", "<<": "shl", ">>": "shr",
  ">>>": "ushr", "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne",
};

/** Cases per test run. */
export const BATCH = 64;

/** `a op b` at type `t` (operands already in t's range); comparisons give 0 or 1. */
export function reference(op: BinOp, t: Ty, a: bigint, b: bigint): bigint {
  const bits = BITS[t];
  const regBits = bits === 64 ? 64n : 32n; // shift amounts are taken modulo the register width
  const sh = BigInt.asUintN(Number(regBits), b) & (regBits - 1n);
  const bool = (x: boolean) => (x ? 1n : 0n);
  switch (op) {
    case "+": return wrap(a + b, t);
    case "-": return wrap(a - b, t);
    case "*": return wrap(a * b, t);
    case "/": return b === 0n ? 0n : wrap(a / b, t);
    case "%": return b === 0n ? a : wrap(a % b, t);
    case "&": return wrap(a & b, t);
    case "|": return wrap(a | b, t);
    case "^": return wrap(a ^ b, t);
    case "<<": return wrap(a << sh, t);
    case ">>": return wrap(a >> sh, t);
    case ">>>": return wrap(BigInt.asUintN(bits, a) >> sh, t);
    case "<": return bool(a < b);
    case "<=": return bool(a <= b);
    case ">": return bool(a > b);
    case ">=": return bool(a >= b);
    case "==": return bool(a === b);
    case "!=": return bool(a !== b);
  }
}

export { mulberry32 } from "../helpers/prng.js";

export function randomBits64(rnd: () => number): bigint {
  let v = 0n;
  for (let i = 0; i < 4; i++) v = (v << 16n) | BigInt(Math.floor(rnd() * 65536));
  return v;
}

/** A value of type `t`: a third edge values (limits, 0, +-1, small and shift-sized), else random bits. */
export function randomOperand(t: Ty, rnd: () => number): bigint {
  const [lo, hi] = rangeOf(t);
  if (rnd() < 0.35) {
    const edges = [lo, hi, lo + 1n, hi - 1n, 0n, 1n, -1n, 2n, 3n, 7n, 8n, 15n, 16n, 31n, 32n, 33n, 63n, 64n, 255n, 256n, 65535n, 65536n];
    const ok = edges.filter((x) => x >= lo && x <= hi);
    return ok[Math.floor(rnd() * ok.length)]!;
  }
  // Random magnitudes: many small values, not only full-width noise.
  const width = 1 + Math.floor(rnd() * BITS[t]);
  return wrap(BigInt.asUintN(width, randomBits64(rnd)), t);
}

/** Source text of `v` as a literal of type `t` (parenthesised when negative). */
export function literal(v: bigint): string {
  return v < 0n ? `(${v})` : `${v}`;
}

/** One case's operand `n` (0..1) for the current case, read from the packet. */
export function operand(t: Ty, k: number, n: 0 | 1): string {
  return `(${LOAD[BITS[t]]}(d, ${16 * k + 8 * n}) as ${t})`;
}

/** An XDP program evaluating `expr(k)` for every case k of a batch into globals o0..o{BATCH-1}. */
export function batchProgram(name: string, expr: (k: number) => string, batch = BATCH): string {
  const lines = [`export function ${name}(ctx: Xdp): i32 {`, "  const d = ctx.data;", `  if (d + ${16 * batch} > ctx.data_end) return 1;`];
  for (let k = 0; k < batch; k++) lines.push(`  o${k} = (${expr(k)}) as u64;`);
  lines.push("  return 0;", "}");
  return lines.join("\n");
}

/** The globals every batch program writes. */
export function batchGlobals(): string {
  return Array.from({ length: BATCH }, (_, k) => `let o${k}: u64;`).join("\n");
}

/** Compiles a template of batch programs; throws with the diagnostics if it does not compile. */
export function compileBatch(programs: readonly string[]): CompileResult {
  const r = compileTemplate(template(`${batchGlobals()}\n${programs.join("\n")}`));
  if (r.diagnostics.some((d) => d.severity === "error") || !r.elf) {
    throw new Error(`batch template does not compile: ${r.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  }
  return r;
}

/** A loaded batch object: run a program on BATCH cases of operand pairs, get the u64 results. */
export class BatchRunner implements Disposable {
  private readonly offsets: number[];
  private readonly key = new Uint8Array(4);
  private readonly packet = new Uint8Array(16 * BATCH);
  private readonly view = new DataView(this.packet.buffer);

  private constructor(private readonly obj: BpfObject, compiled: CompileResult) {
    const g = new Map((compiled.globals ?? []).map((x) => [x.name, x.offset]));
    this.offsets = Array.from({ length: BATCH }, (_, k) => g.get(`o${k}`)!);
  }

  static async load(compiled: CompileResult): Promise<BatchRunner> {
    return new BatchRunner(await load(compiled.elf!), compiled);
  }

  /** Runs `program` on `cases` (at most as many pairs of raw 64-bit operands as the program reads). */
  run(program: string, cases: readonly (readonly [bigint, bigint])[]): bigint[] {
    if (cases.length > BATCH) throw new Error(`at most ${BATCH} cases per run`);
    cases.forEach(([a, b], k) => {
      this.view.setBigUint64(16 * k, BigInt.asUintN(64, a), true);
      this.view.setBigUint64(16 * k + 8, BigInt.asUintN(64, b), true);
    });
    const r = this.obj.program(program).testRun({ data: this.packet });
    if (r.retval !== 0) throw new Error(`${program} returned ${r.retval} (packet too short?)`);
    const bss = this.obj.map<Uint8Array, Uint8Array>(".bss").get(this.key)!;
    const dv = new DataView(bss.buffer, bss.byteOffset, bss.byteLength);
    return cases.map((_, k) => dv.getBigUint64(this.offsets[k]!, true));
  }

  /** Runs `program` once on `data`; its return value as an i32. */
  runPacket(program: string, data: Uint8Array): number {
    return this.obj.program(program).testRun({ data }).retval | 0;
  }

  [Symbol.dispose](): void {
    this.obj[Symbol.dispose]();
  }
}

/** The u64 a program stores for a value `v` of type `t` (`v as u64`: sign-extends signed types). */
export function asU64(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}
