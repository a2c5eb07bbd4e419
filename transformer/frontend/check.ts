/**
 * Type checker: `ast.ts` -> `typed.ts`, reporting every language error.
 *
 * Resolves names (locals, interpolated slots, constants, helpers, intrinsics), gives
 * untyped constants their types, makes implicit widening explicit, rejects narrowing and
 * sign changes, checks map key/value types and methods, tracks which map value pointers
 * are known non-null (flow-sensitive, through if/else, early returns, && and ||), and
 * checks that every path returns. On error it returns an `error`-typed node so checking
 * continues and one mistake yields one diagnostic.
 */
import type { ScalarName } from "../../runtime/types.js";
import type { StructLayout } from "../../runtime/struct/layout.js";
import { isScalarName } from "../../runtime/types.js";
import { USDT_MAX_SPECS, USDT_SPEC_LAYOUT, USDT_SPECS_MAP } from "../../runtime/usdt-spec.js";
import type { Slot } from "../api.js";
import type { DiagnosticCode, DiagnosticSink, Span } from "../diagnostics.js";
import type { BinaryOp, Expr, FunctionDecl, GlobalDecl, KfuncDecl, ProgramDecl, Stmt } from "./ast.js";
import { ALL_MAP_METHODS, CONSTANTS, INTRINSICS, MAP_METHODS } from "./builtins.js";
import { CTX_KINDS, ctxKindNames, USDT_ARG_COUNT, type CtxArgs, type CtxField, type CtxKindDef, type ProgType } from "./ctx.js";
import { HELPERS, helper, helperAllowed, type HelperDef } from "./helpers.js";
import { suggest } from "./suggest.js";
import { ControlChecker } from "./check-control.js";
import type { CheckOps } from "./check-ops.js";
import { checkHelperArgs } from "./helper-call.js";
import { BPF_LOOP, checkBpfLoop, checkCallbackReturns, paramType, type ParamType } from "./bpf-loop.js";
import { checkMapMethod, EXTRA_MAP_METHODS } from "./map-methods.js";
import { structArgument, structElemArg, structLookupType } from "./map-structs.js";
import { checkAtomic, isAtomicBuiltin } from "./atomics.js";
import { checkCopyBuiltin, COPY_BUILTINS, structAssign } from "./copy.js";
import { arrayIndex, memoryLvalue, rememberConstInit, stackStruct, structMember } from "./structs.js";
import { checkReservations } from "./ringbuf-lint.js";
import { checkPrintk, PRINTK_NAMES } from "./printk.js";
import { checkStrncmp, STRNCMP } from "./strncmp.js";
import { checkTimerCall, isTimerHelper, TIMER_HELPERS } from "./timers.js";
import { BUILTIN_KFUNCS, checkKfuncCall, declaredKfunc, type KfuncSig } from "./kfuncs.js";
import { checkPacketBounds } from "./packet-lint.js";
import { unknownTracepoint, withTracepointFields, type TracepointCtxField } from "./tracepoint-ctx.js";
import { isNullablePointer } from "./types.js";
import type { KComposite } from "../kernel/kernel-types.js";
import { kernelAddressOperands, kernelArg, kernelCast, kernelIndex, kernelMember, kernelStructType, KERNEL_TYPE_BUILTINS, kernelTypeBuiltin, typedTracingArg } from "./kernel-struct.js";
import { unknownTpBtf, withTpBtfArgs } from "./tp-btf-ctx.js";
import type { ArithOp, CheckedFunction, DataSection, GlobalVar, CheckedProgram, CheckedTemplate, CmpOp, LValue, Local, MapMethod, MapRef, TExpr, TStmt } from "./typed.js";
import { BOOL, ERROR, UNTYPED, VOID, bitsOf, commonType, fits, isSigned, rangeOf, scalar, typeName, widensTo, wrap, type Type } from "./types.js";


type Sym =
  | { readonly k: "local"; readonly local: Local }
  /** `const x = <untyped constant>`: stays untyped, like a named literal. */
  | { readonly k: "const"; readonly value: bigint; readonly span: Span }
  | { readonly k: "ctx" }
  | { readonly k: "global"; readonly g: GlobalVar };

export class Scope {
  readonly vars = new Map<string, Sym>();
  constructor(readonly parent?: Scope) {}
  lookup(name: string): Sym | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
  *names(): Iterable<string> {
    yield* this.vars.keys();
    if (this.parent) yield* this.parent.names();
  }
}

const ARITH: Partial<Record<BinaryOp, ArithOp>> = {
  "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "&": "and", "|": "or", "^": "xor",
  "<<": "shl", ">>": "shr", ">>>": "ushr",
};
const CMP: Partial<Record<BinaryOp, CmpOp>> = { "==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge" };

/** Facts a condition proves: locals known non-null when it is true / false. */
interface Narrowing {
  readonly whenTrue: ReadonlySet<number>;
  readonly whenFalse: ReadonlySet<number>;
}
const NO_FACTS: Narrowing = { whenTrue: new Set(), whenFalse: new Set() };

