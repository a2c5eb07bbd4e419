/**
 * Build-time evaluation of `defstruct(...)` calls through the type checker: the call is
 * recognised by the symbol it resolves to (the `defstruct` export of whistler-ts), field
 * types by theirs (`u32`, `char(16)`, `array(T, N)`, `asNumber(u64)`, another defstruct,
 * across files and re-exports), and the layout computed by the same code `defstruct` runs.
 * What cannot be evaluated is a `StructEvalError` at the offending node.
 */
import type * as TS from "typescript";
import { SCALARS, isScalarName } from "../../runtime/types.js";
import {
  arrayFieldType, charFieldType, layoutStruct, scalarFieldType, StructError,
  type StructFieldType, type StructLayout, type StructOptions,
} from "../../runtime/struct/layout.js";

export class StructEvalError extends Error {
  readonly node: TS.Node;
  constructor(node: TS.Node, message: string) {
    super(message);
    this.node = node;
  }
}

export interface StructSite {
  readonly node: TS.CallExpression;
  /** Name of the exported `const` the struct is assigned to, if any. */
  readonly exportName: string | undefined;
  readonly layout: StructLayout;
}

type ApiModule = "struct" | "types";

function isOwnApiFile(fileName: string, module: ApiModule): boolean {
  const re = module === "struct" ? /[/\\]runtime[/\\]struct[/\\]defstruct\.(d\.)?[mc]?[tj]s$/ : /[/\\]runtime[/\\]types\.(d\.)?[mc]?[tj]s$/;
  return re.test(fileName);
}

function resolveAlias(ts: typeof TS, checker: TS.TypeChecker, sym: TS.Symbol | undefined): TS.Symbol | undefined {
  if (sym && sym.flags & ts.SymbolFlags.Alias) return checker.getAliasedSymbol(sym);
  return sym;
}

/** Which whistler-ts export `e` names, if any (e.g. "defstruct", "char", "u32"). */
function apiName(ts: typeof TS, checker: TS.TypeChecker, e: TS.Expression, module: ApiModule): string | undefined {
  const sym = resolveAlias(ts, checker, checker.getSymbolAtLocation(e));
  if (!sym) return undefined;
  return (sym.declarations ?? []).some((d) => isOwnApiFile(d.getSourceFile().fileName, module)) ? sym.getName() : undefined;
}

export function isDefstructCall(ts: typeof TS, checker: TS.TypeChecker, node: TS.Node): node is TS.CallExpression {
  return ts.isCallExpression(node) && apiName(ts, checker, node.expression, "struct") === "defstruct";
}

function intOf(ts: typeof TS, checker: TS.TypeChecker, e: TS.Expression, what: string): number {
  if (ts.isParenthesizedExpression(e)) return intOf(ts, checker, e.expression, what);
  if (ts.isNumericLiteral(e)) return Number(e.text);
  const t = checker.getTypeAtLocation(e);
  if (t.isNumberLiteral()) return t.value;
  throw new StructEvalError(e, `${what} must be a compile-time integer (a literal or a const with a literal value)`);
}

function boolOf(ts: typeof TS, e: TS.Expression, what: string): boolean {
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  throw new StructEvalError(e, `${what} must be true or false`);
}

function propName(ts: typeof TS, p: TS.ObjectLiteralElementLike): string | undefined {
  if (!p.name) return undefined;
  if (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name)) return p.name.text;
  return undefined;
}

export class StructEvaluator {
  readonly #ts: typeof TS;
  readonly #checker: TS.TypeChecker;
  readonly #cache = new Map<TS.CallExpression, StructLayout>();
  readonly #active = new Set<TS.CallExpression>();

  constructor(ts: typeof TS, checker: TS.TypeChecker) {
    this.#ts = ts;
    this.#checker = checker;
  }

