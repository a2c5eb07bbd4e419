/**
 * Arguments of BTF-typed raw tracepoints (`TpBtf<"sched_process_exec">`, section
 * `tp_btf/<name>`): the kernel's `btf_trace_<name>` typedef is a pointer to a prototype
 * `void (void *__data, struct task_struct *p, pid_t old_pid, ...)`; the program's
 * `ctx.args[i]` is argument i + 1 of it, each a u64 slot. The kernel's BTF names no
 * parameters, so arguments are positional.
 *
 * Where prototypes come from, first hit wins: WHISTLER_KERNEL_BTF, the snapshot committed with
 * the package (`structs/tp-btf-snapshot.ts`, written by `whistler btf --update`), the running
 * kernel's /sys/kernel/btf/vmlinux.
 */
import { release } from "node:os";
import type { Btf } from "../../loader/btf/index.js";
import { ktype, type KType } from "./kernel-types.js";
import { liveKernelBtf } from "./live-btf.js";
import { jsonSnapshotSource } from "./snapshot-source.js";
import { SNAPSHOT_TP_BTF_JSON } from "./structs/tp-btf-snapshot.js";

/** Raw tracepoints tools attach to most, recorded in the snapshot. */
export const TP_BTF_SNAPSHOT: readonly string[] = [
  "sched_process_exec", "sched_process_fork", "sched_process_exit", "sched_process_free", "sched_switch",
  "sched_wakeup", "sched_wakeup_new", "sched_waking", "sched_migrate_task", "task_newtask", "task_rename",
  "sys_enter", "sys_exit", "signal_generate", "signal_deliver", "block_rq_issue", "block_rq_complete",
  "block_rq_insert", "kfree_skb", "consume_skb", "net_dev_queue", "netif_receive_skb", "inet_sock_set_state",
  "tcp_retransmit_skb", "tcp_probe", "cgroup_mkdir", "cgroup_rmdir",
];

/** The argument types of raw tracepoint `name` in `btf` (after `void *__data`), or undefined. */
export function tpBtfArgsIn(btf: Btf, name: string): readonly KType[] | undefined {
  const t = btf.find("TYPEDEF", `btf_trace_${name}`);
  if (!t || t.kind !== "TYPEDEF") return undefined;
  const ptr = btf.resolve(t.type);
  if (ptr.kind !== "PTR") return undefined;
  const proto = btf.type(ptr.type);
  if (proto.kind !== "FUNC_PROTO") return undefined;
  return proto.params.slice(1).map((p) => ktype(btf, p.type));
}

function liveArgs(name: string): readonly KType[] | undefined {
  const override = process.env.WHISTLER_KERNEL_BTF ? liveKernelBtf() : undefined;
  const fromFile = override ? tpBtfArgsIn(override, name) : undefined;
  if (fromFile) return fromFile;
  const snap = Object.prototype.hasOwnProperty.call(SNAPSHOT_TP_BTF_JSON, name) ? SNAPSHOT_TP_BTF_JSON[name] : undefined;
  if (snap) return JSON.parse(snap) as KType[];
  const live = liveKernelBtf();
  return live ? tpBtfArgsIn(live, name) : undefined;
}

const cache = new Map<string, readonly KType[] | undefined>();

/** The argument types of `TpBtf<"name">` (ctx.args[0] first), or undefined when unknown. */
export function tpBtfArgs(name: string): readonly KType[] | undefined {
  const key = `${process.env.WHISTLER_KERNEL_BTF ?? ""}\0${name}`;
  if (!cache.has(key)) cache.set(key, liveArgs(name));
  return cache.get(key);
}

/** TypeScript source of the prototype snapshot for `btf`. */
export function tpBtfSnapshotModule(btf: Btf, names: readonly string[] = TP_BTF_SNAPSHOT, kernel = release()): string {
  const entries = new Map<string, readonly KType[]>();
  for (const name of names) {
    const args = tpBtfArgsIn(btf, name);
    if (args) entries.set(name, args);
  }
  return jsonSnapshotSource({
    about: "Argument types of BTF raw tracepoints (TpBtf<\"name\">), so builds need no vmlinux BTF.",
    kernelConst: "SNAPSHOT_TP_BTF_KERNEL",
    recordConst: "SNAPSHOT_TP_BTF_JSON",
    recordDoc: ["JSON text per tracepoint (KType[]), parsed on use."],
    kernel,
    entries,
  });
}