const union = (a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> => new Set([...a, ...b]);
const intersect = (a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> => new Set([...a].filter((x) => b.has(x)));

function foldUntyped(op: ArithOp, a: bigint, b: bigint): bigint | string {
  switch (op) {
    case "add": return a + b;
    case "sub": return a - b;
    case "mul": return a * b;
    case "div": return b === 0n ? "division by zero" : a / b;
    case "mod": return b === 0n ? "division by zero" : a % b;
    case "and": return a & b;
    case "or": return a | b;
    case "xor": return a ^ b;
    case "shl": return b < 0n || b > 64n ? `shift by ${b} is out of range` : a << b;
    case "shr":
    case "ushr": return b < 0n || b > 64n ? `shift by ${b} is out of range` : a >> b;
  }
}

/** A function's signature, known before any body is checked (calls may come first). */
interface FunctionSig {
  readonly index: number;
  readonly decl: FunctionDecl;
  /** Integers, or struct pointers (a bpf_loop callback's context, `bpf-loop.ts`). */
  readonly params: readonly ParamType[];
  /** Per parameter, the kernel struct a `KernelStruct<"name">` parameter (a u64) points to. */
  readonly kernel: readonly (KComposite | undefined)[];
  readonly ret: ScalarName | "void";
}

/** What checking one body found about calls, for the whole-template checks. */
interface BodyFacts {
  readonly calls: { readonly fn: number; readonly span: Span }[];
  readonly helpers: { readonly name: string; readonly helper: HelperDef; readonly span: Span }[];
}

const SCALAR_TYPES = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "bool"];

export function checkTemplate(parsed: { readonly programs: readonly ProgramDecl[]; readonly functions: readonly FunctionDecl[]; readonly globals?: readonly GlobalDecl[]; readonly kfuncs?: readonly KfuncDecl[] }, slots: readonly Slot[], sink: DiagnosticSink): CheckedTemplate {
  const parseErrors = sink.list.length;
  const maps: MapRef[] = [];
  const byName = new Map<string, MapRef>();
  for (const s of slots) {
    if (s.value.kind !== "map" || byName.has(s.value.name)) continue;
    const ref: MapRef = { index: maps.length, name: s.value.name, info: s.value.map, ...(s.value.declaredAt ? { declaredAt: s.value.declaredAt } : {}) };
    maps.push(ref);
    byName.set(ref.name, ref);
  }
  const slotByPlaceholder = new Map(slots.map((s) => [s.placeholder, s]));
  const programNames = new Set(parsed.programs.map((p) => p.name));
  const sigs = new Map<string, FunctionSig>();
  for (const f of parsed.functions) {
    if (sigs.has(f.name) || programNames.has(f.name) || byName.has(f.name)) {
      sink.error("WBPF1010", f.nameSpan, `'${f.name}' is declared twice; functions, programs and maps share one namespace (the ELF symbols)`);
      continue;
    }
    const params: ParamType[] = [];
    const kernel: (KComposite | undefined)[] = [];
    const ctxParam = f.params.find((p) => Object.prototype.hasOwnProperty.call(CTX_KINDS, p.type.name));
    if (ctxParam) {
      sink.error("WBPF1012", f.nameSpan, `'${f.name}' takes a context (${ctxParam.type.name}), so it is a program, and programs are exported: write \`export function ${f.name}(...)\`. Functions that are not exported are helpers with integer parameters`);
      continue;
    }
    for (const p of f.params) {
      if (p.type.kernel) {
        // A kernel address passed as the u64 it is; the body reads it as the struct.
        kernel[params.length] = kernelStructType({ sink }, p.type.kernel)?.comp;
        params.push("u64");
        continue;
      }
      const struct = (n: string) => { const v = slotByPlaceholder.get(n)?.value; return v?.kind === "struct" ? v : undefined; };
      const t = paramType(p.type.name, struct);
      if (t) params.push(t);
      else {
        const near = suggest(p.type.name, SCALAR_TYPES);
        sink.error("WBPF1003", p.type.span, `unknown parameter type '${p.type.name}'${near ? `; did you mean '${near}'?` : ""} Parameters are integers: ${SCALAR_TYPES.join(" ")}`);
        params.push("u64");
      }
    }
    let ret: ScalarName | "void" = "void";
    if (f.returnType) {
      if (isScalarName(f.returnType.name)) ret = f.returnType.name;
      else sink.error("WBPF1003", f.returnType.span, `unknown return type '${f.returnType.name}'; functions return an integer type (${SCALAR_TYPES.join(" ")}) or void`);
    }
    sigs.set(f.name, { index: sigs.size, decl: f, params, kernel, ret });
  }
  // Kernel functions: the built-in ones, and the template's `declare function`s (which win).
  const kfuncSigs = new Map<string, KfuncSig>(Object.entries(BUILTIN_KFUNCS));
  for (const d of parsed.kfuncs ?? []) {
    if (sigs.has(d.name) || programNames.has(d.name) || byName.has(d.name)) {
      sink.error("WBPF1010", d.nameSpan, `'${d.name}' is declared twice; kernel functions, functions, programs and maps share one namespace (the ELF symbols)`);
      continue;
    }
    if (helper(d.name) || Object.prototype.hasOwnProperty.call(TIMER_HELPERS, d.name) || d.name === BPF_LOOP) {
      // A call by that name would reach the helper, never the declaration.
      sink.error("WBPF1010", d.nameSpan, `'${d.name}' is a kernel helper (called by number), not a kfunc; call it without declaring it`);
      continue;
    }
    const k = declaredKfunc(d, sink);
    if (k) kfuncSigs.set(d.name, k);
  }
  const usedKfuncs: KfuncSig[] = [];
  const kfunc = (name: string): { sig: KfuncSig; index: number } | undefined => {
    const sig = kfuncSigs.get(name);
    if (!sig) return undefined;
    let index = usedKfuncs.indexOf(sig);
    if (index < 0) index = usedKfuncs.push(sig) - 1;
    return { sig, index };
  };
  const root = new Scope();
  const globals: GlobalVar[] = [];
  const strings = new Map<string, GlobalVar>();
  const rodataString = (bytes: Uint8Array, span: Span): GlobalVar => {
    const key = bytes.join(",");
    let g = strings.get(key);
    if (!g) {
      // Named like bpf_printk's `____fmt` (printk formats, strncmp constants); a suffix keeps
      // it clear of the template's names.
      let name = `____str_${strings.size}`;
      while (root.lookup(name) || sigs.has(name) || programNames.has(name) || byName.has(name)) name += "_";
      g = { index: globals.length, name, section: ".rodata", type: "u8", init: 0n, bytes, span };
      globals.push(g);
      strings.set(key, g);
    }
    return g;
  };
  let usdtSpecs: MapRef | undefined;
  const usdtSpecTable = (span: Span): MapRef | undefined => {
    if (usdtSpecs) return usdtSpecs;
    if (byName.has(USDT_SPECS_MAP)) {
      sink.error("WBPF1010", span, `the map '${USDT_SPECS_MAP}' holds USDT argument specs; rename the template's map of that name`);
      return undefined;
    }
    usdtSpecs = { index: maps.length, name: USDT_SPECS_MAP, info: { kind: "array", key: "u32", value: "u8", maxEntries: USDT_MAX_SPECS, valueStruct: USDT_SPEC_LAYOUT } };
    maps.push(usdtSpecs);
    return usdtSpecs;
  };
  const env: CheckEnv = { slots: slotByPlaceholder, maps: byName, sink, parseErrors, functions: sigs, programs: programNames, root, rodataString, kfunc, kfuncNames: () => [...kfuncSigs.keys()], usdtSpecs: usdtSpecTable };
  for (const g of parsed.globals ?? []) {
    if (root.vars.has(g.name) || sigs.has(g.name) || programNames.has(g.name) || byName.has(g.name)) {
      sink.error("WBPF1010", g.nameSpan, `'${g.name}' is declared twice; globals, functions, programs and maps share one namespace (the ELF symbols)`);
      continue;
    }
    const sym = new ProgramChecker(env).checkGlobal(g, globals.length);
    if (!sym) continue;
    root.vars.set(g.name, sym);
    if (sym.k === "global") globals.push(sym.g);
  }

  const functions: CheckedFunction[] = [];
  const facts = new Map<number, BodyFacts>();
  for (const sig of sigs.values()) {
    const c = new ProgramChecker(env);
    const checked = c.checkFunction(sig);
    facts.set(sig.index, c.bodyFacts);
    if (checked) functions.push(checked);
  }
  reportRecursion([...sigs.values()], facts, sink);

  const out: CheckedProgram[] = [];
  const seen = new Set<string>();
  for (const p of parsed.programs) {
    if (seen.has(p.name)) {
      sink.error("WBPF1010", p.nameSpan, `program '${p.name}' is declared twice; each program needs its own name (it is the ELF symbol)`);
      continue;
    }
    seen.add(p.name);
    const c = new ProgramChecker(env);
    const checked = c.check(p);
    if (checked) {
      out.push(checked);
      checkReachableHelpers(checked, c.bodyFacts, facts, [...sigs.values()], sink);
    }
  }
  // A template without programs compiles to nothing; say so unless something else is wrong.
  if (parsed.programs.length === 0 && !sink.hasErrors) {
    sink.error("WBPF1012", { start: 0, end: 0 }, "the template declares no program; write `export function name(ctx: Xdp): i32 { ... }`");
  }
  checkCallbackReturns({ programs: out, functions }, sink);
  return { programs: out, functions, maps, globals, kfuncs: usedKfuncs };
}

/** BPF has no recursion: the verifier rejects call cycles, so they are build errors. */
function reportRecursion(sigs: readonly FunctionSig[], facts: ReadonlyMap<number, BodyFacts>, sink: DiagnosticSink): void {
  const state = new Map<number, "visiting" | "done">();
  const visit = (i: number, path: number[]): void => {
    state.set(i, "visiting");
    for (const c of facts.get(i)?.calls ?? []) {
      const st = state.get(c.fn);
      if (st === "visiting") {
        const cycle = [...path.slice(path.indexOf(c.fn)), c.fn].map((n) => sigs[n]!.decl.name).join(" -> ");
        sink.error("WBPF1002", c.span, `recursive call (${cycle}); BPF programs cannot recurse: rewrite it as a bounded loop`);
      } else if (st === undefined) visit(c.fn, [...path, c.fn]);
    }
    state.set(i, "done");
  };
  for (const s of sigs) if (!state.has(s.index)) visit(s.index, [s.index]);
}

/** Helpers called by the functions a program reaches must be allowed for its type. */
function checkReachableHelpers(p: CheckedProgram, own: BodyFacts, facts: ReadonlyMap<number, BodyFacts>, sigs: readonly FunctionSig[], sink: DiagnosticSink): void {
  const seen = new Set<number>();
  const stack = own.calls.map((c) => c.fn);
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const h of facts.get(f)?.helpers ?? []) {
      if (!helperAllowed(h.helper, p.progType)) {
        const allowed = h.helper.progTypes === "all" ? "all" : h.helper.progTypes.join(", ");
        sink.error("WBPF1005", h.span, `helper '${h.name}' (in function '${sigs[f]!.decl.name}') is not available to ${p.progType} programs such as '${p.name}' (only ${allowed}); the kernel's verifier would reject it`);
      }
    }
    stack.push(...(facts.get(f)?.calls ?? []).map((c) => c.fn));
  }
}

function hasPacketField(kind: CtxKindDef): boolean {
  for (const f of Object.values(kind.fields)) if (f.type === "pkt") return true;
  return false;
}

function hasRingBuf(maps: ReadonlyMap<string, MapRef>): boolean {
  for (const m of maps.values()) if (m.info.kind === "ringbuf") return true;
  return false;
}

interface CheckEnv {
  readonly slots: ReadonlyMap<string, Slot>;
  readonly maps: ReadonlyMap<string, MapRef>;
  readonly sink: DiagnosticSink;
  /**
   * How many of the sink's diagnostics parsing reported. A statement that did not parse is
   * missing from the body, so whether a function can reach its end (WBPF1011) is unknown there.
   */
  readonly parseErrors: number;
  readonly functions: ReadonlyMap<string, FunctionSig>;
  readonly programs: ReadonlySet<string>;
  /** Module-level names: globals and named constants. */
  readonly root: Scope;
  /** A constant string in `.rodata` (printk formats), one global per distinct string. */
  rodataString(bytes: Uint8Array, span: Span): GlobalVar;
  /** The kernel function `name` (built in or declared) and its index in the template's kfuncs. */
  kfunc(name: string): { readonly sig: KfuncSig; readonly index: number } | undefined;
  kfuncNames(): string[];
  /** The USDT spec table (runtime/usdt-spec.ts), added to the template's maps on first use. */
  usdtSpecs(span: Span): MapRef | undefined;
}

/** Checks one body: a program's (ctx parameter, i32 result) or a function's. */
class ProgramChecker {
  private nextLocal = 0;
  private nonNull = new Set<number>();
  /** Undefined in functions: their helper calls are checked per calling program. */
  private progType: ProgType | undefined;
  private ctxKind: CtxKindDef | undefined;
  private ctxTypeName = "";
  private ret: ScalarName | "void" = "i32";
  readonly bodyFacts: BodyFacts = { calls: [], helpers: [] };
  private readonly slots: ReadonlyMap<string, Slot>;
  private readonly maps: ReadonlyMap<string, MapRef>;
  private readonly sink: DiagnosticSink;
  /** Loops, switch, `?:` (check-control.ts). */
  private readonly control = new ControlChecker<Scope>({
    cond: (e, s) => this.cond(e, s),
    expr: (e, s) => this.expr(e, s),
    stmt: (st, s, out) => this.stmt(st, s, out),
    block: (b, s) => this.block(b, s),
    child: (s) => new Scope(s),
    nonNull: () => this.nonNull,
    setNonNull: (n) => { this.nonNull = n; },
    error: (code, span, message) => this.error(code, span, message),
    convert: (e, to, code, message) => this.convert(e, to, code, message),
    unify: (l, r, op, span) => this.unify(l, r, op, span),
  });

  constructor(private readonly env: CheckEnv) {
    this.slots = env.slots;
    this.maps = env.maps;
    this.sink = env.sink;
  }

  private error(code: DiagnosticCode, span: Span, message: string): TExpr {
    this.sink.error(code, span, message);
    return { k: "const", ty: ERROR, value: 0n, span };
  }

