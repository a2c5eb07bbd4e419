/**
 * What the type checker lends the modules that check one construct each (struct fields,
 * helper arguments, map methods): checking a sub-expression in the current scope, implicit
 * conversions, and resolving interpolations. Keeps those modules out of `check.ts` while
 * they see exactly the scope and flow facts the checker has at that point.
 */
import type { StructLayout } from "../../runtime/struct/layout.js";
import type { ScalarName } from "../../runtime/types.js";
import type { DiagnosticCode, DiagnosticSink, Span } from "../diagnostics.js";
import type { Expr } from "./ast.js";
import type { ProgType } from "./ctx.js";
import type { MapRef, TExpr } from "./typed.js";
import { ERROR } from "./types.js";

export interface CheckOps {
  readonly sink: DiagnosticSink;
  /** The program type, or undefined inside a non-exported function. */
  readonly progType: ProgType | undefined;
  expr(e: Expr): TExpr;
  /** Implicit conversion to `to` (untyped constants that fit, widening), else `code`. */
  convert(e: TExpr, to: ScalarName, code: DiagnosticCode, message: (e: TExpr) => string): TExpr;
  /** "constant 5" / "a value of type u32", for messages. */
  describe(e: TExpr): string;
  /** The map an expression names (an interpolated map not shadowed by a local). */
  mapOf(e: Expr): MapRef | undefined;
  /** Whether the expression is the program's context parameter. */
  isCtx(e: Expr): boolean;
  /** The struct an expression names (an interpolated `defstruct`). */
  structOf(e: Expr): StructLayout | undefined;
}

/** Reports and returns an error-typed node (one mistake, one message). */
export function fail(ops: CheckOps, code: DiagnosticCode, span: Span, message: string): TExpr {
  ops.sink.error(code, span, message);
  return { k: "const", ty: ERROR, value: 0n, span };
}

export const errorNode = (span: Span): TExpr => ({ k: "const", ty: ERROR, value: 0n, span });
