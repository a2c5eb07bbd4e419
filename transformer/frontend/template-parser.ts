/**
 * A template parser that needs no TypeScript: hand-written lexer (`template-lexer.ts`) and
 * recursive descent, one pass, producing exactly the tree `parse.ts` builds from TypeScript's
 * parser, spans included. It accepts only what it fully understands; for anything else
 * (syntax errors, unsupported constructs, doubtful corners of TypeScript's grammar) it
 * returns undefined and the caller runs `parse.ts`, which reports the diagnostics. It never
 * reports or throws.
 *
 *   template  = { program | function | kfunc | global | enum }
 *   program   = "export" "function" name "(" name ":" CtxType [","] ")" [":" type] block
 *   function  = [jsdoc] "function" name "(" [ param { "," param } [","] ] ")" [":" type] block
 *   kfunc     = "declare" "function" name "(" [ param { "," param } ] ")" [":" type] ";"
 *   global    = ("const" | "let") decl { "," decl } ";"
 *   enum      = ["const"] "enum" name "{" [ member { "," member } [","] ] "}"
 *   decl      = name [":" type] ["=" assign]          param = name ":" type
 *   type      = name | "boolean" | "KernelStruct" "<" string ">"      CtxType = name ["<" string { "," string } ">"]
 *   statement = block | ";" | decls ";" | "if" "(" expr ")" statement ["else" statement]
 *             | "return" [expr] ";" | "for" "(" [decls | expr {"," expr}] ";" [expr] ";" [expr {"," expr}] ")" statement
 *             | "while" "(" expr ")" statement | "switch" "(" expr ")" "{" { ("case" expr | "default") ":" { statement } } "}"
 *             | "break" ";" | "continue" ";" | expr ";"
 *   assign    = binary [ assignop assign | "?" assign ":" assign ]
 *   binary    = unary { binop unary | "as" type }        (TypeScript's precedences)
 *   unary     = ("!" | "~" | "-" | "+") unary | ("++" | "--") postfix | postfix ["++" | "--"]
 *   postfix   = primary { "." name ["(" args ")"] | "[" expr "]" | "(" args ")" }
 *   primary   = name | number | bigint | string | template | "true" | "false" | "null" | "(" expr ")"
 *
 * `;` follows TypeScript's rule (`canParseSemicolon`): it may be left out before `}`, at the
 * end, or after a line break. Spans follow `getStart()`/`getEnd()`: first to last token,
 * statements including their `;`; a parenthesized expression yields its inner tree.
 *
 * This file: declarations and statements. Types and expressions: `template-expr.ts`; tokens:
 * `template-lexer.ts` and `template-cursor.ts`; `@inline` JSDoc: `template-jsdoc.ts`.
 */
import type { Span } from "../diagnostics.js";
import type { Expr, FunctionDecl, GlobalDecl, KfuncDecl, ParamDecl, ParseResult, ProgramDecl, Stmt, SwitchCase, TypeAnnotation } from "./ast.js";
import { NOT_A_NAME } from "./template-cursor.js";
import { ExpressionParser } from "./template-expr.js";
import { jsDocTagNames } from "./template-jsdoc.js";
import { giveUp, tokenize, type Token } from "./template-lexer.js";

/** The parsed template, or undefined when `parse.ts` must decide (it then reports why). */
export function parseAccepted(text: string): ParseResult | undefined {
  try {
    return new TemplateParser(text, tokenize(text)).template();
  } catch {
    // GiveUp, or any surprise: undefined is always safe, the TypeScript path explains.
    return undefined;
  }
}

/** Statements parsed from one statement (a declaration may give several) and its extent. */
interface ParsedStmt {
  readonly stmts: Stmt[];
  readonly start: number;
  readonly end: number;
}

class TemplateParser extends ExpressionParser {
  constructor(private readonly text: string, toks: readonly Token[]) {
    super(toks, enumsOf(toks));
  }