  check(d: ProgramDecl): CheckedProgram | undefined {
    this.sink.beginFunction();
    const kind = Object.prototype.hasOwnProperty.call(CTX_KINDS, d.ctxType.name) ? CTX_KINDS[d.ctxType.name] : undefined;
    if (!kind) {
      const near = suggest(d.ctxType.name, ctxKindNames());
      this.sink.error("WBPF1004", d.ctxType.span,
        `unknown context type '${d.ctxType.name}'${near ? `; did you mean '${near}'?` : ""} Known: ${ctxKindNames().join(", ")}`);
      return undefined;
    }
    if (d.ctxType.args.length !== kind.typeArgs) {
      this.sink.error("WBPF1004", d.ctxType.span, `context type '${d.ctxType.name}' takes ${kind.typeArgs} type argument(s); write ${kind.usage}`);
      return undefined;
    }
    const argError = kind.checkArgs(d.ctxType.args) ?? (kind.progType === "tracepoint" ? unknownTracepoint(d.ctxType.args[0]!) : undefined) ??
      (d.ctxType.name === "TpBtf" ? unknownTpBtf(d.ctxType.args[0]!) : undefined);
    if (argError) {
      this.sink.error("WBPF1004", d.ctxType.span, argError);
      return undefined;
    }
    this.ctxKind = withTpBtfArgs(withTracepointFields(kind, d.ctxType.args), d.ctxType.name, d.ctxType.args);
    this.ctxTypeName = d.ctxType.name;
    this.progType = kind.progType;
    if (d.returnType && d.returnType.name !== "i32") {
      this.sink.error("WBPF1003", d.returnType.span, `programs return i32 (the kernel reads the return value as an int); write \`: i32\``);
    }
    const scope = new Scope(this.env.root);
    scope.vars.set(d.ctxName, { k: "ctx" });
    const errorsBefore = this.sink.list.length;
    const { stmts, terminates } = this.block(d.body, scope);
    if (!terminates && !this.sink.errorWithin(d.span, this.env.parseErrors)) {
      this.sink.error("WBPF1011", d.endSpan, `program '${d.name}' can reach its end without returning a value; add \`return 0;\` (or the action to take)`);
    }
    // Only a ring buffer's reserve makes a record to release (MAP_METHODS): without one, the walk finds nothing.
    if (this.sink.list.length === errorsBefore && hasRingBuf(this.env.maps)) checkReservations(stmts, d.endSpan, this.sink);
    // Packet pointers come only from the context's packet fields (ctx.data, and what is added to it).
    if (this.sink.list.length === errorsBefore && hasPacketField(this.ctxKind)) checkPacketBounds(stmts, this.sink);
    if (this.sink.list.length !== errorsBefore) return undefined;
    return { name: d.name, section: kind.section(d.ctxType.args), progType: kind.progType, ctxBtf: kind.btf, ctxName: d.ctxName, body: stmts, span: d.span };
  }

  /**
   * A module-level variable: its initial value must be a constant. Typed `const` ->
   * `.rodata`; `let` -> `.data`, or `.bss` when it starts at zero; an untyped `const` of a
   * constant stays a compile-time constant (no memory, folded into the code).
   */
  checkGlobal(g: GlobalDecl, index: number): Sym | undefined {
    const scope = new Scope(this.env.root);
    let type: ScalarName | undefined;
    if (g.type) {
      if (!isScalarName(g.type.name)) {
        const near = suggest(g.type.name, SCALAR_TYPES);
        this.error("WBPF1003", g.type.span, `unknown type '${g.type.name}'${near ? `; did you mean '${near}'?` : ""} Globals are integers: ${SCALAR_TYPES.join(" ")}`);
        return undefined;
      }
      type = g.type.name;
    }
    let value = 0n;
    if (g.init) {
      const v = this.expr(g.init, scope);
      if (v.ty.k === "error") return undefined;
      if (v.k !== "const") {
        this.error("WBPF1015", g.init.span, `the initial value of global '${g.name}' must be a constant; compute it in a program and assign it there`);
        return undefined;
      }
      if (!type && g.isConst && v.ty.k === "untyped") return { k: "const", value: v.value, span: g.nameSpan };
      type ??= v.ty.k === "scalar" ? v.ty.name : fits(v.value, "i64") ? "i64" : "u64";
      const c = this.convert(v, type, "WBPF1003", (x) => `cannot initialise '${g.name}' (${type}) with ${this.describe(x)}`);
      if (c.ty.k === "error" || c.k !== "const") return undefined;
      value = c.value;
    } else if (g.isConst) {
      this.error("WBPF1003", g.nameSpan, `const '${g.name}' needs a value`);
      return undefined;
    }
    if (!type) {
      this.error("WBPF1003", g.nameSpan, `'${g.name}' needs a type or a value, e.g. \`let ${g.name}: u64 = 0;\``);
      return undefined;
    }
    const section: DataSection = g.isConst ? ".rodata" : value === 0n ? ".bss" : ".data";
    return { k: "global", g: { index, name: g.name, section, type, init: value, span: g.nameSpan } };
  }

  checkFunction(sig: FunctionSig): CheckedFunction | undefined {
    this.sink.beginFunction();
    const d = sig.decl;
    this.ret = sig.ret;
    const scope = new Scope(this.env.root);
    const params: Local[] = [];
    d.params.forEach((p, i) => {
      if (scope.vars.has(p.name)) {
        this.error("WBPF1010", p.nameSpan, `parameter '${p.name}' is declared twice`);
        return;
      }
      const t = sig.params[i]!;
      const k = sig.kernel[i];
      const local = this.newLocal(p.name, k ? { k: "kptr", comp: k } : typeof t === "string" ? scalar(t) : { k: "sptr", layout: t, nullable: false, origin: "stack" }, true, p.nameSpan);
      scope.vars.set(p.name, { k: "local", local });
      params.push(local);
    });
    const errorsBefore = this.sink.list.length;
    const { stmts, terminates } = this.block(d.body, scope);
    if (!terminates && sig.ret !== "void" && !this.sink.errorWithin(d.span, this.env.parseErrors)) {
      this.sink.error("WBPF1011", d.endSpan, `function '${d.name}' can reach its end without returning a ${sig.ret}; add a \`return\``);
    }
    if (this.sink.list.length !== errorsBefore) return undefined;
    return { index: sig.index, name: d.name, params, ret: sig.ret, body: stmts, span: d.span, ...(d.inline ? { inline: d.inline } : {}) };
  }

  // ---- statements -------------------------------------------------------------------

  private block(body: readonly Stmt[], scope: Scope): { stmts: TStmt[]; terminates: boolean } {
    const stmts: TStmt[] = [];
    let terminates = false;
    for (const s of body) {
      // Code after a return is dead; still check it so its errors show.
      if (this.stmt(s, scope, stmts)) terminates = true;
    }
    return { stmts, terminates };
  }

  /** Checks one statement, appending to `out`; returns whether it always returns. */
  private stmt(s: Stmt, scope: Scope, out: TStmt[]): boolean {
    switch (s.k) {
      case "let": {
        this.letDecl(s.init ? { ...s, init: this.literalArgs(s.init, scope, out) } : s, scope, out);
        return false;
      }
      case "expr": {
        const e = this.expr(this.literalArgs(s.expr, scope, out), scope);
        out.push({ k: "expr", e, span: s.span });
        return false;
      }
      case "return": {
        const ret = this.ret;
        if (ret === "void") {
          if (s.value) this.error("WBPF1003", s.value.span, "this function returns void; write `return;` or declare a result type, e.g. `: u32`");
          out.push({ k: "return", span: s.span });
          return true;
        }
        const what = this.progType ? "programs must return an i32 value, e.g. `return 0;`" : `this function returns ${ret}; return a value`;
        if (!s.value) {
          this.error("WBPF1003", s.span, what);
          return true;
        }
        const v = this.expr(s.value, scope);
        const whose = this.progType ? "the program's i32 result" : `the function's ${ret} result`;
        const value = this.convert(v, ret, "WBPF1003", (x) => `returned ${this.describe(x)} does not fit ${whose}; cast with \`as ${ret}\` if the value fits`);
        out.push({ k: "return", value, span: s.span });
        return true;
      }
      case "block": {
        const r = this.block(s.body, new Scope(scope));
        out.push(...r.stmts);
        return r.terminates;
      }
      case "if": {
        const before = new Set(this.nonNull);
        const { te: cond, facts } = this.cond(s.cond, scope);
        this.nonNull = union(before, facts.whenTrue);
        const t = this.block([s.then], new Scope(scope));
        const thenOut = this.nonNull;
        this.nonNull = union(before, facts.whenFalse);
        const e = s.else ? this.block([s.else], new Scope(scope)) : { stmts: [], terminates: false };
        const elseOut = this.nonNull;
        this.nonNull = t.terminates ? elseOut : e.terminates ? thenOut : intersect(thenOut, elseOut);
        out.push({ k: "if", cond, then: t.stmts, else: e.stmts, span: s.span });
        return t.terminates && e.terminates;
      }
      case "for":
      case "while":
      case "switch":
      case "break":
      case "continue":
        return this.control.stmt(s, scope, out);
    }
  }

  /**
   * `{ pid: 1, inner: { a: 2 } }` for the struct `target` names: each field assigned as
   * `target.pid = 1` would be, nested literals into nested struct fields.
   */
  private fillFields(target: Expr, obj: Extract<Expr, { k: "object" }>, scope: Scope, out: TStmt[]): void {
    const seen = new Set<string>();
    for (const f of obj.fields) {
      if (seen.has(f.name)) {
        this.error("WBPF1010", f.nameSpan, `field '${f.name}' is given twice in this object literal`);
        continue;
      }
      seen.add(f.name);
      const field: Expr = { k: "member", target, name: f.name, nameSpan: f.nameSpan, span: { start: f.nameSpan.start, end: f.value.span.end } };
      if (f.value.k === "object") {
        this.fillFields(field, f.value, scope, out);
        continue;
      }
      const span = field.span;
      out.push({ k: "expr", e: this.expr({ k: "assign", op: "=", target: field, value: f.value, span }, scope), span });
    }
  }

  /**
   * A map method given a struct key or value as an object literal (`${flows}.lookup({ saddr,
   * proto: 6 })`, `${stats}.update(k, { packets: 1 })`), as the whole statement or value of a
   * declaration: the literal fills a zeroed stack struct first, which the call then takes,
   * as the same code with a struct local would. Only when every argument before it is a
   * plain read, so nothing the call evaluates moves before or after its fields.
   */
  private literalArgs(e: Expr, scope: Scope, out: TStmt[]): Expr {
    if (e.k !== "method" || !e.args.some((a) => a.k === "object")) return e;
    const map = this.mapOf(e.target, scope);
    if (!map) return e;
    const plain = (x: Expr): boolean => x.k === "int" || x.k === "bool" || x.k === "name" || (x.k === "member" && plain(x.target)) || (x.k === "cast" && plain(x.expr));
    // Literals fill in argument order; any other argument before one must be a plain read.
    let inOrder = true;
    const args = e.args.map((a, i) => {
      const layout = structArgument(map.info, e.method, i)?.layout;
      if (a.k !== "object" || !layout || !inOrder) {
        inOrder &&= plain(a);
        return a;
      }
      const name = `#literal${this.nextLocal}`;
      const local = this.newLocal(name, { k: "sptr", layout, nullable: false, origin: "stack" }, false, a.span);
      scope.vars.set(name, { k: "local", local });
      out.push({ k: "let", local, init: stackStruct(layout, a.span), span: a.span });
      const ref: Expr = { k: "name", name, span: a.span };
      this.fillFields(ref, a, scope, out);
      return ref;
    });
    return { ...e, args };
  }

