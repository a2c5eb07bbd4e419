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
 */
import type { Span } from "../diagnostics.js";
import type {
  AssignOp, BinaryOp, CtxTypeRef, Expr, FunctionDecl, GlobalDecl, KfuncDecl, ParamDecl, ParseResult, ProgramDecl, Stmt,
  SwitchCase, TypeAnnotation,
} from "./ast.js";
import { giveUp, tokenize, type Token } from "./template-lexer.js";
import { jsDocTagNames } from "./template-jsdoc.js";

/** The parsed template, or undefined when `parse.ts` must decide (it then reports why). */
export function parseAccepted(text: string): ParseResult | undefined {
  try {
    return new TemplateParser(text, tokenize(text)).template();
  } catch {
    // GiveUp, or any surprise: undefined is always safe, the TypeScript path explains.
    return undefined;
  }
}

// TypeScript's `getBinaryOperatorPrecedence` for the operators `parse.ts` maps.
const BINARY: Readonly<Record<string, { op: BinaryOp; prec: number }>> = {
  "||": { op: "||", prec: 5 }, "&&": { op: "&&", prec: 6 },
  "|": { op: "|", prec: 7 }, "^": { op: "^", prec: 8 }, "&": { op: "&", prec: 9 },
  "==": { op: "==", prec: 10 }, "===": { op: "==", prec: 10 }, "!=": { op: "!=", prec: 10 }, "!==": { op: "!=", prec: 10 },
  "<": { op: "<", prec: 11 }, ">": { op: ">", prec: 11 }, "<=": { op: "<=", prec: 11 }, ">=": { op: ">=", prec: 11 },
  "<<": { op: "<<", prec: 12 }, ">>": { op: ">>", prec: 12 }, ">>>": { op: ">>>", prec: 12 },
  "+": { op: "+", prec: 13 }, "-": { op: "-", prec: 13 },
  "*": { op: "*", prec: 14 }, "/": { op: "/", prec: 14 }, "%": { op: "%", prec: 14 },
};
/** `as` binds like a relational operator. */
const AS_PRECEDENCE = 11;
/** Binary operators `parse.ts` rejects (TypeScript would parse them): seeing one gives up. */
const REJECTED_BINARY = new Set(["??", "**", "in", "instanceof", "satisfies"]);

const ASSIGN = new Set<string>(["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", ">>>="]);

/** Reserved words, strict-mode words and words that change how TypeScript parses what follows. */
const NOT_A_NAME = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
  "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with",
  "implements", "interface", "let", "package", "private", "protected", "public", "static", "yield",
  "await", "async", "as", "satisfies", "using", "accessor", "declare", "abstract", "type", "namespace", "module", "global",
]);

/** Type names TypeScript parses as keywords (or type operators), not type references. */
const TYPE_KEYWORDS = new Set([
  "any", "unknown", "string", "number", "bigint", "symbol", "boolean", "undefined", "never", "object", "keyof",
  "unique", "readonly", "infer", "asserts", "intrinsic",
]);

/** Tokens TypeScript's type parser may take while trying `<...>` as type arguments (see typeArgumentsPossible). */
const TYPE_PUNCT = new Set([".", ",", "|", "&", "?", ":", "!", "*", "*=", "=", "-", "<", "<<", "...", "?.", "(", "[", "{"]);

/** An expression with its syntactic extent: `(a)` is the tree of `a` but starts at `(`. */
interface Parsed {
  readonly e: Expr;
  readonly start: number;
  readonly end: number;
  /** TypeScript's LeftHandSideExpression (assignment and `x++` need one). */
  readonly lhs: boolean;
  /** The identifier when the expression is exactly one (a callee, an enum's name). */
  readonly bare?: string;
}

/** Statements parsed from one statement (a declaration may give several) and its extent. */
interface ParsedStmt {
  readonly stmts: Stmt[];
  readonly start: number;
  readonly end: number;
}

class TemplateParser {
  private i = 0;
  /** Top-level enums (name -> members): `E.M` is the constant `E.M`. */
  private readonly enums: ReadonlyMap<string, ReadonlySet<string>>;
  /** The enum whose initializers are being parsed: its members are in scope bare. */
  private enumScope: { readonly name: string; readonly members: ReadonlySet<string> } | undefined;