  /** The layout of a `defstruct(...)` call. */
  layoutOfCall(call: TS.CallExpression): StructLayout {
    const have = this.#cache.get(call);
    if (have) return have;
    if (this.#active.has(call)) throw new StructEvalError(call, "a struct cannot contain itself");
    this.#active.add(call);
    try {
      const layout = this.#evaluate(call);
      this.#cache.set(call, layout);
      return layout;
    } finally {
      this.#active.delete(call);
    }
  }

  /** The `defstruct(...)` call an expression denotes (a const initialised by one), if any. */
  callOf(e: TS.Expression): TS.CallExpression | undefined {
    const ts = this.#ts;
    if (ts.isParenthesizedExpression(e)) return this.callOf(e.expression);
    if (isDefstructCall(ts, this.#checker, e)) return e;
    const sym = resolveAlias(ts, this.#checker, this.#checker.getSymbolAtLocation(e));
    const decl = sym?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & ts.NodeFlags.Const) !== 0) {
      const init = decl.initializer;
      if (isDefstructCall(ts, this.#checker, init)) return init;
    }
    return undefined;
  }

  #evaluate(call: TS.CallExpression): StructLayout {
    const ts = this.#ts;
    const [nameArg, fieldsArg, optsArg] = call.arguments;
    if (!nameArg || !ts.isStringLiteralLike(nameArg)) throw new StructEvalError(nameArg ?? call, "defstruct's first argument must be a string literal (the C struct name)");
    if (!fieldsArg || !ts.isObjectLiteralExpression(fieldsArg)) throw new StructEvalError(fieldsArg ?? call, "defstruct's fields must be an object literal");
    const fields: [string, StructFieldType][] = [];
    for (const p of fieldsArg.properties) {
      const name = propName(ts, p);
      if (!name || !(ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))) {
        throw new StructEvalError(p, "each field must be `name: type` (no spreads, methods or computed names)");
      }
      const init = ts.isPropertyAssignment(p) ? p.initializer : p.name;
      fields.push([name, this.fieldType(init)]);
    }
    const opts: { packed?: boolean; align?: number } = {};
    if (optsArg) {
      if (!ts.isObjectLiteralExpression(optsArg)) throw new StructEvalError(optsArg, "defstruct's options must be an object literal ({ packed, align })");
      for (const p of optsArg.properties) {
        const name = propName(ts, p);
        if (!ts.isPropertyAssignment(p) || (name !== "packed" && name !== "align")) throw new StructEvalError(p, "defstruct options are `packed: boolean` and `align: number`");
        if (name === "packed") opts.packed = boolOf(ts, p.initializer, "packed");
        else opts.align = intOf(ts, this.#checker, p.initializer, "align");
      }
    }
    try {
      return layoutStruct(nameArg.text, fields, opts as StructOptions);
    } catch (e) {
      if (e instanceof StructError) throw new StructEvalError(call, e.message);
      throw e;
    }
  }

  /** The layout type of a field type expression. */
  fieldType(e: TS.Expression): StructFieldType {
    const ts = this.#ts;
    const checker = this.#checker;
    if (ts.isParenthesizedExpression(e)) return this.fieldType(e.expression);
    const scalar = apiName(ts, checker, e, "types");
    if (scalar && isScalarName(scalar)) return scalarFieldType(SCALARS[scalar]);
    if (ts.isCallExpression(e)) {
      const fn = apiName(ts, checker, e.expression, "struct");
      const [a, b] = e.arguments;
      try {
        if (fn === "char" && a) return charFieldType(intOf(ts, checker, a, "char(N)'s length"));
        if (fn === "array" && a && b) return arrayFieldType(this.fieldType(a), intOf(ts, checker, b, "array(T, N)'s length"));
        if (fn === "asNumber" && a) {
          const s = apiName(ts, checker, a, "types");
          if (s === "u64" || s === "i64") return scalarFieldType(SCALARS[s], true);
          throw new StructEvalError(a, "asNumber() takes u64 or i64");
        }
      } catch (err) {
        if (err instanceof StructError) throw new StructEvalError(e, err.message);
        throw err;
      }
    }
    const nested = this.callOf(e);
    if (nested) return this.layoutOfCall(nested);
    throw new StructEvalError(e, `\`${e.getText()}\` is not a field type: use u8..u64, i8..i64, bool, char(N), array(T, N), asNumber(u64) or a struct declared with defstruct`);
  }
}

function exportedConstName(ts: typeof TS, node: TS.Node): string | undefined {
  const decl = node.parent;
  if (!decl || !ts.isVariableDeclaration(decl) || decl.initializer !== node || !ts.isIdentifier(decl.name)) return undefined;
  const stmt = decl.parent?.parent;
  if (!stmt || !ts.isVariableStatement(stmt)) return undefined;
  return stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ? decl.name.text : undefined;
}

/** Every `defstruct(...)` call of a file, in source order, evaluated (or an error per call). */
export function findStructs(
  ts: typeof TS, checker: TS.TypeChecker, sf: TS.SourceFile, evaluator = new StructEvaluator(ts, checker),
): { sites: StructSite[]; errors: StructEvalError[] } {
  const sites: StructSite[] = [];
  const errors: StructEvalError[] = [];
  const visit = (node: TS.Node): void => {
    if (isDefstructCall(ts, checker, node)) {
      try {
        sites.push({ node, exportName: exportedConstName(ts, node), layout: evaluator.layoutOfCall(node) });
      } catch (e) {
        if (!(e instanceof StructEvalError)) throw e;
        errors.push(e);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { sites, errors };
}
