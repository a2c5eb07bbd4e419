/**
 * Parser: template text -> `ast.ts` nodes, using TypeScript's own parser.
 *
 * The template is TypeScript syntax, so we let `ts.createSourceFile` do the parsing and
 * then walk its tree, accepting the subset we compile and reporting everything else with
 * WBPF1002 ("what you wrote, what to write instead"). Spans are `getStart()`/`getEnd()` in
 * template text; placeholders (`$0_____`) are ordinary identifiers at this stage.
 *
 *   template  = { program | function | global }
 *   global    = ("const" | "let") name [":" type] ["=" constant] ";"
 *   program   = "export" "function" name "(" ctx ":" CtxType ")" [":" type] block
 *   function  = "function" name "(" [ param { "," param } ] ")" [":" type] block
 *   statement = let/const decl | if | return | block | expression ";" | for | while | switch
 *               | break | continue   (loops and switch: `parse-control.ts`)
 */
// `import = require` loads the 9 MB CommonJS module through require: an ESM import makes Node
// scan all of it for named exports first (~0.6 s of every build).
import ts = require("typescript");
import type { DiagnosticSink, Span } from "../diagnostics.js";
import { enumConstants, enumMembers, memberName } from "./enums.js";
import type { AssignOp, BinaryOp, CtxTypeRef, Expr, FunctionDecl, GlobalDecl, KfuncDecl, ObjectField, ParamDecl, ParseResult, ProgramDecl, Stmt, TypeAnnotation } from "./ast.js";
import { parseControl, type StatementParser } from "./parse-control.js";

const BINARY: Partial<Record<ts.SyntaxKind, BinaryOp>> = {
  [ts.SyntaxKind.PlusToken]: "+",
  [ts.SyntaxKind.MinusToken]: "-",
  [ts.SyntaxKind.AsteriskToken]: "*",
  [ts.SyntaxKind.SlashToken]: "/",
  [ts.SyntaxKind.PercentToken]: "%",
  [ts.SyntaxKind.AmpersandToken]: "&",
  [ts.SyntaxKind.BarToken]: "|",
  [ts.SyntaxKind.CaretToken]: "^",
  [ts.SyntaxKind.LessThanLessThanToken]: "<<",
  [ts.SyntaxKind.GreaterThanGreaterThanToken]: ">>",
  [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken]: ">>>",
  [ts.SyntaxKind.LessThanToken]: "<",
  [ts.SyntaxKind.LessThanEqualsToken]: "<=",
  [ts.SyntaxKind.GreaterThanToken]: ">",
  [ts.SyntaxKind.GreaterThanEqualsToken]: ">=",
  // `==` and `===` mean the same on integers: no coercions exist in this language.
  [ts.SyntaxKind.EqualsEqualsToken]: "==",
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: "==",
  [ts.SyntaxKind.ExclamationEqualsToken]: "!=",
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: "!=",
  [ts.SyntaxKind.AmpersandAmpersandToken]: "&&",
  [ts.SyntaxKind.BarBarToken]: "||",
};

const ASSIGN: Partial<Record<ts.SyntaxKind, AssignOp>> = {
  [ts.SyntaxKind.EqualsToken]: "=",
  [ts.SyntaxKind.PlusEqualsToken]: "+=",
  [ts.SyntaxKind.MinusEqualsToken]: "-=",
  [ts.SyntaxKind.AsteriskEqualsToken]: "*=",
  [ts.SyntaxKind.SlashEqualsToken]: "/=",
  [ts.SyntaxKind.PercentEqualsToken]: "%=",
  [ts.SyntaxKind.AmpersandEqualsToken]: "&=",
  [ts.SyntaxKind.BarEqualsToken]: "|=",
  [ts.SyntaxKind.CaretEqualsToken]: "^=",
  [ts.SyntaxKind.LessThanLessThanEqualsToken]: "<<=",
  [ts.SyntaxKind.GreaterThanGreaterThanEqualsToken]: ">>=",
  [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken]: ">>>=",
};

