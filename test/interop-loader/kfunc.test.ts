// kfuncs through our loader: clang's `extern ... __ksym` calls (R_BPF_64_32 against undefined
// symbols, extern FUNCs in a `.ksyms` DATASEC) load with each call's imm set to the function's
// BTF id in /sys/kernel/btf/vmlinux; bpf_task_from_pid finds this process and not a free pid.
import { expect, test } from "@jest/globals";
import { load, type MapHandle } from "../../loader/index.js";
import { Btf } from "../../loader/btf/index.js";
import { vmlinuxBtf } from "../../loader/link/vmlinux-btf.js";
import { KfuncMismatchError, KfuncNotFoundError, resolveKfunc } from "../../loader/reloc/kfunc.js";
import { ElfFile } from "../../loader/elf/index.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";
import { u32At, u32le } from "./packets.js";

const XDP_PASS = 2;
/** A pid above the default pid_max (4194304 is the largest allowed): no task has it. */
const NO_SUCH_PID = 0x7ffffff0;

function bss(m: MapHandle<unknown, unknown>): Uint8Array {
  return m.get(u32le(0) as never) as Uint8Array;
}

describeKernel("kfuncs in clang objects", () => {
  checkNoFdLeaks();

  test("kfunc_task.bpf.o: bpf_task_from_pid finds this process, and no task for a free pid", async () => {
    for (const [pid, found] of [[process.pid, 1], [NO_SUCH_PID, 0]] as const) {
      await using obj = await load(fixture("kfunc_task.bpf.o"), { globals: { target_pid: pid } });
      const prog = obj.program("find_task");
      expect(prog.testRun({ data: new Uint8Array(64) }).retval).toBe(XDP_PASS);
      expect(u32At(bss(obj.map(".data")), 0)).toBe(found);
    }
  });

  test("prototype checks against the kernel's BTF: count and kinds of arguments, result", () => {
    const kernel = vmlinuxBtf();
    const local = Btf.parse(ElfFile.parse(fixture("kfunc_task.bpf.o")).section(".BTF")!.data);
    expect(resolveKfunc("p", "bpf_task_from_pid", kernel, local)).toBe(kernel.find("FUNC", "bpf_task_from_pid")!.id);
    expect(() => resolveKfunc("p", "bpf_task_from_pidd", kernel, local)).toThrow(KfuncNotFoundError);
    // The fixture's bpf_task_release takes a pointer; check it against a kernel function taking an integer.
    const err = (() => { try { resolveKfunc("p", "bpf_task_release", renamed(kernel, "bpf_task_release", "bpf_task_from_pid"), local); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(KfuncMismatchError);
    expect(String((err as Error).message)).toContain("argument 1 (pid) is a 32-bit integer in the kernel, a pointer in the declaration");
  });
});

/** A view of `btf` where looking up FUNC `name` finds FUNC `as` instead. */
function renamed(btf: Btf, name: string, as: string): Btf {
  return new Proxy(btf, {
    get(target, prop, recv) {
      if (prop === "find") return (kind: string, n: string) => target.find(kind as "FUNC", n === name ? as : n);
      const v = Reflect.get(target, prop, recv) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
