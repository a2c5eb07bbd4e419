/**
 * Kernel functions (kfuncs): functions of the kernel a BPF program calls by BTF id rather
 * than by helper number. A few common ones are built in; any other is declared in the
 * template with `declare function name(a: i32, t: kptr): kptr;` (the kernel's prototype, in
 * integer types and `kptr` for kernel pointers).
 *
 * A call compiles as clang compiles an `extern ... __ksym` call: `call -1` with an
 * R_BPF_64_32 relocation against an undefined symbol of the function's name, and an extern
 * FUNC in a `.ksyms` DATASEC in the object's BTF. The loader puts the kernel's BTF id in the
 * call and checks the prototype (`loader/reloc/kfunc.ts`); whether the program type may call
 * it (the kernel registers kfuncs per program type) and reference counting (acquired
 * pointers must be released) are the verifier's.
 */
import { isScalarName, type ScalarName } from "../../runtime/types.js";
import type { DiagnosticSink, Span } from "../diagnostics.js";
import type { Expr, KfuncDecl } from "./ast.js";
import { errorNode, fail, type CheckOps } from "./check-ops.js";
import type { TExpr } from "./typed.js";
import { scalar, VOID } from "./types.js";

/** A parameter or result: an integer, or a kernel pointer (held as its u64 address). */
export type KfuncType = ScalarName | "kptr";

export interface KfuncSig {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly type: KfuncType }[];
  readonly ret: KfuncType | "void";
  readonly doc?: string;
}

const sig = (name: string, params: KfuncSig["params"], ret: KfuncSig["ret"], doc: string): KfuncSig => ({ name, params, ret, doc });

/** kfuncs every template may call without declaring them (kernel/bpf/helpers.c's common sets). */
export const BUILTIN_KFUNCS: Readonly<Record<string, KfuncSig>> = {
  bpf_task_from_pid: sig("bpf_task_from_pid", [{ name: "pid", type: "i32" }], "kptr", "the task with this pid (a referenced pointer: release it with bpf_task_release), or 0 when none"),
  bpf_task_from_vpid: sig("bpf_task_from_vpid", [{ name: "vpid", type: "i32" }], "kptr", "as bpf_task_from_pid, by the pid in the current task's pid namespace"),
  bpf_task_release: sig("bpf_task_release", [{ name: "p", type: "kptr" }], "void", "drop a task reference from bpf_task_from_pid"),
  bpf_cgroup_from_id: sig("bpf_cgroup_from_id", [{ name: "cgid", type: "u64" }], "kptr", "the cgroup with this id (referenced: release it with bpf_cgroup_release), or 0"),
  bpf_cgroup_release: sig("bpf_cgroup_release", [{ name: "cgrp", type: "kptr" }], "void", "drop a cgroup reference from bpf_cgroup_from_id"),
  bpf_rcu_read_lock: sig("bpf_rcu_read_lock", [], "void", "enter an RCU read-side section"),
  bpf_rcu_read_unlock: sig("bpf_rcu_read_unlock", [], "void", "leave it"),
};

const TYPE_WORDS = "an integer type (u8 ... i64) or kptr (a kernel pointer)";

/** The signature a `declare function` gives, or undefined after reporting a bad type. */
export function declaredKfunc(d: KfuncDecl, sink: DiagnosticSink): KfuncSig | undefined {
  const type = (name: string, span: Span): KfuncType | undefined => {
    if (name === "kptr" || (isScalarName(name) && name !== "bool")) return name;
    sink.error("WBPF1003", span, `'${name}' is not a kernel function parameter type; use ${TYPE_WORDS}`);
    return undefined;
  };
  const params = d.params.map((p) => ({ name: p.name, type: type(p.type.name, p.type.span) }));
  const ret = d.returnType ? type(d.returnType.name, d.returnType.span) : "void";
  if (!ret || params.some((p) => !p.type)) return undefined;
  return { name: d.name, params: params as KfuncSig["params"], ret };
}

/** `name(args)` for kfunc `k`, which the template refers to as `index`. */
export function checkKfuncCall(ops: CheckOps, k: KfuncSig, index: number, e: Extract<Expr, { k: "call" }>): TExpr {
  if (e.args.length !== k.params.length) {
    return fail(ops, "WBPF1006", e.span, `kernel function '${k.name}' takes ${k.params.length} argument${k.params.length === 1 ? "" : "s"} (${k.params.map((p) => `${p.name}: ${p.type}`).join(", ") || "none"}), got ${e.args.length}`);
  }
  let ok = true;
  const args = e.args.map((src, i) => {
    const p = k.params[i]!;
    const a = ops.expr(src);
    if (a.ty.k === "error") {
      ok = false;
      return a;
    }
    // A kernel pointer is the u64 a kfunc returned (or that u64 read as a KernelStruct); the
    // verifier tracks what it points to.
    if (p.type === "kptr" && a.ty.k === "kptr") return { k: "retype", ty: scalar("u64"), e: a, span: a.span } satisfies TExpr;
    const to: ScalarName = p.type === "kptr" ? "u64" : p.type;
    const c = ops.convert(a, to, "WBPF1003", (x) => `argument '${p.name}' of '${k.name}' is ${p.type === "kptr" ? "a kernel pointer (a u64 from a kfunc)" : p.type}; ${ops.describe(x)} does not convert implicitly`);
    if (c.ty.k === "error") ok = false;
    return c;
  });
  if (!ok) return errorNode(e.span);
  const ty = k.ret === "void" ? VOID : scalar(k.ret === "kptr" ? "u64" : k.ret);
  return { k: "kfunc", ty, kfunc: index, args, span: e.span };
}
