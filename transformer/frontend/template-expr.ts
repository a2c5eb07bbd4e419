/**
 * Types and expressions for `template-parser.ts`: the annotations `parse.ts` accepts and
 * TypeScript's expression grammar (precedences, `as`, prefix/postfix, member, element and
 * call suffixes), building `parse.ts`'s tree. Where TypeScript's own parser would try a
 * reading we do not reproduce (type arguments in `a < b > (c)`, an arrow function head in
 * `(a) {`), it gives up.
 */
import type { Span } from "../diagnostics.js";
import type { AssignOp, BinaryOp, CtxTypeRef, Expr, ObjectField, TypeAnnotation } from "./ast.js";
import { NOT_A_NAME, TokenCursor } from "./template-cursor.js";
import { giveUp, type Token } from "./template-lexer.js";

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

/** Type names TypeScript parses as keywords (or type operators), not type references. */
const TYPE_KEYWORDS = new Set([
  "any", "unknown", "string", "number", "bigint", "symbol", "boolean", "undefined", "never", "object", "keyof",
  "unique", "readonly", "infer", "asserts", "intrinsic",
]);

/** Tokens TypeScript's type parser may take while trying `<...>` as type arguments (see typeArgumentsPossible). */
const TYPE_PUNCT = new Set([".", ",", "|", "&", "?", ":", "!", "*", "*=", "=", "-", "<", "<<", "...", "?.", "(", "[", "{"]);

/** An expression with its syntactic extent: `(a)` is the tree of `a` but starts at `(`. */
export interface Parsed {
  readonly e: Expr;
  readonly start: number;
  readonly end: number;
  /** TypeScript's LeftHandSideExpression (assignment and `x++` need one). */
  readonly lhs: boolean;
  /** The identifier when the expression is exactly one (a callee, an enum's name). */
  readonly bare?: string;
}

export class ExpressionParser extends TokenCursor {
  /** The enum whose initializers are being parsed: its members are in scope bare. */
  protected enumScope: { readonly name: string; readonly members: ReadonlySet<string> } | undefined;

  /** `enums`: the template's enums (name -> members), so that `E.M` is the constant `E.M`. */
  constructor(toks: readonly Token[], protected readonly enums: ReadonlyMap<string, ReadonlySet<string>>) {
    super(toks);
  }

  /** `(ctx: Tracepoint<"group/name">)`: a name and string-literal arguments. */
  protected ctxType(): CtxTypeRef {
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
  protected type(where: "param" | "return" | "decl" | "cast"): TypeAnnotation | "void" {
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
  protected endOfType(where: "param" | "return" | "decl" | "cast"): void {
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
  protected startsType(k: number): boolean {
    const t = this.toks[k]!;
    if (t.kind === "ident" || t.kind === "num" || t.kind === "bigint" || t.kind === "str" || t.kind === "template") return true;
    if (t.kind !== "punct") return false;
    const after = this.toks[k + 1];
    // `-1` is a literal type; `(` starts one when a parameter or a type follows.
    if (t.text === "-") return after?.kind === "num" || after?.kind === "bigint";
    if (t.text === "(") return after !== undefined && (after.kind === "ident" || [")", "...", "[", "{", "@"].includes(after.text) || this.startsType(k + 1));
    return ["{", "[", "<", "|", "&", "*", "?", "!", "..."].includes(t.text);
  }

  /** TypeScript's parseExpression: the comma operator is not supported, so one assignment. */
  protected expression(): Parsed {
    const e = this.assignment();
    if (this.is(",")) giveUp("comma operator");
    return e;
  }

  protected assignment(): Parsed {
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
   * TypeScript tries `(a)`, `(a, ...`, `(a = ...` and `({ ...` or `([ ...` (a destructuring
   * pattern) at the start of an assignment expression as arrow-function parameters and
   * commits when `{` or `:` (a return type) follows the `)`: those are errors or arrows,
   * never what we accept.
   */
  protected checkNotArrowHead(): void {
    const second = this.peek(1);
    const pattern = second.kind === "punct" && (second.text === "{" || second.text === "[");
    if (!pattern && (second.kind !== "ident" || !(this.is(",", 2) || this.is("=", 2) || this.is(")", 2)))) return;
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
  protected binary(minPrec: number): Parsed {
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

  protected unary(): Parsed {
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
  protected postfix(): Parsed {
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
   * One more case fails for sure: after a lone `<` with no other `<` on the way, a first
   * `>` glued to `>` or `=` (`i < n >> 1`), which TypeScript rescans as `>>` or `>=`, not the
   * `>` that ends the list (only nested type arguments could have taken its first half).
   */
  protected typeArgumentsPossible(): boolean {
    let depth = 0;
    let nested = this.is("<<");
    for (let k = this.i + 1; k < this.toks.length; k++) {
      const t = this.toks[k]!;
      if (t.kind === "eof") return false;
      if (t.kind === "punct" && t.text.startsWith(">")) return t.text === ">" || nested;
      if (t.kind === "punct" && (t.text === "<" || t.text === "<<")) nested = true;
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
  protected args(): Expr[] {
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

  protected primary(): Parsed {
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
        if (t.text === "{") {
          const e = this.objectLiteral(t);
          return { e, start: e.span.start, end: e.span.end, lhs: false };
        }
        return giveUp(`${t.text} at the start of an expression`);
      default:
        return giveUp("expected an expression");
    }
  }

  /**
   * `{ a: 1, b, c: { d: 2 } }` after its `{`: plain names as keys; any other entry (computed,
   * string, spread, method, default) is left to TypeScript's parser.
   */
  protected objectLiteral(open: Token): Expr {
    const fields: ObjectField[] = [];
    while (!this.is("}")) {
      const key = this.next();
      if (key.kind !== "ident" || NOT_A_NAME.has(key.text)) giveUp("object literal key");
      const nameSpan = { start: key.start, end: key.end };
      let value: Expr;
      if (this.is(":")) {
        this.next();
        value = this.assignment().e;
      } else if (this.is(",") || this.is("}")) {
        value = { k: "name", name: key.text, span: nameSpan };
      } else {
        return giveUp("object literal entry");
      }
      fields.push({ name: key.text, nameSpan, value });
      if (!this.is(",")) break;
      this.next();
    }
    const close = this.expect("}");
    return { k: "object", fields, span: { start: open.start, end: close.end } };
  }
}
