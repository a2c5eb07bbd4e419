/**
 * Parser for loops and switch: `for`, `while`, `switch`, `break`, `continue`. The main
 * parser (`parse.ts`) hands these statements here and lends its expression and statement
 * parsing through `StatementParser`.
 *
 *   for      = "for" "(" [ let-decl | expr { "," expr } ] ";" [ expr ] ";" [ expr { "," expr } ] ")" statement
 *   while    = "while" "(" expr ")" statement
 *   switch   = "switch" "(" expr ")" "{" { ("case" expr | "default") ":" { statement } } "}"
 *   break    = "break" ";"        continue = "continue" ";"
 *
 * Rejected with advice: `do...while`, labels (`outer: for`, `break outer`), `for...of`/`in`.
 */
import ts = require("typescript");
import type { Span } from "../diagnostics.js";
import type { Expr, Stmt, SwitchCase } from "./ast.js";

/** What this module borrows from the main parser. */
export interface StatementParser {
  span(node: ts.Node): Span;
  unsupported(node: ts.Node, what?: string): void;
  expr(e: ts.Expression): Expr | undefined;
  single(st: ts.Statement): Stmt | undefined;
  statements(list: ts.NodeArray<ts.Statement>): Stmt[];
  variables(st: ts.VariableStatement | ts.VariableDeclarationList): Stmt[] | undefined;
}

export const CONTROL_ADVICE = {
  doWhile: "`do...while` is not supported; write a `for (let i = 0; i < N; i++)` loop with a constant bound N and `break` when done",
  label: "labeled statements are not supported; set a flag and `break` from each loop, or move the inner loop into a function and `return` from it",
  labeledJump: "`break label` / `continue label` is not supported; set a flag and `break` from each loop, or move the loops into a function and `return`",
} as const;

/** Parses a control statement; undefined when `st` is not one (or after an error). */
export function parseControl(p: StatementParser, st: ts.Statement): Stmt[] | undefined | "not-control" {
  const span = p.span(st);
  if (ts.isForStatement(st)) {
    let init: Stmt[] = [];
    if (st.initializer) {
      if (ts.isVariableDeclarationList(st.initializer)) {
        const d = p.variables(st.initializer);
        if (!d) return undefined;
        init = d;
      } else {
        const list = commaList(p, st.initializer);
        if (!list) return undefined;
        init = list.map((expr) => ({ k: "expr", expr, span: expr.span }));
      }
    }
    let cond: Expr | undefined;
    if (st.condition) {
      cond = p.expr(st.condition);
      if (!cond) return undefined;
    }
    const update = st.incrementor ? commaList(p, st.incrementor) : [];
    const body = p.single(st.statement);
    if (!update || !body) return undefined;
    return [{ k: "for", init, ...(cond ? { cond } : {}), update, body, span }];
  }
  if (ts.isWhileStatement(st)) {
    const cond = p.expr(st.expression);
    const body = p.single(st.statement);
    if (!cond || !body) return undefined;
    return [{ k: "while", cond, body, span }];
  }
  if (ts.isDoStatement(st)) {
    p.unsupported(st, CONTROL_ADVICE.doWhile);
    return undefined;
  }
  if (ts.isLabeledStatement(st)) {
    p.unsupported(st.label, CONTROL_ADVICE.label);
    return undefined;
  }
  if (ts.isBreakStatement(st) || ts.isContinueStatement(st)) {
    if (st.label) {
      p.unsupported(st, CONTROL_ADVICE.labeledJump);
      return undefined;
    }
    return [{ k: ts.isBreakStatement(st) ? "break" : "continue", span }];
  }
  if (ts.isSwitchStatement(st)) {
    const disc = p.expr(st.expression);
    if (!disc) return undefined;
    const cases: SwitchCase[] = [];
    let ok = true;
    for (const c of st.caseBlock.clauses) {
      const body = p.statements(c.statements);
      if (ts.isCaseClause(c)) {
        const test = p.expr(c.expression);
        if (!test) {
          ok = false;
          continue;
        }
        cases.push({ test, body, span: p.span(c) });
      } else {
        cases.push({ body, span: p.span(c) });
      }
    }
    return ok ? [{ k: "switch", disc, cases, span }] : undefined;
  }
  return "not-control";
}

/** `a, b, c` (the comma operator, allowed in for clauses only) as a list. */
function commaList(p: StatementParser, e: ts.Expression): Expr[] | undefined {
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) {
    const l = commaList(p, e.left);
    const r = commaList(p, e.right);
    return l && r ? [...l, ...r] : undefined;
  }
  const x = p.expr(e);
  return x ? [x] : undefined;
}