  template(): ParseResult {
    const programs: ProgramDecl[] = [];
    const functions: FunctionDecl[] = [];
    const globals: GlobalDecl[] = [];
    const kfuncs: KfuncDecl[] = [];
    // An empty template is WBPF1012 in parse.ts.
    if (this.peek().kind === "eof") giveUp("empty template");
    while (this.peek().kind !== "eof") {
      if (this.is("declare")) {
        kfuncs.push(this.kfunc());
      } else if (this.is("export")) {
        programs.push(this.program());
      } else if (this.is("function")) {
        functions.push(this.func());
      } else if (this.is("enum") || (this.is("const") && this.is("enum", 1))) {
        globals.push(...this.enumDecl());
      } else if (this.is("const") || this.is("let")) {
        const decls = this.variableStatement();
        for (const d of decls.stmts) if (d.k === "let") globals.push(d);
      } else {
        giveUp("not a top-level declaration");
      }
    }
    return { programs, functions, globals, kfuncs };
  }

  /** `declare function name(p: T, ...): R;` */
  private kfunc(): KfuncDecl {
    const start = this.next().start;
    if (!this.is("function") || this.peek().newlineBefore) giveUp("declare without function");
    this.next();
    const { name, span: nameSpan } = this.bindingName();
    const params = this.params();
    if (params.length > 5) giveUp("kfunc with more than 5 parameters");
    const returnType = this.returnType(true);
    if (this.is("{")) giveUp("kfunc with a body");
    this.semicolon();
    return { name, nameSpan, params, ...(returnType ? { returnType } : {}), span: { start, end: this.lastEnd } };
  }

  /** `export function name(ctx: CtxType): T { ... }` */
  private program(): ProgramDecl {
    const start = this.next().start;
    this.expect("function");
    if (this.is("*")) giveUp("generator");
    const { name, span: nameSpan } = this.bindingName();
    this.expect("(");
    const ctx = this.bindingName();
    this.expect(":");
    const ctxType = this.ctxType();
    if (this.is(",")) this.next();
    this.expect(")");
    const returnType = this.returnType(false);
    const { body, endSpan } = this.functionBody();
    return {
      name, nameSpan, ctxName: ctx.name, ctxNameSpan: ctx.span, ctxType,
      ...(returnType ? { returnType } : {}),
      body, endSpan, span: { start, end: this.lastEnd },
    };
  }

  /** A helper: `function name(a: T, ...): R { ... }`, with `@inline`/`@noinline` read from JSDoc. */
  private func(): FunctionDecl {
    const first = this.next();
    const tags = jsDocTagNames(this.text, first.fullStart, first.start);
    if (this.is("*")) giveUp("generator");
    const { name, span: nameSpan } = this.bindingName();
    const params = this.params();
    if (params.length > 5) giveUp("more than 5 parameters");
    const returnType = this.returnType(true);
    const { body, endSpan } = this.functionBody();
    const inline = tags.includes("noinline") ? "never" : tags.includes("inline") ? "always" : undefined;
    return {
      name, nameSpan, params, ...(returnType ? { returnType } : {}),
      body, endSpan, span: { start: first.start, end: this.lastEnd }, ...(inline ? { inline } : {}),
    };
  }

  /** `(a: T, b: U)`, a trailing comma allowed as in TypeScript. */
  private params(): ParamDecl[] {
    this.expect("(");
    const out: ParamDecl[] = [];
    while (!this.is(")")) {
      const { name, span: nameSpan } = this.bindingName();
      this.expect(":");
      const type = this.type("param");
      if (type === "void") giveUp("void parameter");
      out.push({ name, nameSpan, type });
      if (!this.is(",")) break;
      this.next();
    }
    this.expect(")");
    return out;
  }

  /** `: T` after the parameters; `void` (helpers and kfuncs) means none. */
  private returnType(voidAllowed: boolean): TypeAnnotation | undefined {
    if (!this.is(":")) return undefined;
    this.next();
    const t = this.type("return");
    if (t === "void") {
      if (!voidAllowed) giveUp("program returning void");
      return undefined;
    }
    return t;
  }

  private functionBody(): { body: Stmt[]; endSpan: Span } {
    this.expect("{");
    const body = this.statementsUntil(() => this.is("}"));
    const close = this.expect("}");
    return { body, endSpan: { start: close.end - 1, end: close.end } };
  }