  private letDecl(s: Extract<Stmt, { k: "let" }>, scope: Scope, out: TStmt[]): void {
    if (scope.vars.has(s.name)) {
      this.error("WBPF1010", s.nameSpan, `'${s.name}' is already declared in this block; pick another name or assign with \`${s.name} = ...\``);
      return;
    }
    let declared: ScalarName | undefined;
    if (s.type?.kernel) {
      // `const t: KernelStruct<"task_struct"> = get_current_task();`: the cast, written on the left.
      const ty = kernelStructType(this.ops(scope), s.type.kernel);
      const init = s.init ? this.expr(s.init, scope) : undefined;
      if (!init) this.error("WBPF1003", s.nameSpan, `'${s.name}' needs a value: a kernel address, e.g. \`= get_current_task()\``);
      const v = ty && init ? kernelCast(this.ops(scope), init, s.type.kernel, s.span) : undefined;
      const local = this.newLocal(s.name, v && v.ty.k !== "error" ? v.ty : ERROR, !s.isConst, s.nameSpan);
      scope.vars.set(s.name, { k: "local", local });
      if (v && v.ty.k !== "error") out.push({ k: "let", local, init: v, span: s.span });
      return;
    }
    const structType = s.type ? this.structSlot(s.type.name) : undefined;
    if (structType && s.type) {
      const local = this.newLocal(s.name, { k: "sptr", layout: structType, nullable: false, origin: "stack" }, false, s.nameSpan);
      scope.vars.set(s.name, { k: "local", local });
      out.push({ k: "let", local, init: stackStruct(structType, s.span), span: s.span });
      // Zero-filled, then the object literal's fields, as `e.pid = 1;` would set them.
      if (s.init?.k === "object") this.fillFields({ k: "name", name: s.name, span: s.nameSpan }, s.init, scope, out);
      else if (s.init && s.init.k !== "invalid") {
        this.error("WBPF1002", s.init.span, `a struct local starts zero-filled; give it no value, or its fields as an object literal (\`let ${s.name}: ... = { ${structType.fields[0]?.name ?? "field"}: ... }\`)`);
      }
      return;
    }
    if (s.type) {
      if (!isScalarName(s.type.name)) {
        const near = suggest(s.type.name, ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "bool"]);
        this.error("WBPF1003", s.type.span, `unknown type '${s.type.name}'${near ? `; did you mean '${near}'?` : ""} Locals are integers: u8 u16 u32 u64 i8 i16 i32 i64 bool`);
        scope.vars.set(s.name, { k: "local", local: this.newLocal(s.name, ERROR, !s.isConst, s.nameSpan) });
        return;
      }
      declared = s.type.name;
    }
    let init: TExpr;
    let type: Type;
    if (!s.init) {
      if (s.isConst || !declared) {
        this.error("WBPF1003", s.nameSpan, s.isConst ? `const '${s.name}' needs a value` : `'${s.name}' needs a type or a value, e.g. \`let ${s.name}: u32 = 0;\``);
        scope.vars.set(s.name, { k: "local", local: this.newLocal(s.name, ERROR, true, s.nameSpan) });
        return;
      }
      // BPF has no uninitialised registers the verifier accepts: start at zero.
      type = scalar(declared);
      init = { k: "const", ty: type, value: 0n, span: s.nameSpan };
    } else {
      const v = this.expr(s.init, scope);
      if (declared) {
        type = scalar(declared);
        init = this.convert(v, declared, "WBPF1003", (x) => `cannot initialise '${s.name}' (${declared}) with ${this.describe(x)}; cast with \`as ${declared}\` if the value fits`);
      } else if (v.ty.k === "untyped" && v.k !== "const") {
        init = this.control.settle(v);
        type = init.ty;
      } else if (v.ty.k === "untyped" && v.k === "const") {
        if (s.isConst) {
          // A named constant: keeps adapting to where it is used.
          scope.vars.set(s.name, { k: "const", value: v.value, span: s.nameSpan });
          return;
        }
        // `let x = 5`: a variable needs a size; i64 holds every literal users write.
        const t: ScalarName = fits(v.value, "i64") ? "i64" : "u64";
        type = scalar(t);
        init = this.convert(v, t, "WBPF1008", () => `${v.value} does not fit in 64 bits`);
      } else if (v.ty.k === "void" || v.ty.k === "null") {
        this.error("WBPF1003", s.init.span, v.ty.k === "void" ? "this expression has no value" : `'${s.name}' cannot start as null without a type; BPF locals are integers or pointers from lookups`);
        type = ERROR;
        init = v;
      } else {
        type = isNullablePointer(v.ty) ? { ...v.ty, nullable: true } : v.ty;
        init = v;
      }
    }
    const local = this.newLocal(s.name, type, !s.isConst, s.nameSpan);
    if (s.isConst) rememberConstInit(local, init);
    scope.vars.set(s.name, { k: "local", local });
    if (isNullablePointer(type) && isNullablePointer(init.ty) && !init.ty.nullable) this.nonNull.add(local.id);
    out.push({ k: "let", local, init, span: s.span });
  }

  private newLocal(name: string, type: Type, mutable: boolean, span: Span): Local {
    return { id: this.nextLocal++, name, type, mutable, span };
  }

  // ---- conversions ---------------------------------------------------------------------

  private describe(e: TExpr): string {
    return e.k === "const" && e.ty.k === "untyped" ? `constant ${e.value}` : `a value of type ${typeName(e.ty)}`;
  }

  /**
   * Implicit conversion to scalar `to`: untyped constants that fit, and widening that keeps
   * every value. Anything else reports `code` with `message(e)` at the expression.
   */
  private convert(e: TExpr, to: ScalarName, code: DiagnosticCode, message: (e: TExpr) => string): TExpr {
    const ty = e.ty;
    if (ty.k === "error") return e;
    if (ty.k === "untyped" && e.k === "select") return this.control.convertSelect(e, to, (x) => this.convert(x, to, code, message));
    if (ty.k === "untyped" && e.k === "const") {
      if (!fits(e.value, to)) {
        const [lo, hi] = rangeOf(to);
        this.sink.error(code === "WBPF1003" ? "WBPF1008" : code, e.span, `constant ${e.value} does not fit ${to} (${lo} to ${hi})`);
        return { ...e, ty: ERROR };
      }
      return { k: "const", ty: scalar(to), value: e.value, span: e.span };
    }
    if (ty.k === "scalar") {
      if (ty.name === to) return e;
      if (widensTo(ty.name, to)) return { k: "convert", ty: scalar(to), e, span: e.span };
    }
    this.sink.error(code, e.span, message(e));
    return { ...e, ty: ERROR };
  }

  /** Gives both operands one scalar type (untyped adapts, narrower widens). */
  private unify(l: TExpr, r: TExpr, op: string, span: Span): [TExpr, TExpr, ScalarName] | undefined {
    if (l.ty.k === "error" || r.ty.k === "error") return undefined;
    if (l.ty.k === "untyped" && r.ty.k === "untyped") [l, r] = [this.control.settle(l), this.control.settle(r)];
    if (l.ty.k === "untyped" && r.ty.k === "scalar") return this.unifyTo(l, r, r.ty.name, op);
    if (r.ty.k === "untyped" && l.ty.k === "scalar") return this.unifyTo(l, r, l.ty.name, op);
    if (l.ty.k === "scalar" && r.ty.k === "scalar") {
      const t = commonType(l.ty.name, r.ty.name);
      if (!t) {
        const why = isSigned(l.ty.name) !== isSigned(r.ty.name) ? "they differ in signedness" : "neither widens to the other";
        this.sink.error("WBPF1003", span, `operands of '${op}' have types ${l.ty.name} and ${r.ty.name} and ${why}; cast one with \`as\``);
        return undefined;
      }
      return [this.convert(l, t, "WBPF1003", () => ""), this.convert(r, t, "WBPF1003", () => ""), t];
    }
    this.sink.error("WBPF1003", span, `'${op}' does not apply to ${typeName(l.ty)} and ${typeName(r.ty)}`);
    return undefined;
  }

  private unifyTo(l: TExpr, r: TExpr, t: ScalarName, op: string): [TExpr, TExpr, ScalarName] | undefined {
    const negative = [l, r].find((x) => x.k === "const" && x.ty.k === "untyped" && x.value < 0n);
    if (negative?.k === "const" && !isSigned(t)) {
      // `ctx.dfd == -100`: a syscall tracepoint argument is a u64 even when C declares an int.
      const use = ["==", "!=", "<", "<=", ">", ">="].includes(op) ? "compare with a negative number" : `use a negative number in '${op}'`;
      this.sink.error("WBPF1008", negative.span, `constant ${negative.value} does not fit ${t}, the type of the other operand of '${op}'; to ${use}, cast that operand to a signed type of the C declaration's width (\`x as i32 ${op} ${negative.value}\` for an int, as syscall tracepoint arguments declared int are)`);
      return undefined;
    }
    const msg = (x: TExpr) => `${this.describe(x)} does not fit ${t}, the type of the other operand of '${op}'`;
    const a = this.convert(l, t, "WBPF1008", msg);
    const b = this.convert(r, t, "WBPF1008", msg);
    return a.ty.k === "error" || b.ty.k === "error" ? undefined : [a, b, t];
  }

  // ---- expressions ---------------------------------------------------------------------

  private expr(e: Expr, scope: Scope): TExpr {
    switch (e.k) {
      case "int": return { k: "const", ty: UNTYPED, value: e.value, span: e.span };
      case "bool": return { k: "const", ty: BOOL, value: e.value ? 1n : 0n, span: e.span };
      case "null": return { k: "null", ty: { k: "null" }, span: e.span };
      case "invalid": return { k: "const", ty: ERROR, value: 0n, span: e.span };
      case "object": return this.error("WBPF1002", e.span, "an object literal gives a struct local its fields (`let e: ${Event} = { pid: 1 }`), or a map method its struct key or value, as the whole statement or value and after plain arguments (`${flows}.update(k, { packets: 1 })`); elsewhere declare the struct local first");
      case "str": return this.error("WBPF1002", e.span, "strings are only printk format strings (`printk(\"pid %d\\n\", pid)`) and strncmp's constant (`strncmp(e.comm, \"bash\")`); elsewhere use integer constants");
      case "name": return this.name(e, scope);
      case "binary": return this.binary(e, scope);
      case "unary": return this.unary(e, scope);
      case "cast": return this.cast(e, scope);
      case "call": return this.call(e, scope);
      case "method": return this.method(e, scope);
      case "member": return this.member(e, scope);
      case "index": return this.index(e, scope);
      case "assign": return this.assign(e, scope);
      case "incdec": return this.incdec(e, scope);
      case "ternary": return this.control.ternary(e, scope);
    }
  }

  private candidates(scope: Scope): string[] {
    return [...scope.names(), ...Object.keys(HELPERS), ...Object.keys(CONSTANTS), ...Object.keys(INTRINSICS)];
  }

  private name(e: Extract<Expr, { k: "name" }>, scope: Scope): TExpr {
    const sym = scope.lookup(e.name);
    if (sym) {
      switch (sym.k) {
        case "const": return { k: "const", ty: UNTYPED, value: sym.value, span: e.span };
        case "ctx": return this.error("WBPF1002", e.span, `the context '${e.name}' is not a value; read its fields, e.g. \`${e.name}.data\``);
        case "global": return { k: "global", ty: scalar(sym.g.type), g: sym.g, span: e.span };
        case "local": {
          const t = sym.local.type;
          const ty: Type = isNullablePointer(t) && this.nonNull.has(sym.local.id) ? { ...t, nullable: false } : t;
          return { k: "local", ty, local: sym.local, span: e.span };
        }
      }
    }
    const slot = this.slots.get(e.name);
    if (slot) {
      switch (slot.value.kind) {
        case "int": return { k: "const", ty: UNTYPED, value: slot.value.value, span: e.span };
        case "map": return this.error("WBPF1014", e.span, `map '${slot.value.name}' is not a value; call one of its methods, e.g. \`.lookup(key)\``);
        case "unresolved": return this.error("WBPF1013", e.span, `this interpolation could not be resolved at build time: ${slot.value.reason}`);
        case "struct": return this.error("WBPF1014", e.span, `struct ${slot.value.name} is a type, not a value: declare a local with it (\`let e: \${${slot.value.name}};\`) or reserve one (\`events.reserve(\${${slot.value.name}})\`)`);
      }
    }
    if (Object.prototype.hasOwnProperty.call(CONSTANTS, e.name)) return { k: "const", ty: UNTYPED, value: CONSTANTS[e.name]!, span: e.span };
    if (helper(e.name) || Object.prototype.hasOwnProperty.call(INTRINSICS, e.name)) {
      return this.error("WBPF1002", e.span, `'${e.name}' is a function; call it: \`${e.name}(...)\``);
    }
    const near = suggest(e.name, this.candidates(scope));
    return this.error("WBPF1001", e.span, `unknown identifier '${e.name}'${near ? `; did you mean '${near}'?` : "; declare it with const or let, or interpolate a host value with ${...}"}`);
  }

  private binary(e: Extract<Expr, { k: "binary" }>, scope: Scope): TExpr {
    if (e.op === "&&" || e.op === "||") return this.cond(e, scope).te;
    const l = this.expr(e.left, scope);
    const r = this.expr(e.right, scope);
    if (l.ty.k === "error" || r.ty.k === "error") return { k: "const", ty: ERROR, value: 0n, span: e.span };
    const cmp = CMP[e.op];
    if (cmp) return this.compare(cmp, e.op, l, r, e);
    const op = ARITH[e.op]!;
    if (l.ty.k === "untyped" && r.ty.k === "untyped" && l.k === "const" && r.k === "const") {
      const v = foldUntyped(op, l.value, r.value);
      if (typeof v === "string") return this.error("WBPF1008", e.span, `${v} in a constant expression`);
      return { k: "const", ty: UNTYPED, value: v, span: e.span };
    }
    // Packet pointer arithmetic: pointer + unsigned offset.
    if (op === "add" && (l.ty.k === "pkt" || r.ty.k === "pkt")) {
      const [ptr, off] = l.ty.k === "pkt" ? [l, r] : [r, l];
      if (ptr === r && l.ty.k === "pkt") return this.error("WBPF1003", e.span, "cannot add two packet pointers");
      const o = this.convert(off, "u64", "WBPF1003", (x) => `packet offsets are unsigned integers; ${this.describe(x)} cannot be added to a packet pointer${x.ty.k === "scalar" && isSigned(x.ty.name) ? `; cast with \`as u32\` if it is never negative` : ""}`);
      return { k: "pktadd", ty: { k: "pkt" }, ptr, off: o, span: e.span };
    }
    for (const x of [l, r]) {
      if (x.ty.k !== "scalar" && x.ty.k !== "untyped") {
        return this.error("WBPF1003", x.span, `'${e.op}' needs integers, not ${typeName(x.ty)}${x.ty.k === "pkt" || x.ty.k === "pkt_end" ? `; packet pointers only support \`p + offset\` and comparisons${e.op === "-" ? `, as the verifier does (the packet's length is ${this.progType === "xdp" ? "`xdp_get_buff_len(ctx)`" : "`ctx.len`"})` : ""}` : ""}`);
      }
      if (x.ty.k === "scalar" && x.ty.name === "bool") {
        return this.error("WBPF1003", x.span, `'${e.op}' needs integers, not bool; convert with \`as u8\``);
      }
    }
    if (op === "shl" || op === "shr" || op === "ushr") return this.shift(op, l, r, e);
    const u = this.unify(l, r, e.op, e.opSpan);
    if (!u) return { k: "const", ty: ERROR, value: 0n, span: e.span };
    const [a, b, t] = u;
    if ((op === "div" || op === "mod") && b.k === "const" && b.value === 0n) {
      return this.error("WBPF1008", b.span, `division by zero; BPF would yield ${op === "div" ? "0" : "the dividend"}, which is never what was meant`);
    }
    return { k: "arith", op, ty: scalar(t), l: a, r: b, span: e.span };
  }

  private shift(op: ArithOp, l: TExpr, r: TExpr, e: Extract<Expr, { k: "binary" }>): TExpr {
    // The result has the left operand's type; an untyped left takes the right's.
    let left = l;
    if (l.ty.k === "untyped") {
      const t = (r.ty as { name: ScalarName }).name;
      left = this.convert(l, t, "WBPF1008", (x) => `${this.describe(x)} does not fit ${t}; write it as a typed value, e.g. \`(${e.left.k === "int" ? e.left.value : "x"} as u64)\``);
      if (left.ty.k === "error") return left;
    }
    const t = (left.ty as { name: ScalarName }).name;
    let right = r;
    if (r.ty.k === "untyped" && r.k === "const") {
      if (r.value < 0n || r.value >= BigInt(bitsOf(t) === 1 ? 8 : bitsOf(t))) {
        return this.error("WBPF1008", r.span, `shift by ${r.value} is out of range for ${t} (0 to ${bitsOf(t) - 1})`);
      }
      right = { k: "const", ty: scalar(t), value: r.value, span: r.span };
    }
    return { k: "arith", op, ty: scalar(t), l: left, r: right, span: e.span };
  }

  private compare(op: CmpOp, text: string, l: TExpr, r: TExpr, e: Extract<Expr, { k: "binary" }>): TExpr {
    const eqOnly = op === "eq" || op === "ne";
    if (l.ty.k === "untyped" && r.ty.k === "untyped" && l.k === "const" && r.k === "const") {
      const a = l.value, b = r.value;
      const v = op === "eq" ? a === b : op === "ne" ? a !== b : op === "lt" ? a < b : op === "le" ? a <= b : op === "gt" ? a > b : a >= b;
      return { k: "const", ty: BOOL, value: v ? 1n : 0n, span: e.span };
    }
    // Kernel addresses compare as the u64s they are (`task.mm != null`: kernel threads have none).
    if (l.ty.k === "kptr" || r.ty.k === "kptr") [l, r] = kernelAddressOperands(l, r);
    const ptrKinds = ["pkt", "pkt_end"];
    if (ptrKinds.includes(l.ty.k) && ptrKinds.includes(r.ty.k)) {
      if (l.ty.k === "pkt_end" && r.ty.k === "pkt_end") return this.error("WBPF1003", e.span, "comparing the packet end with itself is always the same");
      return { k: "cmp", op, ty: BOOL, l, r, span: e.span };
    }
    if ((isNullablePointer(l.ty) && r.ty.k === "null") || (l.ty.k === "null" && isNullablePointer(r.ty))) {
      if (!eqOnly) return this.error("WBPF1003", e.opSpan, `pointers compare with null only by === or !==`);
      return { k: "cmp", op, ty: BOOL, l, r, span: e.span };
    }
    if (l.ty.k === "scalar" && r.ty.k === "scalar" && (l.ty.name === "bool" || r.ty.name === "bool") && !eqOnly) {
      return this.error("WBPF1003", e.opSpan, `'${text}' does not order booleans; compare them with === or !==`);
    }
    const u = this.unify(l, r, text, e.opSpan);
    if (!u) return { k: "const", ty: ERROR, value: 0n, span: e.span };
    return { k: "cmp", op, ty: BOOL, l: u[0], r: u[1], span: e.span };
  }

  /** Checks an expression used as a condition and what it proves about null pointers. */
  private cond(e: Expr, scope: Scope): { te: TExpr; facts: Narrowing } {
    if (e.k === "binary" && (e.op === "&&" || e.op === "||")) {
      const left = this.cond(e.left, scope);
      const saved = this.nonNull;
      // The right side runs only when the left is true (&&) or false (||).
      this.nonNull = union(saved, e.op === "&&" ? left.facts.whenTrue : left.facts.whenFalse);
      const right = this.cond(e.right, scope);
      this.nonNull = saved;
      const facts: Narrowing = e.op === "&&"
        ? { whenTrue: union(left.facts.whenTrue, right.facts.whenTrue), whenFalse: intersect(left.facts.whenFalse, right.facts.whenFalse) }
        : { whenTrue: intersect(left.facts.whenTrue, right.facts.whenTrue), whenFalse: union(left.facts.whenFalse, right.facts.whenFalse) };
      return { te: { k: "logic", op: e.op === "&&" ? "and" : "or", ty: BOOL, l: left.te, r: right.te, span: e.span }, facts };
    }
    if (e.k === "unary" && e.op === "!") {
      const inner = this.cond(e.operand, scope);
      return { te: { k: "not", ty: BOOL, e: inner.te, span: e.span }, facts: { whenTrue: inner.facts.whenFalse, whenFalse: inner.facts.whenTrue } };
    }
    let te = this.expr(e, scope);
    if (te.ty.k === "kptr") te = kernelAddressOperands(te, { k: "null", ty: { k: "null" }, span: te.span })[0];
    const ty = te.ty;
    if (ty.k !== "scalar" && ty.k !== "untyped" && !isNullablePointer(ty) && ty.k !== "error") {
      return { te: this.error("WBPF1003", e.span, `${typeName(ty)} cannot be used as a condition; compare it explicitly`), facts: NO_FACTS };
    }
    return { te, facts: this.facts(te) };
  }

  private facts(te: TExpr): Narrowing {
    const ptrLocal = (x: TExpr) => (x.k === "local" && isNullablePointer(x.local.type) ? x.local.id : undefined);
    const direct = ptrLocal(te);
    if (direct !== undefined) return { whenTrue: new Set([direct]), whenFalse: new Set() };
    if (te.k === "cmp" && (te.op === "eq" || te.op === "ne")) {
      const id = te.l.k === "null" ? ptrLocal(te.r) : te.r.k === "null" ? ptrLocal(te.l) : undefined;
      if (id !== undefined) {
        const s = new Set([id]);
        return te.op === "ne" ? { whenTrue: s, whenFalse: new Set() } : { whenTrue: new Set(), whenFalse: s };
      }
    }
    return NO_FACTS;
  }

  private unary(e: Extract<Expr, { k: "unary" }>, scope: Scope): TExpr {
    if (e.op === "!") return this.cond(e, scope).te;
    const v = this.expr(e.operand, scope);
    if (v.ty.k === "error") return v;
    if (v.ty.k === "untyped" && v.k === "const") {
      const value = e.op === "-" ? -v.value : e.op === "~" ? ~v.value : v.value;
      return { k: "const", ty: UNTYPED, value, span: e.span };
    }
    if (v.ty.k !== "scalar" || v.ty.name === "bool") {
      return this.error("WBPF1003", e.span, `unary '${e.op}' needs an integer, not ${typeName(v.ty)}`);
    }
    if (e.op === "+") return v;
    return { k: e.op === "-" ? "neg" : "bnot", ty: v.ty, e: v, span: e.span };
  }

  private cast(e: Extract<Expr, { k: "cast" }>, scope: Scope): TExpr {
    if (e.kernel) return kernelCast(this.ops(scope), this.expr(e.expr, scope), e.kernel, e.span);
    const v = this.expr(e.expr, scope);
    // A kernel address as the number it is (to compare with 0, store, or print).
    if ((v.ty.k === "kptr" || v.ty.k === "kbuf") && e.to === "u64") return { k: "retype", ty: scalar("u64"), e: v, span: e.span };
    if (!isScalarName(e.to)) {
      const near = suggest(e.to, ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "bool"]);
      return this.error("WBPF1003", e.toSpan, `cannot cast to '${e.to}'${near ? `; did you mean '${near}'?` : ""} Casts convert between u8 u16 u32 u64 i8 i16 i32 i64 bool`);
    }
    const to = e.to;
    if (v.ty.k === "error") return v;
    if (v.ty.k === "untyped" && v.k === "const") {
      // An explicit cast of a constant wraps, as it would at run time.
      return { k: "const", ty: scalar(to), value: wrap(v.value, to), span: e.span };
    }
    // `(c ? 1 : 2) as u64`: each arm is cast as a constant is.
    if (v.ty.k === "untyped" && v.k === "select") return this.castArms(v, to);
    if (v.ty.k !== "scalar") return this.error("WBPF1003", e.span, `cannot cast ${typeName(v.ty)} to ${to}`);
    if (v.ty.name === to) return v;
    if (to === "bool") return { k: "cmp", op: "ne", ty: BOOL, l: v, r: { k: "const", ty: v.ty, value: 0n, span: e.span }, span: e.span };
    return { k: "convert", ty: scalar(to), e: v, span: e.span };
  }

  /** An untyped `?:` cast to `to`: its constant arms wrap, nested ones likewise. */
  private castArms(v: Extract<TExpr, { k: "select" }>, to: ScalarName): TExpr {
    return this.control.convertSelect(v, to, (x) =>
      x.ty.k === "untyped" && x.k === "const" ? { k: "const", ty: scalar(to), value: wrap(x.value, to), span: x.span }
        : x.ty.k === "untyped" && x.k === "select" ? this.castArms(x, to)
          : this.convert(x, to, "WBPF1003", () => `cannot cast ${typeName(x.ty)} to ${to}`));
  }

  private arity(e: { args: readonly Expr[]; span: Span }, n: number, what: string): boolean {
    if (e.args.length === n) return true;
    this.sink.error("WBPF1006", e.span, `${what} takes ${n} argument${n === 1 ? "" : "s"}, got ${e.args.length}`);
    return false;
  }

  private call(e: Extract<Expr, { k: "call" }>, scope: Scope): TExpr {
    const shadow = scope.lookup(e.callee);
    if (shadow) return this.error("WBPF1002", e.calleeSpan, `'${e.callee}' is a local variable, not a function`);
    const fn = this.env.functions.get(e.callee);
    if (fn) return this.callFunction(e, fn, scope);
    if (KERNEL_TYPE_BUILTINS.has(e.callee)) return kernelTypeBuiltin(this.ops(scope), e);
    if (this.env.programs.has(e.callee)) {
      return this.error("WBPF1002", e.calleeSpan, `'${e.callee}' is a program (exported); programs cannot be called. Move the shared code into a non-exported function and call that`);
    }
    const callbacks = {
      callback: (n: string) => (scope.lookup(n) ? undefined : (() => { const f = this.env.functions.get(n); return f && { index: f.index, name: n, params: f.params, paramNames: f.decl.params.map((p) => p.name), ret: f.ret }; })()),
      referenced: (fn: number, span: Span) => this.bodyFacts.calls.push({ fn, span }),
    };
    if (e.callee === BPF_LOOP) return checkBpfLoop(this.ops(scope), callbacks, e);
    if (isTimerHelper(e.callee)) {
      const h = TIMER_HELPERS[e.callee]!;
      if (this.progType === undefined) this.bodyFacts.helpers.push({ name: e.callee, helper: h, span: e.calleeSpan });
      else if (!helperAllowed(h, this.progType)) {
        return this.error("WBPF1005", e.calleeSpan, `'${e.callee}' is not available to ${this.progType} programs (only ${(h.progTypes as readonly string[]).join(", ")}): the verifier refuses maps with timers in tracing program types`);
      }
      return checkTimerCall(this.ops(scope), callbacks, e);
    }
    if (isAtomicBuiltin(e.callee)) return checkAtomic(this.ops(scope), e);
    if (PRINTK_NAMES.includes(e.callee)) return checkPrintk(this.ops(scope), this.env, e);
    if (e.callee === STRNCMP) return checkStrncmp(this.ops(scope), this.env, e);
    if (COPY_BUILTINS.includes(e.callee)) return checkCopyBuiltin(this.ops(scope), e);
    const h = helper(e.callee);
    if (h) {
      if (this.progType === undefined) this.bodyFacts.helpers.push({ name: e.callee, helper: h, span: e.calleeSpan });
      else if (!helperAllowed(h, this.progType)) {
        const allowed = h.progTypes === "all" ? "all" : h.progTypes.join(", ");
        return this.error("WBPF1005", e.calleeSpan, `helper '${e.callee}' is not available to ${this.progType} programs (only ${allowed}); the kernel's verifier would reject it`);
      }
      const args = checkHelperArgs(this.ops(scope), e.callee, h, e);
      if (!args) return { k: "const", ty: ERROR, value: 0n, span: e.span };
      return { k: "helper", ty: scalar(h.ret), name: e.callee, helper: h, args, span: e.span };
    }
    const kf = this.env.kfunc(e.callee);
    if (kf) return checkKfuncCall(this.ops(scope), kf.sig, kf.index, e);
    const intr = Object.prototype.hasOwnProperty.call(INTRINSICS, e.callee) ? INTRINSICS[e.callee] : undefined;
    if (intr) {
      if (intr.kind === "load") {
        if (!this.arity(e, 2, `'${e.callee}'`)) return { k: "const", ty: ERROR, value: 0n, span: e.span };
        const ptr = this.expr(e.args[0]!, scope);
        const off = this.expr(e.args[1]!, scope);
        if (ptr.ty.k === "error" || off.ty.k === "error") return { k: "const", ty: ERROR, value: 0n, span: e.span };
        if (ptr.ty.k !== "pkt") return this.error("WBPF1003", ptr.span, `'${e.callee}' reads packet memory; its first argument must be a packet pointer such as ctx.data, not ${typeName(ptr.ty)}`);
        if (off.k !== "const" || (off.ty.k !== "untyped" && off.ty.k !== "scalar")) {
          return this.error("WBPF1015", off.span, `the offset of '${e.callee}' must be a constant; for a variable offset add it to the pointer first and bounds-check the result`);
        }
        if (off.value < 0n || off.value > 0x7fffn) return this.error("WBPF1008", off.span, `offset ${off.value} is out of range (0 to 32767)`);
        const name = (["u8", "u16", "", "u32", "", "", "", "u64"] as const)[intr.size - 1] as ScalarName;
        return { k: "load", ty: scalar(name), size: intr.size, ptr, off: Number(off.value), span: e.span };
      }
      if (!this.arity(e, 1, `'${e.callee}'`)) return { k: "const", ty: ERROR, value: 0n, span: e.span };
      const t: ScalarName = intr.bits === 16 ? "u16" : "u32";
      const arg = this.convert(this.expr(e.args[0]!, scope), t, "WBPF1003", (x) => `'${e.callee}' takes a ${t}; ${this.describe(x)} does not convert implicitly; cast with \`as ${t}\``);
      if (arg.k === "const" && arg.ty.k === "scalar") {
        return { k: "const", ty: scalar(t), value: bswap(arg.value, intr.bits), span: e.span };
      }
      return { k: "bswap", ty: scalar(t), bits: intr.bits, e: arg, span: e.span };
    }
    const near = suggest(e.callee, [...Object.keys(HELPERS), ...Object.keys(INTRINSICS), ...Object.keys(TIMER_HELPERS), ...PRINTK_NAMES, STRNCMP, BPF_LOOP, ...this.env.kfuncNames()]);
    return this.error("WBPF1001", e.calleeSpan, `unknown function '${e.callee}'${near ? `; did you mean '${near}'?` : "; see docs/LANGUAGE.md for the helpers available"}`);
  }

  private callFunction(e: Extract<Expr, { k: "call" }>, fn: FunctionSig, scope: Scope): TExpr {
    this.bodyFacts.calls.push({ fn: fn.index, span: e.calleeSpan });
    if (!this.arity(e, fn.params.length, `'${e.callee}'`)) return { k: "const", ty: ERROR, value: 0n, span: e.span };
    const args = e.args.map((a, i) => {
      const p = fn.params[i]!;
      const name = fn.decl.params[i]!.name;
      const k = fn.kernel[i];
      if (k) return kernelArg(this.ops(scope), this.expr(a, scope), k, `parameter '${name}' of '${e.callee}'`);
      if (typeof p !== "string") return this.structArg(this.expr(a, scope), p, `parameter '${name}' of '${e.callee}'`);
      return this.convert(this.expr(a, scope), p, "WBPF1003", (x) => `parameter '${name}' of '${e.callee}' is ${p}; ${this.describe(x)} does not convert implicitly; cast with \`as ${p}\` if the value fits`);
    });
    return { k: "callf", ty: fn.ret === "void" ? VOID : scalar(fn.ret), fn: fn.index, args, span: e.span };
  }

  /** A struct pointer argument: non-null, of the parameter's struct. */
  private structArg(a: TExpr, want: StructLayout, what: string): TExpr {
    if (a.ty.k === "error") return a;
    if (a.ty.k !== "sptr" || a.ty.layout.name !== want.name || a.ty.nullable) {
      return this.error(a.ty.k === "sptr" && a.ty.nullable ? "WBPF1007" : "WBPF1003", a.span, `${what} is a non-null ${want.name} pointer, not ${typeName(a.ty)}${a.ty.k === "sptr" && a.ty.nullable ? "; check it for null first" : ""}`);
    }
    return a;
  }

  private mapOf(target: Expr, scope: Scope): MapRef | undefined {
    if (target.k !== "name" || scope.lookup(target.name)) return undefined;
    const slot = this.slots.get(target.name);
    return slot?.value.kind === "map" ? this.maps.get(slot.value.name) : undefined;
  }

  /** What construct checkers in other modules may use of this checker, in `scope`. */
  private ops(scope: Scope): CheckOps {
    return {
      sink: this.sink,
      progType: this.progType,
      expr: (x) => this.expr(x, scope),
      convert: (x, to, code, message) => this.convert(x, to, code, message),
      describe: (x) => this.describe(x),
      mapOf: (x) => this.mapOf(x, scope),
      isCtx: (x) => x.k === "name" && scope.lookup(x.name)?.k === "ctx",
      structOf: (x) => (x.k === "name" && !scope.lookup(x.name) ? this.structSlot(x.name) : undefined),
    };
  }

  /** The struct layout an interpolated `defstruct` placeholder names. */
  private structSlot(name: string): Extract<Slot["value"], { kind: "struct" }> | undefined {
    const v = this.slots.get(name)?.value;
    return v?.kind === "struct" ? v : undefined;
  }

  /** A `__data_loc` string field: the address of its bytes, ctx + (locator & 0xffff). */
  private dataLocAddress(field: CtxField, span: Span): TExpr {
    const loc: TExpr = { k: "ctxload", ty: scalar("u32"), field, span };
    const off: TExpr = { k: "arith", op: "and", ty: scalar("u32"), l: loc, r: { k: "const", ty: scalar("u32"), value: 0xffffn, span }, span };
    return { k: "arith", op: "add", ty: scalar("u64"), l: { k: "ctxptr", ty: scalar("u64"), span }, r: { k: "convert", ty: scalar("u64"), e: off, span }, span };
  }

  private method(e: Extract<Expr, { k: "method" }>, scope: Scope): TExpr {
    const map = this.mapOf(e.target, scope);
    if (!map) {
      const t = this.expr(e.target, scope);
      if (t.ty.k === "error") return t;
      return this.error("WBPF1002", e.methodSpan, `only maps have methods; ${typeName(t.ty)} has no method '${e.method}'`);
    }
    const allowed = MAP_METHODS[map.info.kind];
    const method = e.method as MapMethod;
    if (!allowed.includes(method)) {
      const known = (ALL_MAP_METHODS as readonly string[]).includes(e.method);
      const near = known ? undefined : suggest(e.method, allowed);
      const list = allowed.length ? allowed.join(", ") : "none yet";
      return this.error("WBPF2003", e.methodSpan, known
        ? `${map.info.kind} map '${map.name}' has no '${e.method}'${map.info.kind.includes("array") && e.method === "delete" ? " (array entries always exist; store 0 with update instead)" : ""}; its methods: ${list}`
        : `map '${map.name}' has no method '${e.method}'${near ? `; did you mean '${near}'?` : ""} Its methods: ${list}`);
    }
    if (EXTRA_MAP_METHODS.includes(method)) return checkMapMethod(this.ops(scope), map, method, e);
    const [min, max] = method === "lookup" || method === "delete" ? [1, 1] : method === "increment" ? [1, 2] : [2, 3];
    if (e.args.length < min || e.args.length > max) {
      return this.error("WBPF1006", e.span, `'${map.name}.${method}' takes ${min === max ? min : `${min} or ${max}`} arguments, got ${e.args.length}`);
    }
    const related = map.declaredAt ? [{ ...map.declaredAt, message: `map '${map.name}' is declared here` }] : undefined;
    const checkArg = (i: number, want: ScalarName, code: "WBPF2001" | "WBPF2002", role: string): TExpr => {
      const a = this.expr(e.args[i]!, scope);
      const c = this.convertQuiet(a, want);
      if (c) return c;
      const desc = a.k === "const" && a.ty.k === "untyped" ? `${role} ${a.value}` : `${role} of type ${typeName(a.ty)}`;
      this.sink.error(code, a.span, `${desc} does not fit map '${map.name}' whose ${role} is ${want}${a.ty.k === "scalar" ? `; cast with \`as ${want}\` if the value fits` : ""}`, related);
      return { ...a, ty: ERROR };
    };
    const { keyStruct, valueStruct } = map.info;
    if (method === "increment" && valueStruct) {
      return this.error("WBPF2002", e.methodSpan, `'${map.name}.increment' adds to an integer value, but map '${map.name}' holds struct ${valueStruct.name}; look the key up and add to a field: \`const v = ${map.name}.lookup(k); if (v) v.${valueStruct.fields[0]?.name ?? "field"} += 1;\``);
    }
    const args: TExpr[] = [keyStruct ? structElemArg(this.ops(scope), map, "key", keyStruct, e.args[0]!) : checkArg(0, map.info.key, "WBPF2001", "key")];
    if (method === "update") {
      args.push(valueStruct ? structElemArg(this.ops(scope), map, "value", valueStruct, e.args[1]!) : checkArg(1, map.info.value, "WBPF2002", "value"));
      if (e.args[2]) args.push(this.convert(this.expr(e.args[2], scope), "u64", "WBPF1003", (x) => `update flags are BPF_ANY, BPF_NOEXIST or BPF_EXIST, not ${this.describe(x)}`));
      else args.push({ k: "const", ty: scalar("u64"), value: 0n, span: e.span });
    }
    if (method === "increment") {
      if (e.args[1]) args.push(checkArg(1, map.info.value, "WBPF2002", "value"));
      else args.push({ k: "const", ty: scalar(map.info.value), value: 1n, span: e.span });
    }
    const ty: Type = method === "lookup" ? structLookupType(map) ?? { k: "ptr", to: map.info.value, nullable: true } : method === "increment" ? VOID : scalar("i64");
    return { k: "map", ty, map, method, args, span: e.span };
  }

  /** Like `convert` but silent: undefined when the conversion is not allowed. */
  private convertQuiet(a: TExpr, want: ScalarName): TExpr | undefined {
    if (a.ty.k === "error") return a;
    if (a.ty.k === "untyped" && a.k === "select") {
      const arms = [this.convertQuiet(a.t, want), this.convertQuiet(a.f, want)];
      return arms[0] && arms[1] ? { ...a, ty: scalar(want), t: arms[0], f: arms[1] } : undefined;
    }
    if (a.ty.k === "untyped" && a.k === "const") return fits(a.value, want) ? { k: "const", ty: scalar(want), value: a.value, span: a.span } : undefined;
    if (a.ty.k === "scalar" && widensTo(a.ty.name, want)) return a.ty.name === want ? a : { k: "convert", ty: scalar(want), e: a, span: a.span };
    return undefined;
  }

  private member(e: Extract<Expr, { k: "member" }>, scope: Scope): TExpr {
    const t = e.target;
    if (t.k === "name" && scope.lookup(t.name)?.k === "ctx") {
      const kind = this.ctxKind!;
      if (e.name === USDT_ARG_COUNT && kind.args?.usdt) {
        const specs = this.env.usdtSpecs(e.span);
        return specs ? { k: "usdtarg", ty: scalar("u32"), index: "count", specs, span: e.span } : { k: "const", ty: ERROR, value: 0n, span: e.span };
      }
      const field = Object.prototype.hasOwnProperty.call(kind.fields, e.name) ? kind.fields[e.name] : undefined;
      if (!field) {
        const names = kind.args?.usdt ? [...Object.keys(kind.fields), USDT_ARG_COUNT] : Object.keys(kind.fields);
        const near = suggest(e.name, names);
        if (e.name === "args" && kind.args) return this.error("WBPF1004", e.span, "`ctx.args` is an array of u64: index it with a constant, e.g. `ctx.args[0]`");
        return this.error("WBPF1004", e.nameSpan, `${this.ctxTypeName} context has no field '${e.name}'${near ? `; did you mean '${near}'?` : ""}${names.length ? ` Fields: ${names.join(", ")}` : " (tracepoint record fields are not readable yet)"}`);
      }
      const ty: Type = field.type === "pkt" ? { k: "pkt" } : field.type === "pkt_end" ? { k: "pkt_end" } : scalar(field.type);
      if ((field as TracepointCtxField).dataLoc) return this.dataLocAddress(field, e.span);
      return { k: "ctxload", ty, field, span: e.span };
    }
    if (this.mapOf(t, scope)) return this.error("WBPF2003", e.nameSpan, `maps have methods, not fields; call e.g. \`.lookup(key)\``);
    const v = this.expr(t, scope);
    if (v.ty.k === "error") return v;
    if (v.ty.k === "sptr") return structMember(this.ops(scope), v, e);
    if (v.ty.k === "kptr") return kernelMember(this.ops(scope), v, e);
    return this.error("WBPF1002", e.nameSpan, `${typeName(v.ty)} has no field '${e.name}'`);
  }

  private index(e: Extract<Expr, { k: "index" }>, scope: Scope): TExpr {
    const t = e.target;
    if (t.k === "member" && t.name === "args" && t.target.k === "name" && scope.lookup(t.target.name)?.k === "ctx" && this.ctxKind?.args) {
      return this.ctxArg(e, this.ctxKind.args, scope);
    }
    const p = this.expr(e.target, scope);
    if (p.ty.k === "aptr") return arrayIndex(this.ops(scope), p, e);
    const i = this.expr(e.index, scope);
    if (p.ty.k === "kbuf") return kernelIndex(this.ops(scope), p, i, e);
    if (p.ty.k === "error" || i.ty.k === "error") return { k: "const", ty: ERROR, value: 0n, span: e.span };
    if (p.ty.k !== "ptr") return this.error("WBPF1002", e.span, `only map value pointers can be indexed (\`p[0]\`), not ${typeName(p.ty)}`);
    if (i.k !== "const" || i.value !== 0n) return this.error("WBPF1008", i.span, "map values are single scalars: the only index is 0, as in `p[0]`");
    if (p.ty.nullable) {
      const name = e.target.k === "name" ? e.target.name : "the pointer";
      return this.error("WBPF1007", e.target.span, `${name} may be null (the key may be missing); check it first: \`if (${name} !== null) ...\``);
    }
    return { k: "deref", ty: scalar(p.ty.to), ptr: p, span: e.span };
  }

  /** `ctx.args[i]`: a u64 at a constant index. */
  private ctxArg(e: Extract<Expr, { k: "index" }>, args: CtxArgs, scope: Scope): TExpr {
    const i = this.expr(e.index, scope);
    if (i.ty.k === "error") return i;
    if (i.k !== "const") return this.error("WBPF1015", i.span, "`ctx.args` takes a constant index, e.g. `ctx.args[0]`");
    if (i.value < 0n || i.value >= BigInt(args.count)) return this.error("WBPF1008", i.span, `argument index ${i.value} is out of range (0 to ${args.count - 1})`);
    if (args.usdt) {
      const specs = this.env.usdtSpecs(e.span);
      return specs ? { k: "usdtarg", ty: scalar("u64"), index: Number(i.value), specs, span: e.span } : { k: "const", ty: ERROR, value: 0n, span: e.span };
    }
    const field: CtxField = { offset: args.offset(Number(i.value)), size: 8, type: "u64" };
    const load: TExpr = { k: "ctxload", ty: scalar("u64"), field, span: e.span };
    const typed = args.kernelTypes?.[Number(i.value)];
    if (args.kernelTypes && !typed) return this.error("WBPF1008", i.span, `argument index ${i.value} is out of range: ${this.ctxTypeName} has ${args.kernelTypes.length} argument${args.kernelTypes.length === 1 ? "" : "s"}`);
    return typed ? typedTracingArg(load, typed) : load;
  }

  private lvalue(target: Expr, scope: Scope): { lv: LValue; read: TExpr } | undefined {
    if (target.k === "name") {
      const sym = scope.lookup(target.name);
      if (sym?.k === "local") {
        if (!sym.local.mutable) {
          this.sink.error("WBPF1009", target.span, `'${target.name}' is a const; declare it with \`let\` to assign to it`);
          return undefined;
        }
        const read = this.name(target, scope);
        return { lv: { k: "local", local: sym.local }, read };
      }
      if (sym?.k === "const") {
        this.sink.error("WBPF1009", target.span, `'${target.name}' is a const; declare it with \`let\` to assign to it`);
        return undefined;
      }
      if (sym?.k === "global") {
        if (sym.g.section === ".rodata") {
          this.sink.error("WBPF1009", target.span, `'${target.name}' is read-only in BPF code (it lives in .rodata, set before load); declare it with \`let\` to change it at run time`);
          return undefined;
        }
        return { lv: { k: "global", g: sym.g }, read: this.name(target, scope) };
      }
      if (!sym) {
        this.name(target, scope); // reports unknown / not-a-value
        return undefined;
      }
    }
    if (target.k === "index") {
      const read = this.index(target, scope);
      const mem = memoryLvalue(read);
      if (mem) return { lv: mem, read };
      if (read.k !== "deref") return undefined;
      return { lv: { k: "deref", ptr: read.ptr, ty: (read.ty as { name: ScalarName }).name }, read };
    }
    if (target.k === "member") {
      const r = this.member(target, scope);
      if (r.k === "ctxload" && r.field.writable) return { lv: { k: "ctx", field: r.field }, read: r };
      const mem = memoryLvalue(r);
      if (mem) return { lv: mem, read: r };
      if (r.ty.k !== "error" && r.k !== "ctxload") {
        this.sink.error("WBPF1009", target.span, `${typeName(r.ty)} is not assignable as a whole; assign its fields (or copy bytes with a helper)`);
        return undefined;
      }
      if (r.ty.k !== "error") {
        const writable = Object.entries(this.ctxKind?.fields ?? {}).filter(([, f]) => f.writable).map(([n]) => n);
        this.sink.error("WBPF1009", target.span, `this context field is read-only in ${this.progType} programs${writable.length ? `; writable fields: ${writable.join(", ")}` : ""}`);
      }
      return undefined;
    }
    this.sink.error("WBPF1009", target.span, "only variables and `p[0]` can be assigned to");
    return undefined;
  }

  private assign(e: Extract<Expr, { k: "assign" }>, scope: Scope): TExpr {
    const copied = e.op === "=" ? this.structCopy(e, scope) : undefined;
    if (copied) return copied;
    const t = this.lvalue(e.target, scope);
    const v = this.expr(e.value, scope);
    if (!t || v.ty.k === "error") return { k: "const", ty: ERROR, value: 0n, span: e.span };
    const { lv, read } = t;
    const ty = read.ty;
    if (ty.k === "error") return read;
    if (e.op === "=") {
      if (ty.k === "scalar") {
        const value = this.convert(v, ty.name, "WBPF1003", (x) => `cannot assign ${this.describe(x)} to ${this.targetName(e.target)} (${ty.name}); cast with \`as ${ty.name}\` if the value fits`);
        return this.finishAssign(lv, value, e.span, ty);
      }
      if (ty.k === "ptr" && v.ty.k === "ptr" && v.ty.to === ty.to) return this.finishAssign(lv, v, e.span, ty);
      if (ty.k === "sptr" && v.ty.k === "sptr" && v.ty.layout === ty.layout && v.ty.origin === ty.origin) return this.finishAssign(lv, v, e.span, ty);
      return this.error("WBPF1003", e.span, `cannot assign ${this.describe(v)} to ${this.targetName(e.target)} (${typeName(ty)})`);
    }
    if (ty.k !== "scalar" || ty.name === "bool") return this.error("WBPF1003", e.span, `'${e.op}' needs an integer variable, not ${typeName(ty)}`);
    const opText = e.op.slice(0, -1) as BinaryOp;
    const op = ARITH[opText]!;
    let rhs: TExpr;
    if (op === "shl" || op === "shr" || op === "ushr") {
      rhs = this.shift(op, read, v, { k: "binary", op: opText, left: e.target, right: e.value, opSpan: e.span, span: e.span });
    } else {
      const value = this.convert(v, ty.name, "WBPF1003", (x) => `'${e.op}' on ${ty.name} needs a ${ty.name} operand; ${this.describe(x)} does not convert implicitly; cast with \`as ${ty.name}\``);
      if (value.ty.k === "error") return value;
      if ((op === "div" || op === "mod") && value.k === "const" && value.value === 0n) return this.error("WBPF1008", value.span, "division by zero");
      rhs = { k: "arith", op, ty, l: read, r: value, span: e.span };
    }
    if (rhs.ty.k === "error") return rhs;
    return this.finishAssign(lv, rhs, e.span, ty);
  }

  /** `a = b` on a stack struct local or a struct field copies bytes (`copy.ts`). */
  private structCopy(e: Extract<Expr, { k: "assign" }>, scope: Scope): TExpr | undefined {
    const t = e.target;
    const sym = t.k === "name" ? scope.lookup(t.name) : undefined;
    if (t.k === "name" && !(sym?.k === "local" && sym.local.type.k === "sptr")) return undefined;
    if (t.k !== "name" && t.k !== "member" && t.k !== "index") return undefined;
    const dst = this.expr(t, scope);
    if (dst.ty.k === "error") return dst;
    return structAssign(this.ops(scope), dst, e.value, e.span);
  }

  private finishAssign(lv: LValue, value: TExpr, span: Span, ty: Type, yieldsOld = false): TExpr {
    if (lv.k === "local") {
      // A new value may be null again (or now known non-null).
      if (isNullablePointer(value.ty) && !value.ty.nullable) this.nonNull.add(lv.local.id);
      else this.nonNull.delete(lv.local.id);
    }
    return { k: "assign", ty, target: lv, value, yieldsOld, span };
  }

  private targetName(t: Expr): string {
    return t.k === "name" ? `'${t.name}'` : "the target";
  }

  private incdec(e: Extract<Expr, { k: "incdec" }>, scope: Scope): TExpr {
    const t = this.lvalue(e.target, scope);
    if (!t) return { k: "const", ty: ERROR, value: 0n, span: e.span };
    const ty = t.read.ty;
    if (ty.k === "error") return t.read;
    if (ty.k !== "scalar" || ty.name === "bool") return this.error("WBPF1003", e.span, `'${e.op}' needs an integer variable, not ${typeName(ty)}`);
    const one: TExpr = { k: "const", ty, value: 1n, span: e.span };
    const rhs: TExpr = { k: "arith", op: e.op === "++" ? "add" : "sub", ty, l: t.read, r: one, span: e.span };
    return this.finishAssign(t.lv, rhs, e.span, ty, !e.prefix);
  }
}

export function bswap(value: bigint, bits: 16 | 32 | 64): bigint {
  let v = BigInt.asUintN(bits, value);
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) {
    out = (out << 8n) | (v & 0xffn);
    v >>= 8n;
  }
  return out;
}
