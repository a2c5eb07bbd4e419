/**
 * The checked tree: what the checker hands to IR lowering.
 *
 * Every name is resolved, every expression has a concrete type, implicit conversions are
 * explicit `convert` nodes, untyped constants have been given types, and compound
 * assignments are spelled out. Lowering can trust all of it and never reports errors.
 */
import type { Span } from "../diagnostics.js";
import type { MapSlotInfo, SourceLocation } from "../api.js";
import type { ScalarName } from "../../runtime/types.js";
import type { CtxBtf, CtxField, ProgType } from "./ctx.js";
import type { HelperDef } from "./helpers.js";
import type { KfuncSig } from "./kfuncs.js";
import type { Type } from "./types.js";
import type { AtomicOp } from "./atomics.js";
import type { CoreAccess } from "../btf/core.js";

export interface Local {
  readonly id: number;
  readonly name: string;
  readonly type: Type;
  readonly mutable: boolean;
  readonly span: Span;
}

export interface MapRef {
  /** Index in the object's `.maps` section. */
  readonly index: number;
  readonly name: string;
  readonly info: MapSlotInfo;
  readonly declaredAt?: SourceLocation;
}

/** Sections holding global variables, as libbpf names them (each becomes an array map). */
export type DataSection = ".rodata" | ".data" | ".bss";

/** A module-level variable: a slot in `.rodata`, `.data` or `.bss`. */
export interface GlobalVar {
  readonly index: number;
  readonly name: string;
  readonly section: DataSection;
  readonly type: ScalarName;
  /** Initial value (zero in `.bss`). */
  readonly init: bigint;
  /** A constant byte string in `.rodata` instead of a scalar (a printk format, NUL
   * included); `type` is then "u8" and `init` 0. */
  readonly bytes?: Uint8Array;
  readonly span: Span;
}

export type ArithOp = "add" | "sub" | "mul" | "div" | "mod" | "and" | "or" | "xor" | "shl" | "shr" | "ushr";
export type CmpOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge";

export type MapMethod =
  | "lookup" | "update" | "delete" | "increment"
  /** Ring buffers: reserve a record, submit or discard it; output copies a value in. */
  | "reserve" | "submit" | "discard" | "output"
  /** Queues and stacks (push also on bloom filters, peek is a bloom filter's membership test). */
  | "push" | "pop" | "peek"
  /** Devmap/cpumap/xskmap redirect, prog array tail call. */
  | "redirect" | "tailCall";

type E<K extends string, T> = { readonly k: K; readonly ty: Type; readonly span: Span } & T;