/** Advice for constructs people will try; the rest get a generic message. */
const UNSUPPORTED_ADVICE: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.ForOfStatement]: "`for...of` is not supported; BPF has no iterators",
  [ts.SyntaxKind.ForInStatement]: "`for...in` is not supported; BPF has no objects",
  [ts.SyntaxKind.TryStatement]: "`try` is not supported; BPF has no exceptions",
  [ts.SyntaxKind.ThrowStatement]: "`throw` is not supported; BPF has no exceptions: return an error code",
  [ts.SyntaxKind.StringLiteral]: "strings are not supported yet; use integer constants",
  [ts.SyntaxKind.NoSubstitutionTemplateLiteral]: "strings are not supported yet; use integer constants",
  [ts.SyntaxKind.TemplateExpression]: "template strings are not supported; use integer constants",
  [ts.SyntaxKind.ArrowFunction]: "closures are not supported; write an exported program function",
  [ts.SyntaxKind.FunctionExpression]: "closures are not supported; write an exported program function",
  [ts.SyntaxKind.ArrayLiteralExpression]: "array literals are not supported yet; use scalar locals",
  [ts.SyntaxKind.NewExpression]: "`new` is not supported; BPF code has no heap",
  [ts.SyntaxKind.ClassDeclaration]: "classes are not supported; declare structs with defstruct in the host program",
  [ts.SyntaxKind.AwaitExpression]: "`await` is not supported; BPF programs run to completion",
  [ts.SyntaxKind.TypeOfExpression]: "`typeof` is not supported; types are known at compile time",
  [ts.SyntaxKind.DeleteExpression]: "`delete` is not supported; use `map.delete(key)`",
  [ts.SyntaxKind.VoidExpression]: "`void` is not supported; write the expression as a statement",
  [ts.SyntaxKind.NonNullExpression]: "the `!` assertion is not supported; check the pointer with `if (p !== null)`",
  [ts.SyntaxKind.CommaToken]: "the comma operator is not supported; write separate statements",
};

/**
 * The JSDoc tag names on a declaration (`@inline`, `@noinline`). The parser keeps the comments
 * it parsed on the node itself; `ts.getJSDocTags` would need parent pointers to find them.
 */
function jsDocTagNames(node: ts.Node): string[] {
  const docs = (node as { jsDoc?: readonly ts.JSDoc[] }).jsDoc ?? [];
  return docs.flatMap((d) => (d.tags ?? []).map((t) => t.tagName.text));
}

function describeKind(node: ts.Node): string {
  return ts.SyntaxKind[node.kind] ?? "construct";
}

export type { ParseResult } from "./ast.js";

