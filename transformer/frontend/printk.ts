/**
 * `printk(fmt, ...args)` (also spelled `trace_printk`): a line in the kernel's trace buffer
 * (/sys/kernel/tracing/trace_pipe), as libbpf's bpf_printk writes it.
 *
 * The format is a string literal placed in `.rodata` as a `static const char[]` with its
 * NUL, passed as a pointer and its size (clang's bpf_printk does the same). Up to three
 * arguments call bpf_trace_printk (helper 6); four to twelve call bpf_trace_vprintk (177,
 * Linux 5.16 and later) with the arguments packed as u64 words on the stack. The format is
 * checked here as the kernel's bpf_bprintf_prepare() will check it at run time, so a format
 * the kernel would refuse (the helper returns -EINVAL and prints nothing) is a build error.
 */
import type { Span } from "../diagnostics.js";
import type { Expr } from "./ast.js";
import { errorNode, fail, type CheckOps } from "./check-ops.js";
import type { HelperDef } from "./helpers.js";
import type { GlobalVar, TExpr } from "./typed.js";
import { isNullablePointer, isSigned, scalar, typeName } from "./types.js";

export const PRINTK_NAMES: readonly string[] = ["printk", "trace_printk"];


/** The kernel's limit on arguments (MAX_BPRINTF_VARARGS). */
export const PRINTK_MAX_ARGS = 12;

export const TRACE_PRINTK: HelperDef = {
  id: 6, params: [], ret: "i64", progTypes: "all",
  doc: "printk(fmt, ...args): format up to 3 arguments into the trace buffer (/sys/kernel/tracing/trace_pipe); the bytes written, or < 0",
  note: "non-tracing program types need CAP_PERFMON",
};

export const TRACE_VPRINTK: HelperDef = {
  id: 177, params: [], ret: "i64", progTypes: "all",
  doc: "printk with 4 to 12 arguments: bpf_trace_vprintk(fmt, size, data, data_len)",
  note: "Linux 5.16 and later",
};

/** What one conversion takes: an integer of 32 or 64 bits, or an address. */
type Spec = { readonly text: string; readonly kind: "int32" | "int64" | "addr"; readonly span: Span };

/** Where the checker keeps constant strings (printk formats, strncmp constants): one `.rodata` global per distinct string. */
export interface PrintkEnv {
  rodataString(bytes: Uint8Array, span: Span): GlobalVar;
}

const USAGE = 'printk("pid %d len %llu\\n", pid, len)';

export function checkPrintk(ops: CheckOps, env: PrintkEnv, e: Extract<Expr, { k: "call" }>): TExpr {
  const [fmtArg, ...rest] = e.args;
  if (!fmtArg || fmtArg.k !== "str") {
    return fail(ops, "WBPF1020", fmtArg?.span ?? e.span, `the first argument of '${e.callee}' is its format, a string literal: ${USAGE}`);
  }
  const specs = parseFormat(ops, fmtArg.value, fmtArg.span);
  if (!specs) return errorNode(e.span);
  if (specs.length > PRINTK_MAX_ARGS) {
    return fail(ops, "WBPF1020", fmtArg.span, `the format has ${specs.length} conversions; the kernel formats at most ${PRINTK_MAX_ARGS} arguments`);
  }
  if (specs.length !== rest.length) {
    const list = specs.map((s) => s.text).join(" ") || "none";
    return fail(ops, "WBPF1006", e.span, `the format of '${e.callee}' has ${specs.length} conversion${specs.length === 1 ? "" : "s"} (${list}) but ${rest.length} argument${rest.length === 1 ? " follows" : "s follow"} it`);
  }
  const args: TExpr[] = [];
  let ok = true;
  rest.forEach((src, i) => {
    const a = argument(ops, specs[i]!, src);
    if (a.ty.k === "error") ok = false;
    args.push(a);
  });
  if (!ok) return errorNode(e.span);
  const bytes = new TextEncoder().encode(fmtArg.value + "\0");
  const g = env.rodataString(bytes, fmtArg.span);
  const fmt: TExpr = { k: "gaddr", ty: scalar("u64"), g, span: fmtArg.span };
  const size: TExpr = { k: "const", ty: scalar("u32"), value: BigInt(bytes.length), span: fmtArg.span };
  if (args.length <= 3) {
    return { k: "helper", ty: scalar("i64"), name: "trace_printk", helper: TRACE_PRINTK, args: [fmt, size, ...args], span: e.span };
  }
  const data: TExpr = { k: "argpack", ty: scalar("u64"), args, span: e.span };
  const len: TExpr = { k: "const", ty: scalar("u32"), value: BigInt(8 * args.length), span: e.span };
  return { k: "helper", ty: scalar("i64"), name: "trace_vprintk", helper: TRACE_VPRINTK, args: [fmt, size, data, len], span: e.span };
}

