/**
 * Kernel BTF lookups for programs that attach by BTF id (fentry, fexit, fmod_ret, lsm,
 * tp_btf, iter): the id of the traced function or hook in /sys/kernel/btf/vmlinux, which
 * BPF_PROG_LOAD needs as attach_btf_id. The kernel's BTF is parsed once per process (~1 s).
 */
import { readFileSync } from "node:fs";
import { NotSupportedError, WhistlerError } from "../../runtime/errors.js";
import { Btf } from "../btf/index.js";

export const VMLINUX_BTF = "/sys/kernel/btf/vmlinux";
let cached: Btf | undefined;

export function vmlinuxBtf(path: string = VMLINUX_BTF): Btf {
  if (cached && path === VMLINUX_BTF) return cached;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new NotSupportedError(`this kernel exposes no BTF (${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)})`, {
      cause: e, hint: "fentry/fexit/lsm programs need a kernel built with CONFIG_DEBUG_INFO_BTF",
    });
  }
  const btf = Btf.parse(bytes, "vmlinux");
  if (path === VMLINUX_BTF) cached = btf;
  return btf;
}

/** The BTF name the kernel looks up for a section's target. */
export function btfTargetName(section: string, target: string): { kind: "FUNC" | "TYPEDEF"; name: string } {
  const head = section.replace(/^\?/, "").split("/")[0]!.replace(/\.s$/, "");
  if (head === "lsm" || head === "lsm_cgroup") return { kind: "FUNC", name: `bpf_lsm_${target}` };
  if (head === "tp_btf") return { kind: "TYPEDEF", name: `btf_trace_${target}` };
  if (head === "iter") return { kind: "FUNC", name: `bpf_iter_${target}` };
  return { kind: "FUNC", name: target };
}

/** attach_btf_id for a program in `section` targeting `target`; a clear error when absent. */
export function attachBtfId(section: string, target: string, btf: Btf = vmlinuxBtf()): number {
  if (!target) throw new WhistlerError(`section "${section}" names no kernel function`, { hint: "write e.g. fentry/do_unlinkat or lsm/file_open" });
  const { kind, name } = btfTargetName(section, target);
  const t = btf.find(kind, name);
  if (!t) {
    throw new WhistlerError(`the kernel's BTF has no ${kind === "FUNC" ? "function" : "type"} "${name}" (for section "${section}")`, {
      hint: "check the name against /sys/kernel/btf/vmlinux (bpftool btf dump file /sys/kernel/btf/vmlinux | grep NAME)",
    });
  }
  return t.id;
}