  constructor(private readonly text: string, private readonly toks: readonly Token[]) {
    this.enums = this.prescanEnums();
  }

  // ---- tokens ----

  private peek(offset = 0): Token {
    return this.toks[Math.min(this.i + offset, this.toks.length - 1)]!;
  }

  private is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === "punct" || t.kind === "ident") && t.text === text;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind === "eof") giveUp("unexpected end");
    this.i++;
    return t;
  }

  private expect(text: string): Token {
    if (!this.is(text)) giveUp(`expected ${text}`);
    return this.next();
  }

  /** End of the last token taken: TypeScript's node end. */
  private get lastEnd(): number {
    return this.toks[this.i - 1]!.end;
  }

  /** TypeScript's parseSemicolon: `;`, or nothing before `}`, the end, or a line break. */
  private semicolon(): void {
    if (this.is(";")) { this.next(); return; }
    const t = this.peek();
    if (t.kind === "eof" || this.is("}") || t.newlineBefore) return;
    giveUp("expected ;");
  }

  private canParseSemicolon(): boolean {
    const t = this.peek();
    return this.is(";") || this.is("}") || t.kind === "eof" || t.newlineBefore;
  }

  /** A name that declares something (variable, parameter, function). */
  private bindingName(): { name: string; span: Span } {
    const t = this.next();
    if (t.kind !== "ident" || NOT_A_NAME.has(t.text)) giveUp("expected a name");
    return { name: t.text, span: { start: t.start, end: t.end } };
  }

  // ---- top level ----

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

  /**
   * Enum names and members before parsing, as `enumMembers` collects them from the whole
   * template (an enum may be used above its declaration). A later parse checks the syntax.
   */
  private prescanEnums(): Map<string, ReadonlySet<string>> {
    const out = new Map<string, ReadonlySet<string>>();
    let depth = 0;
    for (let k = 0; k < this.toks.length; k++) {
      const t = this.toks[k]!;
      if (t.kind === "punct" && (t.text === "{" || t.text === "(" || t.text === "[")) depth++;
      if (t.kind === "punct" && (t.text === "}" || t.text === ")" || t.text === "]")) depth--;
      if (depth !== 0 || t.kind !== "ident" || t.text !== "enum") continue;
      if (this.toks[k - 1]?.text === ".") continue;
      const name = this.toks[k + 1];
      if (name?.kind !== "ident" || this.toks[k + 2]?.text !== "{") giveUp("enum syntax");
      const members = new Set<string>();
      let inner = 0;
      let expectName = true;
      for (k += 3; k < this.toks.length; k++) {
        const m = this.toks[k]!;
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

  // ---- types ----

  /** `(ctx: Tracepoint<"group/name">)`: a name and string-literal arguments. */
  private ctxType(): CtxTypeRef {
    const t = this.next();
    if (t.kind !== "ident" || NOT_A_NAME.has(t.text) || TYPE_KEYWORDS.has(t.text)) giveUp("context type");
    const args: string[] = [];
    if (this.is("<") && !this.peek().newlineBefore) {
      this.next();
      do {
        const a = this.next();
        if (a.kind !== "str") giveUp("context type argument");
        args.push(a.value);
      } while (this.is(",") && this.next());
      this.expect(">");
    }
    this.endOfType("param");
    return { name: t.text, args, span: { start: t.start, end: this.lastEnd } };
  }

  /**
   * A type annotation `parse.ts` accepts: a plain name, `boolean` (bool) or
   * `KernelStruct<"name">`; "void" where it may mean "no value".
   */
  private type(where: "param" | "return" | "decl" | "cast"): TypeAnnotation | "void" {
    const t = this.next();
    if (t.kind !== "ident") giveUp("type");
    const span = (): Span => ({ start: t.start, end: this.lastEnd });
    if (t.text === "void" && where === "return") {
      this.endOfType(where);
      return "void";
    }
    if (t.text === "boolean") {
      this.endOfType(where);
      return { name: "bool", span: span() };
    }
    if (NOT_A_NAME.has(t.text) || TYPE_KEYWORDS.has(t.text)) giveUp("type keyword");
    if (t.text === "KernelStruct" && this.is("<") && !this.peek().newlineBefore) {
      this.next();
      const lit = this.next();
      if (lit.kind !== "str") giveUp("KernelStruct argument");
      this.expect(">");
      this.endOfType(where);
      return { name: "KernelStruct", span: span(), kernel: { name: lit.value, span: { start: lit.start + 1, end: lit.end - 1 } } };
    }
    this.endOfType(where);
    return { name: t.text, span: span() };
  }

  /**
   * Gives up when TypeScript would read the next token as more of the type: `T.U`, `T[]`,
   * `T<...>`, unions, `T!`, `T?`, `T extends ...`, `x is T` (return types).
   */
  private endOfType(where: "param" | "return" | "decl" | "cast"): void {
    const t = this.peek();
    if (this.is(".") || this.is("|") || this.is("&")) giveUp("type continues");
    if (!t.newlineBefore && (this.is("[") || this.is("<") || this.is("<<") || this.is("!") || this.is("extends"))) giveUp("type continues");
    if (where === "return" && this.is("is")) giveUp("type predicate");
    if (this.is("?") && !t.newlineBefore) {
      // After a cast, `x as T ? a : b` is a conditional expression when a type could follow `?`.
      if (where !== "cast" || !this.startsType(this.i + 1)) giveUp("T? type");
    }
  }

  /** TypeScript's isStartOfType, for the token at `k` (after `?` in `x as T ? ...`). */
  private startsType(k: number): boolean {
    const t = this.toks[k]!;
    if (t.kind === "ident" || t.kind === "num" || t.kind === "bigint" || t.kind === "str" || t.kind === "template") return true;
    if (t.kind !== "punct") return false;
    const after = this.toks[k + 1];
    // `-1` is a literal type; `(` starts one when a parameter or a type follows.
    if (t.text === "-") return after?.kind === "num" || after?.kind === "bigint";
    if (t.text === "(") return after !== undefined && (after.kind === "ident" || [")", "...", "[", "{", "@"].includes(after.text) || this.startsType(k + 1));
    return ["{", "[", "<", "|", "&", "*", "?", "!", "..."].includes(t.text);
  }

  // ---- statements ----

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

  // ---- expressions ----

  /** TypeScript's parseExpression: the comma operator is not supported, so one assignment. */
  private expression(): Parsed {
    const e = this.assignment();
    if (this.is(",")) giveUp("comma operator");
    return e;
  }

  private assignment(): Parsed {
    if (this.is("(")) this.checkNotArrowHead();
    const left = this.binary(0);
    const t = this.peek();
    if (t.kind === "punct" && ASSIGN.has(t.text)) {
      if (!left.lhs) giveUp("assignment to a non-reference");
      this.next();
      const value = this.assignment();
      return { e: { k: "assign", op: t.text as AssignOp, target: left.e, value: value.e, span: { start: left.start, end: value.end } }, start: left.start, end: value.end, lhs: false };
    }
    if (t.kind === "punct" && (t.text === "**=" || t.text === "&&=" || t.text === "||=" || t.text === "??=")) giveUp(`operator ${t.text}`);
    if (this.is("?")) {
      this.next();
      const then = this.assignment();
      this.expect(":");
      const els = this.assignment();
      return { e: { k: "ternary", test: left.e, then: then.e, else: els.e, span: { start: left.start, end: els.end } }, start: left.start, end: els.end, lhs: false };
    }
    return left;
  }

  /**
   * TypeScript tries `(a)`, `(a, ...` and `(a = ...` at the start of an assignment expression
   * as arrow-function parameters and commits when `{` or `:` (a return type) follows the
   * `)`: those are errors or arrows, never what we accept.
   */
  private checkNotArrowHead(): void {
    const second = this.peek(1);
    if (second.kind !== "ident" || !(this.is(",", 2) || this.is("=", 2) || this.is(")", 2))) return;
    let depth = 0;
    for (let k = this.i; k < this.toks.length; k++) {
      const t = this.toks[k]!;
      if (t.kind !== "punct") continue;
      if (t.text === "(" || t.text === "[" || t.text === "{") depth++;
      if (t.text === ")" || t.text === "]" || t.text === "}") depth--;
      if (depth === 0) {
        const after = this.toks[k + 1];
        if (after?.kind === "punct" && (after.text === "{" || after.text === ":")) giveUp("possible arrow function");
        return;
      }
    }
  }

  /** Precedence climbing with TypeScript's precedences and its `as` rule. */
  private binary(minPrec: number): Parsed {
    let left = this.unary();
    while (true) {
      const t = this.peek();
      if (t.kind === "ident" && t.text === "as") {
        if (AS_PRECEDENCE <= minPrec || t.newlineBefore) break;
        this.next();
        const to = this.type("cast");
        if (to === "void") giveUp("void cast");
        const span = { start: left.start, end: this.lastEnd };
        left = { e: { k: "cast", expr: left.e, to: to.name, toSpan: to.span, span, ...(to.kernel ? { kernel: to.kernel } : {}) }, start: span.start, end: span.end, lhs: false };
        continue;
      }
      if ((t.kind === "punct" || t.kind === "ident") && REJECTED_BINARY.has(t.text)) giveUp(`operator ${t.text}`);
      const op = t.kind === "punct" ? BINARY[t.text] : undefined;
      if (!op || op.prec <= minPrec) break;
      this.next();
      const right = this.binary(op.prec);
      const span = { start: left.start, end: right.end };
      left = { e: { k: "binary", op: op.op, left: left.e, right: right.e, opSpan: { start: t.start, end: t.end }, span }, start: span.start, end: span.end, lhs: false };
    }
    return left;
  }

  private unary(): Parsed {
    const t = this.peek();
    if (t.kind === "punct" && (t.text === "!" || t.text === "~" || t.text === "-" || t.text === "+")) {
      this.next();
      const operand = this.unary();
      const span = { start: t.start, end: operand.end };
      return { e: { k: "unary", op: t.text, operand: operand.e, span }, start: span.start, end: span.end, lhs: false };
    }
    if (t.kind === "punct" && (t.text === "++" || t.text === "--")) {
      this.next();
      const target = this.postfix();
      const span = { start: t.start, end: target.end };
      return { e: { k: "incdec", op: t.text, prefix: true, target: target.e, span }, start: span.start, end: span.end, lhs: false };
    }
    const operand = this.postfix();
    const after = this.peek();
    if (after.kind === "punct" && (after.text === "++" || after.text === "--") && !after.newlineBefore) {
      this.next();
      const span = { start: operand.start, end: after.end };
      return { e: { k: "incdec", op: after.text, prefix: false, target: operand.e, span }, start: span.start, end: span.end, lhs: false };
    }
    if (this.is("**")) giveUp("exponent");
    return operand;
  }

  /** Primary then member, element and call suffixes (TypeScript's LeftHandSideExpression). */
  private postfix(): Parsed {
    let cur = this.primary();
    while (true) {
      const t = this.peek();
      if (t.kind === "template") giveUp("tagged template");
      if (t.kind !== "punct") return cur;
      switch (t.text) {
        case ".": {
          this.next();
          const name = this.next();
          if (name.kind !== "ident") giveUp("member name");
          // `a.\n b c`: TypeScript takes the dot as unfinished typing (parseRightSideOfDot).
          if (name.newlineBefore && this.peek().kind === "ident" && !this.peek().newlineBefore) giveUp("member name on the next line");
          const nameSpan = { start: name.start, end: name.end };
          if (this.is("(")) {
            const args = this.args();
            const span = { start: cur.start, end: this.lastEnd };
            cur = { e: { k: "method", target: cur.e, method: name.text, methodSpan: nameSpan, args, span }, start: span.start, end: span.end, lhs: true };
            break;
          }
          const span = { start: cur.start, end: name.end };
          const e: Expr = cur.bare !== undefined && this.enums.has(cur.bare)
            ? { k: "name", name: `${cur.bare}.${name.text}`, span }
            : { k: "member", target: cur.e, name: name.text, nameSpan, span };
          cur = { e, start: span.start, end: span.end, lhs: true };
          break;
        }
        case "[": {
          this.next();
          if (this.is("]")) giveUp("empty index");
          const index = this.expression();
          this.expect("]");
          const span = { start: cur.start, end: this.lastEnd };
          cur = { e: { k: "index", target: cur.e, index: index.e, span }, start: span.start, end: span.end, lhs: true };
          break;
        }
        case "(": {
          if (cur.bare === undefined) giveUp("call of a non-name");
          const calleeSpan = { start: cur.start, end: cur.end };
          const args = this.args();
          const span = { start: cur.start, end: this.lastEnd };
          cur = { e: { k: "call", callee: cur.bare, calleeSpan, args, span }, start: span.start, end: span.end, lhs: true };
          break;
        }
        case "<":
        case "<<":
          if (this.typeArgumentsPossible()) giveUp("possible type arguments");
          return cur;
        case "!":
          if (!t.newlineBefore) giveUp("non-null assertion");
          return cur;
        case "?.":
          return giveUp("optional chaining");
        default:
          return cur;
      }
    }
  }

  /**
   * At `a <` TypeScript first tries `<...>` as type arguments (`f<T>(x)`); it keeps them
   * only if the list ends at a `>`. Its attempt never skips tokens: it takes type syntax
   * (names, literals and the punctuation in TYPE_PUNCT, anything inside brackets it opens)
   * and stops at the first other token. So if no `>` can be reached through such tokens
   * the attempt fails and `<` is a comparison; otherwise we leave it to TypeScript.
   */
  private typeArgumentsPossible(): boolean {
    let depth = 0;
    for (let k = this.i + 1; k < this.toks.length; k++) {
      const t = this.toks[k]!;
      if (t.kind === "eof") return false;
      if (t.kind === "punct" && t.text.startsWith(">")) return true;
      if (t.kind === "punct" && (t.text === "(" || t.text === "[" || t.text === "{")) { depth++; continue; }
      if (t.kind === "punct" && (t.text === ")" || t.text === "]" || t.text === "}")) {
        if (depth === 0) return false;
        depth--;
        continue;
      }
      if (depth > 0 || t.kind !== "punct") continue;
      if (!TYPE_PUNCT.has(t.text)) return false;
    }
    return false;
  }

  /** `(a, b)`: assignment expressions, a trailing comma allowed. */
  private args(): Expr[] {
    this.expect("(");
    const out: Expr[] = [];
    while (!this.is(")")) {
      if (this.is("...")) giveUp("spread argument");
      out.push(this.assignment().e);
      if (!this.is(",")) break;
      this.next();
    }
    this.expect(")");
    return out;
  }

  private primary(): Parsed {
    const t = this.next();
    const span = { start: t.start, end: t.end };
    const leaf = (e: Expr, bare?: string): Parsed => ({ e, start: t.start, end: t.end, lhs: true, ...(bare !== undefined ? { bare } : {}) });
    switch (t.kind) {
      case "num":
      case "bigint":
        return leaf({ k: "int", value: BigInt(t.value), span });
      case "str":
      case "template":
        return leaf({ k: "str", value: t.value, span });
      case "ident": {
        if (t.text === "true" || t.text === "false") return leaf({ k: "bool", value: t.text === "true", span });
        if (t.text === "null") return leaf({ k: "null", span });
        if (NOT_A_NAME.has(t.text)) giveUp(`${t.text} in an expression`);
        const own = this.enumScope?.members.has(t.text) ? this.enumScope : undefined;
        return leaf({ k: "name", name: own ? `${own.name}.${t.text}` : t.text, span }, t.text);
      }
      case "punct":
        if (t.text === "(") {
          const inner = this.expression();
          const close = this.expect(")");
          return { e: inner.e, start: t.start, end: close.end, lhs: true };
        }
        return giveUp(`${t.text} at the start of an expression`);
      default:
        return giveUp("expected an expression");
    }
  }
}