export type TExpr =
  | E<"const", { readonly value: bigint }>
  | E<"null", object>
  | E<"local", { readonly local: Local }>
  /** Read of a global variable. */
  | E<"global", { readonly g: GlobalVar }>
  /** Address of a global (a `.rodata` string: a printk format). */
  | E<"gaddr", { readonly g: GlobalVar }>
  /** Address of a fresh stack array holding `args` as u64 words (bpf_trace_vprintk's data). */
  | E<"argpack", { readonly args: readonly TExpr[] }>
  /** `ty` is the operation type; both operands have it, except a shift's right operand. */
  | E<"arith", { readonly op: ArithOp; readonly l: TExpr; readonly r: TExpr }>
  /** `l` and `r` have the same type (scalar, packet pointers, or ptr vs null). */
  | E<"cmp", { readonly op: CmpOp; readonly l: TExpr; readonly r: TExpr }>
  | E<"logic", { readonly op: "and" | "or"; readonly l: TExpr; readonly r: TExpr }>
  /** Logical not of a condition (bool, integer or pointer). */
  | E<"not", { readonly e: TExpr }>
  | E<"neg", { readonly e: TExpr }>
  | E<"bnot", { readonly e: TExpr }>
  /** Scalar-to-scalar conversion with C semantics (truncate, sign- or zero-extend). */
  | E<"convert", { readonly e: TExpr }>
  | E<"helper", { readonly name: string; readonly helper: HelperDef; readonly args: readonly TExpr[] }>
  | E<"ctxload", { readonly field: CtxField }>
  /** `ctx.args[index]` of a USDT probe, followed through spec table `specs` (lower-usdt.ts);
   * `"count"`: `ctx.arg_count`, how many arguments the site that fired has. */
  | E<"usdtarg", { readonly index: number | "count"; readonly specs: MapRef }>
  /** Packet pointer plus an unsigned offset. */
  | E<"pktadd", { readonly ptr: TExpr; readonly off: TExpr }>
  | E<"load", { readonly size: 1 | 2 | 4 | 8; readonly ptr: TExpr; readonly off: number }>
  | E<"bswap", { readonly bits: 16 | 32 | 64; readonly e: TExpr }>
  /** `p[0]` of a non-null map value pointer. */
  | E<"deref", { readonly ptr: TExpr }>
  /** Address inside an object: `ptr + off` (+ `index * scale` for a variable array index).
   * `e.inner` of a struct, `e.comm` of a char array, `&e.arr[i]`. */
  | E<"fieldptr", { readonly ptr: TExpr; readonly off: number; readonly index?: { readonly e: TExpr; readonly scale: number } }>
  /** The same 64-bit value seen as another type (`get_current_task() as KernelStruct<...>`). */
  | E<"retype", { readonly e: TExpr }>
  /** Kernel address `base + offset of access` (an embedded struct or array of a kernel struct):
   * the offset is a CO-RE relocated constant. */
  | E<"kaddr", { readonly base: TExpr; readonly access: CoreAccess }>
  /** `size` bytes read with bpf_probe_read_kernel from `base + offset of access` (a kernel
   * struct field), zero-extended; `ty` is the raw unsigned type or a kernel pointer. `direct`:
   * one load through a BTF pointer instead (tp_btf arguments). */
  | E<"kread", { readonly base: TExpr; readonly access: CoreAccess; readonly size: 1 | 2 | 4 | 8; readonly direct?: true }>
  /** A kernel bitfield, as BPF_CORE_READ_BITFIELD_PROBED reads it: `byteSize` bytes at the byte
   * offset into a zeroed u64, shifted left by `lshift` and right by `rshift` (arithmetically
   * when signed); each of the four numbers is a CO-RE relocated constant (`accesses`). */
  | E<"kbitfield", { readonly base: TExpr; readonly accesses: { readonly offset: CoreAccess; readonly size: CoreAccess; readonly lshift: CoreAccess; readonly rshift: CoreAccess }; readonly signed: boolean }>
  /** A CO-RE constant on its own: `field_exists(task.x)` (1, or 0 on kernels without it). */
  | E<"kconst", { readonly access: CoreAccess }>
  /** Address of a map (a helper's map argument). */
  | E<"mapref", { readonly map: MapRef }>
  /** The program's context pointer (a helper's ctx argument). */
  | E<"ctxptr", object>
  /** Address of a fresh zero-filled stack object of `size` bytes (a struct local). */
  | E<"stackobj", { readonly size: number; readonly align: number }>
  | E<"map", { readonly map: MapRef; readonly method: MapMethod; readonly args: readonly TExpr[] }>
  /** Atomic read-modify-write of the `size`-byte integer at `ptr + off` (`atomics.ts`);
   * `args`: the operand, or expected and desired for cmpxchg. Typed void unless `fetch`. */
  | E<"atomic", { readonly op: AtomicOp; readonly fetch: boolean; readonly ptr: TExpr; readonly off: number; readonly size: 4 | 8; readonly args: readonly TExpr[] }>
  /** Copy of `size` bytes from object `src` to object `dst`, both aligned to `align` (`copy.ts`). */
  | E<"copy", { readonly dst: TExpr; readonly src: TExpr; readonly size: number; readonly align: number }>
  /** A call of the template's function `fn` (index in `CheckedTemplate.functions`). */
  | E<"callf", { readonly fn: number; readonly args: readonly TExpr[] }>
  /** A call of kernel function `kfunc` (index in `CheckedTemplate.kfuncs`, `kfuncs.ts`). */
  | E<"kfunc", { readonly kfunc: number; readonly args: readonly TExpr[] }>
  /** Address of the template's function `fn`: a bpf_loop callback (`bpf-loop.ts`). */
  | E<"funcaddr", { readonly fn: number; readonly use?: "timer" }>
  /** Assignment; `value` already has the target's type. The expression's value is the new
   * value, or the old one when `yieldsOld` (postfix ++/--). */
  | E<"assign", { readonly target: LValue; readonly value: TExpr; readonly yieldsOld: boolean }>
  /** `test ? t : f`: only the chosen arm is evaluated. Untyped when both arms are untyped
   * constants (it then converts like a constant, arm by arm). */
  | E<"select", { readonly test: TExpr; readonly t: TExpr; readonly f: TExpr }>;

