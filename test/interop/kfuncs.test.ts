// kfuncs from templates on the kernel: built-in and declared kernel functions compile to
// extern calls the loader resolves by BTF id; bpf_task_from_pid finds this process (and no
// task for a free pid) with the reference released; a kfunc the kernel lacks is a typed load
// error naming it, a declaration that disagrees with the kernel's prototype another.
import { expect, test } from "@jest/globals";
import { bpf, load, KfuncMismatchError, KfuncNotFoundError } from "../../index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const NO_SUCH_PID = 0x7ffffff0;

const prog = bpf`
  const target: i32 = 0;
  declare function bpf_cgroup_from_id(cgid: u64): kptr;
  export function find_task(ctx: Xdp): i32 {
    bpf_rcu_read_lock();
    bpf_rcu_read_unlock();
    const t = bpf_task_from_pid(target);
    if (t == 0) return XDP_DROP;
    bpf_task_release(t);
    return XDP_PASS;
  }
  export function find_cgroup(ctx: Xdp): i32 {
    const c = bpf_cgroup_from_id(1);
    if (c == 0) return XDP_DROP;
    bpf_cgroup_release(c);
    return XDP_PASS;
  }
`;

// The task's own fields, read as a kernel struct; the KernelStruct value released directly.
const fields = bpf`
  export function self_tgid(ctx: Xdp): i32 {
    const me = (get_current_pid_tgid() >> 32) as i32;
    const t = bpf_task_from_pid(me);
    if (t == 0) return XDP_ABORTED;
    const task = t as KernelStruct<"task_struct">;
    const tgid = task.tgid;
    bpf_task_release(task);
    return tgid == me ? XDP_PASS : XDP_DROP;
  }
`;

const absent = bpf`
  declare function bpf_no_such_kfunc(x: u32): u32;
  export function calls_absent(ctx: Xdp): i32 {
    return bpf_no_such_kfunc(1) as i32;
  }
`;

const mismatch = bpf`
  declare function bpf_task_from_pid(pid: u64): kptr;
  declare function bpf_task_release(p: kptr): void;
  export function wrong_proto(ctx: Xdp): i32 {
    const t = bpf_task_from_pid(1);
    if (t == 0) return XDP_DROP;
    bpf_task_release(t);
    return XDP_PASS;
  }
`;

describeKernel("kfuncs in templates", () => {
  checkNoFdLeaks();

  test("bpf_task_from_pid finds this process, not a free pid; the root cgroup exists", async () => {
    for (const [pid, verdict] of [[process.pid, 2], [NO_SUCH_PID, 1]] as const) {
      await using obj = await load(prog, { globals: { target: pid } });
      expect(obj.programs.get("find_task")!.testRun({ data: new Uint8Array(64) }).retval).toBe(verdict);
      expect(obj.programs.get("find_cgroup")!.testRun({ data: new Uint8Array(64) }).retval).toBe(2);
    }
  });

  test("a task from bpf_task_from_pid reads as KernelStruct<\"task_struct\">: its tgid is the caller's", async () => {
    await using obj = await load(fields);
    expect(obj.programs.get("self_tgid")!.testRun({ data: new Uint8Array(64) }).retval).toBe(2);
  });

  test("a kfunc this kernel lacks is KfuncNotFoundError naming it", async () => {
    const err = await load(absent).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(KfuncNotFoundError);
    expect((err as KfuncNotFoundError).kfunc).toBe("bpf_no_such_kfunc");
    expect((err as Error).message).toContain('program "calls_absent" calls kernel function "bpf_no_such_kfunc"');
  });

  test("a declaration that disagrees with the kernel's prototype is KfuncMismatchError", async () => {
    const err = await load(mismatch).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(KfuncMismatchError);
    expect((err as Error).message).toContain("argument 1 (pid) is a 32-bit integer in the kernel, a 64-bit integer in the declaration");
  });
});