/** One argument converted to what its conversion reads. */
function argument(ops: CheckOps, spec: Spec, src: Expr): TExpr {
  const a = ops.expr(src);
  if (a.ty.k === "error") return a;
  const where = `argument for ${spec.text}`;
  if (spec.kind === "addr") {
    if (a.ty.k === "sptr" || a.ty.k === "aptr" || a.ty.k === "ptr" || a.ty.k === "pkt") {
      if (isNullablePointer(a.ty) && a.ty.nullable) {
        return fail(ops, "WBPF1007", src.span, `the ${where} may be null; check it first`);
      }
      return a;
    }
    return ops.convert(a, "u64", "WBPF1020", (x) => `the ${where} is an address (a pointer or a u64); ${ops.describe(x)} is not`);
  }
  if (a.ty.k === "untyped" && a.k === "const") {
    const to = spec.kind === "int64" ? (a.value < 0n ? "i64" : "u64") : (a.value < 0n ? "i32" : "u32");
    return ops.convert(a, to, "WBPF1008", (x) => `${ops.describe(x)} does not fit the ${where} (${to})`);
  }
  if (a.ty.k !== "scalar") {
    return fail(ops, "WBPF1020", src.span, `the ${where} is an integer, not ${typeName(a.ty)}${spec.text === "%d" ? "; print addresses with %p" : ""}`);
  }
  const t = a.ty.name;
  const bits = t === "u64" || t === "i64" ? 64 : 32;
  if (spec.kind === "int32" && bits === 64) {
    const wide = spec.text.replace(/^%([^a-zA-Z]*)/, "%$1ll");
    return fail(ops, "WBPF1020", src.span, `the ${where} is a ${t}, but ${spec.text} prints 32 bits: use ${wide} or cast with \`as ${isSigned(t) ? "i32" : "u32"}\``);
  }
  // Registers carry narrow values zero-extended; widen explicitly so signed ones print right.
  const to = spec.kind === "int64" ? (t === "bool" || !isSigned(t) ? "u64" : "i64") : (t === "bool" || !isSigned(t) ? "u32" : "i32");
  if (t === to) return a;
  return { k: "convert", ty: scalar(to), e: a, span: a.span };
}

/**
 * The conversions of a format, as the kernel's bpf_bprintf_prepare() accepts them:
 * `%%`, flags `0 + - space`, a width, then `d i u x X` with up to two `l`, `c`, `s`, and
 * `p` with its kernel extensions (`pK px ps pS pB pi4 pI4 pi6 pI6`, and `pks`/`pus`: a kernel or
 * user string). Precision and other
 * conversions are refused by the kernel at run time; here they are WBPF1020.
 */
export function parseFormat(ops: CheckOps, fmt: string, span: Span): Spec[] | undefined {
  const specs: Spec[] = [];
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt.charCodeAt(i);
    if (c > 0x7e || (c < 0x20 && !/\s/.test(fmt[i]!))) {
      fail(ops, "WBPF1020", span, `the format contains ${c > 0x7e ? "a non-ASCII" : "a control"} character (code ${c}); the kernel accepts printable ASCII and white space only`);
      return undefined;
    }
    if (fmt[i] !== "%") continue;
    const start = i++;
    if (fmt[i] === "%") continue;
    while (fmt[i] === "0" || fmt[i] === "+" || fmt[i] === "-" || fmt[i] === " ") i++;
    while (fmt[i] !== undefined && fmt[i]! >= "0" && fmt[i]! <= "9") i++;
    let kind: Spec["kind"] | undefined;
    if (fmt[i] === "p") {
      const ext = /^(ks|us|K|x|s|S|B|[iI][46])/.exec(fmt.slice(i + 1));
      i += ext ? ext[0].length : 0;
      kind = "addr";
    } else if (fmt[i] === "s") {
      kind = "addr";
    } else if (fmt[i] === "c") {
      kind = "int32";
    } else {
      let longs = 0;
      while (fmt[i] === "l" && longs < 2) { longs++; i++; }
      if (fmt[i] !== undefined && "diuxX".includes(fmt[i]!)) kind = longs > 0 ? "int64" : "int32";
    }
    const text = fmt.slice(start, i + 1);
    if (!kind) {
      const seen = fmt[i] === undefined ? "the format ends after '%'" : `'${text}' is not a conversion the kernel's printk accepts`;
      fail(ops, "WBPF1020", span, `${seen}; use %d %i %u %x %X (with l or ll for 64 bits), %c, %s, %p (pK px ps pS pB pi4 pI4 pi6 pI6 pks pus) or %% for a percent sign`);
      return undefined;
    }
    specs.push({ text, kind, span });
  }
  return specs;
}
