/**
 * The syntax tree of the BPF language: the subset of TypeScript the parser accepts.
 *
 * Every node keeps its span (template `text` offsets) so diagnostics and, later, BTF line
 * info point at the exact source. Nodes are plain data; the checker produces a separate
 * typed tree (`typed.ts`) rather than mutating these.
 */
import type { Span } from "../diagnostics.js";

export type BinaryOp =
  | "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "<<" | ">>" | ">>>"
  | "<" | "<=" | ">" | ">=" | "==" | "!=" | "&&" | "||";

export type AssignOp = "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "&=" | "|=" | "^=" | "<<=" | ">>=" | ">>>=";

export type UnaryOp = "!" | "~" | "-" | "+";

export type Expr =
  | { readonly k: "int"; readonly value: bigint; readonly span: Span }
  | { readonly k: "bool"; readonly value: boolean; readonly span: Span }
  | { readonly k: "null"; readonly span: Span }
  /** A string literal: only a printk format or a kfunc's string argument (`printk.ts`). */
  | { readonly k: "str"; readonly value: string; readonly span: Span }
  | { readonly k: "name"; readonly name: string; readonly span: Span }
  | { readonly k: "binary"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly opSpan: Span; readonly span: Span }
  | { readonly k: "unary"; readonly op: UnaryOp; readonly operand: Expr; readonly span: Span }
  /** `kernel`: a cast to `KernelStruct<"name">` (then `to` is "KernelStruct"). */
  | { readonly k: "cast"; readonly expr: Expr; readonly to: string; readonly toSpan: Span; readonly span: Span; readonly kernel?: KernelStructRef }
  | { readonly k: "call"; readonly callee: string; readonly calleeSpan: Span; readonly args: readonly Expr[]; readonly span: Span }
  | { readonly k: "method"; readonly target: Expr; readonly method: string; readonly methodSpan: Span; readonly args: readonly Expr[]; readonly span: Span }
  | { readonly k: "member"; readonly target: Expr; readonly name: string; readonly nameSpan: Span; readonly span: Span }
  | { readonly k: "index"; readonly target: Expr; readonly index: Expr; readonly span: Span }
  | { readonly k: "assign"; readonly op: AssignOp; readonly target: Expr; readonly value: Expr; readonly span: Span }
  | { readonly k: "incdec"; readonly op: "++" | "--"; readonly prefix: boolean; readonly target: Expr; readonly span: Span }
  /** `test ? then : else` */
  | { readonly k: "ternary"; readonly test: Expr; readonly then: Expr; readonly else: Expr; readonly span: Span }
  /**
   * A declaration's value that did not parse (already reported): it checks as an error, so
   * the uses of the name it initialises add no second message.
   */
  | { readonly k: "invalid"; readonly span: Span }
  /**
   * `{ pid: 1, inner: { a: 2 } }`: only as the value of a typed declaration (a struct local
   * filled field by field; nested for struct fields). `{ pid }` is `{ pid: pid }`.
   */
  | { readonly k: "object"; readonly fields: readonly ObjectField[]; readonly span: Span };

/** One `name: value` of an object literal. */
export interface ObjectField {
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: Expr;
}

/** `KernelStruct<"task_struct">`: the struct's name and the span of its string literal. */
export interface KernelStructRef {
  readonly name: string;
  readonly span: Span;
}

export interface TypeAnnotation {
  readonly name: string;
  readonly span: Span;
  /** Set for `KernelStruct<"name">` (then `name` is "KernelStruct"). */
  readonly kernel?: KernelStructRef;
}

export type Stmt =
  | { readonly k: "let"; readonly isConst: boolean; readonly name: string; readonly nameSpan: Span; readonly type?: TypeAnnotation; readonly init?: Expr; readonly span: Span }
  | { readonly k: "expr"; readonly expr: Expr; readonly span: Span }
  | { readonly k: "if"; readonly cond: Expr; readonly then: Stmt; readonly else?: Stmt; readonly span: Span }
  | { readonly k: "return"; readonly value?: Expr; readonly span: Span }
  | { readonly k: "block"; readonly body: readonly Stmt[]; readonly span: Span }
  | ControlStmt;

/** One `case` (or `default`, with `test` absent) of a switch, with the statements under it. */
export interface SwitchCase {
  readonly test?: Expr;
  readonly body: readonly Stmt[];
  readonly span: Span;
}

/** Loops and switch (`check-control.ts` checks them, `lower-control.ts` lowers them). */
export type ControlStmt =
  /** `for (init; cond; update) body`; `init` is let declarations or expression statements. */
  | { readonly k: "for"; readonly init: readonly Stmt[]; readonly cond?: Expr; readonly update: readonly Expr[]; readonly body: Stmt; readonly span: Span }
  | { readonly k: "while"; readonly cond: Expr; readonly body: Stmt; readonly span: Span }
  | { readonly k: "switch"; readonly disc: Expr; readonly cases: readonly SwitchCase[]; readonly span: Span }
  | { readonly k: "break"; readonly span: Span }
  | { readonly k: "continue"; readonly span: Span };

/** The ctx parameter's declared type, e.g. `Tracepoint<"syscalls/sys_enter_openat">`. */
export interface CtxTypeRef {
  readonly name: string;
  readonly args: readonly string[];
  readonly span: Span;
}

/**
 * A module-level `const` or `let`: global data. Typed `const`s go to `.rodata` (settable
 * before load), `let`s to `.data` (or `.bss` when zero); an untyped `const` with a constant
 * value stays a compile-time constant.
 */
export type GlobalDecl = Extract<Stmt, { k: "let" }>;

/** A parameter of a non-exported function: `name: type`. */
export interface ParamDecl {
  readonly name: string;
  readonly nameSpan: Span;
  readonly type: TypeAnnotation;
}

/**
 * A non-exported function: a helper the programs call. The compiler inlines it or emits
 * it once as a BPF-to-BPF subprogram in `.text`; `/** @inline *\/` and `/** @noinline *\/`
 * JSDoc tags force the choice.
 */
export interface FunctionDecl {
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: readonly ParamDecl[];
  /** Absent means `void`. */
  readonly returnType?: TypeAnnotation;
  readonly body: readonly Stmt[];
  readonly endSpan: Span;
  readonly span: Span;
  readonly inline?: "always" | "never";
}

/** `declare function name(p: T, ...): R;`: a kernel function (kfunc) called by BTF id. */
export interface KfuncDecl {
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: readonly ParamDecl[];
  /** Absent means `void`. */
  readonly returnType?: TypeAnnotation;
  readonly span: Span;
}

export interface ProgramDecl {
  readonly name: string;
  readonly nameSpan: Span;
  readonly ctxName: string;
  readonly ctxNameSpan: Span;
  readonly ctxType: CtxTypeRef;
  readonly returnType?: TypeAnnotation;
  readonly body: readonly Stmt[];
  /** The closing brace, where "missing return" is reported. */
  readonly endSpan: Span;
  readonly span: Span;
}

/** A parsed template: what the parser hands the checker. */
export interface ParseResult {
  readonly programs: ProgramDecl[];
  readonly functions: FunctionDecl[];
  readonly globals: GlobalDecl[];
  /** `declare function` statements: kernel functions the template calls (`kfuncs.ts`). */
  readonly kfuncs: KfuncDecl[];
}