  /** Enum declarations: each member a constant `E.M` (exactly as `enums.ts`). */
  private enumDecl(): GlobalDecl[] {
    if (this.is("const")) this.next();
    this.expect("enum");
    const enumName = this.bindingName().name;
    this.expect("{");
    this.enumScope = { name: enumName, members: this.enums.get(enumName)! };
    const out: GlobalDecl[] = [];
    let previous: string | undefined;
    while (!this.is("}")) {
      const m = this.next();
      if (m.kind !== "ident") giveUp("enum member name");
      const name = `${enumName}.${m.text}`;
      const nameSpan = { start: m.start, end: m.end };
      let init: Expr;
      if (this.is("=")) {
        this.next();
        const value = this.assignment();
        // A bare string initializer is WBPF1002 in enums.ts; a parenthesized one is not a string literal there.
        if (value.e.k === "str" && value.start === value.e.span.start) giveUp("string enum member");
        init = value.e;
      } else if (previous === undefined) {
        init = { k: "int", value: 0n, span: nameSpan };
      } else {
        const prev: Expr = { k: "name", name: previous, span: nameSpan };
        init = { k: "binary", op: "+", left: prev, right: { k: "int", value: 1n, span: nameSpan }, opSpan: nameSpan, span: nameSpan };
      }
      out.push({ k: "let", isConst: true, name, nameSpan, init, span: { start: m.start, end: this.lastEnd } });
      previous = name;
      if (!this.is(",")) break;
      this.next();
    }
    this.expect("}");
    this.enumScope = undefined;
    return out;
  }

  private statementsUntil(end: () => boolean): Stmt[] {
    const out: Stmt[] = [];
    while (!end()) out.push(...this.statement().stmts);
    return out;
  }

  private statement(): ParsedStmt {
    const t = this.peek();
    const start = t.start;
    const done = (stmts: Stmt[]): ParsedStmt => ({ stmts, start, end: this.lastEnd });
    if (t.kind === "ident") {
      switch (t.text) {
        case "const":
          if (this.is("enum", 1)) giveUp("enum in a function");
          return this.variableStatement();
        case "let":
          // TypeScript's isLetDeclaration: a name follows, on any line.
          if (this.peek(1).kind !== "ident") giveUp("let as a name");
          return this.variableStatement();
        case "if": {
          this.next();
          const cond = this.parenExpr();
          const then = this.single();
          let els: Stmt | undefined;
          if (this.is("else")) {
            this.next();
            els = this.single();
          }
          return done([{ k: "if", cond, then, ...(els ? { else: els } : {}), span: { start, end: this.lastEnd } }]);
        }
        case "return": {
          this.next();
          if (this.canParseSemicolon()) {
            this.semicolon();
            return done([{ k: "return", span: { start, end: this.lastEnd } }]);
          }
          const value = this.expression().e;
          this.semicolon();
          return done([{ k: "return", value, span: { start, end: this.lastEnd } }]);
        }
        case "break":
        case "continue": {
          this.next();
          if (!this.canParseSemicolon()) giveUp("labeled jump");
          this.semicolon();
          return done([{ k: t.text, span: { start, end: this.lastEnd } }]);
        }
        case "while": {
          this.next();
          const cond = this.parenExpr();
          const body = this.single();
          return done([{ k: "while", cond, body, span: { start, end: this.lastEnd } }]);
        }
        case "for":
          return done([this.forStatement()]);
        case "switch":
          return done([this.switchStatement()]);
        default:
          if (NOT_A_NAME.has(t.text) && t.text !== "true" && t.text !== "false" && t.text !== "null") giveUp(`statement ${t.text}`);
          if (this.is(":", 1)) giveUp("label");
      }
    }
    if (this.is("{")) {
      this.next();
      const body = this.statementsUntil(() => this.is("}"));
      this.expect("}");
      return done([{ k: "block", body, span: { start, end: this.lastEnd } }]);
    }
    if (this.is(";")) {
      this.next();
      return done([]);
    }
    const expr = this.expression().e;
    this.semicolon();
    return done([{ k: "expr", expr, span: { start, end: this.lastEnd } }]);
  }

  /** An if/else arm or loop body: one statement, or a block around several declarations. */
  private single(): Stmt {
    const s = this.statement();
    return s.stmts.length === 1 ? s.stmts[0]! : { k: "block", body: s.stmts, span: { start: s.start, end: s.end } };
  }

  private parenExpr(): Expr {
    this.expect("(");
    const e = this.expression().e;
    this.expect(")");
    return e;
  }

