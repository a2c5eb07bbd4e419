/**
 * Arguments of helper calls, checked against the helper table's parameter kinds and turned
 * into the kernel's argument list: a "buf" argument (`e.comm`) becomes its pointer and its
 * size, a map its address, the context the program's ctx pointer.
 */
import type { Expr } from "./ast.js";
import { fail, type CheckOps } from "./check-ops.js";
import { kernelArgCount, type HelperDef, type HelperParam } from "./helpers.js";
import { pointeeSize } from "./structs.js";
import type { TExpr } from "./typed.js";
import { scalar, typeName } from "./types.js";

const PARAM_WORDS: Readonly<Record<Exclude<HelperParam, `${string}${number}` | "bool">, string>> = {
  buf: "a struct or array to fill or read (e.g. `e.comm`)",
  mem: "a pointer to a struct, array or map value",
  unsafe: "an address (a u64 such as a ctx pointer field, or a pointer)",
  map: "a map (`${...}`)",
  ctx: "the program's context",
};

export function describeParam(p: HelperParam): string {
  return p in PARAM_WORDS ? PARAM_WORDS[p as keyof typeof PARAM_WORDS] : p;
}

/** A checked pointer argument that must not be null; `what` names it in messages. */
function nonNullPointer(ops: CheckOps, a: TExpr, src: Expr, what: string): TExpr | undefined {
  if ((a.ty.k === "sptr" || a.ty.k === "ptr") && a.ty.nullable) {
    const name = src.k === "name" ? src.name : "the pointer";
    fail(ops, "WBPF1007", src.span, `${name} may be null; check it before passing it as ${what}: \`if (!${name}) return 0;\``);
    return undefined;
  }
  return a;
}

/** Kernel arguments of `name(args)`, or undefined after reporting what is wrong. */
export function checkHelperArgs(ops: CheckOps, name: string, h: HelperDef, e: Extract<Expr, { k: "call" }>): TExpr[] | undefined {
  if (e.args.length !== h.params.length) {
    ops.sink.error("WBPF1006", e.span, `'${name}' takes ${h.params.length} argument${h.params.length === 1 ? "" : "s"} (${h.params.map(describeParam).join(", ") || "none"}), got ${e.args.length}`);
    return undefined;
  }
  if (kernelArgCount(h.params) > 5) throw new Error(`internal: helper ${name} takes more than 5 kernel arguments`);
  const out: TExpr[] = [];
  let ok = true;
  h.params.forEach((p, i) => {
    const src = e.args[i]!;
    const what = `argument ${i + 1} of '${name}'`;
    if (p === "map") {
      const map = ops.mapOf(src);
      if (!map) {
        ok = false;
        fail(ops, "WBPF1014", src.span, `${what} is a map: interpolate one, e.g. \`\${events}\``);
        return;
      }
      if (h.mapKinds && !h.mapKinds.includes(map.info.kind)) {
        ok = false;
        fail(ops, "WBPF2003", src.span, `'${name}' needs a ${h.mapKinds.join(" or ")} map; '${map.name}' is a ${map.info.kind} map`);
        return;
      }
      out.push({ k: "mapref", ty: scalar("u64"), map, span: src.span });
      return;
    }
    if (p === "ctx") {
      if (!ops.isCtx(src)) {
        ok = false;
        fail(ops, "WBPF1003", src.span, `${what} is the program's context: pass the ctx parameter itself`);
        return;
      }
      out.push({ k: "ctxptr", ty: scalar("u64"), span: src.span });
      return;
    }
    const a = ops.expr(src);
    if (a.ty.k === "error") {
      ok = false;
      return;
    }
    if (p === "buf") {
      const size = pointeeSize(a.ty);
      const ptr = size === undefined ? undefined : nonNullPointer(ops, a, src, what);
      if (size === undefined || !ptr) {
        ok = false;
        if (size === undefined) fail(ops, "WBPF1003", src.span, `${what} is ${describeParam(p)}, not ${typeName(a.ty)}`);
        return;
      }
      out.push(ptr, { k: "const", ty: scalar("u32"), value: BigInt(size), span: src.span });
      return;
    }
    if (p === "mem") {
      const ptr = pointeeSize(a.ty) === undefined ? undefined : nonNullPointer(ops, a, src, what);
      if (!ptr) {
        ok = false;
        if (pointeeSize(a.ty) === undefined) fail(ops, "WBPF1003", src.span, `${what} is ${describeParam(p)}, not ${typeName(a.ty)}`);
        return;
      }
      out.push(ptr);
      return;
    }
    if (p === "unsafe") {
      // Any pointer or integer: probe_read checks the address at run time, not the verifier.
      if (a.ty.k === "sptr" || a.ty.k === "aptr" || a.ty.k === "ptr" || a.ty.k === "pkt" || a.ty.k === "kptr" || a.ty.k === "kbuf") {
        out.push(a);
        return;
      }
      const c = ops.convert(a, "u64", "WBPF1003", (x) => `${what} is ${describeParam(p)}; ${ops.describe(x)} does not convert to u64 implicitly`);
      if (c.ty.k === "error") ok = false;
      out.push(c);
      return;
    }
    const c = ops.convert(a, p, "WBPF1003", (x) => `${what} is ${p}; ${ops.describe(x)} does not convert implicitly`);
    if (c.ty.k === "error") ok = false;
    out.push(c);
  });
  return ok ? out : undefined;
}
