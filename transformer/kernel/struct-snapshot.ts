/**
 * Writing the kernel struct snapshot (`structs/snapshot.ts`) from a BTF: the structs BPF tools
 * commonly read, plus every struct they embed by value (a layout needs them), converted to the
 * compiler's small form (`kernel-types.ts`). Pointers stay names: a pointed-to struct is in
 * the snapshot only when it is a root or embedded somewhere.
 */
import { release } from "node:os";
import type { Btf } from "../../loader/btf/index.js";
import { btfKernelTypes, type KComposite, type KType } from "./kernel-types.js";
import { jsonSnapshotSource } from "./snapshot-source.js";

/** Structs a tracing tool reaches from the current task, a file, a socket or a packet. */
export const SNAPSHOT_ROOTS: readonly string[] = [
  "task_struct", "cred", "mm_struct", "signal_struct", "pid", "upid", "nsproxy", "pid_namespace", "uts_namespace",
  "new_utsname", "files_struct", "fs_struct", "file", "path", "dentry", "qstr", "inode", "vfsmount", "linux_binprm",
  "sock", "sock_common", "sk_buff", "net_device", "kernfs_node", "cgroup", "css_set",
];

function embedded(t: KType, out: string[]): void {
  if (t.k === "struct") out.push(t.name);
  else if (t.k === "array") embedded(t.elem, out);
  else if (t.k === "anon") for (const m of t.def.members) embedded(m.type, out);
}

/** The roots found in `btf` and the structs they embed, by name. */
export function snapshotStructs(btf: Btf, roots: readonly string[] = SNAPSHOT_ROOTS): Map<string, KComposite> {
  const types = btfKernelTypes(btf);
  const out = new Map<string, KComposite>();
  const todo = [...roots];
  while (todo.length) {
    const name = todo.pop()!;
    if (out.has(name)) continue;
    const c = types.composite(name);
    if (!c) continue;
    out.set(name, c);
    const inner: string[] = [];
    for (const m of c.members) embedded(m.type, inner);
    todo.push(...inner);
  }
  return out;
}

/** TypeScript source of the snapshot module. */
export function structSnapshotModule(structs: ReadonlyMap<string, KComposite>, kernel = release()): string {
  return jsonSnapshotSource({
    about: "Kernel struct layouts KernelStruct<\"name\"> compiles against, so builds need no vmlinux BTF.",
    kernelConst: "SNAPSHOT_STRUCTS_KERNEL",
    recordConst: "SNAPSHOT_STRUCTS_JSON",
    recordDoc: ["JSON text per struct, parsed when a template first uses the struct: loading the compiler", "then costs no parse of every layout, and builds no type checking of a large literal."],
    kernel,
    entries: structs,
  });
}