export type LValue =
  | { readonly k: "local"; readonly local: Local }
  | { readonly k: "global"; readonly g: GlobalVar }
  /** A writable context field (`ctx.mark = 1` in tc). */
  | { readonly k: "ctx"; readonly field: CtxField }
  /** Memory at `ptr + off` (`p[0]`, struct fields). */
  | { readonly k: "deref"; readonly ptr: TExpr; readonly ty: ScalarName; readonly off?: number };

export type TStmt =
  | { readonly k: "let"; readonly local: Local; readonly init: TExpr; readonly span: Span }
  | { readonly k: "expr"; readonly e: TExpr; readonly span: Span }
  | { readonly k: "if"; readonly cond: TExpr; readonly then: readonly TStmt[]; readonly else: readonly TStmt[]; readonly span: Span }
  /** `value` is absent only in void functions. */
  | { readonly k: "return"; readonly value?: TExpr; readonly span: Span }
  | TControlStmt;

/**
 * What the checker proved about a loop's trip count (`loop-bound.ts`): at most `max`
 * iterations, exactly `exact` when the counter's start is known.
 */
export interface LoopBound {
  readonly counter: Local;
  readonly max: bigint;
  readonly exact?: bigint;
}

/** Loops and switch (`check-control.ts`, `lower-control.ts`). */
export type TControlStmt =
  /** `for`/`while`: `init` runs once; then while `cond` holds: `body`, then `update`.
   * `continue` jumps to `update`, `break` past the loop. */
  | { readonly k: "loop"; readonly init: readonly TStmt[]; readonly cond: TExpr; readonly body: readonly TStmt[]; readonly update: readonly TStmt[]; readonly bound: LoopBound; readonly span: Span }
  /** Cases in source order; control enters at the matching case (or `default`) and falls
   * through to the next one unless a statement leaves. Case values are distinct and
   * already converted to the discriminant's type. */
  | { readonly k: "switch"; readonly disc: TExpr; readonly cases: readonly { readonly values: readonly bigint[]; readonly isDefault: boolean; readonly body: readonly TStmt[]; readonly span: Span }[]; readonly span: Span }
  | { readonly k: "break"; readonly span: Span }
  | { readonly k: "continue"; readonly span: Span };

export interface CheckedProgram {
  readonly name: string;
  readonly section: string;
  readonly progType: ProgType;
  readonly ctxBtf: CtxBtf;
  readonly ctxName: string;
  readonly body: readonly TStmt[];
  readonly span: Span;
}

/** A non-exported function of the template, called by programs (or other functions). */
export interface CheckedFunction {
  readonly index: number;
  readonly name: string;
  readonly params: readonly Local[];
  readonly ret: ScalarName | "void";
  readonly body: readonly TStmt[];
  readonly span: Span;
  /** From `@inline` / `@noinline` JSDoc tags; otherwise the compiler decides. */
  readonly inline?: "always" | "never";
}

export interface CheckedTemplate {
  readonly programs: readonly CheckedProgram[];
  /** Every function of the template, by index. */
  readonly functions: readonly CheckedFunction[];
  readonly maps: readonly MapRef[];
  readonly globals: readonly GlobalVar[];
  /** Kernel functions the template calls, in order of first use. */
  readonly kfuncs: readonly KfuncSig[];
}