/** Parse a template body. Never throws on bad input: problems go to `sink`. */
export function parseTemplate(text: string, sink: DiagnosticSink): ParseResult {
  // No parent pointers: nothing here walks up the tree, and setting them is a third of the parse.
  const sf = ts.createSourceFile("template.ts", text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  // Syntax errors: TypeScript keeps them on the source file (not part of its public typing).
  const parseDiags = (sf as unknown as { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  for (const d of parseDiags) {
    const start = d.start ?? 0;
    sink.error("WBPF1000", { start, end: start + (d.length ?? 0) }, `syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
  }
  if (parseDiags.length > 0) return { programs: [], functions: [], globals: [], kfuncs: [] };
  return new Parser(sf, sink).template();
}

class Parser implements StatementParser {
  /** The template's enums (name -> members): `E.M` names the constant of member M. */
  private readonly enums: ReadonlyMap<string, ReadonlySet<string>>;
  /** The enum whose initializers are being parsed: its members are in scope bare. */
  private enumScope: { readonly name: string; readonly members: ReadonlySet<string> } | undefined;

  constructor(private readonly sf: ts.SourceFile, private readonly sink: DiagnosticSink) {
    this.enums = enumMembers(sf.statements);
  }

  span(node: ts.Node): Span {
    return { start: node.getStart(this.sf), end: node.getEnd() };
  }

  unsupported(node: ts.Node, what?: string): void {
    const advice = UNSUPPORTED_ADVICE[node.kind];
    const message = what ?? advice ?? `${describeKind(node)} is not supported in BPF code`;
    this.sink.error("WBPF1002", this.span(node), message);
  }

  template(): ParseResult {
    const programs: ProgramDecl[] = [];
    const functions: FunctionDecl[] = [];
    const globals: GlobalDecl[] = [];
    const kfuncs: KfuncDecl[] = [];
    for (const st of this.sf.statements) {
      if (ts.isFunctionDeclaration(st) && st.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) {
        const k = this.kfunc(st);
        if (k) kfuncs.push(k);
        continue;
      }
      if (ts.isEnumDeclaration(st)) {
        this.enumScope = { name: st.name.text, members: this.enums.get(st.name.text)! };
        globals.push(...(enumConstants(this, st) ?? []));
        this.enumScope = undefined;
        continue;
      }
      if (ts.isVariableStatement(st)) {
        if (st.modifiers?.length) {
          this.unsupported(st.modifiers[0]!, "global variables are not exported; the host program sets `.rodata` values through the loader");
          continue;
        }
        for (const d of this.variables(st) ?? []) if (d.k === "let") globals.push(d);
        continue;
      }
      if (!ts.isFunctionDeclaration(st)) {
        this.sink.error("WBPF1012", this.span(st),
          `only functions may appear at the top level of a template (found ${describeKind(st)}); write \`export function name(ctx: Xdp): i32 { ... }\` for a program or \`function name(x: u32): u32 { ... }\` for a helper`);
        continue;
      }
      const exported = st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
      if (exported) {
        const p = this.program(st);
        if (p) programs.push(p);
      } else {
        const f = this.func(st);
        if (f) functions.push(f);
      }
    }
    if (programs.length === 0 && this.sf.statements.length === 0) {
      this.sink.error("WBPF1012", { start: 0, end: 0 }, "the template declares no program; write `export function name(ctx: Xdp): i32 { ... }`");
    }
    return { programs, functions, globals, kfuncs };
  }

  /** `declare function name(a: i32, p: kptr): kptr;`: a kfunc's prototype, no body. */
  private kfunc(fn: ts.FunctionDeclaration): KfuncDecl | undefined {
    const nameNode = fn.name;
    if (!nameNode || fn.body || fn.asteriskToken || fn.typeParameters || fn.parameters.length > 5) {
      this.sink.error("WBPF1012", this.span(nameNode ?? fn), "a kernel function declaration is `declare function name(a: i32, t: kptr): kptr;`: a name, at most 5 typed parameters, no body");
      return undefined;
    }
    const params: ParamDecl[] = [];
    for (const p of fn.parameters) {
      if (!ts.isIdentifier(p.name) || p.dotDotDotToken || p.questionToken || p.initializer || !p.type) {
        this.unsupported(p, "kernel function parameters are `name: type` (an integer type or kptr)");
        return undefined;
      }
      const type = this.typeAnnotation(p.type);
      if (!type) return undefined;
      params.push({ name: p.name.text, nameSpan: this.span(p.name), type });
    }
    const returnType = fn.type && fn.type.kind !== ts.SyntaxKind.VoidKeyword ? this.typeAnnotation(fn.type) : undefined;
    if (fn.type && fn.type.kind !== ts.SyntaxKind.VoidKeyword && !returnType) return undefined;
    return { name: nameNode.text, nameSpan: this.span(nameNode), params, ...(returnType ? { returnType } : {}), span: this.span(fn) };
  }

  /** A non-exported function: scalar parameters, a scalar or void result. */
  private func(fn: ts.FunctionDeclaration): FunctionDecl | undefined {
    const nameNode = fn.name;
    if (!nameNode) {
      this.sink.error("WBPF1012", this.span(fn), "a function needs a name");
      return undefined;
    }
    for (const m of fn.modifiers ?? []) {
      this.unsupported(m, `the '${m.getText(this.sf)}' modifier is not supported on functions`);
      return undefined;
    }
    if (fn.asteriskToken || fn.typeParameters) {
      this.unsupported(fn, "generator and generic functions are not supported; write a plain function");
      return undefined;
    }
    if (fn.parameters.length > 5) {
      this.sink.error("WBPF1012", this.span(fn.parameters[5]!), `function '${nameNode.text}' takes ${fn.parameters.length} parameters; BPF functions take at most 5 (r1..r5)`);
      return undefined;
    }
    const params: ParamDecl[] = [];
    for (const p of fn.parameters) {
      if (!ts.isIdentifier(p.name)) {
        this.unsupported(p.name, "destructuring parameters is not supported; name each parameter");
        return undefined;
      }
      if (p.dotDotDotToken || p.questionToken || p.initializer) {
        this.unsupported(p, "rest, optional and default parameters are not supported; declare `name: type`");
        return undefined;
      }
      if (!p.type) {
        this.sink.error("WBPF1003", this.span(p), `parameter '${p.name.text}' needs a type, e.g. \`${p.name.text}: u32\``);
        return undefined;
      }
      const type = this.typeAnnotation(p.type);
      if (!type) return undefined;
      params.push({ name: p.name.text, nameSpan: this.span(p.name), type });
    }
    let returnType: TypeAnnotation | undefined;
    if (fn.type && fn.type.kind !== ts.SyntaxKind.VoidKeyword) {
      returnType = this.typeAnnotation(fn.type);
      if (!returnType) return undefined;
    }
    if (!fn.body) {
      this.sink.error("WBPF1012", this.span(nameNode), `function '${nameNode.text}' has no body`);
      return undefined;
    }
    const tags = jsDocTagNames(fn);
    const inline = tags.includes("noinline") ? "never" : tags.includes("inline") ? "always" : undefined;
    const body = this.statements(fn.body.statements);
    const close = fn.body.getEnd();
    return {
      name: nameNode.text,
      nameSpan: this.span(nameNode),
      params,
      ...(returnType ? { returnType } : {}),
      body,
      endSpan: { start: close - 1, end: close },
      span: this.span(fn),
      ...(inline ? { inline } : {}),
    };
  }

  private program(fn: ts.FunctionDeclaration): ProgramDecl | undefined {
    const nameNode = fn.name;
    const headSpan = nameNode ? this.span(nameNode) : this.span(fn);
    const exported = fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
    if (!nameNode) {
      this.sink.error("WBPF1012", headSpan, "a program function needs a name; it becomes the ELF symbol");
      return undefined;
    }
    if (!exported) return undefined;
    for (const m of fn.modifiers ?? []) {
      if (m.kind !== ts.SyntaxKind.ExportKeyword) {
        this.unsupported(m, `the '${m.getText(this.sf)}' modifier is not supported on programs`);
        return undefined;
      }
    }
    if (fn.asteriskToken || fn.typeParameters) {
      this.unsupported(fn, "generator and generic functions are not supported; write a plain `export function`");
      return undefined;
    }
    if (fn.parameters.length !== 1) {
      this.sink.error("WBPF1012", fn.parameters.length ? this.span(fn.parameters[1] ?? fn.parameters[0]!) : headSpan,
        `program '${nameNode.text}' must take exactly one parameter, the context: \`(ctx: Xdp)\`, \`(ctx: Tracepoint<"group/name">)\``);
      return undefined;
    }
    const param = fn.parameters[0]!;
    if (!ts.isIdentifier(param.name)) {
      this.unsupported(param.name, "destructuring the context is not supported; name it, e.g. `ctx`");
      return undefined;
    }
    if (param.dotDotDotToken || param.questionToken || param.initializer) {
      this.unsupported(param, "the context parameter is plain `name: Type` (the kernel always passes it): no `...`, `?` or default value");
      return undefined;
    }
    if (!param.type) {
      this.sink.error("WBPF1004", this.span(param),
        `the context parameter needs a type that says the program type, e.g. \`${param.name.text}: Xdp\` or \`${param.name.text}: Tracepoint<"syscalls/sys_enter_openat">\``);
      return undefined;
    }
    const ctxType = this.ctxType(param.type);
    if (!ctxType) return undefined;
    let returnType: TypeAnnotation | undefined;
    if (fn.type) {
      returnType = this.typeAnnotation(fn.type);
      if (!returnType) return undefined;
    }
    if (!fn.body) {
      this.sink.error("WBPF1012", headSpan, `program '${nameNode.text}' has no body`);
      return undefined;
    }
    const body = this.statements(fn.body.statements);
    const close = fn.body.getEnd();
    return {
      name: nameNode.text,
      nameSpan: headSpan,
      ctxName: param.name.text,
      ctxNameSpan: this.span(param.name),
      ctxType,
      ...(returnType ? { returnType } : {}),
      body,
      endSpan: { start: close - 1, end: close },
      span: this.span(fn),
    };
  }

  private ctxType(node: ts.TypeNode): CtxTypeRef | undefined {
    if (!ts.isTypeReferenceNode(node) || !ts.isIdentifier(node.typeName)) {
      this.sink.error("WBPF1004", this.span(node), `'${node.getText(this.sf)}' is not a context type; use one of Xdp, Tracepoint<"group/name">`);
      return undefined;
    }
    const args: string[] = [];
    for (const a of node.typeArguments ?? []) {
      if (ts.isLiteralTypeNode(a) && ts.isStringLiteral(a.literal)) {
        args.push(a.literal.text);
      } else {
        this.sink.error("WBPF1004", this.span(a), `context type arguments are string literals, e.g. Tracepoint<"syscalls/sys_enter_openat">`);
        return undefined;
      }
    }
    return { name: node.typeName.text, args, span: this.span(node) };
  }

  private typeAnnotation(node: ts.TypeNode): TypeAnnotation | undefined {
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && !node.typeArguments) {
      return { name: node.typeName.text, span: this.span(node) };
    }
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && node.typeName.text === "KernelStruct") {
      const a = node.typeArguments?.length === 1 ? node.typeArguments[0]! : undefined;
      if (a && ts.isLiteralTypeNode(a) && ts.isStringLiteral(a.literal)) {
        const lit = this.span(a);
        // The struct name's own characters, without the quotes: where "did you mean" points.
        return { name: "KernelStruct", span: this.span(node), kernel: { name: a.literal.text, span: { start: lit.start + 1, end: lit.end - 1 } } };
      }
      this.sink.error("WBPF1017", this.span(node), `KernelStruct takes one string literal, the kernel struct's name, e.g. KernelStruct<"task_struct">`);
      return undefined;
    }
    if (node.kind === ts.SyntaxKind.BooleanKeyword) return { name: "bool", span: this.span(node) };
    if (node.kind === ts.SyntaxKind.NumberKeyword || node.kind === ts.SyntaxKind.BigIntKeyword) {
      this.sink.error("WBPF1003", this.span(node), `'${node.getText(this.sf)}' has no size in BPF; use a sized integer type such as u32, i64 or u64`);
      return undefined;
    }
    this.unsupported(node, `the type '${node.getText(this.sf)}' is not supported; use an integer type (u8 u16 u32 u64 i8 i16 i32 i64 bool)`);
    return undefined;
  }

  statements(list: ts.NodeArray<ts.Statement>): Stmt[] {
    const out: Stmt[] = [];
    for (const st of list) {
      const s = this.statement(st);
      if (s) out.push(...s);
    }
    return out;
  }

  /** One TS statement may declare several variables, hence an array. */
  private statement(st: ts.Statement): Stmt[] | undefined {
    if (ts.isVariableStatement(st)) {
      if (st.modifiers?.length) {
        this.unsupported(st.modifiers[0]!, `'${st.modifiers[0]!.getText(this.sf)}' is not supported on local variables; declare them with \`const\` or \`let\``);
        return undefined;
      }
      return this.variables(st);
    }
    if (ts.isExpressionStatement(st)) {
      const expr = this.expr(st.expression);
      return expr ? [{ k: "expr", expr, span: this.span(st) }] : undefined;
    }
    if (ts.isIfStatement(st)) {
      const cond = this.expr(st.expression);
      const then = this.single(st.thenStatement);
      const els = st.elseStatement ? this.single(st.elseStatement) : undefined;
      if (!cond || !then || (st.elseStatement && !els)) return undefined;
      return [{ k: "if", cond, then, ...(els ? { else: els } : {}), span: this.span(st) }];
    }
    if (ts.isReturnStatement(st)) {
      if (!st.expression) return [{ k: "return", span: this.span(st) }];
      const value = this.expr(st.expression);
      return value ? [{ k: "return", value, span: this.span(st) }] : undefined;
    }
    if (ts.isBlock(st)) return [{ k: "block", body: this.statements(st.statements), span: this.span(st) }];
    if (ts.isEmptyStatement(st)) return [];
    if (ts.isFunctionDeclaration(st)) {
      this.unsupported(st, "nested functions are not supported; declare the function at the top level of the template");
      return undefined;
    }
    const control = parseControl(this, st);
    if (control !== "not-control") return control;
    this.unsupported(st);
    return undefined;
  }

  /** A statement in a position that holds one (if/else arms); wraps declarations in a block. */
  single(st: ts.Statement): Stmt | undefined {
    const s = this.statement(st);
    if (!s) return undefined;
    return s.length === 1 ? s[0] : { k: "block", body: s, span: this.span(st) };
  }

  variables(st: ts.VariableStatement | ts.VariableDeclarationList): Stmt[] | undefined {
    const list = ts.isVariableDeclarationList(st) ? st : st.declarationList;
    // Let = 1, Const = 2, Using = 4, AwaitUsing = 6 within the BlockScoped bits.
    const kind = list.flags & ts.NodeFlags.BlockScoped;
    const isConst = kind === ts.NodeFlags.Const;
    if (kind === ts.NodeFlags.Using || kind === ts.NodeFlags.AwaitUsing) {
      this.unsupported(list, "`using` is not supported; use `const` or `let`");
      return undefined;
    }
    if (!isConst && kind !== ts.NodeFlags.Let) {
      this.unsupported(list, "`var` is not supported; use `const` or `let`");
      return undefined;
    }
    const out: Stmt[] = [];
    for (const d of list.declarations) {
      const declared = (id: ts.Identifier, init?: Expr, type?: TypeAnnotation): Stmt =>
        ({ k: "let", isConst, name: id.text, nameSpan: this.span(id), ...(type ? { type } : {}), ...(init ? { init } : {}), span: this.span(d) });
      // A declaration whose pattern, type or value did not parse (reported) still declares its
      // names, as an invalid value: their uses then check quietly instead of as unknown names.
      const invalid: Expr = { k: "invalid", span: this.span(d) };
      if (!ts.isIdentifier(d.name)) {
        this.unsupported(d.name, "destructuring is not supported; declare one variable at a time");
        for (const id of boundNames(d.name)) out.push(declared(id, invalid));
        continue;
      }
      if (d.exclamationToken) {
        this.unsupported(d, "the definite assignment `!` is not supported; give the variable a value, e.g. `let x: u32 = 0`");
        out.push(declared(d.name, invalid));
        continue;
      }
      let type: TypeAnnotation | undefined;
      if (d.type) {
        type = this.typeAnnotation(d.type);
        if (!type) {
          out.push(declared(d.name, invalid));
          continue;
        }
      }
      let init: Expr | undefined;
      if (d.initializer) {
        init = this.expr(d.initializer);
        if (!init) { out.push(declared(d.name, invalid, type)); continue; }
      }
      out.push(declared(d.name, init, type));
    }
    return out;
  }

  /**
   * `{ a: 1, b, c: { d: 2 } }`: identifiers as names, nested literals for struct fields. The
   * checker takes it only where a struct is filled (a struct local, a map method's struct).
   */
  private objectLiteral(o: ts.ObjectLiteralExpression): Expr | undefined {
    const fields: ObjectField[] = [];
    let ok = true;
    for (const p of o.properties) {
      if (ts.isShorthandPropertyAssignment(p) && !p.objectAssignmentInitializer) {
        const nameSpan = this.span(p.name);
        fields.push({ name: p.name.text, nameSpan, value: { k: "name", name: p.name.text, span: nameSpan } });
        continue;
      }
      if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name)) {
        this.unsupported(p, "a struct's object literal takes `field: value` and `field` entries only");
        ok = false;
        continue;
      }
      const value = this.expr(p.initializer);
      if (!value) { ok = false; continue; }
      fields.push({ name: p.name.text, nameSpan: this.span(p.name), value });
    }
    return ok ? { k: "object", fields, span: this.span(o) } : undefined;
  }

  private exprs(list: readonly ts.Expression[]): Expr[] | undefined {
    const out: Expr[] = [];
    for (const e of list) {
      const x = this.expr(e);
      if (!x) return undefined;
      out.push(x);
    }
    return out;
  }

  expr(e: ts.Expression): Expr | undefined {
    const span = this.span(e);
    if (ts.isNumericLiteral(e)) {
      const raw = e.getText(this.sf).replace(/_/g, "");
      if (!/^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/.test(raw)) {
        this.sink.error("WBPF1003", span, `'${raw}' is not an integer; BPF has no floating point`);
        return undefined;
      }
      return { k: "int", value: BigInt(raw), span };
    }
    if (ts.isBigIntLiteral(e)) {
      return { k: "int", value: BigInt(e.getText(this.sf).replace(/_/g, "").replace(/n$/, "")), span };
    }
    if (ts.isStringLiteralLike(e)) return { k: "str", value: e.text, span };
    if (e.kind === ts.SyntaxKind.TrueKeyword) return { k: "bool", value: true, span };
    if (e.kind === ts.SyntaxKind.FalseKeyword) return { k: "bool", value: false, span };
    if (e.kind === ts.SyntaxKind.NullKeyword) return { k: "null", span };
    if (ts.isIdentifier(e)) {
      const own = this.enumScope?.members.has(e.text) ? this.enumScope : undefined;
      return { k: "name", name: own ? memberName(own.name, e.text) : e.text, span };
    }
    if (ts.isObjectLiteralExpression(e)) return this.objectLiteral(e);
    if (ts.isParenthesizedExpression(e)) return this.expr(e.expression);
    if (ts.isConditionalExpression(e)) {
      const test = this.expr(e.condition);
      const then = this.expr(e.whenTrue);
      const els = this.expr(e.whenFalse);
      return test && then && els ? { k: "ternary", test, then, else: els, span } : undefined;
    }
    if (ts.isAsExpression(e) || ts.isTypeAssertionExpression(e)) {
      const inner = this.expr(e.expression);
      const to = this.typeAnnotation(e.type);
      if (!inner || !to) return undefined;
      return { k: "cast", expr: inner, to: to.name, toSpan: to.span, span, ...(to.kernel ? { kernel: to.kernel } : {}) };
    }
    if (ts.isBinaryExpression(e)) {
      const kind = e.operatorToken.kind;
      const assign = ASSIGN[kind];
      const left = this.expr(e.left);
      const right = this.expr(e.right);
      if (!left || !right) return undefined;
      if (assign) return { k: "assign", op: assign, target: left, value: right, span };
      const op = BINARY[kind];
      if (!op) {
        this.unsupported(e.operatorToken, `the '${e.operatorToken.getText(this.sf)}' operator is not supported`);
        return undefined;
      }
      return { k: "binary", op, left, right, opSpan: this.span(e.operatorToken), span };
    }
    if (ts.isPrefixUnaryExpression(e)) {
      const operand = this.expr(e.operand);
      if (!operand) return undefined;
      switch (e.operator) {
        case ts.SyntaxKind.ExclamationToken: return { k: "unary", op: "!", operand, span };
        case ts.SyntaxKind.TildeToken: return { k: "unary", op: "~", operand, span };
        case ts.SyntaxKind.MinusToken: return { k: "unary", op: "-", operand, span };
        case ts.SyntaxKind.PlusToken: return { k: "unary", op: "+", operand, span };
        case ts.SyntaxKind.PlusPlusToken: return { k: "incdec", op: "++", prefix: true, target: operand, span };
        case ts.SyntaxKind.MinusMinusToken: return { k: "incdec", op: "--", prefix: true, target: operand, span };
      }
    }
    if (ts.isPostfixUnaryExpression(e)) {
      const operand = this.expr(e.operand);
      if (!operand) return undefined;
      return { k: "incdec", op: e.operator === ts.SyntaxKind.PlusPlusToken ? "++" : "--", prefix: false, target: operand, span };
    }
    if (ts.isCallExpression(e)) {
      if (e.questionDotToken || e.typeArguments) {
        this.unsupported(e, "optional calls and type arguments are not supported in calls");
        return undefined;
      }
      for (const a of e.arguments) {
        if (ts.isSpreadElement(a)) {
          this.unsupported(a, "spread arguments are not supported; pass each argument");
          return undefined;
        }
      }
      const args = this.exprs(e.arguments);
      if (!args) return undefined;
      const callee = e.expression;
      if (ts.isIdentifier(callee)) return { k: "call", callee: callee.text, calleeSpan: this.span(callee), args, span };
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) && !callee.questionDotToken) {
        const target = this.expr(callee.expression);
        if (!target) return undefined;
        return { k: "method", target, method: callee.name.text, methodSpan: this.span(callee.name), args, span };
      }
      this.unsupported(callee, "only helpers, builtins and map methods can be called");
      return undefined;
    }
    if (ts.isPropertyAccessExpression(e)) {
      if (e.questionDotToken || !ts.isIdentifier(e.name)) {
        this.unsupported(e, "optional chaining (`?.`) is not supported; check for null with `if`");
        return undefined;
      }
      // `Proto.TCP`: an enum member is a constant of that (qualified) name.
      if (ts.isIdentifier(e.expression) && this.enums.has(e.expression.text)) return { k: "name", name: memberName(e.expression.text, e.name.text), span };
      const target = this.expr(e.expression);
      if (!target) return undefined;
      return { k: "member", target, name: e.name.text, nameSpan: this.span(e.name), span };
    }
    if (ts.isElementAccessExpression(e)) {
      if (e.questionDotToken) {
        this.unsupported(e, "optional chaining (`?.[]`) is not supported; check for null with `if`");
        return undefined;
      }
      const target = this.expr(e.expression);
      const index = this.expr(e.argumentExpression);
      if (!target || !index) return undefined;
      return { k: "index", target, index, span };
    }
    this.unsupported(e);
    return undefined;
  }
}

/** The identifiers a destructuring pattern binds (`{ a, b: [c] }`: a, c). */
function boundNames(p: ts.BindingName): ts.Identifier[] {
  if (ts.isIdentifier(p)) return [p];
  return p.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : boundNames(e.name)));
}