  /** `const a = 1, b: u32;` (the statement's `;` included in its extent, not in the decls' spans). */
  private variableStatement(): ParsedStmt {
    const start = this.peek().start;
    const stmts = this.declarations();
    this.semicolon();
    return { stmts, start, end: this.lastEnd };
  }

  /** `const`/`let` and declarators; each `let` statement spans its declarator. */
  private declarations(): Stmt[] {
    const isConst = this.next().text === "const";
    const out: Stmt[] = [];
    do {
      const { name, span: nameSpan } = this.bindingName();
      let type: TypeAnnotation | undefined;
      if (this.is(":")) {
        this.next();
        const t = this.type("decl");
        if (t === "void") giveUp("void variable");
        type = t;
      }
      let init: Expr | undefined;
      if (this.is("=")) {
        this.next();
        init = this.assignment().e;
      }
      out.push({ k: "let", isConst, name, nameSpan, ...(type ? { type } : {}), ...(init ? { init } : {}), span: { start: nameSpan.start, end: this.lastEnd } });
    } while (this.is(",") && this.next());
    return out;
  }

  /** `for (init; cond; update) body` as `parse-control.ts` builds it. */
  private forStatement(): Stmt {
    const start = this.next().start;
    this.expect("(");
    let init: Stmt[] = [];
    if (this.is("const") || this.is("let")) {
      init = this.declarations();
    } else if (!this.is(";")) {
      init = this.commaList().map((expr) => ({ k: "expr", expr, span: expr.span }));
    }
    this.expect(";");
    let cond: Expr | undefined;
    if (!this.is(";")) cond = this.expression().e;
    this.expect(";");
    const update = this.is(")") ? [] : this.commaList();
    this.expect(")");
    const body = this.single();
    return { k: "for", init, ...(cond ? { cond } : {}), update, body, span: { start, end: this.lastEnd } };
  }

  /** `a, b, c` in a for clause (the comma operator, flattened). */
  private commaList(): Expr[] {
    const out = [this.assignment().e];
    while (this.is(",")) {
      this.next();
      out.push(this.assignment().e);
    }
    if (this.is("in") || this.is("of")) giveUp("for...in/of");
    return out;
  }

  private switchStatement(): Stmt {
    const start = this.next().start;
    const disc = this.parenExpr();
    this.expect("{");
    const cases: SwitchCase[] = [];
    while (!this.is("}")) {
      const head = this.next();
      let test: Expr | undefined;
      if (head.text === "case" && head.kind === "ident") {
        test = this.expression().e;
      } else if (!(head.text === "default" && head.kind === "ident")) {
        giveUp("expected case or default");
      }
      this.expect(":");
      const body = this.statementsUntil(() => this.is("}") || this.is("case") || this.is("default"));
      cases.push({ ...(test ? { test } : {}), body, span: { start: head.start, end: this.lastEnd } });
    }
    this.expect("}");
    return { k: "switch", disc, cases, span: { start, end: this.lastEnd } };
  }
}

/**
 * Enum names and members before parsing, as `enumMembers` collects them from the whole
 * template (an enum may be used above its declaration). A later parse checks the syntax.
 */
function enumsOf(toks: readonly Token[]): Map<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  let depth = 0;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind === "punct" && (t.text === "{" || t.text === "(" || t.text === "[")) depth++;
    if (t.kind === "punct" && (t.text === "}" || t.text === ")" || t.text === "]")) depth--;
    if (depth !== 0 || t.kind !== "ident" || t.text !== "enum") continue;
    if (toks[k - 1]?.text === ".") continue;
    const name = toks[k + 1];
    if (name?.kind !== "ident" || toks[k + 2]?.text !== "{") giveUp("enum syntax");
    const members = new Set<string>();
    let inner = 0;
    let expectName = true;
    for (k += 3; k < toks.length; k++) {
      const m = toks[k]!;
      if (m.kind === "punct" && (m.text === "(" || m.text === "[" || m.text === "{")) inner++;
      if (m.kind === "punct" && (m.text === ")" || m.text === "]")) inner--;
      if (m.kind === "punct" && m.text === "}") {
        if (inner === 0) break;
        inner--;
      }
      if (inner !== 0) continue;
      if (expectName && m.kind === "ident") members.add(m.text);
      expectName = m.kind === "punct" && m.text === ",";
    }
    out.set(name.text, members);
  }
  return out;
}
