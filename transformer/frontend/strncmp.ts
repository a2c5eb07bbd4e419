/**
 * `strncmp(buf, "literal")`: a char array (or struct) compared with a string constant by
 * bpf_strncmp (helper 182, Linux 5.17 and later). The kernel takes the constant only from a
 * read-only map, so the literal goes to `.rodata` with its NUL, as printk formats do.
 */
import type { Expr } from "./ast.js";
import { fail, type CheckOps } from "./check-ops.js";
import type { HelperDef } from "./helpers.js";
import type { PrintkEnv } from "./printk.js";
import { pointeeSize } from "./structs.js";
import type { TExpr } from "./typed.js";
import { scalar, typeName } from "./types.js";

/** `strncmp(buf, "literal")`: compares a char array with a string constant (helper 182). */
export const STRNCMP = "strncmp";

export const BPF_STRNCMP: HelperDef = {
  id: 182, params: [], ret: "i64", progTypes: "all",
  doc: "strncmp(buf, \"literal\"): compare a char array (up to its size or its NUL) with a string literal; 0 when equal, < 0 or > 0 as C's strncmp",
  note: "Linux 5.17 and later",
};

/**
 * `strncmp(buf, "literal")`: bpf_strncmp(s1, s1_sz, s2), s2 a NUL-terminated constant the
 * kernel wants in a read-only map (`.rodata`), s1 a char array or struct passed with its size.
 */
export function checkStrncmp(ops: CheckOps, env: PrintkEnv, e: Extract<Expr, { k: "call" }>): TExpr {
  if (e.args.length !== 2) return fail(ops, "WBPF1006", e.span, `'strncmp' takes 2 arguments (a char array such as \`e.comm\`, a string literal), got ${e.args.length}`);
  const [bufArg, strArg] = e.args as [Expr, Expr];
  const buf = ops.expr(bufArg);
  if (buf.ty.k === "error") return buf;
  const size = pointeeSize(buf.ty);
  if (size === undefined || (buf.ty.k !== "aptr" && !(buf.ty.k === "sptr" && !buf.ty.nullable))) {
    return fail(ops, "WBPF1003", bufArg.span, `the first argument of 'strncmp' is a char array (\`e.comm\`) or a struct, not ${typeName(buf.ty)}`);
  }
  if (strArg.k !== "str") return fail(ops, "WBPF1003", strArg.span, "the second argument of 'strncmp' is a string literal: the kernel compares with a constant string only");
  const g = env.rodataString(new TextEncoder().encode(strArg.value + "\0"), strArg.span);
  const args: TExpr[] = [buf, { k: "const", ty: scalar("u32"), value: BigInt(size), span: bufArg.span }, { k: "gaddr", ty: scalar("u64"), g, span: strArg.span }];
  return { k: "helper", ty: scalar("i64"), name: STRNCMP, helper: BPF_STRNCMP, args, span: e.span };
}
