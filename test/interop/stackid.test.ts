// get_stackid on the kernel: a tracepoint program records the kernel stack of this process's
// getgid() in a stack trace map; TypeScript reads the stack back by id and resolves its
// frames through /proc/kallsyms to the syscall path.
import { expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { bpf, load, ArrayMap, StackTraceMap, i64 } from "../../index.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const stacks = new StackTraceMap({ maxEntries: 64, name: "stacks" });
const ids = new ArrayMap({ value: i64, maxEntries: 2, name: "ids" });

const prog = bpf`
  const target: u32 = 0;
  export function on_getgid(ctx: Tracepoint<"syscalls/sys_enter_getgid">): i32 {
    if ((get_current_pid_tgid() >> 32) as u32 != target) return 0;
    const id = get_stackid(ctx, ${stacks}, 0);
    ${ids}.update(0, id);
    ${ids}.update(1, get_stackid(ctx, ${stacks}, BPF_F_USER_STACK));
    return 0;
  }
`;

/** The kernel symbol containing each address (the nearest one at or below it). */
function resolve(ips: readonly bigint[]): string[] {
  const syms = readFileSync("/proc/kallsyms", "utf8").split("\n").flatMap((l) => {
    const [addr, type, name] = l.split(" ");
    return addr && name && /^[tT]$/.test(type!) ? [{ addr: BigInt(`0x${addr}`), name }] : [];
  }).sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  return ips.map((ip) => {
    let lo = 0, hi = syms.length - 1, best = "?";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (syms[mid]!.addr <= ip) { best = syms[mid]!.name; lo = mid + 1; } else hi = mid - 1;
    }
    return best;
  });
}

describeKernel("get_stackid", () => {
  checkNoFdLeaks();

  /** Calls getgid() until the program stores a stack id in `slot` (0 kernel, 1 user); that stack. */
  async function stackOfGetgid(slot: number): Promise<bigint[]> {
    await using obj = await load(prog, { globals: { target: process.pid } });
    obj.attachAll();
    obj.map(ids).set(slot, -1n);
    const deadline = Date.now() + 5000;
    while (obj.map(ids).get(slot) === -1n && Date.now() < deadline) {
      process.getgid!();
      await new Promise((r) => setTimeout(r, 20));
    }
    const id = obj.map(ids).get(slot)!;
    expect(id).toBeGreaterThanOrEqual(0n);
    return [...obj.map(stacks).get(Number(id))!];
  }

  test("the kernel stack of getgid() is stored and reads back as kernel addresses", async () => {
    const ips = await stackOfGetgid(0);
    expect(ips.length).toBeGreaterThan(2);
    // x86-64 kernel text lives in the top half of the address space.
    for (const ip of ips) expect(ip >= 0xffff800000000000n).toBe(true);
    const names = resolve(ips);
    expect(names.some((n) => /syscall/i.test(n))).toBe(true);
  });

  test("BPF_F_USER_STACK: the user stack of getgid() starts in this process's executable mappings", async () => {
    const ips = await stackOfGetgid(1);
    expect(ips.length).toBeGreaterThan(0);
    const exec = readFileSync("/proc/self/maps", "utf8").split("\n").flatMap((l) => {
      const m = /^([0-9a-f]+)-([0-9a-f]+) r-xp/.exec(l);
      return m ? [{ lo: BigInt(`0x${m[1]}`), hi: BigInt(`0x${m[2]}`) }] : [];
    });
    // The innermost frame is the syscall instruction's return address, in libc's code.
    expect(exec.some((r) => ips[0]! >= r.lo && ips[0]! < r.hi)).toBe(true);
  });
});
