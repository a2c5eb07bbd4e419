/**
 * Kernel function calls (kfuncs): a `call` against an undefined (extern) symbol, as clang
 * writes `extern ... __ksym` functions and our compiler writes kfunc calls, becomes
 * `call` with src_reg BPF_PSEUDO_KFUNC_CALL and imm the function's BTF id in the running
 * kernel's BTF. Here: finding that id and checking the object's prototype (the FUNC of the
 * same name in its BTF, the `.ksyms` DATASEC entry) against the kernel's, so a wrong
 * declaration fails with the parameter named instead of a verifier message. Pure: both BTFs
 * come in as arguments.
 */
import { WhistlerError } from "../../runtime/errors.js";
import type { Btf } from "../btf/index.js";

/** A kfunc the kernel's BTF does not have (absent from this kernel, or in an unloaded module). */
export class KfuncNotFoundError extends WhistlerError {
  readonly kfunc: string;
  readonly program: string;
  constructor(program: string, kfunc: string) {
    super(`program "${program}" calls kernel function "${kfunc}", which this kernel's BTF (/sys/kernel/btf/vmlinux) does not have`, {
      hint: `check the name and the kernel version that added it (bpftool btf dump file /sys/kernel/btf/vmlinux | grep "'${kfunc}'"); kfuncs of kernel modules are not resolved yet`,
    });
    this.kfunc = kfunc;
    this.program = program;
  }
}

/** The object's declaration of a kfunc disagrees with the kernel's prototype. */
export class KfuncMismatchError extends WhistlerError {
  readonly kfunc: string;
  constructor(program: string, kfunc: string, what: string) {
    super(`program "${program}" calls kernel function "${kfunc}" with a prototype the kernel's does not match: ${what}`, {
      hint: `declare it as the kernel does (bpftool btf dump file /sys/kernel/btf/vmlinux format c | grep -w ${kfunc})`,
    });
    this.kfunc = kfunc;
  }
}

/** What a parameter or result is, as far as calling conventions care. */
type Shape = "void" | "ptr" | `int${number}` | "other";

function shape(btf: Btf, id: number): Shape {
  if (id === 0) return "void";
  const t = btf.resolve(id);
  if (t.kind === "PTR") return "ptr";
  const s = btf.scalar(id);
  if (s) return `int${s.size}`;
  return "other";
}

const describe = (s: Shape): string => (s === "ptr" ? "a pointer" : s === "void" ? "void" : s === "other" ? "a struct or other non-scalar" : `a ${Number(s.slice(3)) * 8}-bit integer`);

/**
 * The kernel's BTF id of `name`, after checking `local`'s prototype for it (when the object's
 * BTF declares one). Integers of the same size match whatever their signedness; pointers
 * match pointers.
 */
export function resolveKfunc(program: string, name: string, kernel: Btf, local: Btf | undefined): number {
  const k = kernel.find("FUNC", name);
  if (!k) throw new KfuncNotFoundError(program, name);
  const decl = local?.find("FUNC", name);
  if (!local || !decl) return k.id;
  const kp = kernel.type(k.type);
  const lp = local.type(decl.type);
  if (kp.kind !== "FUNC_PROTO" || lp.kind !== "FUNC_PROTO") return k.id;
  if (kp.params.length !== lp.params.length) {
    throw new KfuncMismatchError(program, name, `the kernel's takes ${kp.params.length} argument${kp.params.length === 1 ? "" : "s"} (${kp.params.map((p) => p.name || "?").join(", ")}), the declaration ${lp.params.length}`);
  }
  kp.params.forEach((p, i) => {
    const want = shape(kernel, p.type);
    const have = shape(local, lp.params[i]!.type);
    if (want !== have && !(want === "other" || have === "other")) {
      throw new KfuncMismatchError(program, name, `argument ${i + 1} (${p.name || "unnamed"}) is ${describe(want)} in the kernel, ${describe(have)} in the declaration`);
    }
  });
  const want = shape(kernel, kp.returnType);
  const have = shape(local, lp.returnType);
  if (want !== have && !(want === "other" || have === "other")) {
    throw new KfuncMismatchError(program, name, `it returns ${describe(want)} in the kernel, ${describe(have)} in the declaration`);
  }
  return k.id;
}
